// int8 FULLY_CONNECTED (TFLite reference/integer_ops/fully_connected.h, single rounding).
#include <cmath>
#include <limits>
#include <string>

#include "checks.h"
#include "litequant/kernels/int8_reference.h"

namespace lq::kernels {

FullyConnectedInt8Params prepare_fully_connected_int8(
    const Dims& input, const Dims& weights, const std::optional<Dims>& bias, QuantParams input_q,
    std::span<const float> weight_scales, QuantParams output_q,
    const FullyConnectedOptions& options) {
  const FullyConnectedParams shape = prepare_fully_connected(input, weights, bias, options);
  FullyConnectedInt8Params p;
  p.batch = shape.batch;
  p.input_depth = shape.input_depth;
  p.output_depth = shape.output_depth;
  p.has_bias = shape.has_bias;
  p.output_dims = shape.output_dims;
  p.requant = make_requantization("FULLY_CONNECTED", input_q, weight_scales, output_q,
                                  shape.output_depth, options.activation, true,
                                  Rounding::kSingle);
  return p;
}

void eval_fully_connected_int8(const FullyConnectedInt8Params& p, const int8_t* input,
                               const int8_t* weights, const int32_t* bias, int8_t* output) {
  const int64_t depth = p.input_depth;
  const int64_t units = p.output_depth;
  const int32_t input_offset = p.requant.input_offset;
  for (int64_t b = 0; b < p.batch; ++b) {
    const int8_t* x = input + b * depth;
    for (int64_t o = 0; o < units; ++o) {
      const int8_t* w = weights + o * depth;
      int64_t acc = p.has_bias ? bias[o] : 0;
      for (int64_t i = 0; i < depth; ++i) acc += int32_t{w[i]} * (int32_t{x[i]} + input_offset);
      output[b * units + o] = requantize(p.requant, acc, o);
    }
  }
}

FullyConnectedUint8Params prepare_fully_connected_uint8(
    const Dims& input, const Dims& weights, const std::optional<Dims>& bias, QuantParams input_q,
    QuantParams weights_q, QuantParams output_q, const FullyConnectedOptions& options) {
  const std::string op = "FULLY_CONNECTED";
  const FullyConnectedParams shape = prepare_fully_connected(input, weights, bias, options);
  for (const auto& [name, q] : {std::pair{"input", input_q}, {"weights", weights_q}, {"output", output_q}}) {
    detail::check_quantization(op, name, q.scale, q.zero_point, 0, 255);
  }
  FullyConnectedUint8Params p;
  p.batch = shape.batch;
  p.input_depth = shape.input_depth;
  p.output_depth = shape.output_depth;
  p.has_bias = shape.has_bias;
  p.output_dims = shape.output_dims;
  p.input_offset = -input_q.zero_point;
  p.weights_offset = -weights_q.zero_point;
  p.output_offset = output_q.zero_point;
  p.multiplier = quantize_multiplier(static_cast<double>(input_q.scale * weights_q.scale) /
                                     static_cast<double>(output_q.scale));
  p.activation = quantized_activation_range(options.activation, output_q.scale, output_q.zero_point, 0, 255, op);
  return p;
}

void eval_fully_connected_uint8(const FullyConnectedUint8Params& p, const uint8_t* input,
                                const uint8_t* weights, const int32_t* bias, uint8_t* output) {
  const int64_t depth = p.input_depth, units = p.output_depth;
  for (int64_t b = 0; b < p.batch; ++b) {
    const uint8_t* x = input + b * depth;
    for (int64_t o = 0; o < units; ++o) {
      const uint8_t* w = weights + o * depth;
      int64_t acc = p.has_bias ? bias[o] : 0;
      for (int64_t i = 0; i < depth; ++i)
        acc += (int32_t{w[i]} + p.weights_offset) * (int32_t{x[i]} + p.input_offset);
      acc = std::min<int64_t>(std::max<int64_t>(acc, std::numeric_limits<int32_t>::min()),
                             std::numeric_limits<int32_t>::max());
      const int32_t scaled = multiply_by_quantized_multiplier_double_rounding(
          static_cast<int32_t>(acc), p.multiplier.multiplier, p.multiplier.shift);
      const int64_t v = int64_t{scaled} + p.output_offset;
      output[b * units + o] =
          static_cast<uint8_t>(std::min<int64_t>(std::max<int64_t>(v, p.activation.min), p.activation.max));
    }
  }
}

}  // namespace lq::kernels
