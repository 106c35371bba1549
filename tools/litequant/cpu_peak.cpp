// Peak multiply-add rates (cpu_peak.h). Each loop runs 16 (AVX2: 12) independent chains
// (enough to hide the instruction's latency on every current x86 core), all in registers
// (an asm barrier on each accumulator made GCC keep them on the stack: a third of the
// FMA peak); the chains feed the returned value, so they cannot be dropped. Functions
// carry target attributes and run only after a CPUID check.
#include "cpu_peak.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "litequant/core/cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LQ_PEAK_X86 1
#endif

namespace lq::cli {
namespace {

constexpr int kChains = 16;      // AVX-512: 32 registers
constexpr int kChains256 = 12;  // AVX2: 16 registers, two hold the operands

#ifdef LQ_PEAK_X86
#define LQ_UNROLL _Pragma("GCC unroll 16")

__attribute__((target("avx512f,avx512bw,avx512vnni"))) int32_t vnni_loop(int64_t iters, int32_t seed) {
  __m512i acc[kChains];
  LQ_UNROLL for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_epi32(seed + k);
  const __m512i a = _mm512_set1_epi8(static_cast<char>(seed)), b = _mm512_set1_epi8(static_cast<char>(seed + 1));
  for (int64_t i = 0; i < iters; ++i) {
    LQ_UNROLL for (int k = 0; k < kChains; ++k) {
      acc[k] = _mm512_dpbusd_epi32(acc[k], a, b);
    }
  }
  __m512i s = acc[0];
  for (int k = 1; k < kChains; ++k) s = _mm512_add_epi32(s, acc[k]);
  alignas(64) int32_t lanes[16];
  _mm512_store_si512(lanes, s);
  uint32_t total = 0;  // wraps: only the dependency matters
  for (int32_t v : lanes) total += static_cast<uint32_t>(v);
  return static_cast<int32_t>(total & 0x7FFFFFFF);
}

__attribute__((target("avx2"))) int32_t madd_loop(int64_t iters, int32_t seed) {
  __m256i acc[kChains256];
  LQ_UNROLL for (int k = 0; k < kChains256; ++k) acc[k] = _mm256_set1_epi32(seed + k);
  const __m256i b = _mm256_set1_epi16(static_cast<int16_t>(seed + 1));
  for (int64_t i = 0; i < iters; ++i) {
    // A chain of vpmaddwd on its own result (the products' values do not matter).
    LQ_UNROLL for (int k = 0; k < kChains256; ++k) acc[k] = _mm256_madd_epi16(acc[k], b);
  }
  __m256i s = acc[0];
  for (int k = 1; k < kChains256; ++k) s = _mm256_add_epi32(s, acc[k]);
  alignas(32) int32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), s);
  uint32_t total = 0;  // wraps: only the dependency matters
  for (int32_t v : lanes) total += static_cast<uint32_t>(v);
  return static_cast<int32_t>(total & 0x7FFFFFFF);
}

__attribute__((target("avx512f"))) int32_t fma512_loop(int64_t iters, int32_t seed) {
  __m512 acc[kChains];
  LQ_UNROLL for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_ps(static_cast<float>(seed + k));
  const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-3f);
  for (int64_t i = 0; i < iters; ++i) {
    LQ_UNROLL for (int k = 0; k < kChains; ++k) {
      acc[k] = _mm512_fmadd_ps(acc[k], a, b);
    }
  }
  __m512 s = acc[0];
  for (int k = 1; k < kChains; ++k) s = _mm512_add_ps(s, acc[k]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, s);
  float total = 0;
  for (float v : lanes) total += v;
  return static_cast<int32_t>(total);
}

__attribute__((target("avx2,fma"))) int32_t fma256_loop(int64_t iters, int32_t seed) {
  __m256 acc[kChains256];
  LQ_UNROLL for (int k = 0; k < kChains256; ++k) acc[k] = _mm256_set1_ps(static_cast<float>(seed + k));
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-3f);
  for (int64_t i = 0; i < iters; ++i) {
    LQ_UNROLL for (int k = 0; k < kChains256; ++k) {
      acc[k] = _mm256_fmadd_ps(acc[k], a, b);
    }
  }
  __m256 s = acc[0];
  for (int k = 1; k < kChains256; ++k) s = _mm256_add_ps(s, acc[k]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, s);
  float total = 0;
  for (float v : lanes) total += v;
  return static_cast<int32_t>(total);
}
#endif

// Best rate of a few timed runs of loop(iters) doing macs_per_iter multiply-adds per
// iteration, sized to ~25 ms each after a calibration run.
double best_gmac_per_s(int32_t (*loop)(int64_t, int32_t), double macs_per_iter) {
  volatile int32_t sink = 0;
  const auto time = [&](int64_t iters) {
    const auto start = std::chrono::steady_clock::now();
    sink = sink + loop(iters, 1);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  int64_t iters = 1 << 14;
  double seconds = time(iters);
  while (seconds < 2e-3) seconds = time(iters *= 4);
  iters = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(iters) * 0.025 / seconds));
  double best = 0;
  for (int run = 0; run < 3; ++run) best = std::max(best, static_cast<double>(iters) * macs_per_iter / time(iters));
  return best * 1e-9;
}

}  // namespace

PeakRate measure_int8_peak() {
#ifdef LQ_PEAK_X86
  const CpuFeatures& f = cpu_features();
  if (f.avx512_core() && f.avx512vnni) return {best_gmac_per_s(vnni_loop, kChains * 64.0), "avx512 vpdpbusd"};
  if (f.avx2) return {best_gmac_per_s(madd_loop, kChains256 * 16.0), "avx2 vpmaddwd"};
#endif
  return {};
}

PeakRate measure_float_peak() {
#ifdef LQ_PEAK_X86
  const CpuFeatures& f = cpu_features();
  if (f.avx512_core()) return {best_gmac_per_s(fma512_loop, kChains * 16.0), "avx512 vfmadd231ps"};
  if (f.avx2 && f.fma) return {best_gmac_per_s(fma256_loop, kChains256 * 8.0), "avx2 vfmadd231ps"};
#endif
  return {};
}

}  // namespace lq::cli
