// AVX-512 int8 SOFTMAX rows (int8_optimized_ops.h): vector max, the reference's scalar
// float sum (same order), then 16 outputs per step with the reference's float steps.
#include "int8_softmax_opt.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

namespace lq::kernels::softmax_opt {
namespace {

int32_t row_max(const int8_t* x, int32_t depth) {
  __m512i m = _mm512_set1_epi8(-128);
  for (int32_t j = 0; j < depth; j += 64) {
    const int32_t left = depth - j;
    const __mmask64 k = left >= 64 ? ~__mmask64{0} : (~uint64_t{0}) >> (64 - left);
    m = _mm512_max_epi8(m, _mm512_mask_loadu_epi8(_mm512_set1_epi8(-128), k, x + j));
  }
  __m256i h = _mm256_max_epi8(_mm512_castsi512_si256(m), _mm512_extracti64x4_epi64(m, 1));
  __m128i q = _mm_max_epi8(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
  q = _mm_max_epi8(q, _mm_srli_si128(q, 8));
  q = _mm_max_epi8(q, _mm_srli_si128(q, 4));
  q = _mm_max_epi8(q, _mm_srli_si128(q, 2));
  q = _mm_max_epi8(q, _mm_srli_si128(q, 1));
  return static_cast<int8_t>(_mm_cvtsi128_si32(q) & 0xFF);
}

// std::round (half away from zero) of every lane: trunc + 1 toward the sign when the
// (exact) fraction reaches one half. inf stays inf, NaN stays NaN.
inline __m512 round_half_away(__m512 v) {
  const __m512 t = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m512 f = _mm512_sub_ps(v, t);
  const __m512 one = _mm512_set1_ps(1.0f);
  __m512 r = _mm512_mask_add_ps(t, _mm512_cmp_ps_mask(f, _mm512_set1_ps(0.5f), _CMP_GE_OQ), t, one);
  return _mm512_mask_sub_ps(r, _mm512_cmp_ps_mask(f, _mm512_set1_ps(-0.5f), _CMP_LE_OQ), r, one);
}

}  // namespace

bool avx512_compiled() { return true; }

void softmax_avx512(const SoftmaxInt8Params& p, const int8_t* input, int8_t* output) {
  const __m512i zp = _mm512_set1_epi32(p.output_zero_point);
  const __m512i lo = _mm512_set1_epi32(-128), hi = _mm512_set1_epi32(127);
  const __m512 bound = _mm512_set1_ps(1.0e6f), neg_bound = _mm512_set1_ps(-1.0e6f);
  for (int64_t row = 0; row < p.outer; ++row) {
    const int8_t* x = input + row * p.depth;
    int8_t* y = output + row * p.depth;
    const int32_t max = row_max(x, p.depth);
    const float* e = p.table.data() + (255 - max);
    float sum = 0.0f;  // the reference's sum, element by element in the same order
    for (int32_t j = 0; j < p.depth; ++j) sum += e[x[j]];
    const float inverse = 1.0f / (sum * p.output_scale);
    const __m512 inv = _mm512_set1_ps(inverse);
    for (int32_t j = 0; j < p.depth; j += 16) {
      const int32_t left = p.depth - j;
      const __mmask16 k = left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
      const __m512i idx = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(k, x + j));
      const __m512 ex = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), k, idx, e, 4);
      __m512 prob = round_half_away(_mm512_mul_ps(ex, inv));
      prob = _mm512_mask_mov_ps(prob, _mm512_cmp_ps_mask(prob, prob, _CMP_UNORD_Q), _mm512_setzero_ps());
      prob = _mm512_min_ps(_mm512_max_ps(prob, neg_bound), bound);
      __m512i q = _mm512_add_epi32(_mm512_cvttps_epi32(prob), zp);
      q = _mm512_min_epi32(_mm512_max_epi32(q, lo), hi);
      _mm512_mask_cvtepi32_storeu_epi8(y + j, k, q);
    }
  }
}

}  // namespace lq::kernels::softmax_opt

#else

namespace lq::kernels::softmax_opt {
bool avx512_compiled() { return false; }
void softmax_avx512(const SoftmaxInt8Params&, const int8_t*, int8_t*) {}
}  // namespace lq::kernels::softmax_opt

#endif
