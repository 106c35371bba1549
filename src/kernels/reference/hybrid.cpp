// Dynamic-range (hybrid) FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D as TFLite 2.12's
// builtin kernels compute them (fully_connected.cc EvalHybridDense, conv.cc EvalHybrid /
// EvalHybridPerChannel, depthwise_conv.cc EvalHybridPerChannel, tensor_utils).
#include <algorithm>
#include <cmath>

#include "checks.h"
#include "litequant/kernels/hybrid_reference.h"
#include "window_walk.h"

namespace lq::kernels {

using detail::fail;

HybridScratch make_hybrid_scratch(int64_t rows, int64_t row_size) {
  HybridScratch s;
  s.quantized.assign(static_cast<size_t>(rows * row_size), 0);
  s.scale.assign(static_cast<size_t>(rows), 0.0f);
  s.zero_point.assign(static_cast<size_t>(rows), 0);
  return s;
}

void symmetric_quantize_floats(const float* values, int64_t n, int8_t* quantized, float* scale) {
  float lo = n > 0 ? values[0] : 0.0f, hi = lo;
  for (int64_t i = 1; i < n; ++i) {
    lo = std::min(lo, values[i]);
    hi = std::max(hi, values[i]);
  }
  const float range = std::max(std::fabs(lo), std::fabs(hi));
  if (range == 0.0f) {
    std::fill(quantized, quantized + n, int8_t{0});
    *scale = 1.0f;
    return;
  }
  *scale = range / 127.0f;
  const float inverse = 127.0f / range;
  for (int64_t i = 0; i < n; ++i) {
    const float q = std::round(values[i] * inverse);
    quantized[i] = static_cast<int8_t>(std::min(std::max(q, -127.0f), 127.0f));
  }
}

void asymmetric_input_params(double rmin, double rmax, float* scale, int32_t* zero_point) {
  if (rmin == rmax) {
    *scale = 0.0f;
    *zero_point = 0;
    return;
  }
  const double qmin = -128.0, qmax = 127.0;
  const double s = (rmax - rmin) / (qmax - qmin);
  const double from_min = qmin - rmin / s, from_max = qmax - rmax / s;
  const double error_min = std::fabs(qmin) + std::fabs(rmin / s);
  const double error_max = std::fabs(qmax) + std::fabs(rmax / s);
  const double zp = error_min < error_max ? from_min : from_max;
  *zero_point = zp < qmin ? -128 : zp > qmax ? 127 : static_cast<int32_t>(std::round(zp));
  *scale = static_cast<float>(s);
}

void asymmetric_quantize_floats(const float* values, int64_t n, int8_t* quantized, float* scale,
                                int32_t* zero_point) {
  double rmin = 0.0, rmax = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    rmin = std::min(rmin, static_cast<double>(values[i]));
    rmax = std::max(rmax, static_cast<double>(values[i]));
  }
  asymmetric_input_params(rmin, rmax, scale, zero_point);
  const float inverse = *scale == 0.0f ? 0.0f : static_cast<float>(1.0 / static_cast<double>(*scale));
  const float offset = static_cast<float>(*zero_point);
  for (int64_t i = 0; i < n; ++i) {
    const float q = std::round(offset + values[i] * inverse);
    quantized[i] = static_cast<int8_t>(std::min(std::max(q, -128.0f), 127.0f));
  }
}

namespace {

void check_weight_scales(const std::string& op, std::span<const float> scales) {
  for (float s : scales) detail::check_scale(op, "weight", s);
}

// Each product w * (q - zp) is at most 128 * 255 in magnitude: more than 2^16 terms could
// overflow the int32 accumulator (TFLite's too), so prepare refuses them.
void check_accumulation(const std::string& op, int64_t terms) {
  if (terms > (int64_t{1} << 16))
    fail(op, "sums " + std::to_string(terms) +
                 " products per output; at most 65536 fit the int32 accumulator");
}

// Quantizes each of `rows` rows of `row_size` floats into scratch.
void quantize_rows(const float* input, int64_t rows, int64_t row_size, bool asymmetric,
                   HybridScratch& scratch) {
  for (int64_t b = 0; b < rows; ++b) {
    const float* x = input + b * row_size;
    int8_t* q = scratch.quantized.data() + b * row_size;
    if (asymmetric) {
      asymmetric_quantize_floats(x, row_size, q, &scratch.scale[static_cast<size_t>(b)],
                                 &scratch.zero_point[static_cast<size_t>(b)]);
    } else {
      symmetric_quantize_floats(x, row_size, q, &scratch.scale[static_cast<size_t>(b)]);
      scratch.zero_point[static_cast<size_t>(b)] = 0;
    }
  }
}

// TFLite's ApplyActivationToVector for the hybrid FULLY_CONNECTED.
float fc_activation(Activation a, float x) {
  switch (a) {
    case Activation::kRelu: return std::max(0.0f, x);
    case Activation::kRelu6: return std::max(0.0f, std::min(x, 6.0f));
    case Activation::kReluN1To1: return std::max(-1.0f, std::min(x, 1.0f));
    default: return x;
  }
}

}  // namespace

