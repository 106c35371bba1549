// Optimized float SOFTMAX (float_ops_optimized.h): rows split over threads, each row
// by the path's softmax-row kernel (exp_approx, 16-lane max and sum).
#include "float_row_kernels.h"

namespace lq::kernels {

void eval_softmax_optimized(const SoftmaxParams& params, const float* input, float* output, ThreadPool* pool,
                            OpPath path) {
  const auto row = float_opt::row_kernels(path).softmax_row;
  const int64_t depth = params.depth;
  const float beta = params.beta;
  float_opt::parallel_units(pool, params.outer, depth * 8, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) row(input + r * depth, output + r * depth, depth, beta);
  });
}

}  // namespace lq::kernels
