#pragma once
// Optimized float32 kernels of the interpreter's non-GEMM ops: MAX_POOL_2D,
// AVERAGE_POOL_2D, ADD, MUL, RELU, RELU6, LOGISTIC, TANH, SOFTMAX, MEAN, PAD and
// float16 DEQUANTIZE (CONCATENATION keeps the reference kernel: it is memcpy already).
// They take the reference kernels' prepared params (float_reference.h), allocate
// nothing, keep no state, and split large tensors over a ThreadPool (null: inline).
// Paths (OpPath, int8_optimized_ops.h): kPortable is plain C++ written so the compiler
// vectorizes it; kAvx2 / kAvx512 are the same loops compiled for those ISAs, plus
// AVX2 / AVX-512 intrinsics for the pools (masked channel tails).
//
// ======================= NUMERIC CONTRACT ==============================================
// Bit-identical with the reference kernel, on every path and for any thread count:
//   MAX_POOL_2D, AVERAGE_POOL_2D (each channel sums its taps in the reference's ky, kx
//   order, then divides by the same count), ADD, MUL (same-shape and broadcast; operand
//   order kept, no FMA), RELU, RELU6 (NaN, -0 and +-inf as the reference), MEAN (when
//   the reduced axes are one contiguous run: sums in the reference's order; any other
//   axis set runs the reference kernel), PAD, DEQUANTIZE float16 (exact conversion,
//   signalling-NaN payloads kept; no F16C, which would quiet them). A NaN result is
//   NaN wherever the reference's is; its payload is not promised.
// Within a tolerance (exp and tanh are polynomial approximations, not libm):
//   exp_approx(x):  |exp_approx - exp| <= 2 ulp for normal results (x in [-87.3, 88.7]);
//                   results below FLT_MIN (x < -87.3) within 2^-149 absolute; x > 88.72
//                   and +inf give +inf, x < -104 and -inf give +0, NaN gives NaN.
//   LOGISTIC:       reference branches (x > 16.619 -> 1, x < -9 -> exp(x), else
//                   1 / (1 + exp(-x))) with exp_approx: <= 4 ulp (normal results);
//                   NaN -> NaN, +inf -> 1, -inf -> 0.
//   TANH:           sign(x) * u / (u + 2), u = expm1(2|x|) by polynomial, |x| clamped
//                   to 9.5 (tanh rounds to 1 beyond 9.01): <= 8 ulp; +-0 kept,
//                   NaN -> NaN, +-inf -> +-1.
//   SOFTMAX:        same max and (x - max) * beta as the reference, exp_approx, a sum in
//                   16 interleaved partial sums, then e / sum:
//                   |optimized - reference| <= 1e-5 * reference + 1e-37 for depth <= 4096.
// The bit-identical ops hold no multiply-add pair, so the AVX2 / AVX-512 builds of the
// same loops (where GCC may fuse multiply-adds) give the same bits; exp, LOGISTIC, TANH
// and SOFTMAX may differ between paths by FMA rounding, each path within the bounds
// (measured over float_ops_optimized_test.cpp's sweep of 524k floats: exp 1 ulp,
// LOGISTIC 2 ulp, TANH 3 ulp). Threads split
// outputs only, never a sum: results do not depend on the thread count.
// =========================================================================================
#include <cstdint>

#include "litequant/core/thread_pool.h"
#include "litequant/kernels/float_reference.h"
#include "litequant/kernels/int8_optimized_ops.h"  // OpPath

namespace lq::kernels {

void eval_max_pool2d_optimized(const Pool2DParams& params, const float* input, float* output,
                               ThreadPool* pool = nullptr, OpPath path = OpPath::kAuto);
void eval_average_pool2d_optimized(const Pool2DParams& params, const float* input, float* output,
                                   ThreadPool* pool = nullptr, OpPath path = OpPath::kAuto);

void eval_add_optimized(const BinaryParams& params, const float* input1, const float* input2,
                        float* output, ThreadPool* pool = nullptr, OpPath path = OpPath::kAuto);
void eval_mul_optimized(const BinaryParams& params, const float* input1, const float* input2,
                        float* output, ThreadPool* pool = nullptr, OpPath path = OpPath::kAuto);

enum class UnaryOp : int8_t { kRelu, kRelu6, kLogistic, kTanh };
// Output may equal input.
void eval_unary_optimized(UnaryOp op, const UnaryParams& params, const float* input, float* output,
                          ThreadPool* pool = nullptr, OpPath path = OpPath::kAuto);

void eval_softmax_optimized(const SoftmaxParams& params, const float* input, float* output,
                            ThreadPool* pool = nullptr, OpPath path = OpPath::kAuto);

void eval_mean_optimized(const MeanParams& params, const float* input, float* output,
                         ThreadPool* pool = nullptr, OpPath path = OpPath::kAuto);

// Zero fill, then one memcpy per innermost input row.
void eval_pad_optimized(const PadParams& params, const float* input, float* output);

void eval_dequantize_float16_optimized(const UnaryParams& params, const uint16_t* input, float* output,
                                       ThreadPool* pool = nullptr, OpPath path = OpPath::kAuto);

// exp(x) as the vectorized kernels compute it (see the contract; for tests).
float exp_approx(float x);
float tanh_approx(float x);

}  // namespace lq::kernels