FullyConnectedHybridParams prepare_fully_connected_hybrid(const Dims& input, const Dims& weights,
                                                          const std::optional<Dims>& bias,
                                                          std::span<const float> weight_scales,
                                                          const FullyConnectedHybridOptions& options) {
  const std::string op = "FULLY_CONNECTED";
  const FullyConnectedParams shape =
      prepare_fully_connected(input, weights, bias, {options.activation, options.keep_num_dims});
  const size_t n = weight_scales.size();
  if (n != 1 && n != static_cast<size_t>(shape.output_depth))
    fail(op, "weights have " + std::to_string(n) + " scales, expected 1 (per-tensor) or " +
                 std::to_string(shape.output_depth) + " (per-channel)");
  if (n > 1 && options.version < 12)
    fail(op, "per-channel int8 weights with a float input (hybrid) need op version 12, got " +
                 std::to_string(options.version) +
                 ": TFLite's version " + std::to_string(options.version) +
                 " kernel reads only the per-tensor weight scale (0 for a per-channel tensor) "
                 "and outputs the bias alone; quantize the weights per-tensor");
  check_weight_scales(op, weight_scales);
  check_accumulation(op, shape.input_depth);
  FullyConnectedHybridParams p;
  p.batch = shape.batch;
  p.input_depth = shape.input_depth;
  p.output_depth = shape.output_depth;
  p.has_bias = shape.has_bias;
  p.asymmetric = options.asymmetric_quantize_inputs;
  p.weight_scales.assign(weight_scales.begin(), weight_scales.end());
  p.activation = options.activation;
  p.output_dims = shape.output_dims;
  return p;
}

void eval_fully_connected_hybrid(const FullyConnectedHybridParams& p, const float* input,
                                 const int8_t* weights, const float* bias, float* output,
                                 HybridScratch& scratch) {
  const int64_t depth = p.input_depth, units = p.output_depth;
  quantize_rows(input, p.batch, depth, p.asymmetric, scratch);
  const bool per_channel = p.weight_scales.size() > 1;
  for (int64_t b = 0; b < p.batch; ++b) {
    const int8_t* q = scratch.quantized.data() + b * depth;
    const float row_scale = scratch.scale[static_cast<size_t>(b)];
    const float zero_point = static_cast<float>(scratch.zero_point[static_cast<size_t>(b)]);
    const float tensor_scale = row_scale * p.weight_scales[0];  // per-tensor: s_b * s_w
    for (int64_t o = 0; o < units; ++o) {
      const int8_t* w = weights + o * depth;
      int32_t dot = 0, row_sum = 0;
      for (int64_t i = 0; i < depth; ++i) {
        dot += int32_t{w[i]} * int32_t{q[i]};
        row_sum += w[i];
      }
      if (p.asymmetric) {
        const float correction = static_cast<float>(row_sum) * zero_point;
        dot = static_cast<int32_t>(static_cast<float>(dot) - correction);
      }
      const float s = per_channel ? row_scale * p.weight_scales[static_cast<size_t>(o)] : tensor_scale;
      const float product = static_cast<float>(dot) * s;
      const float start = p.has_bias ? bias[o] : 0.0f;
      output[b * units + o] = fc_activation(p.activation, start + product);
    }
  }
}

Conv2DHybridParams prepare_conv2d_hybrid(const Dims& input, const Dims& filter,
                                         const std::optional<Dims>& bias,
                                         std::span<const float> weight_scales,
                                         const Conv2DOptions& options) {
  const std::string op = "CONV_2D";
  Conv2DHybridParams p;
  static_cast<Conv2DParams&>(p) = prepare_conv2d(input, filter, bias, options);
  const size_t n = weight_scales.size();
  if (n != 1 && n != static_cast<size_t>(p.out_c))
    fail(op, "weights have " + std::to_string(n) + " scales, expected 1 (per-tensor) or " +
                 std::to_string(p.out_c) + " (per-channel)");
  check_weight_scales(op, weight_scales);
  check_accumulation(op, int64_t{p.filter_h} * p.filter_w * p.in_c);
  if (n > 1 && std::all_of(weight_scales.begin(), weight_scales.end(),
                           [&](float s) { return s == weight_scales[0]; }))
    fail(op, "the " + std::to_string(n) + " per-channel weight scales are all equal (" +
                 std::to_string(weight_scales[0]) +
                 "): TFLite's hybrid kernel then takes its per-tensor path, reads scale 0 and "
                 "outputs the bias alone; store a single scale instead");
  p.per_channel = n > 1;
  p.weight_scales.assign(weight_scales.begin(), weight_scales.end());
  return p;
}

