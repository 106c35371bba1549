#pragma once
// Fixed-point building blocks of TFLite's int8 kernels (quantization_util.cc,
// internal/common.h, gemmlowp fixedpoint.h). All functions are pure.
//
// ======================= NUMERIC CONTRACTS (read before optimizing) ===================
// * quantize_multiplier(m) is TFLite's QuantizeMultiplier: q, shift = frexp(m), q in
//   [0.5, 1); M = round(q * 2^31), half AWAY from zero (std::round); if M == 2^31 then
//   M = 2^30, shift += 1; if shift < -31 then M = 0, shift = 0; m == 0 gives (0, 0).
//   With single rounding (TFLITE_SINGLE_ROUNDING) shift > 30 saturates to
//   (M = 2^31 - 1, shift = 30). m must be finite and >= 0 (else lq::Error).
//   The real multiplier is M * 2^(shift - 31).
// * SINGLE rounding (what the real runtime's int8 FULLY_CONNECTED and per-channel
//   CONV_2D use, see /work/shared/oracle/README.md):
//     total_shift = 31 - shift;  result = (int64(acc) * M + 2^(total_shift-1)) >> total_shift
//   in 64 bits, arithmetic shift: ties round toward +infinity. Requires M >= 0 and
//   -31 <= shift <= 30; the result must fit int32 (always true when M*2^(shift-31) <= 1).
// * DOUBLE rounding (gemmlowp; uint8 FULLY_CONNECTED):
//     RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc << max(shift, 0), M),
//                         max(-shift, 0))
//   SRDHM = trunc((a*b + nudge) / 2^31), nudge = 2^30 if a*b >= 0 else 1 - 2^30, i.e.
//   round(a*b / 2^31) with ties toward +infinity; INT32_MIN * INT32_MIN -> INT32_MAX.
//   RoundingDivideByPOT rounds half AWAY from zero (-1.5 -> -2). The left shift is done in 64 bits and
//   SATURATED to int32 (TFLite overflows int32 there, which is undefined behaviour).
// =======================================================================================
#include <cstdint>
#include <string>

#include "litequant/kernels/common.h"

namespace lq::kernels {

struct QuantizedMultiplier {
  int32_t multiplier = 0;  // M, in [2^30, 2^31) or 0
  int shift = 0;           // real multiplier = M * 2^(shift - 31)
};

// TFLite QuantizeMultiplier with TFLITE_SINGLE_ROUNDING saturation (contract above).
QuantizedMultiplier quantize_multiplier(double real_multiplier);

// gemmlowp SaturatingRoundingDoublingHighMul: round(a * b / 2^31), ties toward +infinity
// (the nudge formula above), INT32_MIN * INT32_MIN -> INT32_MAX.
int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b);

// gemmlowp RoundingDivideByPOT: round(x / 2^exponent), ties away from zero;
// 0 <= exponent <= 31.
int32_t rounding_divide_by_pot(int32_t x, int exponent);

// Single rounding, 64-bit (contract above).
inline int32_t multiply_by_quantized_multiplier_single_rounding(int32_t acc, int32_t multiplier,
                                                                int shift) {
  const int total_shift = 31 - shift;
  const int64_t round = int64_t{1} << (total_shift - 1);
  return static_cast<int32_t>((int64_t{acc} * multiplier + round) >> total_shift);
}

// Double rounding, gemmlowp (contract above).
int32_t multiply_by_quantized_multiplier_double_rounding(int32_t acc, int32_t multiplier,
                                                         int shift);

// Quantized clamp range of a fused activation for an int8 output (TFLite's
// CalculateActivationRangeQuantized), q(v) = zero_point + int32(std::round(v / scale))
// computed in float like TFLite (v / scale in float, std::round half away from zero):
//   NONE         [-128, 127]
//   RELU         [max(-128, q(0)), 127]
//   RELU6        [max(-128, q(0)), min(127, q(6))]
//   RELU_N1_TO_1 [max(-128, q(-1)), min(127, q(1))]
//   TANH or unknown: lq::Error("<op>: ..."). scale must be finite and > 0, zero_point in
//   [-128, 127] (lq::Error otherwise).
struct QuantizedActivationRange {
  int32_t min = -128;
  int32_t max = 127;
};
QuantizedActivationRange quantized_activation_range_int8(Activation activation, float scale,
                                                         int32_t zero_point,
                                                         const std::string& op);
// The same for a type with range [qmin, qmax] (uint8: [0, 255]; zero_point in it).
QuantizedActivationRange quantized_activation_range(Activation activation, float scale,
                                                    int32_t zero_point, int32_t qmin,
                                                    int32_t qmax, const std::string& op);

}  // namespace lq::kernels
