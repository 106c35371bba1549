// AVX-512 int32 channel sums of the optimized int8 MEAN (int8_optimized_ops.h): 64
// channels (four int32 vectors) per pass over the reduced rows, then 16, then a masked tail.
#include "int8_shape_opt.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

namespace lq::kernels::shape_opt {

bool avx512_compiled() { return true; }

void channel_sums_avx512(const int8_t* x, int64_t reduce, int64_t inner, int32_t* sums) {
  int64_t c = 0;
  for (; c + 64 <= inner; c += 64) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    const int8_t* p = x + c;
    for (int64_t r = 0; r < reduce; ++r, p += inner) {
      a0 = _mm512_add_epi32(a0, _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
      a1 = _mm512_add_epi32(a1, _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16))));
      a2 = _mm512_add_epi32(a2, _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32))));
      a3 = _mm512_add_epi32(a3, _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48))));
    }
    _mm512_storeu_si512(sums + c, a0);
    _mm512_storeu_si512(sums + c + 16, a1);
    _mm512_storeu_si512(sums + c + 32, a2);
    _mm512_storeu_si512(sums + c + 48, a3);
  }
  for (; c < inner; c += 16) {
    const int64_t left = inner - c;
    const __mmask16 k = left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
    __m512i a = _mm512_setzero_si512();
    const int8_t* p = x + c;
    for (int64_t r = 0; r < reduce; ++r, p += inner) a = _mm512_add_epi32(a, _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(k, p)));
    _mm512_mask_storeu_epi32(sums + c, k, a);
  }
}

}  // namespace lq::kernels::shape_opt

#else

namespace lq::kernels::shape_opt {
bool avx512_compiled() { return false; }
void channel_sums_avx512(const int8_t*, int64_t, int64_t, int32_t*) {}
}  // namespace lq::kernels::shape_opt

#endif
