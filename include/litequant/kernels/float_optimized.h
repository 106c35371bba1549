#pragma once
// Optimized float32 CONV_2D and FULLY_CONNECTED of the interpreter, on the reference
// kernels' prepared params (float_reference.h): im2col + lq::sgemm (AVX-512 / AVX2 FMA /
// portable, include/litequant/core/gemm.h), and a dot-product kernel for small batches.
//
// ======================= NUMERIC CONTRACT ==============================================
// NOT bit-exact with the reference kernels: the sum over taps runs in sgemm's blocked
// order (or 16 interleaved partial sums for small batches) with fused multiply-adds.
// Tested against the reference over a sweep of shapes, strides, dilations and paddings:
//   |optimized - reference| <= 1e-5 * (1 + sum over taps of |x * w|).
// Padding taps are multiplied as zeros (exactly the reference's skipped taps). Bias and
// the fused-activation clamp are the reference's. Results do not depend on the thread
// count. eval allocates nothing: scratch is sized when the object is made.
// =========================================================================================
#include <cstdint>

#include "litequant/core/tensor.h"
#include "litequant/core/thread_pool.h"
#include "litequant/kernels/float_reference.h"

namespace lq::kernels {

class Conv2DFloatOptimized {
 public:
  explicit Conv2DFloatOptimized(const Conv2DParams& params);
  // filter [O, KH, KW, I] (the reference layout); bias read when params.has_bias.
  void eval(const float* input, const float* filter, const float* bias, float* output, ThreadPool* pool);

 private:
  Conv2DParams p_;
  int64_t k_ = 0;           // taps * input channels
  bool direct_ = false;     // 1x1, stride 1, no padding: the input is the im2col matrix
  bool reference_ = false;  // im2col rows above 16 MB (hostile shapes): the reference kernel
  int64_t chunk_rows_ = 0;  // output pixels per im2col chunk
  AlignedVector<float> cols_;
};

// FULLY_CONNECTED: weights [O, I].
void eval_fully_connected_optimized(const FullyConnectedParams& params, const float* input, const float* weights,
                                    const float* bias, float* output, ThreadPool* pool);

namespace detail {
// out[o] = sum_i x[i] * w[o, i] for o in [0, O): 16 partial sums per output, FMA.
void dot_rows(const float* x, const float* w, int64_t in, int64_t out_begin, int64_t out_end, float* y);
// The two paths dot_rows picks from (the AVX-512 one only on CPUs with AVX-512).
void dot_rows_portable(const float* x, const float* w, int64_t in, int64_t out_begin, int64_t out_end, float* y);
void dot_rows_avx512(const float* x, const float* w, int64_t in, int64_t out_begin, int64_t out_end, float* y);
}  // namespace detail

}  // namespace lq::kernels
