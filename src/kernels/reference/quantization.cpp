// TFLite's fixed-point helpers (quantization_util.cc, gemmlowp fixedpoint.h).
#include "litequant/kernels/quantization.h"

#include <cmath>
#include <limits>
#include <string>

#include "checks.h"

namespace lq::kernels {

QuantizedMultiplier quantize_multiplier(double real_multiplier) {
  if (!std::isfinite(real_multiplier) || real_multiplier < 0.0)
    throw Error("quantize_multiplier: multiplier must be finite and >= 0, got " +
                std::to_string(real_multiplier));
  if (real_multiplier == 0.0) return {};
  int shift = 0;
  const double q = std::frexp(real_multiplier, &shift);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  if (shift > 30) {
    shift = 30;
    q_fixed = (int64_t{1} << 31) - 1;
  }
  return {static_cast<int32_t>(q_fixed), shift};
}

int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  const int32_t min32 = std::numeric_limits<int32_t>::min();
  if (a == min32 && b == min32) return std::numeric_limits<int32_t>::max();
  const int64_t ab = int64_t{a} * int64_t{b};
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));  // truncating division
}

int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int64_t mask = (int64_t{1} << exponent) - 1;
  const int64_t remainder = int64_t{x} & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int32_t>((int64_t{x} >> exponent) + (remainder > threshold ? 1 : 0));
}

int32_t multiply_by_quantized_multiplier_double_rounding(int32_t acc, int32_t multiplier,
                                                         int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  int64_t shifted = int64_t{acc} * (int64_t{1} << left);
  shifted = std::min<int64_t>(std::max<int64_t>(shifted, std::numeric_limits<int32_t>::min()),
                              std::numeric_limits<int32_t>::max());
  return rounding_divide_by_pot(
      saturating_rounding_doubling_high_mul(static_cast<int32_t>(shifted), multiplier), right);
}

QuantizedActivationRange quantized_activation_range_int8(Activation activation, float scale,
                                                         int32_t zero_point,
                                                         const std::string& op) {
  return quantized_activation_range(activation, scale, zero_point, -128, 127, op);
}

QuantizedActivationRange quantized_activation_range(Activation activation, float scale,
                                                    int32_t zero_point, int32_t qmin,
                                                    int32_t qmax, const std::string& op) {
  detail::check_quantization(op, "output", scale, zero_point, qmin, qmax);
  auto q = [&](float v) -> int64_t {
    // Bounded before the cast so a tiny scale cannot overflow the conversion.
    const float steps = std::min(std::max(std::round(v / scale), -1.0e6f), 1.0e6f);
    return int64_t{zero_point} + static_cast<int64_t>(steps);
  };
  auto clamp = [&](int64_t v) {
    return static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(v, qmin), qmax));
  };
  QuantizedActivationRange r{qmin, qmax};
  switch (activation) {
    case Activation::kNone: break;
    case Activation::kRelu: r.min = clamp(q(0.0f)); break;
    case Activation::kRelu6:
      r.min = clamp(q(0.0f));
      r.max = clamp(q(6.0f));
      break;
    case Activation::kReluN1To1:
      r.min = clamp(q(-1.0f));
      r.max = clamp(q(1.0f));
      break;
    default:
      detail::fail(op, "fused activation " + activation_name(activation) +
                           " is not supported for int8");
  }
  return r;
}

}  // namespace lq::kernels
