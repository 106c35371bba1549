#pragma once
// Internal training kernels shared by several layers. Plain loops the compiler can
// vectorise (the hot ones in vector_loops.h, built for AVX-512 / AVX2 / baseline); split
// over a ThreadPool with partitions that depend only on the shapes.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "litequant/core/rng.h"
#include "litequant/core/tensor.h"
#include "litequant/core/thread_pool.h"
#include "litequant/nn/activation.h"
#include "litequant/nn/layers/conv.h"

namespace lq::ops {

// Fixed number of blocks for reductions, so summation order never depends on threads.
inline constexpr int64_t kSumBlocks = 16;

// out[0..len) = sum over items i of the vector that add_range(i0, i1, acc) accumulates
// into acc for items [i0, i1), in item order. Items are grouped into kSumBlocks fixed
// blocks reduced in parallel, then the block partials are added in block order:
// bit-identical for any thread count.
template <typename AddRange>
void blocked_range_sum(ThreadPool* pool, int64_t items, int64_t len, float* out, AddRange&& add_range) {
  const int64_t blocks = std::min(kSumBlocks, std::max<int64_t>(1, items));
  std::vector<float> partial(static_cast<size_t>(blocks * len), 0.0f);
  parallel_for(pool, blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b)
      add_range(items * b / blocks, items * (b + 1) / blocks, partial.data() + b * len);
  });
  std::fill(out, out + len, 0.0f);
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t j = 0; j < len; ++j) out[j] += partial[static_cast<size_t>(b * len + j)];
}

// The same with add_item(i, acc) called for each item.
template <typename AddItem>
void blocked_sum(ThreadPool* pool, int64_t items, int64_t len, float* out, AddItem&& add_item) {
  blocked_range_sum(pool, items, len, out, [&](int64_t i0, int64_t i1, float* acc) {
    for (int64_t i = i0; i < i1; ++i) add_item(i, acc);
  });
}

// fn(row) for every row in [0, rows), rows split across the pool.
template <typename Fn>
void parallel_rows(ThreadPool* pool, int64_t rows, Fn&& fn) {
  parallel_for(pool, rows, 1, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) fn(r);
  });
}

// y[r, c] += bias[c] for rows x cols.
void add_bias(float* y, int64_t rows, int64_t cols, const float* bias, ThreadPool* pool);

// One pass over y[rows, cols]: y = act(y + bias) (bias may be null).
void bias_activation(Tensor& y, int64_t cols, const float* bias, Activation act, ThreadPool* pool);

// One pass: grad_pre = grad_y * act'(y) and bias_grad[c] = sum_r grad_pre[r, c] (bias_grad
// may be null). Returns the tensor holding d/d(pre-activation): grad_y itself for a
// linear activation, else grad_pre.
const Tensor& activation_and_bias_grad(Activation act, const Tensor& y, const Tensor& grad_y,
                                       int64_t cols, Tensor& grad_pre, float* bias_grad,
                                       ThreadPool* pool);

// out[c] = sum_r x[r, c]. Deterministic: fixed row blocks summed in a fixed order.
void column_sums(const float* x, int64_t rows, int64_t cols, float* out, ThreadPool* pool);

// Glorot (Xavier) uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).
void glorot_uniform(Tensor& t, int64_t fan_in, int64_t fan_out, Rng& rng);

// im2col for images [n, h, w, c] (NHWC) and a kh x kw window: rows are output pixels
// (n, oh, ow), columns (ky, kx, ch) — the order of a flattened HWIO kernel. Taps outside
// the image are 0.
void im2col(const float* images, int64_t n, int64_t c, const ConvGeometry& g, const Window2D& w,
            float* cols, ThreadPool* pool);
// The same matrix transposed, [kh * kw * c, n * out_h * out_w]: for few channels the
// inner loops then run along image rows (contiguous loads and stores).
void im2col_transposed(const float* images, int64_t n, int64_t c, const ConvGeometry& g,
                       const Window2D& w, float* cols_t, ThreadPool* pool);
// Adds columns back into images (the transpose of im2col). Overwrites `images`.
void col2im(const float* cols, int64_t n, int64_t c, const ConvGeometry& g, const Window2D& w,
            float* images, ThreadPool* pool);

}  // namespace lq::ops
