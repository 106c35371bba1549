// AVX2 float pool rows (float_row_kernels.h): float_pool_simd.h with 8-lane vectors and
// vmaskmov loads / stores for the channel tail (masked-off lanes are not touched).
#include "float_row_kernels.h"

#if defined(__AVX2__)
#include <immintrin.h>

#include "float_pool_simd.h"

namespace lq::kernels::float_opt {
namespace {

struct Avx2 {
  using Reg = __m256;
  using Mask = __m256i;
  static constexpr int kLanes = 8;
  static Mask mask(int64_t n) {
    const int32_t lanes = n >= 8 ? 8 : static_cast<int32_t>(n);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Reg load(Mask k, const float* p) { return _mm256_maskload_ps(p, k); }
  static void store(Mask k, float* p, Reg v) { _mm256_maskstore_ps(p, k, v); }
  static Reg set1(float x) { return _mm256_set1_ps(x); }
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg max(Reg a, Reg b) { return _mm256_max_ps(a, b); }
  static Reg min(Reg a, Reg b) { return _mm256_min_ps(a, b); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Reg div(Reg a, Reg b) { return _mm256_div_ps(a, b); }
};

}  // namespace

void max_pool_row_avx2(const PoolRow& row) { simd_pool_row<Avx2, true>(row); }
void average_pool_row_avx2(const PoolRow& row) { simd_pool_row<Avx2, false>(row); }

}  // namespace lq::kernels::float_opt

#else

namespace lq::kernels::float_opt {
void max_pool_row_avx2(const PoolRow&) {}
void average_pool_row_avx2(const PoolRow&) {}
}  // namespace lq::kernels::float_opt

#endif
