// int8 per-channel CONV_2D and DEPTHWISE_CONV_2D (TFLite reference/integer_ops/conv.h,
// depthwise_conv.h): CONV_2D single rounding, DEPTHWISE_CONV_2D double rounding.
#include <string>

#include "litequant/kernels/int8_reference.h"

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
  const int64_t in_c = p.in_c;
  const int32_t input_offset = p.requant.input_offset;
  for (int64_t b = 0; b < p.batch; ++b) {
    for (int64_t oy = 0; oy < p.out_h; ++oy) {
      const int64_t iy0 = oy * p.stride_h - p.pad_top;
      for (int64_t ox = 0; ox < p.out_w; ++ox) {
        const int64_t ix0 = ox * p.stride_w - p.pad_left;
        for (int64_t oc = 0; oc < p.out_c; ++oc) {
          int64_t acc = 0;
          for (int64_t ky = 0; ky < p.filter_h; ++ky) {
            const int64_t iy = iy0 + ky * p.dilation_h;
            if (iy < 0 || iy >= p.in_h) continue;
            for (int64_t kx = 0; kx < p.filter_w; ++kx) {
              const int64_t ix = ix0 + kx * p.dilation_w;
              if (ix < 0 || ix >= p.in_w) continue;
              const int8_t* in = input + ((b * p.in_h + iy) * p.in_w + ix) * in_c;
              const int8_t* w = filter + ((oc * p.filter_h + ky) * p.filter_w + kx) * in_c;
              for (int64_t ic = 0; ic < in_c; ++ic)
                acc += int32_t{w[ic]} * (int32_t{in[ic]} + input_offset);
            }
          }
          if (p.has_bias) acc += bias[oc];
          output[((b * p.out_h + oy) * p.out_w + ox) * p.out_c + oc] =
              requantize(p.requant, acc, oc);
        }
      }
    }
  }
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
  const int64_t mult = p.depth_multiplier;
  const int32_t input_offset = p.requant.input_offset;
  for (int64_t b = 0; b < p.batch; ++b) {
    for (int64_t oy = 0; oy < p.out_h; ++oy) {
      const int64_t iy0 = oy * p.stride_h - p.pad_top;
      for (int64_t ox = 0; ox < p.out_w; ++ox) {
        const int64_t ix0 = ox * p.stride_w - p.pad_left;
        for (int64_t ic = 0; ic < p.in_c; ++ic) {
          for (int64_t m = 0; m < mult; ++m) {
            const int64_t oc = ic * mult + m;
            int64_t acc = 0;
            for (int64_t ky = 0; ky < p.filter_h; ++ky) {
              const int64_t iy = iy0 + ky * p.dilation_h;
              if (iy < 0 || iy >= p.in_h) continue;
              for (int64_t kx = 0; kx < p.filter_w; ++kx) {
                const int64_t ix = ix0 + kx * p.dilation_w;
                if (ix < 0 || ix >= p.in_w) continue;
                const int32_t x = input[((b * p.in_h + iy) * p.in_w + ix) * p.in_c + ic];
                const int32_t w = filter[(ky * p.filter_w + kx) * p.out_c + oc];
                acc += w * (x + input_offset);
              }
            }
            if (p.has_bias) acc += bias[oc];
            output[((b * p.out_h + oy) * p.out_w + ox) * p.out_c + oc] =
                requantize(p.requant, acc, oc);
          }
        }
      }
    }
  }
}

}  // namespace lq::kernels