void eval_conv2d_hybrid(const Conv2DHybridParams& p, const float* input, const int8_t* filter,
                        const float* bias, float* output, HybridScratch& scratch) {
  const int64_t in_c = p.in_c, taps = int64_t{p.filter_h} * p.filter_w;
  const int64_t image = int64_t{p.in_h} * p.in_w * in_c;
  quantize_rows(input, p.batch, image, p.per_channel, scratch);
  const int8_t* q = scratch.quantized.data();
  detail::for_each_output_pixel(p, [&](int64_t b, int64_t oy, int64_t ox, int64_t pixel) {
    const float s_b = scratch.scale[static_cast<size_t>(b)];
    const int32_t zp = scratch.zero_point[static_cast<size_t>(b)];
    const float tensor_scale = s_b * p.weight_scales[0];
    for (int64_t oc = 0; oc < p.out_c; ++oc) {
      int32_t acc = 0;
      detail::for_each_tap(p, b, oy, ox, [&](int64_t in_pixel, int64_t tap) {
        const int8_t* x = q + in_pixel * in_c;
        const int8_t* w = filter + (oc * taps + tap) * in_c;
        for (int64_t ic = 0; ic < in_c; ++ic) acc += int32_t{w[ic]} * (int32_t{x[ic]} - zp);
      });
      const float scale = p.per_channel ? p.weight_scales[static_cast<size_t>(oc)] * s_b : tensor_scale;
      const float product = static_cast<float>(acc) * scale;
      const float value = p.has_bias ? product + bias[oc] : product;
      output[pixel * p.out_c + oc] = clamp_activation(value, p.activation);
    }
  });
}

DepthwiseConv2DHybridParams prepare_depthwise_conv2d_hybrid(
    const Dims& input, const Dims& filter, const std::optional<Dims>& bias,
    std::span<const float> weight_scales, const DepthwiseConv2DOptions& options) {
  const std::string op = "DEPTHWISE_CONV_2D";
  DepthwiseConv2DHybridParams p;
  static_cast<DepthwiseConv2DParams&>(p) = prepare_depthwise_conv2d(input, filter, bias, options);
  if (weight_scales.size() != static_cast<size_t>(p.out_c))
    fail(op, "a float input with int8 weights (hybrid) needs one weight scale per output "
             "channel (" + std::to_string(p.out_c) + "), got " +
             std::to_string(weight_scales.size()) + " (TFLite rejects this model too)");
  check_weight_scales(op, weight_scales);
  check_accumulation(op, int64_t{p.filter_h} * p.filter_w);
  p.weight_scales.assign(weight_scales.begin(), weight_scales.end());
  return p;
}

void eval_depthwise_conv2d_hybrid(const DepthwiseConv2DHybridParams& p, const float* input,
                                  const int8_t* filter, const float* bias, float* output,
                                  HybridScratch& scratch) {
  const int64_t mult = p.depth_multiplier;
  const int64_t image = int64_t{p.in_h} * p.in_w * p.in_c;
  quantize_rows(input, p.batch, image, true, scratch);
  const int8_t* q = scratch.quantized.data();
  detail::for_each_output_pixel(p, [&](int64_t b, int64_t oy, int64_t ox, int64_t pixel) {
    const float s_b = scratch.scale[static_cast<size_t>(b)];
    const int32_t zp = scratch.zero_point[static_cast<size_t>(b)];
    for (int64_t oc = 0; oc < p.out_c; ++oc) {  // oc = ic * mult + m
      const int64_t ic = oc / mult;
      int32_t acc = 0;
      detail::for_each_tap(p, b, oy, ox, [&](int64_t in_pixel, int64_t tap) {
        acc += int32_t{filter[tap * p.out_c + oc]} * (int32_t{q[in_pixel * p.in_c + ic]} - zp);
      });
      const float scaled = static_cast<float>(acc) * s_b;
      const float product = scaled * p.weight_scales[static_cast<size_t>(oc)];
      const float value = p.has_bias ? product + bias[oc] : product;
      output[pixel * p.out_c + oc] = clamp_activation(value, p.activation);
    }
  });
}

}  // namespace lq::kernels
