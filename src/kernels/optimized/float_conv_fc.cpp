// Optimized float32 CONV_2D and FULLY_CONNECTED (contract in float_optimized.h).
#include <algorithm>
#include <cstring>

#include "litequant/core/cpu.h"
#include "litequant/core/gemm.h"
#include "litequant/kernels/float_optimized.h"

namespace lq::kernels {
namespace {

constexpr int64_t kChunkFloats = int64_t{1} << 18;  // im2col scratch: 1 MB

void bias_and_clamp(float* out, int64_t rows, int64_t channels, const float* bias, ActivationRange act) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = out + r * channels;
    for (int64_t c = 0; c < channels; ++c) {
      const float v = row[c] + (bias ? bias[c] : 0.0f);
      row[c] = std::min(std::max(v, act.min), act.max);
    }
  }
}

}  // namespace

Conv2DFloatOptimized::Conv2DFloatOptimized(const Conv2DParams& params) : p_(params) {
  const Window2D& w = p_;
  k_ = int64_t{w.filter_h} * w.filter_w * w.in_c;
  direct_ = w.filter_h == 1 && w.filter_w == 1 && w.stride_h == 1 && w.stride_w == 1 && w.pad_top == 0 &&
            w.pad_left == 0 && w.out_h == w.in_h && w.out_w == w.in_w;
  // A hostile filter shape (non-constant filter) could ask for a huge im2col row: then the
  // reference kernel runs instead.
  reference_ = !direct_ && k_ > kChunkFloats * 16;
  if (!direct_ && !reference_) {
    const int64_t pixels = int64_t{w.batch} * w.out_h * w.out_w;
    chunk_rows_ = std::max<int64_t>(1, std::min(pixels, kChunkFloats / std::max<int64_t>(k_, 1)));
    cols_.assign(static_cast<size_t>(chunk_rows_ * k_), 0.0f);
  }
}

void Conv2DFloatOptimized::eval(const float* input, const float* filter, const float* bias, float* output,
                                ThreadPool* pool) {
  const Window2D& w = p_;
  const int64_t oc = w.out_c, pixels = int64_t{w.batch} * w.out_h * w.out_w;
  const float* b = p_.has_bias ? bias : nullptr;
  if (reference_) return eval_conv2d(p_, input, filter, bias, output);
  if (direct_) {
    sgemm(Trans::kNo, Trans::kYes, pixels, oc, k_, 1.0f, input, k_, filter, k_, 0.0f, output, oc, pool);
    bias_and_clamp(output, pixels, oc, b, w.activation);
    return;
  }
  const int64_t in_c = w.in_c, per_image = int64_t{w.out_h} * w.out_w;
  for (int64_t first = 0; first < pixels; first += chunk_rows_) {
    const int64_t rows = std::min(chunk_rows_, pixels - first);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t pixel = first + r, n = pixel / per_image, oy = pixel % per_image / w.out_w, ox = pixel % w.out_w;
      float* col = cols_.data() + r * k_;
      for (int64_t ky = 0; ky < w.filter_h; ++ky) {
        const int64_t iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
        for (int64_t kx = 0; kx < w.filter_w; ++kx, col += in_c) {
          const int64_t ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
          if (iy < 0 || iy >= w.in_h || ix < 0 || ix >= w.in_w) {
            std::fill(col, col + in_c, 0.0f);
          } else {
            std::memcpy(col, input + ((n * w.in_h + iy) * w.in_w + ix) * in_c, static_cast<size_t>(in_c) * 4);
          }
        }
      }
    }
    float* out = output + first * oc;
    sgemm(Trans::kNo, Trans::kYes, rows, oc, k_, 1.0f, cols_.data(), k_, filter, k_, 0.0f, out, oc, pool);
    bias_and_clamp(out, rows, oc, b, w.activation);
  }
}

void detail::fully_connected_by_rows(const FullyConnectedParams& p, const float* input, const float* weights,
                                     const float* bias, float* output, ThreadPool* pool) {
  const int64_t in = p.input_depth, out = p.output_depth;
  for (int64_t b = 0; b < p.batch; ++b) {
    const float* x = input + b * in;
    float* y = output + b * out;
    const int64_t grain = std::max<int64_t>(16, (int64_t{1} << 16) / std::max<int64_t>(in, 1));
    if (pool && out >= 2 * grain)
      pool->parallel_for(out, grain, [&](int64_t o0, int64_t o1) { dot_rows(x, weights, in, o0, o1, y); });
    else
      dot_rows(x, weights, in, 0, out, y);
  }
  bias_and_clamp(output, p.batch, out, p.has_bias ? bias : nullptr, p.activation);
}

void eval_fully_connected_optimized(const FullyConnectedParams& p, const float* input, const float* weights,
                                    const float* bias, float* output, ThreadPool* pool) {
  if (p.batch < 4) return detail::fully_connected_by_rows(p, input, weights, bias, output, pool);
  const int64_t in = p.input_depth, out = p.output_depth;
  sgemm(Trans::kNo, Trans::kYes, p.batch, out, in, 1.0f, input, in, weights, in, 0.0f, output, out, pool);
  bias_and_clamp(output, p.batch, out, p.has_bias ? bias : nullptr, p.activation);
}

}  // namespace lq::kernels
