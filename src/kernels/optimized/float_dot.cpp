// detail::dot_rows: 16 interleaved partial sums per output row (vectorized by the
// compiler; float_dot_avx512.cpp is the same loop compiled for AVX-512 with FMA).
#include "litequant/core/cpu.h"
#include "litequant/kernels/float_optimized.h"

namespace lq::kernels::detail {

void dot_rows_portable(const float* x, const float* w, int64_t in, int64_t out_begin, int64_t out_end, float* y) {
  for (int64_t o = out_begin; o < out_end; ++o) {
    const float* row = w + o * in;
    float acc[16] = {};
    int64_t i = 0;
    for (; i + 16 <= in; i += 16)
      for (int j = 0; j < 16; ++j) acc[j] += x[i + j] * row[i + j];
    float total = 0.0f;
    for (int j = 0; j < 16; ++j) total += acc[j];
    for (; i < in; ++i) total += x[i] * row[i];
    y[o] = total;
  }
}

void dot_rows(const float* x, const float* w, int64_t in, int64_t out_begin, int64_t out_end, float* y) {
  if (cpu_features().avx512_core()) return dot_rows_avx512(x, w, in, out_begin, out_end, y);
  dot_rows_portable(x, w, in, out_begin, out_end, y);
}

}  // namespace lq::kernels::detail
