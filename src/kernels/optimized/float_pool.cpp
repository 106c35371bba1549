// Optimized float MAX_POOL_2D and AVERAGE_POOL_2D (float_ops_optimized.h): walks output
// rows (split over threads), clips each row's window to the image as the reference does
// and hands the row to the path's pool-row kernel.
#include <algorithm>

#include "float_row_kernels.h"

namespace lq::kernels {
namespace {

void eval_pool(const Pool2DParams& p, const float* input, float* output, ThreadPool* pool,
               void (*pool_row)(const float_opt::PoolRow&)) {
  const int64_t C = p.in_c;
  const int64_t row_cost = int64_t{p.out_w} * C * p.filter_h * p.filter_w;
  float_opt::parallel_units(pool, int64_t{p.batch} * p.out_h, row_cost, [&](int64_t r0, int64_t r1) {
    float_opt::PoolRow row;
    row.channels = C;
    row.row_stride = int64_t{p.in_w} * C;
    row.in_w = p.in_w;
    row.out_w = p.out_w;
    row.filter_w = p.filter_w;
    row.stride_w = p.stride_w;
    row.pad_left = p.pad_left;
    row.lo = p.activation.min;
    row.hi = p.activation.max;
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / p.out_h, oy = r % p.out_h;
      const int64_t iy0 = oy * p.stride_h - p.pad_top;
      const int64_t ky0 = std::max<int64_t>(0, -iy0);
      const int64_t ky1 = std::min<int64_t>(p.filter_h, p.in_h - iy0);
      row.rows = ky1 > ky0 ? static_cast<int32_t>(ky1 - ky0) : 0;
      row.input = input + (b * p.in_h + (row.rows > 0 ? iy0 + ky0 : 0)) * row.row_stride;
      row.output = output + r * p.out_w * C;
      pool_row(row);
    }
  });
}

}  // namespace

void eval_max_pool2d_optimized(const Pool2DParams& params, const float* input, float* output, ThreadPool* pool,
                               OpPath path) {
  eval_pool(params, input, output, pool, float_opt::row_kernels(path).max_pool_row);
}

void eval_average_pool2d_optimized(const Pool2DParams& params, const float* input, float* output,
                                   ThreadPool* pool, OpPath path) {
  eval_pool(params, input, output, pool, float_opt::row_kernels(path).average_pool_row);
}

}  // namespace lq::kernels
