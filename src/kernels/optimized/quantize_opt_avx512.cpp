// AVX-512 QUANTIZE float32 -> int8/uint8 (int8_optimized_ops.h): 16 floats per step,
// divided and rounded in two vectors of 8 doubles, exactly as the reference.
#include "quantize_opt.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
// GCC 12's AVX-512 headers build some intrinsics from _mm512_undefined_*(), which
// -Wuninitialized reports once inlined (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>

namespace lq::kernels::quantize_opt {
namespace {

// round(x / scale) as int32, INT32_MIN when out of range / NaN (quantize.h).
inline __m256i steps8(__m256 x, __m512d scale) {
  const __m512d y = _mm512_div_pd(_mm512_cvtps_pd(x), scale);
  const __m512d t = _mm512_roundscale_pd(y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m512d frac = _mm512_sub_pd(y, t);
  const __m512d one = _mm512_set1_pd(1.0);
  __m512d r = _mm512_mask_add_pd(t, _mm512_cmp_pd_mask(frac, _mm512_set1_pd(0.5), _CMP_GE_OQ), t, one);
  r = _mm512_mask_sub_pd(r, _mm512_cmp_pd_mask(frac, _mm512_set1_pd(-0.5), _CMP_LE_OQ), r, one);
  return _mm512_cvttpd_epi32(r);  // 0x80000000 when not representable
}

}  // namespace

bool avx512_compiled() { return true; }

void quantize_float_avx512(const QuantizeFloatOptimized& q, const float* input, void* output) {
  const QuantizeFloatParams& p = q.params;
  auto* out = static_cast<uint8_t*>(output);
  const __m512d scale = _mm512_set1_pd(p.scale);
  const __m512i zp = _mm512_set1_epi32(p.zero_point);
  const __m512i lo = _mm512_set1_epi32(p.qmin), hi = _mm512_set1_epi32(p.qmax);
  for (int64_t i = 0; i < p.size; i += 16) {
    const int64_t left = p.size - i;
    const __mmask16 k = left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
    const __m512 x = _mm512_maskz_loadu_ps(k, input + i);
    const __m256i a = steps8(_mm512_castps512_ps256(x), scale);
    const __m256i b = steps8(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1)), scale);
    __m512i v = _mm512_inserti64x4(_mm512_castsi256_si512(a), b, 1);
    v = _mm512_add_epi32(v, zp);  // wraps, as the reference's uint32 addition
    v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
    _mm512_mask_cvtepi32_storeu_epi8(out + i, k, v);
  }
}

}  // namespace lq::kernels::quantize_opt

#else

namespace lq::kernels::quantize_opt {
bool avx512_compiled() { return false; }
void quantize_float_avx512(const QuantizeFloatOptimized&, const float*, void*) {}
}  // namespace lq::kernels::quantize_opt

#endif
