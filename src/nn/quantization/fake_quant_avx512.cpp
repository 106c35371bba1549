// GCC 12 reports its own AVX-512 headers' _mm512_undefined_ps as maybe-uninitialized
// (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "fake_quant_simd.h"

namespace lq::fq::detail {

void fake_quant_avx512(const float* x, float* y, int64_t n, float lo, float hi, float factor, bool divide, float off,
                       float scale) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi), vf = _mm512_set1_ps(factor);
  const __m512 half = _mm512_set1_ps(0.5f), voff = _mm512_set1_ps(off), vs = _mm512_set1_ps(scale);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    const __m512 c = _mm512_sub_ps(_mm512_min_ps(_mm512_max_ps(v, vlo), vhi), vlo);
    const __m512 t = _mm512_add_ps(divide ? _mm512_div_ps(c, vf) : _mm512_mul_ps(c, vf), half);
    const __m512 q = _mm512_cvtepi32_ps(_mm512_cvttps_epi32(t));
    _mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(_mm512_sub_ps(q, voff), vs));
  }
}

void ste_mask_avx512(const float* x, const float* dy, float* dx, int64_t n, float lo, float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    const __mmask16 inside = _mm512_cmp_ps_mask(v, vlo, _CMP_GE_OQ) & _mm512_cmp_ps_mask(v, vhi, _CMP_LE_OQ);
    _mm512_mask_storeu_ps(dx + i, m, _mm512_maskz_loadu_ps(static_cast<__mmask16>(m & inside), dy + i));
  }
}

void min_max_avx512(const float* x, int64_t n, float* min, float* max) {
  __m512 lo = _mm512_set1_ps(x[0]), hi = lo;
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 v = _mm512_mask_loadu_ps(lo, m, x + i);  // masked-off lanes repeat the running min
    lo = _mm512_min_ps(lo, v);
    hi = _mm512_max_ps(hi, _mm512_mask_loadu_ps(hi, m, x + i));
  }
  alignas(64) float l[16], h[16];
  _mm512_store_ps(l, lo);
  _mm512_store_ps(h, hi);
  float a = l[0], b = h[0];
  for (int j = 1; j < 16; ++j) a = l[j] < a ? l[j] : a, b = h[j] > b ? h[j] : b;
  *min = a;
  *max = b;
}

}  // namespace lq::fq::detail
