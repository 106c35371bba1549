// int8/uint8 MAX_POOL_2D and AVERAGE_POOL_2D (TFLite reference/integer_ops/pooling.h;
// the runtime's optimized int8 average pool rounds the same way).
#include <algorithm>
#include <limits>

#include "checks.h"
#include "litequant/kernels/int8_shape_ops.h"
#include "window_walk.h"

namespace lq::kernels {

Pool2DInt8Params prepare_pool2d_int8(const Dims& input, const Pool2DOptions& options,
                                     QuantParams input_q, QuantParams output_q,
                                     const std::string& op, QuantizedType type) {
  check_quant_params(op, "input", input_q, type);
  check_quant_params(op, "output", output_q, type);
  check_same_quantization(op, "input", input_q, output_q, false);
  Pool2DInt8Params p;
  static_cast<Pool2DParams&>(p) = prepare_pool2d(input, options, op);
  const bool is_int8 = type == QuantizedType::kInt8;
  p.quantized_activation = quantized_activation_range(
      options.activation, output_q.scale, output_q.zero_point, is_int8 ? -128 : 0,
      is_int8 ? 127 : 255, op);
  return p;
}

namespace {

// For every output element: out = clamp(reduce(taps of its window, channel c)).
// `Reduce` gets the pixel's in-image taps via for_each_tap and returns the int32 result.
template <typename T, typename Reduce>
void pool(const Pool2DInt8Params& p, const T* input, T* output, Reduce&& reduce) {
  const int32_t lo = p.quantized_activation.min, hi = p.quantized_activation.max;
  detail::for_each_output_pixel(p, [&](int64_t b, int64_t oy, int64_t ox, int64_t pixel) {
    for (int64_t c = 0; c < p.out_c; ++c) {
      const int32_t v = reduce(b, oy, ox, input + c);
      output[pixel * p.out_c + c] = static_cast<T>(std::min(std::max(v, lo), hi));
    }
  });
}

template <typename T>
void max_pool(const Pool2DInt8Params& p, const T* input, T* output) {
  pool(p, input, output, [&](int64_t b, int64_t oy, int64_t ox, const T* channel) {
    int32_t m = std::numeric_limits<T>::lowest();
    detail::for_each_tap(p, b, oy, ox, [&](int64_t in_pixel, int64_t) {
      m = std::max<int32_t>(m, channel[in_pixel * p.in_c]);
    });
    return m;
  });
}

template <typename T>
void average_pool(const Pool2DInt8Params& p, const T* input, T* output) {
  pool(p, input, output, [&](int64_t b, int64_t oy, int64_t ox, const T* channel) {
    int32_t acc = 0, n = 0;
    detail::for_each_tap(p, b, oy, ox, [&](int64_t in_pixel, int64_t) {
      acc += channel[in_pixel * p.in_c];
      ++n;
    });
    // TFLite's padding rule always leaves at least one tap in the image.
    if (n == 0) return int32_t{0};
    return acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
  });
}

}  // namespace

void eval_max_pool2d_int8(const Pool2DInt8Params& p, const int8_t* input, int8_t* output) {
  max_pool(p, input, output);
}
void eval_max_pool2d_int8(const Pool2DInt8Params& p, const uint8_t* input, uint8_t* output) {
  max_pool(p, input, output);
}
void eval_average_pool2d_int8(const Pool2DInt8Params& p, const int8_t* input, int8_t* output) {
  average_pool(p, input, output);
}
void eval_average_pool2d_int8(const Pool2DInt8Params& p, const uint8_t* input,
                              uint8_t* output) {
  average_pool(p, input, output);
}

}  // namespace lq::kernels
