// Requantization parameters shared by the int8 FULLY_CONNECTED and convolution kernels.
#include <cmath>
#include <string>

#include "checks.h"
#include "litequant/kernels/int8_reference.h"

namespace lq::kernels {
using detail::check_scale;
using detail::fail;

Requantization make_requantization(const std::string& op, QuantParams input_q,
                                   std::span<const float> weight_scales, QuantParams output_q,
                                   int32_t channels, Activation activation, bool float_product,
                                   Rounding rounding) {
  check_scale(op, "input", input_q.scale);
  check_scale(op, "output", output_q.scale);
  detail::check_zero_point(op, "input", input_q.zero_point, -128, 127);
  detail::check_zero_point(op, "output", output_q.zero_point, -128, 127);
  const size_t n = weight_scales.size();
  if (n != 1 && n != static_cast<size_t>(channels))
    fail(op, "weights have " + std::to_string(n) + " scales, expected 1 (per-tensor) or " +
                 std::to_string(channels) + " (per-channel)");
  for (float s : weight_scales) check_scale(op, "weight", s);
  Requantization r;
  r.rounding = rounding;
  r.input_offset = -input_q.zero_point;
  r.output_offset = output_q.zero_point;
  r.activation = quantized_activation_range_int8(activation, output_q.scale,
                                                 output_q.zero_point, op);
  r.multiplier.resize(static_cast<size_t>(channels));
  r.shift.resize(static_cast<size_t>(channels));
  for (size_t c = 0; c < static_cast<size_t>(channels); ++c) {
    const float ws = weight_scales[n == 1 ? 0 : c];
    const double real =
        float_product && n == 1
            ? static_cast<double>(input_q.scale * ws) / static_cast<double>(output_q.scale)
            : static_cast<double>(input_q.scale) * static_cast<double>(ws) /
                  static_cast<double>(output_q.scale);
    if (!std::isfinite(real)) fail(op, "effective output multiplier is not finite");
    const QuantizedMultiplier q = quantize_multiplier(real);
    r.multiplier[c] = q.multiplier;
    r.shift[c] = q.shift;
  }
  return r;
}

}  // namespace lq::kernels
