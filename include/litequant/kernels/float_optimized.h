#pragma once
// Optimized float32 CONV_2D and FULLY_CONNECTED of the interpreter, on the reference
// kernels' prepared params (float_reference.h):
//  * Conv2DFloatDirect (constant filters): a direct NHWC convolution on a filter packed at
//    prepare into groups of 16-channel blocks; register tiles of up to 24 output pixels x
//    1-4 blocks, broadcast-FMA over taps x input channels, bias + activation at the store
//    (float_conv_tile.h). AVX-512 / AVX2 / portable paths, one packing.
//  * Conv2DFloatOptimized (any filter, e.g. non-constant): im2col + lq::sgemm (AVX-512 /
//    AVX2 FMA / portable, include/litequant/core/gemm.h);
//  * FULLY_CONNECTED: a dot-product kernel for small batches, sgemm otherwise.
//  * DepthwiseConv2DFloatOptimized (constant filters): vectors over output channels
//    (masked tail), up to 8 output pixels of a row per step (float_depthwise_tile.h).
//
// ======================= NUMERIC CONTRACT ==============================================
// NOT bit-exact with the reference kernels: the sum over taps runs in sgemm's blocked
// order (or 16 interleaved partial sums for small batches, or the direct conv's tap
// order (ky, kx, ic) from 0.f, bias added after; the depthwise conv: the reference's tap
// order (ky, kx) from 0.f, bias after) with fused multiply-adds.
// Tested against the reference over a sweep of shapes, strides, dilations and paddings:
//   |optimized - reference| <= 1e-5 * (1 + sum over taps of |x * w|)
// (the depthwise conv: also over depth multipliers, channel tails and activations).
// Padding taps are multiplied as zeros (exactly the reference's skipped taps). Bias and
// the fused-activation clamp are the reference's. Results do not depend on the thread
// count (the direct conv: every path; threads take whole output rows). eval allocates
// nothing: scratch is sized when the object is made. A NaN sum stays NaN after the clamp.
// =========================================================================================
#include <cstdint>
#include <vector>

#include "litequant/core/tensor.h"
#include "litequant/core/thread_pool.h"
#include "litequant/kernels/float_reference.h"

namespace lq::kernels {

// Which float micro-kernels the direct conv runs. kAuto picks the best one this CPU has.
enum class FloatPath : int8_t { kAuto, kPortable, kAvx2, kAvx512 };
bool float_path_available(FloatPath path);
FloatPath resolve_float_path(FloatPath path);  // kAuto -> the best available path
const char* float_path_name(FloatPath path);

// CONV_2D with a constant filter: packed once here (filter and bias need not outlive the
// object). Scratch: one zero-bordered copy of an image per thread slot (max_threads
// slots), only when the op pads. Shapes whose padded copy would exceed 4x the input + 1M
// floats or 64M floats keep the reference kernel (and a copy of the filter).
class Conv2DFloatDirect {
 public:
  Conv2DFloatDirect(const Conv2DParams& params, const float* filter, const float* bias,
                    FloatPath path = FloatPath::kAuto, int max_threads = 1);
  void eval(const float* input, float* output, ThreadPool* pool);
  FloatPath path() const { return path_; }
  bool uses_reference() const { return !reference_filter_.empty(); }

  // One group of `blocks` 16-channel blocks of output channels [first, first + count).
  struct Group {
    int32_t first = 0, count = 0, blocks = 0;
    int64_t weights = 0;  // offset in packed_ of its [k][blocks * 16] weights
    int64_t bias = 0;     // offset in bias_ of its blocks * 16 biases
  };

 private:
  void run_rows(const float* input, float* output, float* image, int64_t begin, int64_t end) const;

  Conv2DParams p_;
  FloatPath path_ = FloatPath::kPortable;
  std::vector<Group> groups_;
  AlignedVector<float> packed_, bias_;
  std::vector<int64_t> segments_;  // offsets (floats) of the runs of taps in the padded image
  int64_t segment_len_ = 0;        // taps x channels per run (contiguous)
  bool padded_ = false;            // reads a zero-bordered copy (else the input in place)
  int64_t padded_h_ = 0, padded_w_ = 0, slot_floats_ = 0, slots_ = 1;
  AlignedVector<float> scratch_;
  std::vector<float> reference_filter_, reference_bias_;
};

// DEPTHWISE_CONV_2D with a constant filter [1, KH, KW, C*M]: packed once here. Scratch:
// one image copy per thread slot (max_threads slots) when the op pads or M > 1 (the copy
// then repeats each input channel M times); the bounds and the reference fallback are
// the direct conv's (on that copy's size).
class DepthwiseConv2DFloatOptimized {
 public:
  DepthwiseConv2DFloatOptimized(const DepthwiseConv2DParams& params, const float* filter, const float* bias,
                                FloatPath path = FloatPath::kAuto, int max_threads = 1);
  void eval(const float* input, float* output, ThreadPool* pool);
  FloatPath path() const { return path_; }
  bool uses_reference() const { return !reference_filter_.empty(); }

 private:
  void copy_rows(const float* input_image, float* image, int64_t y0, int64_t y1) const;
  void run_rows(const float* input, float* output, float* image, int64_t begin, int64_t end) const;

  DepthwiseConv2DParams p_;
  FloatPath path_ = FloatPath::kPortable;
  AlignedVector<float> packed_, bias_;  // [tap][filter_stride_], [filter_stride_]
  int64_t filter_stride_ = 0;           // out_c rounded up to 16
  std::vector<int64_t> taps_;           // offsets (floats) of the taps in the image
  bool copied_ = false;                 // reads a copy (padded and/or channels repeated)
  int64_t image_h_ = 0, image_w_ = 0, slot_floats_ = 0, slots_ = 1;
  AlignedVector<float> scratch_;
  std::vector<float> reference_filter_, reference_bias_;
};

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
// FULLY_CONNECTED one batch row at a time with dot_rows (outputs split over `pool`), then
// bias and activation: small batches, where packing the weights does not pay.
void fully_connected_by_rows(const FullyConnectedParams& params, const float* input, const float* weights,
                             const float* bias, float* output, ThreadPool* pool);
}  // namespace detail

}  // namespace lq::kernels
