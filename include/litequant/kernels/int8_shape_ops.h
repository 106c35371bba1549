#pragma once
// Reference kernels of the quantized (int8, and uint8 where noted) data-movement and
// pooling ops: MAX_POOL_2D, AVERAGE_POOL_2D, RESHAPE, CONCATENATION, PAD (int8 and uint8)
// and MEAN (int8). Same split as int8_reference.h: prepare_* validates shapes and
// quantization parameters, does ALL float math once and throws lq::Error("<OP>: ...");
// eval_* is integer-only (MEAN's float-rescale path excepted, see below), does no checks
// and allocates nothing. Shapes come from the float prepare_* of float_reference.h.
//
// ======================= NUMERIC CONTRACTS (read before optimizing) ===================
// Pinned against the real runtime (/work/shared/oracle, TFLite ~2.12 builtin kernels,
// tests/runtime/int8_shape_oracle_test.cpp: every output byte-identical).
//
// * SAME PARAMETERS. MAX_POOL_2D, AVERAGE_POOL_2D, RESHAPE and PAD require the output's
//   scale and zero point to equal the input's (zero points equal, scales within 1e-6
//   relative; the int8 spec's restrict_same_input_output_scale). CONCATENATION requires
//   every input's scale and zero point to EQUAL the output's exactly (TFLite's Prepare
//   rejects anything else for int8). No kernel here rescales.
// * MAX_POOL_2D: m = max of the in-image taps (padding never counted);
//   out = clamp(m, act.min, act.max).
// * AVERAGE_POOL_2D: acc = sum of the raw in-image values (int32; zero point included,
//   which is right because in and out share it), n = number of in-image taps;
//     avg = acc > 0 ? (acc + n/2) / n : (acc - n/2) / n     (C++ truncating division:
//   round half AWAY from zero), out = clamp(avg, act.min, act.max).
// * Fused activation (pools): quantized_activation_range (quantization.h) over the
//   type's range ([-128, 127] int8, [0, 255] uint8) with the output parameters.
// * RESHAPE: a byte copy. CONCATENATION: byte copies per input slab.
// * PAD: the padded positions get the OUTPUT zero point (TFLite's pad value when no
//   constant is given); input bytes are copied.
// * MEAN (int8 only) has THREE paths, chosen in prepare exactly as TFLite's reference
//   kernel (reduce.cc EvalMeanReferenceOps; the runtime runs the reference MEAN):
//   (a) SPATIAL: keep_dims, rank 4, the axes tensor holds exactly {1, 2} or {2, 1}
//       (raw values: {-3, -2} does not qualify). What the runtime runs is the optimized
//       Mean4D (NOT reference_integer_ops::Mean, whose (acc +- n/2)/n formula differs
//       in ~20% of outputs):
//         real  = s_in / (float(n) * s_out)               (float)
//         (M, shift) = quantize_multiplier(double(real))
//         t     = float(zp_in) * s_in / s_out              (float, left to right)
//         bias  = zp_out - int32(t > 0 ? t + 0.5f : t - 0.5f)   (truncating cast)
//         acc   = sum(x) over H*W                          (RAW values, int32)
//         out   = clamp(multiply_by_quantized_multiplier_DOUBLE_rounding(acc, M, shift)
//                       + bias, -128, 127)
//       (single rounding differs in ~1% of outputs.)
//   (b) SAME PARAMETERS (zp_in == zp_out and s_in == s_out exactly), any other axes:
//         out = sum(x) / n      (raw values, int32, C++ division: truncates toward 0)
//   (c) otherwise (FLOAT rescale, every step in float32, no FMA):
//         scale = s_in / s_out;  bias = float(-zp_in) * scale;
//         mean  = float(sum(x)) / float(n);          (raw values summed in int32)
//         out   = clamp(std::round(mean * scale + bias) + float(zp_out), -128, 127)
//   n = product of the reduced dimensions (duplicate axes count once). No fused
//   activation. An empty reduction (n == 0) writes 0 (TFLite writes int8's "NaN", 0).
// =======================================================================================
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "litequant/kernels/common.h"
#include "litequant/kernels/float_reference.h"
#include "litequant/kernels/int8_reference.h"
#include "litequant/kernels/quantization.h"

