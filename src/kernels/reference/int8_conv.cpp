// int8 per-channel CONV_2D and DEPTHWISE_CONV_2D (TFLite reference/integer_ops/conv.h,
// depthwise_conv.h): CONV_2D single rounding, DEPTHWISE_CONV_2D double rounding.
#include <algorithm>
#include <string>

#include "litequant/kernels/int8_reference.h"
#include "window_walk.h"

namespace lq::kernels {

Conv2DInt8Params prepare_conv2d_int8(const Dims& input, const Dims& filter,
                                     const std::optional<Dims>& bias, QuantParams input_q,
                                     std::span<const float> weight_scales, QuantParams output_q,
                                     const Conv2DOptions& options) {
  Conv2DInt8Params p;
  static_cast<Conv2DParams&>(p) = prepare_conv2d(input, filter, bias, options);
  p.requant = make_requantization("CONV_2D", input_q, weight_scales, output_q, p.out_c,
                                  options.activation, false, Rounding::kSingle);
  return p;
}

void eval_conv2d_int8(const Conv2DInt8Params& p, const int8_t* input, const int8_t* filter,
                      const int32_t* bias, int8_t* output) {
  // Output channels in blocks whose accumulators live on the stack, so each pixel's
  // taps are walked once per block (the sums are exact in int64 whatever the order).
  constexpr int64_t kBlock = 32;
  const int64_t in_c = p.in_c, taps = int64_t{p.filter_h} * p.filter_w;
  const int64_t filter_stride = taps * in_c;  // between output channels
  const int32_t input_offset = p.requant.input_offset;
  detail::for_each_output_pixel(p, [&](int64_t b, int64_t oy, int64_t ox, int64_t pixel) {
    for (int64_t oc0 = 0; oc0 < p.out_c; oc0 += kBlock) {
      const int64_t block = std::min(kBlock, p.out_c - oc0);
      int64_t acc[kBlock] = {};
      detail::for_each_tap(p, b, oy, ox, [&](int64_t in_pixel, int64_t tap) {
        const int8_t* in = input + in_pixel * in_c;
        const int8_t* w = filter + oc0 * filter_stride + tap * in_c;
        for (int64_t ic = 0; ic < in_c; ++ic) {
          const int32_t x = int32_t{in[ic]} + input_offset;
          for (int64_t k = 0; k < block; ++k) acc[k] += int32_t{w[k * filter_stride + ic]} * x;
        }
      });
      for (int64_t k = 0; k < block; ++k) {
        const int64_t oc = oc0 + k;
        output[pixel * p.out_c + oc] = requantize(p.requant, acc[k] + (p.has_bias ? bias[oc] : 0), oc);
      }
    }
  });
}

DepthwiseConv2DInt8Params prepare_depthwise_conv2d_int8(
    const Dims& input, const Dims& filter, const std::optional<Dims>& bias, QuantParams input_q,
    std::span<const float> weight_scales, QuantParams output_q,
    const DepthwiseConv2DOptions& options) {
  DepthwiseConv2DInt8Params p;
  static_cast<DepthwiseConv2DParams&>(p) = prepare_depthwise_conv2d(input, filter, bias, options);
  p.requant = make_requantization("DEPTHWISE_CONV_2D", input_q, weight_scales, output_q, p.out_c,
                                  options.activation, false, Rounding::kDouble);
  return p;
}

void eval_depthwise_conv2d_int8(const DepthwiseConv2DInt8Params& p, const int8_t* input,
                                const int8_t* filter, const int32_t* bias, int8_t* output) {
  // As eval_conv2d_int8: blocks of output channels (oc = ic * mult + m) accumulate on the
  // stack while each pixel's taps are walked once.
  constexpr int64_t kBlock = 64;
  const int64_t mult = p.depth_multiplier;
  const int32_t input_offset = p.requant.input_offset;
  detail::for_each_output_pixel(p, [&](int64_t b, int64_t oy, int64_t ox, int64_t pixel) {
    for (int64_t oc0 = 0; oc0 < p.out_c; oc0 += kBlock) {
      const int64_t block = std::min(kBlock, p.out_c - oc0);
      int64_t acc[kBlock] = {};
      detail::for_each_tap(p, b, oy, ox, [&](int64_t in_pixel, int64_t tap) {
        const int8_t* in = input + in_pixel * p.in_c;
        const int8_t* w = filter + tap * p.out_c + oc0;
        for (int64_t k = 0; k < block; ++k) acc[k] += int32_t{w[k]} * (int32_t{in[(oc0 + k) / mult]} + input_offset);
      });
      for (int64_t k = 0; k < block; ++k) {
        const int64_t oc = oc0 + k;
        output[pixel * p.out_c + oc] = requantize(p.requant, acc[k] + (p.has_bias ? bias[oc] : 0), oc);
      }
    }
  });
}

}  // namespace lq::kernels
