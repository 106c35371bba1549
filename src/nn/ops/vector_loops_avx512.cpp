// AVX-512 pool lines (vector_loops.h): channels in blocks of 16 lanes, the last block
// masked; per element the same float operations, in the same order, as the plain loops.
#include <immintrin.h>

#include <limits>

#include "vector_loops.h"

// GCC 12 reports its own intrinsics' undefined pass-through operands as uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace lq::ops::detail {
namespace {

__mmask16 lanes(int64_t c, int64_t ch) { return c - ch >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (c - ch)) - 1); }

}  // namespace

void max_pool_line_avx512(const PoolLine& l, const float* image, float* dst, int32_t* argmax) {
  const int64_t c = l.c;
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int64_t ox = 0; ox < l.out_w; ++ox) {
    const auto [x_begin, x_end] = pool_columns(l, ox);
    for (int64_t ch = 0; ch < c; ch += 16) {
      const __mmask16 m = lanes(c, ch);
      // best = std::max(best, x) = (best < x ? x : best): vmaxps(x, best) picks best on
      // NaN and on equal values, as std::max does.
      __m512 best = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
      for (int64_t iy = l.y_begin; iy < l.y_end; ++iy)
        for (int64_t ix = x_begin; ix < x_end; ++ix)
          best = _mm512_max_ps(_mm512_maskz_loadu_ps(m, image + (iy * l.in_w + ix) * c + ch), best);
      // The first tap (row-major) holding the maximum: taps in reverse, the last hit wins.
      const int32_t first = static_cast<int32_t>((l.y_begin * l.in_w + x_begin) * c + ch);
      __m512i am = _mm512_add_epi32(_mm512_set1_epi32(first), iota);
      for (int64_t iy = l.y_end - 1; iy >= l.y_begin; --iy)
        for (int64_t ix = x_end - 1; ix >= x_begin; --ix) {
          const int64_t at = (iy * l.in_w + ix) * c + ch;
          const __mmask16 hit = _mm512_mask_cmp_ps_mask(m, _mm512_maskz_loadu_ps(m, image + at), best, _CMP_EQ_OQ);
          am = _mm512_mask_add_epi32(am, hit, _mm512_set1_epi32(static_cast<int32_t>(at)), iota);
        }
      _mm512_mask_storeu_ps(dst + ox * c + ch, m, best);
      _mm512_mask_storeu_epi32(argmax + ox * c + ch, m, am);
    }
  }
}

void avg_pool_line_avx512(const PoolLine& l, const float* image, float* dst) {
  const int64_t c = l.c;
  for (int64_t ox = 0; ox < l.out_w; ++ox) {
    const auto [x_begin, x_end] = pool_columns(l, ox);
    const __m512 inv = _mm512_set1_ps(1.0f / static_cast<float>((l.y_end - l.y_begin) * (x_end - x_begin)));
    for (int64_t ch = 0; ch < c; ch += 16) {
      const __mmask16 m = lanes(c, ch);
      __m512 sum = _mm512_setzero_ps();
      for (int64_t iy = l.y_begin; iy < l.y_end; ++iy)
        for (int64_t ix = x_begin; ix < x_end; ++ix)
          sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(m, image + (iy * l.in_w + ix) * c + ch));
      _mm512_mask_storeu_ps(dst + ox * c + ch, m, _mm512_mul_ps(sum, inv));
    }
  }
}

void avg_pool_backward_line_avx512(const PoolLine& l, const float* grad, float* image_grad) {
  const int64_t c = l.c;
  for (int64_t ox = 0; ox < l.out_w; ++ox) {
    const auto [x_begin, x_end] = pool_columns(l, ox);
    const __m512 inv = _mm512_set1_ps(1.0f / static_cast<float>((l.y_end - l.y_begin) * (x_end - x_begin)));
    for (int64_t ch = 0; ch < c; ch += 16) {
      const __mmask16 m = lanes(c, ch);
      const __m512 share = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, grad + ox * c + ch), inv);
      for (int64_t iy = l.y_begin; iy < l.y_end; ++iy)
        for (int64_t ix = x_begin; ix < x_end; ++ix) {
          float* d = image_grad + (iy * l.in_w + ix) * c + ch;
          _mm512_mask_storeu_ps(d, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, d), share));
        }
    }
  }
}

}  // namespace lq::ops::detail
