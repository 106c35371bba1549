// QUANTIZE (float -> int8/uint8, requantize) and DEQUANTIZE (int8/uint8 -> float).
#include "litequant/kernels/quantize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "checks.h"

namespace lq::kernels {
namespace {

using detail::fail;

using detail::check_scale;

void check_zero_point(const std::string& op, const std::string& name, int64_t zero_point,
                      IntegerRange t) {
  detail::check_zero_point(op, name, zero_point, t.min, t.max);
}

// round(x / scale) + zp clamped to [qmin, qmax], out-of-range quotients as the runtime
// (contract in quantize.h): INT32_MIN, then a wrapping int32 addition of zp.
inline int32_t quantize_one(const QuantizeFloatParams& p, float x) {
  const double q = std::round(static_cast<double>(x) / p.scale);
  const int32_t steps = std::fabs(q) < 2147483648.0 ? static_cast<int32_t>(q)
                                                    : std::numeric_limits<int32_t>::min();  // also NaN
  const int32_t v = static_cast<int32_t>(static_cast<uint32_t>(steps) + static_cast<uint32_t>(p.zero_point));
  return std::min(std::max(v, p.qmin), p.qmax);
}

template <typename Out>
void quantize_float(const QuantizeFloatParams& p, const float* in, Out* out) {
  for (int64_t i = 0; i < p.size; ++i) out[i] = static_cast<Out>(quantize_one(p, in[i]));
}

template <typename In, typename Out>
void requantize_all(const RequantizeParams& p, const In* in, Out* out) {
  for (int64_t i = 0; i < p.size; ++i) {
    const int32_t x = static_cast<int32_t>(in[i]) - p.input_zero_point;
    const int32_t scaled = multiply_by_quantized_multiplier_double_rounding(
        x, p.multiplier.multiplier, p.multiplier.shift);
    const int64_t v = int64_t{scaled} + p.output_zero_point;
    out[i] = static_cast<Out>(std::min<int64_t>(std::max<int64_t>(v, p.qmin), p.qmax));
  }
}

template <typename In>
void dequantize(const DequantizeParams& p, const In* in, float* out) {
  int64_t e = 0;
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t c = 0; c < p.channels; ++c) {
      const double scale = p.scale[static_cast<size_t>(c)];
      const int32_t zp = p.zero_point[static_cast<size_t>(c)];
      for (int64_t i = 0; i < p.inner; ++i, ++e)
        out[e] = static_cast<float>(scale * (static_cast<int32_t>(in[e]) - zp));
    }
}

}  // namespace

QuantizeFloatParams prepare_quantize_float(const Dims& input, QuantParams output_q,
                                           IntegerRange output_type) {
  const std::string op = "QUANTIZE";
  check_scale(op, "output", output_q.scale);
  check_zero_point(op, "output", output_q.zero_point, output_type);
  QuantizeFloatParams p;
  p.size = flat_size(input, op + " input");
  p.scale = static_cast<double>(output_q.scale);
  p.zero_point = output_q.zero_point;
  p.qmin = output_type.min;
  p.qmax = output_type.max;
  p.output_dims = input;
  return p;
}

void eval_quantize_float(const QuantizeFloatParams& params, const float* input, int8_t* output) {
  quantize_float(params, input, output);
}
void eval_quantize_float(const QuantizeFloatParams& params, const float* input, uint8_t* output) {
  quantize_float(params, input, output);
}

RequantizeParams prepare_requantize(const Dims& input, QuantParams input_q, IntegerRange input_type,
                                    QuantParams output_q, IntegerRange output_type) {
  const std::string op = "QUANTIZE";
  check_scale(op, "input", input_q.scale);
  check_scale(op, "output", output_q.scale);
  check_zero_point(op, "input", input_q.zero_point, input_type);
  check_zero_point(op, "output", output_q.zero_point, output_type);
  const double m = static_cast<double>(input_q.scale) / static_cast<double>(output_q.scale);
  if (!std::isfinite(m)) fail(op, "input scale / output scale is not finite");
  RequantizeParams p;
  p.size = flat_size(input, op + " input");
  p.input_zero_point = input_q.zero_point;
  p.output_zero_point = output_q.zero_point;
  p.multiplier = quantize_multiplier(m);
  p.qmin = output_type.min;
  p.qmax = output_type.max;
  p.output_dims = input;
  return p;
}

void eval_requantize(const RequantizeParams& params, const int8_t* input, int8_t* output) {
  requantize_all(params, input, output);
}
void eval_requantize(const RequantizeParams& params, const int8_t* input, uint8_t* output) {
  requantize_all(params, input, output);
}
void eval_requantize(const RequantizeParams& params, const uint8_t* input, int8_t* output) {
  requantize_all(params, input, output);
}
void eval_requantize(const RequantizeParams& params, const uint8_t* input, uint8_t* output) {
  requantize_all(params, input, output);
}

DequantizeParams prepare_dequantize(const Dims& input, QuantParams input_q, IntegerRange input_type) {
  const std::string op = "DEQUANTIZE";
  check_scale(op, "input", input_q.scale);
  check_zero_point(op, "input", input_q.zero_point, input_type);
  DequantizeParams p;
  p.inner = flat_size(input, op + " input");
  p.scale = {static_cast<double>(input_q.scale)};
  p.zero_point = {input_q.zero_point};
  p.output_dims = input;
  return p;
}

DequantizeParams prepare_dequantize_per_channel(const Dims& input, std::span<const float> scales,
                                                std::span<const int64_t> zero_points,
                                                int32_t quantized_dimension, IntegerRange input_type) {
  const std::string op = "DEQUANTIZE";
  const int64_t size = flat_size(input, op + " input");
  const int32_t rank = static_cast<int32_t>(input.size());
  if (quantized_dimension < 0 || quantized_dimension >= rank)
    fail(op, "quantized dimension " + std::to_string(quantized_dimension) + " is outside input " +
                 dims_string(input));
  const int64_t channels = input[static_cast<size_t>(quantized_dimension)];
  if (static_cast<int64_t>(scales.size()) != channels)
    fail(op, "input has " + std::to_string(scales.size()) + " scales, expected " +
                 std::to_string(channels) + " (dimension " + std::to_string(quantized_dimension) +
                 " of " + dims_string(input) + ")");
  if (!zero_points.empty() && static_cast<int64_t>(zero_points.size()) != channels)
    fail(op, "input has " + std::to_string(zero_points.size()) + " zero points, expected " +
                 std::to_string(channels));
  DequantizeParams p;
  for (size_t c = 0; c < scales.size(); ++c) {
    check_scale(op, "input channel " + std::to_string(c), scales[c]);
    const int64_t zp = zero_points.empty() ? 0 : zero_points[c];
    check_zero_point(op, "input channel " + std::to_string(c), zp, input_type);
    p.scale.push_back(static_cast<double>(scales[c]));
    p.zero_point.push_back(static_cast<int32_t>(zp));
  }
  p.channels = channels;
  p.inner = 1;
  for (int32_t d = quantized_dimension + 1; d < rank; ++d) p.inner *= input[static_cast<size_t>(d)];
  p.outer = channels == 0 || p.inner == 0 ? 0 : size / (channels * p.inner);
  p.output_dims = input;
  return p;
}

void eval_dequantize(const DequantizeParams& params, const int8_t* input, float* output) {
  dequantize(params, input, output);
}
void eval_dequantize(const DequantizeParams& params, const uint8_t* input, float* output) {
  dequantize(params, input, output);
}

}  // namespace lq::kernels
