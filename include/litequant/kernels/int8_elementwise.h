#pragma once
// int8 ADD, MUL, RELU, RELU6, LOGISTIC, TANH and SOFTMAX reference kernels, bit-exact with
// the real TFLite runtime's builtin kernels (TFLite ~2.12, /work/shared/oracle). Same
// split as int8_reference.h: prepare_* validates shapes and quantization parameters, does
// ALL float math (multipliers, shifts, clamp ranges, lookup tables) once and throws
// lq::Error("<OP>: ...") on bad input; eval_* does no checks and allocates nothing.
//
// ======================= NUMERIC CONTRACTS (read before optimizing) ===================
// Every formula below was pinned against the real runtime (tests/runtime/
// int8_elementwise_oracle_test.cpp, 0 differ; each rejected alternative, swapped into
// the kernel, made those tests fail with the counts given).
// "MBQM_double" = multiply_by_quantized_multiplier_double_rounding (quantization.h:
// gemmlowp SRDHM, ties toward +inf, then RoundingDivideByPOT, ties away from zero). No
// op here uses single rounding (single rounding is what ruy does for FC/CONV only).
// Activation ranges: quantized_activation_range_int8 (quantization.h).
//
// * ADD (TFLite add.cc, 8-bit general path), left_shift = 20:
//     twice_max = 2 * max(s1, s2)                                  (double)
//     (M1, e1) = QM(s1 / twice_max), (M2, e2) = QM(s2 / twice_max),
//     (Mo, eo) = QM(twice_max / (2^20 * s_out))   QM = quantize_multiplier; every
//                 shift must be <= 0 (TFLite's QuantizeMultiplierSmallerThanOneExp):
//                 s_out <= 2 * max(s1, s2) / 2^20 is rejected.
//     a_i  = RoundingDivideByPOT(SRDHM((x_i - zp_i) * 2^20, M_i), -e_i)
//     out  = clamp(RoundingDivideByPOT(SRDHM(a_1 + a_2, Mo), -eo) + zp_out, act)
//   i.e. MBQM_double at each of the three steps (single rounding: 12008 of the 393216
//   AddEveryPair outputs differ).
// * MUL (TFLite mul.cc):
//     m    = float(float(s1 * s2) / s_out)   <- FLOAT arithmetic, then widened to double
//            (m in double: 8 of 393216 MulEveryPair outputs differ, all in its crafted case)
//     out  = clamp(MBQM_double((x1 - zp1) * (x2 - zp2), M, e) + zp_out, act)
//   (single rounding: 3741 of 393216 differ). m may exceed 1 (positive shift).
// * ADD and MUL broadcast: TFLite's 4-D broadcast as the float kernels (BinaryParams).
// * RELU / RELU6 (TFLite activations.cc QuantizedReluX; the input is RESCALED even when
//   input and output parameters are equal):
//     m    = float(s_in / s_out)             <- FLOAT division, widened to double
//     out  = clamp(MBQM_double(x - zp_in, M, e) + zp_out, lo, hi)
//     RELU:  lo = max(-128, zp_out), hi = 127
//     RELU6: lo = max(-128, zp_out), hi = min(127, zp_out + round(6.0f / s_out))
//   (single rounding: 317 / 99 of 6144 RELU / RELU6 outputs differ; m as a double
//   division: 3 / 1 differ). Note double rounding rounds TWICE: with m = 1/4, x = 1
//   gives SRDHM 1/2 -> 1, then RoundingDivideByPOT 1/2 -> 1 (not 0).
// * LOGISTIC / TANH: a 256-entry LOOKUP TABLE built in prepare, exactly like TFLite's
//   PopulateLookupTable (builtin resolver = the LUT "generic optimized" kernels, not
//   the gemmlowp fixed-point ones), all in FLOAT:
//     for v in [-128, 127]:
//       x   = s_in * float(v - zp_in)                               (float product)
//       y   = 1.0f / (1.0f + std::exp(-x))   (LOGISTIC, float std::exp = expf)
//           = std::tanh(x)                   (TANH, float tanhf)
//       q   = int32(std::round(y * (1.0f / s_out)) + float(zp_out))  clamped to int8
//     out = table[uint8(x)]
//   The gemmlowp fixed-point kernels (reference_integer_ops::Logistic/Tanh) agree with
//   the table almost everywhere but not at very large / very small input scales (a
//   scratch comparison: 1250 LOGISTIC and 9 TANH entries of 5.12M differ); the oracle
//   test includes such scales and agrees with the table. Whether y is computed in float
//   or double changes no tested entry; float is what TFLite does.
//   Output parameters: LOGISTIC requires s_out == 1/256 EXACTLY (any zero point is
//   accepted by the runtime; -128 is the spec); TANH accepts any (spec: 1/128, 0).
// * SOFTMAX (TFLite optimized_ops::Softmax with PopulateSoftmaxLookupTable; FLOAT math
//   in eval too, as in the runtime):
//     table[255 - d] = expf(float(d) * (-s_in * beta))   for d in [0, 255] (prepare)
//     per row: max = max over x (int8); sum = 0.0f; sum += table[255 - max + x] in order
//       inv = 1.0f / (sum * s_out);  out = clamp(int32(std::round(table[255 - max + x]
//                                                  * inv)) + zp_out, -128, 127)
//   Output parameters: zp_out must be -128 and |s_out - 1/256| <= 0.001f * (1/256)
//   (float arithmetic, TF_LITE_ENSURE_NEAR); the actual s_out is used.
//   The gemmlowp fixed-point int8 softmax (reference_ops::Softmax) differs from this in
//   about 1 output in 700k (scratch comparison); the oracle test includes 8 such rows and
//   agrees with the float table on all of them.
// =======================================================================================
#include <array>
#include <cstdint>

