#pragma once
// Optimized int8/uint8 MAX_POOL_2D and AVERAGE_POOL_2D (issue 6, "fast kernels"), and
// (further below, each with its own contract) QUANTIZE / DEQUANTIZE, ADD / MUL, RELU,
// RELU6, LOGISTIC, TANH, SOFTMAX, PAD and MEAN.
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

namespace lq {
class ThreadPool;
}

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
  std::vector<int32_t> scratch;  // portable AVERAGE: one int32 per channel; AVX-512 MAX with
                                 // few channels: `slots` row buffers (src/kernels/optimized/int8_pool.h)
  int32_t slots = 1;             // threads that may work at once (that MAX path only)
};

// Throws lq::Error if `path` is not available. max_threads: see eval.
Pool2DInt8Optimized prepare_pool2d_int8_optimized(const Pool2DInt8Params& params, PoolKind kind,
                                                  QuantizedType type, OpPath path = OpPath::kAuto,
                                                  int max_threads = 1);

// input/output are int8_t* or uint8_t* as `type` says. The AVX-512 MAX path for few
// channels splits the batch over `pool` (at most min(max_threads, pool threads) parts,
// each image's bytes computed by one part, as in int8_optimized.h); the other AVX-512
// and AVX2 paths hand out chunks of output rows to the pool's threads (each row computed
// by one thread); the portable path runs on the caller.
void eval_pool2d_int8_optimized(Pool2DInt8Optimized& prepared, const void* input, void* output,
                                ThreadPool* pool = nullptr);

// ---- QUANTIZE int8/uint8 -> int8/uint8 (requantize), DEQUANTIZE int8/uint8 -> float32 ----
// Both are functions of one 8-bit value: prepare runs the REFERENCE kernel
// (quantize.h) on all 256 inputs and keeps the results as a table, so eval (a lookup per
// element) is byte-identical with it by construction. Per-channel DEQUANTIZE builds one
// table per channel the same way (at most kMaxDequantizeTables channels; beyond that it
// keeps the reference kernel, uses_reference()).
struct RequantizeOptimized {
  RequantizeParams params;
  bool input_signed = true, output_signed = true;
  std::array<uint8_t, 256> table{};  // output byte for input byte b
  OpPath path = OpPath::kPortable;   // how the table is applied (see ByteTableOptimized)
};
RequantizeOptimized prepare_requantize_optimized(const RequantizeParams& params, QuantizedType input,
                                                 QuantizedType output, OpPath path = OpPath::kAuto);
// input/output: int8_t* or uint8_t* as prepared.
void eval_requantize_optimized(const RequantizeOptimized& prepared, const void* input, void* output);

