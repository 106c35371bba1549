// AVX2 + FMA sgemm kernels: 6 x 16 micro-tiles (12 ymm accumulators); edges use masked
// variants only where needed. Compiled with -mavx2 -mfma; only reached after
// cpu_features() says so.
#include "core/gemm_internal.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace lq::gemm_internal {
namespace {

struct V256 {
  using Reg = __m256;
  // Lane mask for maskload plus the lane count: AMD's masked stores are slow, so partial
  // stores are written in 4/2/1-float pieces instead.
  struct Mask {
    __m256i bits;
    int n;
  };
  static constexpr int kLanes = 8;
  static constexpr bool kCheapMask = false;
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg set1(float x) { return _mm256_set1_ps(x); }
  static Reg bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg load(const float* p, Mask m) { return _mm256_maskload_ps(p, m.bits); }
  static void store(float* p, Reg x) { _mm256_storeu_ps(p, x); }
  static void store(float* p, Reg x, Mask m) {
    __m128 part = _mm256_castps256_ps128(x);
    int n = m.n;
    if (n >= 4) {
      _mm_storeu_ps(p, part);
      part = _mm256_extractf128_ps(x, 1);
      p += 4;
      n -= 4;
    }
    if (n >= 2) {
      _mm_storel_pi(reinterpret_cast<__m64*>(p), part);
      part = _mm_movehl_ps(part, part);
      p += 2;
      n -= 2;
    }
    if (n >= 1) _mm_store_ss(p, part);
  }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg mul(Reg a, Reg b) { return _mm256_mul_ps(a, b); }
  static Mask tail_mask(int n) {
    static constexpr int32_t kBits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(kBits + 8 - n)), n};
  }
};

// 6 x 16 tiles: 12 accumulators + 2 B vectors + 1 broadcast = 15 of 16 ymm registers.
constexpr int kMr = 6;
constexpr int kNv = 2;
constexpr KernelSet kSet{kMr, kNv * V256::kLanes, 64 * kMr, 128 * kNv * V256::kLanes,
                         &block_kernel<V256, kMr, kNv>};

}  // namespace

const KernelSet* avx2_kernels() { return &kSet; }

}  // namespace lq::gemm_internal

#else

namespace lq::gemm_internal {
const KernelSet* avx2_kernels() { return nullptr; }
}  // namespace lq::gemm_internal

#endif