#include "litequant/kernels/common.h"
#include "litequant/kernels/float_reference.h"
#include "litequant/kernels/int8_reference.h"
#include "litequant/kernels/quantization.h"

namespace lq::kernels {

// ---- ADD ----------------------------------------------------------------------------
struct AddInt8Params {
  BinaryParams shape;  // element layout (broadcast strides); shape.activation unused
  int32_t input1_offset = 0;  // -zp1
  int32_t input2_offset = 0;  // -zp2
  int32_t output_offset = 0;  // zp_out
  int left_shift = 20;
  QuantizedMultiplier input1_multiplier;  // shifts <= 0
  QuantizedMultiplier input2_multiplier;
  QuantizedMultiplier output_multiplier;
  QuantizedActivationRange activation;
  Dims output_dims;
};

// Scales finite and > 0, zero points in [-128, 127]; shapes equal or 4-D broadcastable;
// activation NONE, RELU, RELU6 or RELU_N1_TO_1.
AddInt8Params prepare_add_int8(const Dims& input1, const Dims& input2, QuantParams input1_q,
                               QuantParams input2_q, QuantParams output_q, Activation activation);
void eval_add_int8(const AddInt8Params& params, const int8_t* input1, const int8_t* input2,
                   int8_t* output);

// ---- MUL ----------------------------------------------------------------------------
struct MulInt8Params {
  BinaryParams shape;
  int32_t input1_offset = 0;
  int32_t input2_offset = 0;
  int32_t output_offset = 0;
  QuantizedMultiplier output_multiplier;
  QuantizedActivationRange activation;
  Dims output_dims;
};

MulInt8Params prepare_mul_int8(const Dims& input1, const Dims& input2, QuantParams input1_q,
                               QuantParams input2_q, QuantParams output_q, Activation activation);
void eval_mul_int8(const MulInt8Params& params, const int8_t* input1, const int8_t* input2,
                   int8_t* output);

// ---- RELU, RELU6 ------------------------------------------------------------------------
struct ReluInt8Params {
  int64_t size = 0;
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  QuantizedMultiplier multiplier;
  QuantizedActivationRange range;  // [lo, hi] above
  Dims output_dims;
};

// Scales finite and > 0, zero points in [-128, 127].
ReluInt8Params prepare_relu_int8(const Dims& input, QuantParams input_q, QuantParams output_q);
ReluInt8Params prepare_relu6_int8(const Dims& input, QuantParams input_q, QuantParams output_q);
void eval_relu_int8(const ReluInt8Params& params, const int8_t* input, int8_t* output);

// ---- LOGISTIC, TANH (lookup table) -------------------------------------------------------
struct LookupTableInt8Params {
  int64_t size = 0;
  std::array<int8_t, 256> table{};  // indexed by uint8_t(x)
  Dims output_dims;
};

// LOGISTIC: output scale must be exactly 1/256 (the runtime rejects anything else).
LookupTableInt8Params prepare_logistic_int8(const Dims& input, QuantParams input_q,
                                            QuantParams output_q);
LookupTableInt8Params prepare_tanh_int8(const Dims& input, QuantParams input_q,
                                        QuantParams output_q);
// out[i] = table[uint8_t(in[i])].
void eval_lookup_table_int8(const LookupTableInt8Params& params, const int8_t* input,
                            int8_t* output);

// ---- SOFTMAX ------------------------------------------------------------------------------
struct SoftmaxInt8Params {
  int64_t outer = 0;  // rows
  int32_t depth = 0;  // last dimension
  std::array<float, 256> table{};  // table[255 - d] = exp(-s_in * beta * d)
  float output_scale = 1.0f / 256.0f;
  int32_t output_zero_point = -128;
  Dims output_dims;
};

// Input rank >= 1; beta finite; output zero point -128 and scale within 0.1% of 1/256.
SoftmaxInt8Params prepare_softmax_int8(const Dims& input, QuantParams input_q, QuantParams output_q,
                                       float beta);
void eval_softmax_int8(const SoftmaxInt8Params& params, const int8_t* input, int8_t* output);

}  // namespace lq::kernels
