#pragma once
// QUANTIZE and DEQUANTIZE reference kernels (TFLite quantize.cc / dequantize.cc with the
// builtin resolver's kernels). Same split as the other kernels: prepare_* validates and
// does all float math once, throwing lq::Error("QUANTIZE: ..." / "DEQUANTIZE: ...");
// eval_* does no checks and allocates nothing.
//
// ======================= NUMERIC CONTRACTS (read before optimizing) ===================
// Pinned against the real runtime (/work/shared/oracle, builtin kernels), see
// tests/runtime/quantize_oracle_test.cpp.
// * QUANTIZE float32 -> int8 / uint8 (TFLite's optimized AffineQuantize):
//     q = clamp(int32(std::round(double(x) / double(scale))) + zp, qmin, qmax)
//   The division is done in DOUBLE (the float scale is widened first), NOT in float:
//   on inputs at and next to the float ties (k + 1/2) * scale a float division differs
//   in ~1000 of 9240 outputs, the double one in none. std::round rounds half AWAY from
//   zero: with scale 0.5, x = 0.25 -> 1 and x = -0.25 -> -1.
//   Quotients that do not fit int32 (|q| >= 2^31, +-inf, NaN) become INT32_MIN, and the
//   zero point is then added with WRAPPING int32 arithmetic, exactly as the runtime does
//   (x86 / wasm conversion semantics of TFLite's static_cast, then its int32 overflow):
//   so +inf, -inf, NaN and 1e10 all give qmin when zp >= 0 for int8 ... but with an int8
//   zp < 0, INT32_MIN + zp wraps to a huge positive value and they all give 127; uint8
//   with zp 128 and q = 2^31 - 128 gives 0. Measured with the oracle; no undefined
//   behaviour here (the wrap is done in uint32).
// * QUANTIZE int8/uint8 -> int8/uint8 (requantize, TFLite's Requantize):
//     (M, shift) = quantize_multiplier(double(s_in) / double(s_out))
//     q = clamp(multiply_by_quantized_multiplier_DOUBLE_rounding(x - zp_in, M, shift)
//               + zp_out, qmin, qmax)
//   DOUBLE rounding (gemmlowp SRDHM + RoundingDivideByPOT, quantization.h), as every
//   MultiplyByQuantizedMultiplier outside ruy in this runtime build.
// * DEQUANTIZE int8/uint8 -> float32:
//     y = float(double(scale) * (x - zp))      (per tensor)
//     y = float(scale[c] * float(x - zp[c]))    (per channel c along quantized_dimension)
//   Both are the correctly rounded float product (x - zp has at most 9 bits, so the
//   double product is exact), hence identical.
// =======================================================================================
#include <cstdint>
#include <span>
#include <vector>

#include "litequant/kernels/common.h"
#include "litequant/kernels/int8_reference.h"
#include "litequant/kernels/quantization.h"

namespace lq::kernels {

// Value range of a quantized tensor's integer type.
struct IntegerRange {
  int32_t min = -128;
  int32_t max = 127;
};
inline constexpr IntegerRange kInt8Range{-128, 127};
inline constexpr IntegerRange kUInt8Range{0, 255};

// ---- QUANTIZE float32 -> int8 / uint8 -------------------------------------------------
struct QuantizeFloatParams {
  int64_t size = 0;
  double scale = 1.0;  // the output scale, widened to double
  int32_t zero_point = 0;
  int32_t qmin = -128, qmax = 127;
  Dims output_dims;
};

// scale finite and > 0, zero point in the output type's range.
QuantizeFloatParams prepare_quantize_float(const Dims& input, QuantParams output_q,
                                           IntegerRange output_type);

void eval_quantize_float(const QuantizeFloatParams& params, const float* input, int8_t* output);
void eval_quantize_float(const QuantizeFloatParams& params, const float* input, uint8_t* output);

// ---- QUANTIZE int8/uint8 -> int8/uint8 (requantize) ------------------------------------
struct RequantizeParams {
  int64_t size = 0;
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  QuantizedMultiplier multiplier;
  int32_t qmin = -128, qmax = 127;  // of the output type
  Dims output_dims;
};

// Both scales finite and > 0, each zero point in its type's range.
RequantizeParams prepare_requantize(const Dims& input, QuantParams input_q, IntegerRange input_type,
                                    QuantParams output_q, IntegerRange output_type);

void eval_requantize(const RequantizeParams& params, const int8_t* input, int8_t* output);
void eval_requantize(const RequantizeParams& params, const int8_t* input, uint8_t* output);
void eval_requantize(const RequantizeParams& params, const uint8_t* input, int8_t* output);
void eval_requantize(const RequantizeParams& params, const uint8_t* input, uint8_t* output);

// ---- DEQUANTIZE int8/uint8 -> float32 -------------------------------------------------
// Per tensor: outer = channels = 1, inner = element count. Per channel: element
// (o, c, i) of the [outer, channels, inner] view uses scale[c], zero_point[c].
struct DequantizeParams {
  int64_t outer = 1;
  int64_t channels = 1;
  int64_t inner = 0;
  std::vector<double> scale;        // one per channel
  std::vector<int32_t> zero_point;  // one per channel
  Dims output_dims;
};

// Per-tensor: scale finite and > 0, zero point in the input type's range.
DequantizeParams prepare_dequantize(const Dims& input, QuantParams input_q, IntegerRange input_type);

// Per-channel along `quantized_dimension` (0 <= d < rank): scales.size() must equal
// input[d] and zero_points.size() must be input[d] (or empty: all 0); every scale finite
// and > 0, every zero point in the type's range.
DequantizeParams prepare_dequantize_per_channel(const Dims& input, std::span<const float> scales,
                                                std::span<const int64_t> zero_points,
                                                int32_t quantized_dimension, IntegerRange input_type);

void eval_dequantize(const DequantizeParams& params, const int8_t* input, float* output);
void eval_dequantize(const DequantizeParams& params, const uint8_t* input, float* output);

}  // namespace lq::kernels