inline constexpr int64_t kMaxDequantizeTables = 4096;  // 4 MB of tables at most
struct DequantizeOptimized {
  DequantizeParams params;
  bool input_signed = true;
  bool reference = false;  // more than kMaxDequantizeTables channels
  bool uses_reference() const { return reference; }
  std::vector<float> table;  // [channels][256]: value of input byte b in channel c
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
// The AVX-512 path runs 16 elements per step with the reference's exact integer steps
// (int8_elementwise.h), on equal shapes and on every broadcast: prepare folds the
// reference's 4-D walk (BinaryParams) into rows of the innermost dimensions, where
// each operand is either contiguous or one repeated element (BroadcastRows); output
// element order and per-element arithmetic are the reference's:
//   SRDHM(a, M)        = (int64(a) * M + 2^30) >> 31     (M > 0; see int8_depthwise.h)
//   RDBPOT(x, e)       = (x >> e) + ((x & mask) > (mask >> 1) + (x < 0)),  mask = 2^e - 1
//   MUL's left shift   x << left without saturation, which prepare guarantees (left <= 15
//                      and |product| <= 255 * 255)
// prepare runs the reference kernel instead (uses_reference()) when a right shift
// exceeds 31 or MUL's left shift exceeds 15; the portable path is the reference kernel.
struct BroadcastRows {
  int64_t outer[4] = {1, 1, 1, 1};           // rows: the 4-D walk's dims not folded into a row
  int64_t stride1[4] = {}, stride2[4] = {};  // element strides of a row start
  int64_t row = 0;                           // elements per row (the folded innermost dims)
  int64_t step1 = 1, step2 = 1;              // 1: contiguous in the row, 0: one element repeated
};
BroadcastRows broadcast_rows(const BinaryParams& shape);

struct AddInt8Optimized {
  AddInt8Params params;
  BroadcastRows rows;
  OpPath path = OpPath::kPortable;
  bool reference = true;
  bool uses_reference() const { return reference; }
};
AddInt8Optimized prepare_add_int8_optimized(const AddInt8Params& params, OpPath path = OpPath::kAuto);
void eval_add_int8_optimized(const AddInt8Optimized& prepared, const int8_t* input1, const int8_t* input2,
                             int8_t* output);

struct MulInt8Optimized {
  MulInt8Params params;
  BroadcastRows rows;
  OpPath path = OpPath::kPortable;
  bool reference = true;
  bool uses_reference() const { return reference; }
};
MulInt8Optimized prepare_mul_int8_optimized(const MulInt8Params& params, OpPath path = OpPath::kAuto);
void eval_mul_int8_optimized(const MulInt8Optimized& prepared, const int8_t* input1, const int8_t* input2,
                             int8_t* output);

// ---- RELU, RELU6, LOGISTIC, TANH: one 256-byte table -------------------------------------
// Every one of these is a function of one int8 value with per-tensor parameters: prepare
// runs the REFERENCE kernel (eval_relu_int8 / eval_lookup_table_int8) on all 256 inputs
// and keeps the results, so eval is byte-identical with it by construction. The AVX-512
// path looks 64 bytes up per step with vpermi2b when the CPU has AVX512_VBMI (else, and
// on the other paths, a scalar loop).
struct ByteTableOptimized {
  int64_t size = 0;
  std::array<uint8_t, 256> table{};  // output byte for input byte b
  OpPath path = OpPath::kPortable;
};
ByteTableOptimized prepare_relu_int8_optimized(const ReluInt8Params& params, OpPath path = OpPath::kAuto);
ByteTableOptimized prepare_lookup_table_int8_optimized(const LookupTableInt8Params& params,
                                                       OpPath path = OpPath::kAuto);
void eval_byte_table_optimized(const ByteTableOptimized& prepared, const void* input, void* output);
// out[i] = table[in[i]] for n bytes on `path` (shared by the table kernels).
void apply_byte_table(const std::array<uint8_t, 256>& table, int64_t n, const uint8_t* input, uint8_t* output,
                      OpPath path);

// ---- SOFTMAX (int8) -------------------------------------------------------------------------
// The reference (int8_elementwise.h) already reads exp from its 256-entry table. The
// AVX-512 path keeps its float arithmetic exactly: the row max (an exact integer max),
// the SAME sequential float sum in the same order (float addition is not associative,
// so it stays scalar), the same inverse, then 16 outputs per step: e = table[255 - max
// + x] (gathered), round(e * inverse) half away from zero as trunc + (|frac| >= 0.5)
// (the fraction of a float is exact), NaN -> 0, clamp to +-1e6, + zp, clamp to int8 --
// the reference's steps. Other paths run the reference kernel.
struct SoftmaxInt8Optimized {
  SoftmaxInt8Params params;
  OpPath path = OpPath::kPortable;
};
SoftmaxInt8Optimized prepare_softmax_int8_optimized(const SoftmaxInt8Params& params, OpPath path = OpPath::kAuto);
void eval_softmax_int8_optimized(const SoftmaxInt8Optimized& prepared, const int8_t* input, int8_t* output);

// ---- PAD (int8 / uint8) ----------------------------------------------------------------------
// The output is filled with pad_byte, then every input row -- the innermost padded
// dimension together with the unpadded dimensions after it, contiguous in both tensors --
// is copied with one memcpy. Same bytes as the reference's per-element scatter.
struct PadInt8Optimized {
  PadInt8Params params;
  int32_t row_dim = 0;  // rows are input dims [row_dim, rank): the last padded dim on
  int64_t row_bytes = 0;
};
PadInt8Optimized prepare_pad_int8_optimized(const PadInt8Params& params);
void eval_pad_int8_optimized(const PadInt8Optimized& prepared, const void* input, void* output);

// ---- MEAN (int8) -----------------------------------------------------------------------------
// When the reduced dimensions form one contiguous block (input = [outer, reduced, inner]
// with every kept dimension before or after the block: axes {1, 2} of NHWC, any
// keep_dims), the int32 sums of the `inner` outputs of each outer index are accumulated
// together over the reduced rows (a vectorizable channel loop; integer sums, so the order
// does not matter), then each sum goes through finish_mean_int8 -- the reference's own
// final arithmetic for the prepared path. Scratch: `inner` int32, at most
// kMaxMeanInner; other layouts, empty reductions and larger inner blocks run the
// reference kernel (uses_reference()).
inline constexpr int64_t kMaxMeanInner = int64_t{1} << 16;
struct MeanInt8Optimized {
  MeanInt8Params params;
  OpPath path = OpPath::kPortable;  // AVX-512: explicit channel sums for inner >= 16
  bool reference = true;
  bool uses_reference() const { return reference; }
  int64_t outer = 0, reduce = 0, inner = 0;
  std::vector<int32_t> sums;  // scratch (one prepared object: one eval at a time)
};
MeanInt8Optimized prepare_mean_int8_optimized(const MeanInt8Params& params, OpPath path = OpPath::kAuto);
void eval_mean_int8_optimized(MeanInt8Optimized& prepared, const int8_t* input, int8_t* output);

}  // namespace lq::kernels
