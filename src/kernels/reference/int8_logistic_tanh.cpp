// int8 LOGISTIC and TANH: the 256-entry lookup table of TFLite's builtin kernels
// (activations.cc PopulateLookupTable). Contract in int8_elementwise.h.
#include <algorithm>
#include <cmath>
#include <string>

#include "checks.h"
#include "litequant/kernels/int8_elementwise.h"

namespace lq::kernels {
namespace {

using detail::fail;

void check_quant(const std::string& op, const std::string& name, QuantParams q) {
  detail::check_quantization(op, name, q.scale, q.zero_point);
}

// Every step in float, as TFLite: x = s_in * (v - zp_in); y = f(x);
// q = int32(round(y * (1 / s_out)) + zp_out), clamped to int8.
template <typename Fn>
LookupTableInt8Params make_table(const std::string& op, const Dims& input, QuantParams input_q,
                                 QuantParams output_q, Fn transform) {
  LookupTableInt8Params p;
  p.size = flat_size(input, op + " input");
  p.output_dims = input;
  const float inverse_scale = 1.0f / output_q.scale;
  for (int32_t v = -128; v <= 127; ++v) {
    const float x = input_q.scale * static_cast<float>(v - input_q.zero_point);
    const float rescaled = std::round(transform(x) * inverse_scale);
    const float shifted = rescaled + static_cast<float>(output_q.zero_point);
    // Bounded so the conversion is always defined (a denormal s_out makes 0 * inf = NaN).
    const float bounded = std::isnan(shifted) ? 0.0f : std::min(std::max(shifted, -1.0e6f), 1.0e6f);
    const int32_t q = static_cast<int32_t>(bounded);
    p.table[static_cast<uint8_t>(static_cast<int8_t>(v))] = static_cast<int8_t>(std::min(std::max(q, -128), 127));
  }
  return p;
}

}  // namespace

LookupTableInt8Params prepare_logistic_int8(const Dims& input, QuantParams input_q, QuantParams output_q) {
  const std::string op = "LOGISTIC";
  check_quant(op, "input", input_q);
  check_quant(op, "output", output_q);
  // TFLite: TF_LITE_ENSURE(context, output->params.scale == 1. / 256).
  if (static_cast<double>(output_q.scale) != 1.0 / 256.0)
    fail(op, "int8 output scale must be exactly 1/256 (0.00390625), got " + std::to_string(output_q.scale));
  return make_table(op, input, input_q, output_q, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
}

LookupTableInt8Params prepare_tanh_int8(const Dims& input, QuantParams input_q, QuantParams output_q) {
  const std::string op = "TANH";
  check_quant(op, "input", input_q);
  check_quant(op, "output", output_q);
  return make_table(op, input, input_q, output_q, [](float x) { return std::tanh(x); });
}

void eval_lookup_table_int8(const LookupTableInt8Params& p, const int8_t* input, int8_t* output) {
  for (int64_t i = 0; i < p.size; ++i) output[i] = p.table[static_cast<uint8_t>(input[i])];
}

}  // namespace lq::kernels
