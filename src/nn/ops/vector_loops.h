#pragma once
// The innermost loops of the training kernels, each compiled three times (AVX-512, AVX2,
// baseline x86-64) by GCC/Clang function multi-versioning; the loader binds the best one
// for this CPU. Plain C++ loops without reductions across lanes: every version does the
// same float operations on each element in the same order (no FMA contraction in ISO
// C++), so the results are bit-identical on every CPU.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "litequant/nn/layers/conv.h"

namespace lq::ops {

// y[r, j] = min(max(y[r, j] + b[j], lo), hi) for r < rows, j < width (NaN stays NaN).
void add_clamp_rows(float* y, int64_t rows, int64_t width, const float* b, float lo, float hi);

// gx[r, j] = gy[r, j] where 0 < y[r, j] < hi, else 0 (ReLU / ReLU6 backward); when acc is
// not null, acc[j] += gx[r, j], rows in order.
void relu_grad_rows(const float* y, const float* gy, float* gx, int64_t rows, int64_t width, float hi,
                    float* acc);

// acc[j] += x[r, j] for r < rows in order.
void sum_rows(const float* x, int64_t rows, int64_t width, float* acc);

// Pools (below) with few channels do not vectorise well that way: they have an explicit
// AVX-512 path (masked 16-channel blocks) that does the same float operations per element
// as the plain loops, chosen at run time; the detail:: functions force one path (tests).

// One output row of a 2-D pool over an NHWC image of c channels: output pixels
// ox < out_w read input columns [ox * stride - pad, + kernel) clipped to [0, in_w), input
// rows [y_begin, y_end).
struct PoolLine {
  int64_t c, in_w, out_w, y_begin, y_end, stride, pad, kernel;
};
// The input columns [begin, end) of output column ox, clipped to the image.
inline std::pair<int64_t, int64_t> pool_columns(const PoolLine& l, int64_t ox) {
  const int64_t first = ox * l.stride - l.pad;
  return {std::max<int64_t>(first, 0), std::min(first + l.kernel, l.in_w)};
}
// dst[ox, ch] = max over the window; argmax[ox, ch] = offset in the image (iy * in_w + ix)
// * c + ch of the first tap in row-major window order that holds the maximum.
void max_pool_line(const PoolLine& line, const float* image, float* dst, int32_t* argmax);
// dst[ox, ch] = sum over the window (row-major order) * (1 / window size).
void avg_pool_line(const PoolLine& line, const float* image, float* dst);
// image_grad[window taps, ch] += grad[ox, ch] * (1 / window size), ox in order.
void avg_pool_backward_line(const PoolLine& line, const float* grad, float* image_grad);

namespace detail {
void max_pool_line_portable(const PoolLine& line, const float* image, float* dst, int32_t* argmax);
void avg_pool_line_portable(const PoolLine& line, const float* image, float* dst);
void avg_pool_backward_line_portable(const PoolLine& line, const float* grad, float* image_grad);
void max_pool_line_avx512(const PoolLine& line, const float* image, float* dst, int32_t* argmax);
void avg_pool_line_avx512(const PoolLine& line, const float* image, float* dst);
void avg_pool_backward_line_avx512(const PoolLine& line, const float* grad, float* image_grad);
}  // namespace detail

// One line (image img, output row oy) of im2col_transposed (ops.h): the rows of cols_t
// (total columns `rows`) at columns [line_index * out_w, + out_w).
void im2col_transposed_line(const float* image, int64_t line_index, int64_t oy, int64_t c, const ConvGeometry& g,
                            const Window2D& w, int64_t rows, float* cols_t);

// One line (output row oy of one image) of im2col (ops.h): out_w rows of kh*kw*c values
// at `out`.
void im2col_line(const float* image, int64_t oy, int64_t c, const ConvGeometry& g, const Window2D& w, float* out);

// col2im of one image: image = 0, then every column row (output pixel, in order) added back
// into the taps it came from.
void col2im_image(const float* cols, int64_t c, const ConvGeometry& g, const Window2D& w, float* image);

}  // namespace lq::ops
