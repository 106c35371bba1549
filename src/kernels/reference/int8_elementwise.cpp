// int8 ADD, MUL (TFLite add.cc / mul.cc, 8-bit general path) and RELU, RELU6
// (activations.cc QuantizedReluX). Contracts in int8_elementwise.h.
#include <algorithm>
#include <cmath>
#include <string>

#include "checks.h"
#include "index_walk.h"
#include "litequant/kernels/int8_elementwise.h"

namespace lq::kernels {
namespace {

using detail::fail;

void check_quant(const std::string& op, const std::string& name, QuantParams q) {
  detail::check_quantization(op, name, q.scale, q.zero_point);
}

// TFLite's QuantizeMultiplierSmallerThanOneExp: 0 < m < 1 and the resulting shift <= 0.
QuantizedMultiplier multiplier_below_one(const std::string& op, const std::string& name, double m) {
  if (!(m > 0.0) || !(m < 1.0))
    fail(op, name + " multiplier " + std::to_string(m) + " must be in (0, 1)");
  const QuantizedMultiplier q = quantize_multiplier(m);
  if (q.shift > 0) fail(op, name + " multiplier " + std::to_string(m) + " rounds up to 1");
  return q;
}

QuantizedMultiplier any_multiplier(const std::string& op, double m) {
  if (!std::isfinite(m)) fail(op, "effective output multiplier is not finite");
  return quantize_multiplier(m);
}

// MBQM for a multiplier with shift <= 0 (MultiplyByQuantizedMultiplierSmallerThanOneExp).
inline int32_t scale_down(int32_t x, QuantizedMultiplier m) {
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, m.multiplier), -m.shift);
}

inline int8_t clamp_to(int32_t v, QuantizedActivationRange r) {
  return static_cast<int8_t>(std::min(std::max(v, r.min), r.max));
}

ReluInt8Params prepare_relu_x(const std::string& op, const Dims& input, QuantParams input_q,
                              QuantParams output_q, Activation activation) {
  check_quant(op, "input", input_q);
  check_quant(op, "output", output_q);
  ReluInt8Params p;
  p.size = flat_size(input, op + " input");
  p.input_zero_point = input_q.zero_point;
  p.output_zero_point = output_q.zero_point;
  // TFLite: double real_multiplier = input->params.scale / output->params.scale (float).
  p.multiplier = any_multiplier(op, static_cast<double>(input_q.scale / output_q.scale));
  p.range = quantized_activation_range_int8(activation, output_q.scale, output_q.zero_point, op);
  p.output_dims = input;
  return p;
}

}  // namespace

AddInt8Params prepare_add_int8(const Dims& input1, const Dims& input2, QuantParams input1_q,
                               QuantParams input2_q, QuantParams output_q, Activation activation) {
  const std::string op = "ADD";
  check_quant(op, "input1", input1_q);
  check_quant(op, "input2", input2_q);
  check_quant(op, "output", output_q);
  AddInt8Params p;
  p.activation = quantized_activation_range_int8(activation, output_q.scale, output_q.zero_point, op);
  p.shape = prepare_add(input1, input2, Activation::kNone);
  p.output_dims = p.shape.output_dims;
  p.input1_offset = -input1_q.zero_point;
  p.input2_offset = -input2_q.zero_point;
  p.output_offset = output_q.zero_point;
  const double twice_max = 2.0 * static_cast<double>(std::max(input1_q.scale, input2_q.scale));
  p.input1_multiplier = multiplier_below_one(op, "input1", static_cast<double>(input1_q.scale) / twice_max);
  p.input2_multiplier = multiplier_below_one(op, "input2", static_cast<double>(input2_q.scale) / twice_max);
  p.output_multiplier = multiplier_below_one(
      op, "output", twice_max / (static_cast<double>(1 << p.left_shift) * static_cast<double>(output_q.scale)));
  return p;
}

void eval_add_int8(const AddInt8Params& p, const int8_t* input1, const int8_t* input2, int8_t* output) {
  const int32_t shift = int32_t{1} << p.left_shift;
  detail::for_each_broadcast_pair(p.shape, input1, input2, output, [&p, shift](int8_t a, int8_t b) {
    const int32_t sa = scale_down((a + p.input1_offset) * shift, p.input1_multiplier);
    const int32_t sb = scale_down((b + p.input2_offset) * shift, p.input2_multiplier);
    return clamp_to(scale_down(sa + sb, p.output_multiplier) + p.output_offset, p.activation);
  });
}

MulInt8Params prepare_mul_int8(const Dims& input1, const Dims& input2, QuantParams input1_q,
                               QuantParams input2_q, QuantParams output_q, Activation activation) {
  const std::string op = "MUL";
  check_quant(op, "input1", input1_q);
  check_quant(op, "input2", input2_q);
  check_quant(op, "output", output_q);
  MulInt8Params p;
  p.activation = quantized_activation_range_int8(activation, output_q.scale, output_q.zero_point, op);
  p.shape = prepare_mul(input1, input2, Activation::kNone);
  p.output_dims = p.shape.output_dims;
  p.input1_offset = -input1_q.zero_point;
  p.input2_offset = -input2_q.zero_point;
  p.output_offset = output_q.zero_point;
  // TFLite: double real_multiplier = s1 * s2 / s_out, evaluated in float.
  const float real = input1_q.scale * input2_q.scale / output_q.scale;
  p.output_multiplier = any_multiplier(op, static_cast<double>(real));
  return p;
}

void eval_mul_int8(const MulInt8Params& p, const int8_t* input1, const int8_t* input2, int8_t* output) {
  detail::for_each_broadcast_pair(p.shape, input1, input2, output, [&p](int8_t a, int8_t b) {
    const int32_t product = (a + p.input1_offset) * (b + p.input2_offset);
    const int32_t scaled = multiply_by_quantized_multiplier_double_rounding(
        product, p.output_multiplier.multiplier, p.output_multiplier.shift);
    return clamp_to(static_cast<int32_t>(std::min<int64_t>(
                        std::max<int64_t>(int64_t{scaled} + p.output_offset, -128), 127)),
                    p.activation);
  });
}

ReluInt8Params prepare_relu_int8(const Dims& input, QuantParams input_q, QuantParams output_q) {
  return prepare_relu_x("RELU", input, input_q, output_q, Activation::kRelu);
}

ReluInt8Params prepare_relu6_int8(const Dims& input, QuantParams input_q, QuantParams output_q) {
  return prepare_relu_x("RELU6", input, input_q, output_q, Activation::kRelu6);
}

void eval_relu_int8(const ReluInt8Params& p, const int8_t* input, int8_t* output) {
  for (int64_t i = 0; i < p.size; ++i) {
    const int32_t scaled = multiply_by_quantized_multiplier_double_rounding(
        input[i] - p.input_zero_point, p.multiplier.multiplier, p.multiplier.shift);
    const int64_t v = int64_t{scaled} + p.output_zero_point;
    output[i] = static_cast<int8_t>(std::min<int64_t>(std::max<int64_t>(v, p.range.min), p.range.max));
  }
}

}  // namespace lq::kernels
