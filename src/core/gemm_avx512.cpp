// AVX-512 sgemm kernels: 14 x 32 micro-tiles (28 zmm accumulators), masked edges.
// Compiled with -mavx512f/vl/bw/dq -mfma; only reached after cpu_features() says so.
#include "core/gemm_internal.h"

#if defined(__AVX512F__) && defined(__FMA__)
#include <immintrin.h>

namespace lq::gemm_internal {
namespace {

struct V512 {
  using Reg = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;
  static constexpr bool kCheapMask = true;
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg set1(float x) { return _mm512_set1_ps(x); }
  static Reg bcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg load(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Reg x) { _mm512_storeu_ps(p, x); }
  static void store(float* p, Reg x, Mask m) { _mm512_mask_storeu_ps(p, m, x); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static Mask tail_mask(int n) { return static_cast<Mask>((1u << n) - 1u); }
};

// 14 x 32 tiles: 28 accumulators + 2 B vectors + 1 broadcast = 31 of 32 zmm registers.
// Blocks: A block 448 x kc (~690 KB at kc = 384, in L2), B block kc x 2048 (in L3); the
// 14 x kc A tile stays in L1 while B panels stream past it. Tuned on Zen 4.
constexpr int kMr = 14;
constexpr int kNv = 2;
constexpr KernelSet kSet{kMr, kNv * V512::kLanes, 32 * kMr, 64 * kNv * V512::kLanes,
                         &block_kernel<V512, kMr, kNv>};

}  // namespace

const KernelSet* avx512_kernels() { return &kSet; }

}  // namespace lq::gemm_internal

#else

namespace lq::gemm_internal {
const KernelSet* avx512_kernels() { return nullptr; }
}  // namespace lq::gemm_internal

#endif
