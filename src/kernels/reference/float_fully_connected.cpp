// FULLY_CONNECTED (TFLite reference/fully_connected.h).
#include "checks.h"

namespace lq::kernels {

using detail::fail;

FullyConnectedParams prepare_fully_connected(const Dims& input, const Dims& weights,
                                             const std::optional<Dims>& bias,
                                             const FullyConnectedOptions& options) {
  const std::string op = "FULLY_CONNECTED";
  detail::require_rank(op, "weights", weights, 2);
  flat_size(weights, op + " weights");
  const int32_t units = weights[0];
  const int32_t depth = weights[1];
  if (depth < 1) fail(op, "weights " + dims_string(weights) + " have no input columns");
  if (input.empty()) fail(op, "input must have at least 1 dimension");
  const int64_t in_size = flat_size(input, op + " input");
  if (in_size % depth != 0)
    fail(op, "input " + dims_string(input) + " has " + std::to_string(in_size) +
                 " elements, not a multiple of the weights' input size " + std::to_string(depth));
  FullyConnectedParams p;
  p.batch = in_size / depth;
  p.input_depth = depth;
  p.output_depth = units;
  p.activation = activation_range(options.activation, op);
  if (options.keep_num_dims) {
    if (input.back() != depth)
      fail(op, "keep_num_dims needs the input's last dimension to be " + std::to_string(depth) +
                   ", got input " + dims_string(input));
    p.output_dims = input;
    p.output_dims.back() = units;
  } else {
    p.output_dims = {detail::to_dim(op, "batch", p.batch), units};
  }
  flat_size(p.output_dims, op + " output");
  if (bias) {
    const int64_t n = flat_size(*bias, op + " bias");
    if (n != units)
      fail(op, "bias " + dims_string(*bias) + " has " + std::to_string(n) +
                   " elements, expected " + std::to_string(units) + " (one per output unit)");
    p.has_bias = true;
  }
  return p;
}

void eval_fully_connected(const FullyConnectedParams& p, const float* input,
                          const float* weights, const float* bias, float* output) {
  const int64_t depth = p.input_depth;
  for (int64_t b = 0; b < p.batch; ++b) {
    for (int64_t o = 0; o < p.output_depth; ++o) {
      float total = 0.0f;
      for (int64_t i = 0; i < depth; ++i) {
        const float product = input[b * depth + i] * weights[o * depth + i];
        total += product;
      }
      const float bias_value = p.has_bias ? bias[o] : 0.0f;
      output[b * p.output_depth + o] = clamp_activation(total + bias_value, p.activation);
    }
  }
}

}  // namespace lq::kernels
