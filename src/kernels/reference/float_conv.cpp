// CONV_2D and DEPTHWISE_CONV_2D (TFLite reference/conv.h, depthwiseconv_float.h).
#include "checks.h"
#include "window_walk.h"

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
  const int64_t in_c = p.in_c, taps = int64_t{p.filter_h} * p.filter_w;
  detail::for_each_output_pixel(p, [&](int64_t b, int64_t oy, int64_t ox, int64_t pixel) {
    for (int64_t oc = 0; oc < p.out_c; ++oc) {
      float total = 0.0f;
      detail::for_each_tap(p, b, oy, ox, [&](int64_t in_pixel, int64_t tap) {
        const float* in = input + in_pixel * in_c;
        const float* w = filter + (oc * taps + tap) * in_c;
        for (int64_t ic = 0; ic < in_c; ++ic) {
          const float product = in[ic] * w[ic];
          total += product;
        }
      });
      const float bias_value = p.has_bias ? bias[oc] : 0.0f;
      output[pixel * p.out_c + oc] = clamp_activation(total + bias_value, p.activation);
    }
  });
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
  detail::for_each_output_pixel(p, [&](int64_t b, int64_t oy, int64_t ox, int64_t pixel) {
    for (int64_t oc = 0; oc < p.out_c; ++oc) {  // oc = ic * mult + m
      const int64_t ic = oc / mult;
      float total = 0.0f;
      detail::for_each_tap(p, b, oy, ox, [&](int64_t in_pixel, int64_t tap) {
        const float product = input[in_pixel * p.in_c + ic] * filter[tap * p.out_c + oc];
        total += product;
      });
      const float bias_value = p.has_bias ? bias[oc] : 0.0f;
      output[pixel * p.out_c + oc] = clamp_activation(total + bias_value, p.activation);
    }
  });
}

}  // namespace lq::kernels
