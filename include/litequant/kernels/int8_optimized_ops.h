#pragma once
// Optimized int8/uint8 MAX_POOL_2D and AVERAGE_POOL_2D (issue 6, "fast kernels").
//
// prepare_pool2d_int8_optimized() takes the params of prepare_pool2d_int8
// (int8_shape_ops.h) and precomputes, once, the clipped window of every output row and
// column. eval_pool2d_int8_optimized() is integer only (see AVERAGE below) and
// allocates nothing (the portable path only writes the prepared object's scratch, so one
// prepared object must not be evaluated by two calls at once; copies have their own).
//
// ======================= NUMERIC CONTRACT ============================================
// * The output is BYTE-IDENTICAL with eval_max_pool2d_int8 / eval_average_pool2d_int8
//   for the same params and input, on every code path.
// * MAX: m = max(act.min, taps...) then min(m, act.max): the same value as the
//   reference's clamp(max(taps)) because every output window holds at least one in-image
//   tap (and with none the reference also gives act.min).
// * AVERAGE: avg = sign(acc) * floor((|acc| + n/2) / n), which is the reference's
//   acc > 0 ? (acc + n/2)/n : (acc - n/2)/n with truncating division. The SIMD paths
//   compute the floor as trunc(float(|acc| + n/2) / float(n)): exact because both
//   operands are integers below 2^24 (a float quotient a/n that is not an integer is at
//   least 1/n below the next integer k, and rounding only reaches k when n*k > 2^24).
//   prepare keeps |acc| + n/2 <= 255 * taps + taps / 2 < 2^24 by running the reference
//   kernel when filter_h * filter_w > 65536 (uses_reference()).
// =======================================================================================
#include <cstdint>
#include <vector>

#include <array>

#include "litequant/kernels/int8_elementwise.h"
#include "litequant/kernels/int8_shape_ops.h"
#include "litequant/kernels/quantize.h"

namespace lq::kernels {

// Code paths of the optimized element/pool kernels (no VNNI needed). kAuto picks the
// fastest available one.
//   kPortable plain C++ (any CPU)
//   kAvx2     AVX2
//   kAvx512   AVX-512 F/BW/VL/DQ (core/cpu.h avx512_core())
enum class OpPath : int8_t { kAuto, kPortable, kAvx2, kAvx512 };

// True if `path` was compiled in and this CPU runs it (kAuto, kPortable: always).
bool op_path_available(OpPath path);
// kAuto -> the fastest available path; any other value is returned unchanged.
OpPath resolve_op_path(OpPath path);
// "auto", "portable", "avx2", "avx512".
const char* op_path_name(OpPath path);

// ---- MAX_POOL_2D, AVERAGE_POOL_2D ----------------------------------------------------
enum class PoolKind : int8_t { kMax, kAverage };

struct Pool2DInt8Optimized {
  Pool2DInt8Params params;
  PoolKind kind = PoolKind::kMax;
  QuantizedType type = QuantizedType::kInt8;
  OpPath path = OpPath::kPortable;  // resolved path
  bool reference = false;           // runs the reference kernel (huge windows)
  bool uses_reference() const { return reference; }

