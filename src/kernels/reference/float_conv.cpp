// CONV_2D and DEPTHWISE_CONV_2D (TFLite reference/conv.h, depthwiseconv_float.h).
#include "checks.h"

namespace lq::kernels {
namespace {

using detail::fail;

// Bias (if any) must hold exactly `channels` elements.
bool check_bias(const std::string& op, const std::optional<Dims>& bias, int32_t channels) {
  if (!bias) return false;
  const int64_t n = flat_size(*bias, op + " bias");
  if (n != channels)
    fail(op, "bias " + dims_string(*bias) + " has " + std::to_string(n) + " elements, expected " +
                 std::to_string(channels) + " (one per output channel)");
  return true;
}

}  // namespace

Conv2DParams prepare_conv2d(const Dims& input, const Dims& filter,
                            const std::optional<Dims>& bias, const Conv2DOptions& options) {
  const std::string op = "CONV_2D";
  detail::require_rank(op, "input", input, 4);
  detail::require_rank(op, "filter", filter, 4);
  flat_size(filter, op + " filter");
  if (filter[0] < 1) fail(op, "filter " + dims_string(filter) + " has no output channels");
  if (filter[3] != input[3]) {
    const bool grouped = filter[3] > 0 && input[3] % filter[3] == 0 && filter[3] < input[3];
    fail(op, "input " + dims_string(input) + " has " + std::to_string(input[3]) +
                 " channels but filter " + dims_string(filter) + " expects " +
                 std::to_string(filter[3]) +
                 (grouped ? " (grouped convolution is not supported)" : ""));
  }
  Conv2DParams p;
  detail::make_window(op, input,
                      {options.padding, filter[1], filter[2], options.stride_h, options.stride_w,
                       options.dilation_h, options.dilation_w, options.activation},
                      filter[0], p);
  p.has_bias = check_bias(op, bias, filter[0]);
  return p;
}

void eval_conv2d(const Conv2DParams& p, const float* input, const float* filter,
                 const float* bias, float* output) {
  const int64_t in_c = p.in_c;
  for (int64_t b = 0; b < p.batch; ++b) {
    for (int64_t oy = 0; oy < p.out_h; ++oy) {
      const int64_t iy0 = oy * p.stride_h - p.pad_top;
      for (int64_t ox = 0; ox < p.out_w; ++ox) {
        const int64_t ix0 = ox * p.stride_w - p.pad_left;
        for (int64_t oc = 0; oc < p.out_c; ++oc) {
          float total = 0.0f;
          for (int64_t ky = 0; ky < p.filter_h; ++ky) {
            const int64_t iy = iy0 + ky * p.dilation_h;
            if (iy < 0 || iy >= p.in_h) continue;
            for (int64_t kx = 0; kx < p.filter_w; ++kx) {
              const int64_t ix = ix0 + kx * p.dilation_w;
              if (ix < 0 || ix >= p.in_w) continue;
              const float* in = input + ((b * p.in_h + iy) * p.in_w + ix) * in_c;
              const float* w = filter + ((oc * p.filter_h + ky) * p.filter_w + kx) * in_c;
              for (int64_t ic = 0; ic < in_c; ++ic) {
                const float product = in[ic] * w[ic];
                total += product;
              }
            }
          }
          const float bias_value = p.has_bias ? bias[oc] : 0.0f;
          output[((b * p.out_h + oy) * p.out_w + ox) * p.out_c + oc] =
              clamp_activation(total + bias_value, p.activation);
        }
      }
    }
  }
}

DepthwiseConv2DParams prepare_depthwise_conv2d(const Dims& input, const Dims& filter,
                                               const std::optional<Dims>& bias,
                                               const DepthwiseConv2DOptions& options) {
  const std::string op = "DEPTHWISE_CONV_2D";
  detail::require_rank(op, "input", input, 4);
  detail::require_rank(op, "filter", filter, 4);
  flat_size(filter, op + " filter");
  if (filter[0] != 1) fail(op, "filter " + dims_string(filter) + " must have shape [1, H, W, C*M]");
  if (input[3] < 1) fail(op, "input " + dims_string(input) + " has no channels");
  int32_t m = options.depth_multiplier;
  if (m < 0) fail(op, "depth_multiplier must be >= 1, got " + std::to_string(m));
  if (m == 0) {
    if (filter[3] % input[3] != 0)
      fail(op, "filter " + dims_string(filter) + " channels are not a multiple of the input's " +
                   std::to_string(input[3]));
    m = filter[3] / input[3];
  }
  if (int64_t{input[3]} * m != filter[3])
    fail(op, "filter " + dims_string(filter) + " must have input channels (" +
                 std::to_string(input[3]) + ") * depth_multiplier (" + std::to_string(m) +
                 ") channels");
  if (m < 1) fail(op, "filter " + dims_string(filter) + " has no output channels");
  DepthwiseConv2DParams p;
  detail::make_window(op, input,
                      {options.padding, filter[1], filter[2], options.stride_h, options.stride_w,
                       options.dilation_h, options.dilation_w, options.activation},
                      filter[3], p);
  p.depth_multiplier = m;
  p.has_bias = check_bias(op, bias, filter[3]);
  return p;
}

void eval_depthwise_conv2d(const DepthwiseConv2DParams& p, const float* input,
                           const float* filter, const float* bias, float* output) {
  const int64_t mult = p.depth_multiplier;
  for (int64_t b = 0; b < p.batch; ++b) {
    for (int64_t oy = 0; oy < p.out_h; ++oy) {
      const int64_t iy0 = oy * p.stride_h - p.pad_top;
      for (int64_t ox = 0; ox < p.out_w; ++ox) {
        const int64_t ix0 = ox * p.stride_w - p.pad_left;
        for (int64_t ic = 0; ic < p.in_c; ++ic) {
          for (int64_t m = 0; m < mult; ++m) {
            const int64_t oc = ic * mult + m;
            float total = 0.0f;
            for (int64_t ky = 0; ky < p.filter_h; ++ky) {
              const int64_t iy = iy0 + ky * p.dilation_h;
              if (iy < 0 || iy >= p.in_h) continue;
              for (int64_t kx = 0; kx < p.filter_w; ++kx) {
                const int64_t ix = ix0 + kx * p.dilation_w;
                if (ix < 0 || ix >= p.in_w) continue;
                const float in = input[((b * p.in_h + iy) * p.in_w + ix) * p.in_c + ic];
                const float w = filter[(ky * p.filter_w + kx) * p.out_c + oc];
                const float product = in * w;
                total += product;
              }
            }
            const float bias_value = p.has_bias ? bias[oc] : 0.0f;
            output[((b * p.out_h + oy) * p.out_w + ox) * p.out_c + oc] =
                clamp_activation(total + bias_value, p.activation);
          }
        }
      }
    }
  }
}

}  // namespace lq::kernels
