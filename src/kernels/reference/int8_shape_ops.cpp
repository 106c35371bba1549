// int8/uint8 RESHAPE, CONCATENATION and PAD: byte moves, with the quantization checks
// of the int8 spec (TFLite reshape.cc, concatenation.cc, pad.cc).
#include <cmath>
#include <cstring>
#include <sstream>

#include "checks.h"
#include "index_walk.h"
#include "litequant/kernels/int8_shape_ops.h"

namespace lq::kernels {

using detail::fail;

namespace {
std::string describe(QuantParams q) {
  std::ostringstream s;
  s.precision(9);
  s << "scale " << q.scale << ", zero point " << q.zero_point;
  return s.str();
}
}  // namespace

void check_quant_params(const std::string& op, const std::string& role, QuantParams q,
                        QuantizedType type) {
  const bool int8 = type == QuantizedType::kInt8;
  detail::check_quantization(op, role, q.scale, q.zero_point, int8 ? -128 : 0, int8 ? 127 : 255);
}

void check_same_quantization(const std::string& op, const std::string& role, QuantParams q,
                             QuantParams output_q, bool exact) {
  const double a = q.scale, b = output_q.scale;
  const bool same_scale = exact ? a == b : std::fabs(a - b) <= 1e-6 * std::max(a, b);
  if (!same_scale || q.zero_point != output_q.zero_point)
    fail(op, role + " quantization (" + describe(q) + ") must equal the output's (" +
                 describe(output_q) + "): this kernel does not rescale");
}

ReshapeParams prepare_reshape_int8(const Dims& input, const Dims& new_shape, QuantParams input_q,
                                   QuantParams output_q, QuantizedType type) {
  const std::string op = "RESHAPE";
  check_quant_params(op, "input", input_q, type);
  check_quant_params(op, "output", output_q, type);
  check_same_quantization(op, "input", input_q, output_q, false);
  return prepare_reshape(input, new_shape);
}

void eval_reshape_int8(const ReshapeParams& p, const void* input, void* output) {
  if (output != input && p.size > 0) std::memcpy(output, input, static_cast<size_t>(p.size));
}

ConcatenationParams prepare_concatenation_int8(std::span<const Dims> inputs,
                                               std::span<const QuantParams> input_qs,
                                               QuantParams output_q, int32_t axis,
                                               Activation activation, QuantizedType type) {
  const std::string op = "CONCATENATION";
  if (input_qs.size() != inputs.size())
    fail(op, std::to_string(inputs.size()) + " inputs but " + std::to_string(input_qs.size()) +
                 " quantization parameters");
  check_quant_params(op, "output", output_q, type);
  for (size_t i = 0; i < input_qs.size(); ++i) {
    const std::string role = "input " + std::to_string(i);
    check_quant_params(op, role, input_qs[i], type);
    check_same_quantization(op, role, input_qs[i], output_q, true);
  }
  return prepare_concatenation(inputs, axis, activation);
}

void eval_concatenation_int8(const ConcatenationParams& p, std::span<const void* const> inputs,
                             void* output) {
  auto* out = static_cast<uint8_t*>(output);
  for (int64_t k = 0; k < p.outer; ++k) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const int64_t n = p.copy_sizes[i];
      if (n > 0) std::memcpy(out, static_cast<const uint8_t*>(inputs[i]) + k * n, static_cast<size_t>(n));
      out += n;
    }
  }
}

PadInt8Params prepare_pad_int8(const Dims& input, const Dims& paddings_dims,
                               std::span<const int32_t> paddings, QuantParams input_q,
                               QuantParams output_q, QuantizedType type) {
  const std::string op = "PAD";
  check_quant_params(op, "input", input_q, type);
  check_quant_params(op, "output", output_q, type);
  check_same_quantization(op, "input", input_q, output_q, false);
  PadInt8Params p;
  static_cast<PadParams&>(p) = prepare_pad(input, paddings_dims, paddings);
  p.pad_byte = static_cast<uint8_t>(output_q.zero_point & 0xff);
  return p;
}

void eval_pad_int8(const PadInt8Params& p, const void* input, void* output) {
  auto* out = static_cast<uint8_t*>(output);
  if (p.output_size > 0) std::memset(out, p.pad_byte, static_cast<size_t>(p.output_size));
  detail::scatter_into_padded(p, static_cast<const uint8_t*>(input), out);
}

}  // namespace lq::kernels
