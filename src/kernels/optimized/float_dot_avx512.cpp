// detail::dot_rows for AVX-512: four rows at a time, 16 lanes, FMA.
#include <immintrin.h>

#include "litequant/kernels/float_optimized.h"

namespace lq::kernels::detail {

namespace {
// Horizontal sum in a fixed order (not _mm512_reduce_add_ps: GCC 12 bug 105593 warns).
inline float lane_sum(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  float t = 0.0f;
  for (float l : lanes) t += l;
  return t;
}

inline float tail_dot(const float* x, const float* row, int64_t from, int64_t in) {
  float t = 0.0f;
  for (int64_t i = from; i < in; ++i) t += x[i] * row[i];
  return t;
}
}  // namespace

void dot_rows_avx512(const float* x, const float* w, int64_t in, int64_t out_begin, int64_t out_end, float* y) {
  const int64_t full = in / 16 * 16;
  int64_t o = out_begin;
  for (; o + 4 <= out_end; o += 4) {
    const float* r0 = w + o * in;
    const float* r1 = r0 + in;
    const float* r2 = r1 + in;
    const float* r3 = r2 + in;
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    for (int64_t i = 0; i < full; i += 16) {
      const __m512 v = _mm512_loadu_ps(x + i);
      a0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(r0 + i), a0);
      a1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(r1 + i), a1);
      a2 = _mm512_fmadd_ps(v, _mm512_loadu_ps(r2 + i), a2);
      a3 = _mm512_fmadd_ps(v, _mm512_loadu_ps(r3 + i), a3);
    }
    y[o] = lane_sum(a0) + tail_dot(x, r0, full, in);
    y[o + 1] = lane_sum(a1) + tail_dot(x, r1, full, in);
    y[o + 2] = lane_sum(a2) + tail_dot(x, r2, full, in);
    y[o + 3] = lane_sum(a3) + tail_dot(x, r3, full, in);
  }
  for (; o < out_end; ++o) {
    const float* r = w + o * in;
    __m512 a = _mm512_setzero_ps();
    for (int64_t i = 0; i < full; i += 16) a = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(r + i), a);
    y[o] = lane_sum(a) + tail_dot(x, r, full, in);
  }
}

}  // namespace lq::kernels::detail