namespace lq::kernels {

// The 8-bit element type a kernel runs on.
enum class QuantizedType : int8_t { kInt8, kUInt8 };

// Throws lq::Error("<op>: <role> ...") unless q.scale is finite and > 0 and q.zero_point
// lies in the type's range.
void check_quant_params(const std::string& op, const std::string& role, QuantParams q,
                        QuantizedType type);
// Throws lq::Error("<op>: <role> quantization (scale S, zero point Z) must equal the
// output's (...)") unless the zero points are equal and the scales equal (exact) or
// within 1e-6 relative (!exact).
void check_same_quantization(const std::string& op, const std::string& role, QuantParams q,
                             QuantParams output_q, bool exact);

// ---- MAX_POOL_2D, AVERAGE_POOL_2D -----------------------------------------------------
struct Pool2DInt8Params : Pool2DParams {
  QuantizedActivationRange quantized_activation;
};

// input [N, H, W, C]; op is "MAX_POOL_2D" or "AVERAGE_POOL_2D" (used in errors). Scales
// finite and > 0, zero points in the type's range, output parameters == input's.
Pool2DInt8Params prepare_pool2d_int8(const Dims& input, const Pool2DOptions& options,
                                     QuantParams input_q, QuantParams output_q,
                                     const std::string& op,
                                     QuantizedType type = QuantizedType::kInt8);

void eval_max_pool2d_int8(const Pool2DInt8Params& params, const int8_t* input, int8_t* output);
void eval_max_pool2d_int8(const Pool2DInt8Params& params, const uint8_t* input, uint8_t* output);
void eval_average_pool2d_int8(const Pool2DInt8Params& params, const int8_t* input,
                              int8_t* output);
void eval_average_pool2d_int8(const Pool2DInt8Params& params, const uint8_t* input,
                              uint8_t* output);

// ---- RESHAPE ----------------------------------------------------------------------------
// As prepare_reshape, plus the same-parameters check.
ReshapeParams prepare_reshape_int8(const Dims& input, const Dims& new_shape, QuantParams input_q,
                                   QuantParams output_q, QuantizedType type = QuantizedType::kInt8);
// Copies params.size bytes (no-op when output == input).
void eval_reshape_int8(const ReshapeParams& params, const void* input, void* output);

// ---- CONCATENATION ----------------------------------------------------------------------
// As prepare_concatenation; input_qs has one entry per input, each equal to output_q.
ConcatenationParams prepare_concatenation_int8(std::span<const Dims> inputs,
                                               std::span<const QuantParams> input_qs,
                                               QuantParams output_q, int32_t axis,
                                               Activation activation,
                                               QuantizedType type = QuantizedType::kInt8);
// Element size 1: the float kernel's copies, in bytes.
void eval_concatenation_int8(const ConcatenationParams& params,
                             std::span<const void* const> inputs, void* output);

// ---- PAD --------------------------------------------------------------------------------
struct PadInt8Params : PadParams {
  uint8_t pad_byte = 0;  // the output zero point as stored (int8 two's complement)
};
// As prepare_pad (paddings [rank, 2], >= 0), plus the same-parameters check.
PadInt8Params prepare_pad_int8(const Dims& input, const Dims& paddings_dims,
                               std::span<const int32_t> paddings, QuantParams input_q,
                               QuantParams output_q, QuantizedType type = QuantizedType::kInt8);
void eval_pad_int8(const PadInt8Params& params, const void* input, void* output);

// ---- MEAN (int8) ------------------------------------------------------------------------
enum class MeanInt8Path : int8_t { kSpatial, kSameParams, kFloatRescale };

struct MeanInt8Params {
  MeanInt8Path path = MeanInt8Path::kFloatRescale;
  int64_t reduce_count = 0;  // n
  int64_t output_size = 0;
  Dims output_dims;
  // Walk: kept dimensions (output order) and reduced dimensions, with input strides.
  int32_t kept_rank = 0, reduced_rank = 0;
  int64_t kept_size[kMaxIndexRank] = {}, kept_stride[kMaxIndexRank] = {};
  int64_t reduced_size[kMaxIndexRank] = {}, reduced_stride[kMaxIndexRank] = {};
  int32_t output_zero_point = 0;
  QuantizedMultiplier multiplier;  // kSpatial
  int32_t spatial_bias = 0;        // kSpatial
  float scale = 0.0f, bias = 0.0f;  // kFloatRescale
};

// axes: the int32 axis tensor's values, as in prepare_mean (negative axes add the rank,
// duplicates allowed). Chooses the path as the contract above says.
MeanInt8Params prepare_mean_int8(const Dims& input, std::span<const int32_t> axes,
                                 bool keep_dims, QuantParams input_q, QuantParams output_q);
void eval_mean_int8(const MeanInt8Params& params, const int8_t* input, int8_t* output);
// The output value of one reduction whose raw int32 sum is `sum` (the path's final
// arithmetic above; reduce_count > 0). eval_mean_int8 and the optimized MEAN use it.
int8_t finish_mean_int8(const MeanInt8Params& params, int32_t sum);

}  // namespace lq::kernels
