// AVX-512 float pool rows (float_row_kernels.h): float_pool_simd.h with 16-lane vectors
// and mask registers.
#include "float_row_kernels.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "float_pool_simd.h"

namespace lq::kernels::float_opt {
namespace {

struct Avx512 {
  using Reg = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;
  static Mask mask(int64_t n) { return n >= 16 ? static_cast<Mask>(0xFFFF) : static_cast<Mask>((1u << n) - 1); }
  static Reg load(Mask k, const float* p) { return _mm512_maskz_loadu_ps(k, p); }
  static void store(Mask k, float* p, Reg v) { _mm512_mask_storeu_ps(p, k, v); }
  static Reg set1(float x) { return _mm512_set1_ps(x); }
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg max(Reg a, Reg b) { return _mm512_max_ps(a, b); }
  static Reg min(Reg a, Reg b) { return _mm512_min_ps(a, b); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg div(Reg a, Reg b) { return _mm512_div_ps(a, b); }
};

}  // namespace

void max_pool_row_avx512(const PoolRow& row) { simd_pool_row<Avx512, true>(row); }
void average_pool_row_avx512(const PoolRow& row) { simd_pool_row<Avx512, false>(row); }

}  // namespace lq::kernels::float_opt

#else

namespace lq::kernels::float_opt {
void max_pool_row_avx512(const PoolRow&) {}
void average_pool_row_avx512(const PoolRow&) {}
}  // namespace lq::kernels::float_opt

#endif
