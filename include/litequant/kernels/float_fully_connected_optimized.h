#pragma once
// Optimized float32 FULLY_CONNECTED of the interpreter as a prepared object: the constant
// weights are packed ONCE (at prepare) into the column panels of lq::sgemm's micro-kernel
// (src/core/gemm_internal.h: AVX-512 / AVX2 FMA / portable), so eval neither packs nor
// needs sgemm's lazily grown per-thread buffers; the input rows are read in place. Small
// batches (< 4 rows) take detail::dot_rows (float_optimized.h) on the weights as stored.
//
// ======================= NUMERIC CONTRACT ==============================================
// The contract of float_optimized.h: NOT bit-exact with the reference kernel,
//   |optimized - reference| <= 1e-5 * (1 + sum over i of |x_i * w_oi|),
// bias and fused-activation clamp as the reference. Batch >= 4 is moreover bit-identical
// with lq::sgemm on the same code path (the same micro-kernel, the same k blocks, hence
// the same fused multiply-add chain per output). Results do not depend on the thread
// count: threads take whole row tiles. eval allocates nothing.
// =========================================================================================
#include <cstdint>

#include "litequant/core/tensor.h"
#include "litequant/core/thread_pool.h"
#include "litequant/kernels/float_reference.h"

namespace lq::kernels {

// Code path of the packed GEMM (kAuto: the fastest available one).
enum class FloatFcPath : int8_t { kAuto, kPortable, kAvx2, kAvx512 };
bool float_fc_path_available(FloatFcPath path);

class FullyConnectedFloatOptimized {
 public:
  // weights [O, I] (constant: packed now when params.batch >= 4); bias (O values, read
  // when params.has_bias) is copied. Throws lq::Error if `path` is not available.
  FullyConnectedFloatOptimized(const FullyConnectedParams& params, const float* weights, const float* bias,
                               FloatFcPath path = FloatFcPath::kAuto);
  // `weights` as given to the constructor (read by the small-batch path only).
  void eval(const float* input, const float* weights, float* output, ThreadPool* pool) const;
  bool packed() const { return !panels_.empty(); }

 private:
  void run_rows(const float* input, float* output, int64_t row0, int64_t row1) const;

  FullyConnectedParams p_;
  const void* kernels_ = nullptr;  // gemm_internal::KernelSet of the chosen path
  AlignedVector<float> panels_;    // per k block, column panels of nr: [kb][panel][p][j]
  AlignedVector<float> bias_;      // O values (zeros without a bias)
};

}  // namespace lq::kernels