  // Clipped window of every output row / column: taps [k0, k1) land in the image.
  std::vector<int32_t> ky0, ky1, kx0, kx1;
  std::vector<int32_t> scratch;  // portable AVERAGE: one int32 per channel
};

// Throws lq::Error if `path` is not available.
Pool2DInt8Optimized prepare_pool2d_int8_optimized(const Pool2DInt8Params& params, PoolKind kind,
                                                  QuantizedType type, OpPath path = OpPath::kAuto);

// input/output are int8_t* or uint8_t* as `type` says.
void eval_pool2d_int8_optimized(Pool2DInt8Optimized& prepared, const void* input, void* output);

// ---- QUANTIZE int8/uint8 -> int8/uint8 (requantize), DEQUANTIZE int8/uint8 -> float32 ----
// Both are functions of one 8-bit value: prepare runs the REFERENCE kernel
// (quantize.h) on all 256 inputs and keeps the results as a table, so eval (a lookup per
// element) is byte-identical with it by construction. Per-channel DEQUANTIZE keeps the
// reference kernel (uses_reference()).
struct RequantizeOptimized {
  RequantizeParams params;
  bool input_signed = true, output_signed = true;
  std::array<uint8_t, 256> table{};  // output byte for input byte b
};
RequantizeOptimized prepare_requantize_optimized(const RequantizeParams& params, QuantizedType input,
                                                 QuantizedType output);
// input/output: int8_t* or uint8_t* as prepared.
void eval_requantize_optimized(const RequantizeOptimized& prepared, const void* input, void* output);

struct DequantizeOptimized {
  DequantizeParams params;
  bool input_signed = true;
  bool reference = false;  // per channel
  bool uses_reference() const { return reference; }
  std::array<float, 256> table{};  // value for input byte b
};
DequantizeOptimized prepare_dequantize_optimized(const DequantizeParams& params, QuantizedType input);
void eval_dequantize_optimized(const DequantizeOptimized& prepared, const void* input, float* output);

// ---- QUANTIZE float32 -> int8/uint8 -------------------------------------------------------
// The AVX-512 path computes the reference's round(double(x) / double(scale)) in double
// lanes: y = x / scale (the same correctly rounded double division), t = trunc(y), and
// t +- 1 when |y - t| >= 0.5 (y - t is exact), i.e. std::round's half away from zero;
// the conversion gives INT32_MIN for |q| >= 2^31, inf and NaN as the reference's rule;
// the zero point is added with wrapping int32 arithmetic; then the clamp. Other paths
// run the reference kernel.
struct QuantizeFloatOptimized {
  QuantizeFloatParams params;
  bool output_signed = true;
  OpPath path = OpPath::kPortable;
};
QuantizeFloatOptimized prepare_quantize_float_optimized(const QuantizeFloatParams& params, QuantizedType output,
                                                        OpPath path = OpPath::kAuto);
void eval_quantize_float_optimized(const QuantizeFloatOptimized& prepared, const float* input, void* output);

// ---- ADD, MUL (int8) ----------------------------------------------------------------------
// The AVX-512 path runs inputs of EQUAL shape (params.shape.broadcast false), 16
// elements per step, with the reference's exact integer steps (int8_elementwise.h):
//   SRDHM(a, M)        = (int64(a) * M + 2^30) >> 31     (M > 0; see int8_depthwise.h)
//   RDBPOT(x, e)       = (x >> e) + ((x & mask) > (mask >> 1) + (x < 0)),  mask = 2^e - 1
//   MUL's left shift   x << left without saturation, which prepare guarantees (left <= 15
//                      and |product| <= 255 * 255)
// prepare runs the reference kernel instead (uses_reference()) when the inputs broadcast,
// a right shift exceeds 31 or MUL's left shift exceeds 15; the portable path is the
// reference kernel.
struct AddInt8Optimized {
  AddInt8Params params;
  OpPath path = OpPath::kPortable;
  bool reference = true;
  bool uses_reference() const { return reference; }
};
AddInt8Optimized prepare_add_int8_optimized(const AddInt8Params& params, OpPath path = OpPath::kAuto);
void eval_add_int8_optimized(const AddInt8Optimized& prepared, const int8_t* input1, const int8_t* input2,
                             int8_t* output);

struct MulInt8Optimized {
  MulInt8Params params;
  OpPath path = OpPath::kPortable;
  bool reference = true;
  bool uses_reference() const { return reference; }
};
MulInt8Optimized prepare_mul_int8_optimized(const MulInt8Params& params, OpPath path = OpPath::kAuto);
void eval_mul_int8_optimized(const MulInt8Optimized& prepared, const int8_t* input1, const int8_t* input2,
                             int8_t* output);

}  // namespace lq::kernels
