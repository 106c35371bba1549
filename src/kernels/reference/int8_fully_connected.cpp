// int8 FULLY_CONNECTED (TFLite reference/integer_ops/fully_connected.h, single rounding).
#include <string>

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

}  // namespace lq::kernels
