#include "ops.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numeric>

#include "litequant/nn/activation.h"
#include "vector_loops.h"

namespace lq::ops {
namespace {
constexpr int64_t kGrain = 16384;  // elements
}  // namespace

void add_bias(float* y, int64_t rows, int64_t cols, const float* bias, ThreadPool* pool) {
  parallel_for(pool, rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1)),
               [&](int64_t b, int64_t e) { add_clamp_rows(y + b * cols, e - b, cols, bias, -INFINITY, INFINITY); });
}

namespace {
// Row folding: a [rows, cols] matrix read as [rows / k, k * cols] with k * cols a
// multiple of 16, so per-column work runs in long, vectorisable inner loops even for
// narrow layers (12 filters, 10 classes). Rows past the last full group are the tail.
struct Folded {
  int64_t k, width, groups;
  Folded(int64_t rows, int64_t cols)
      : k(16 / std::gcd<int64_t>(std::max<int64_t>(cols, 1), 16)), width(k * cols), groups(rows / k) {}
};

// out[c] = sum of acc[j] for j % cols == c, j < width (the k folded copies, in order).
void unfold_sums(const std::vector<float>& acc, int64_t cols, float* out) {
  std::fill(out, out + cols, 0.0f);
  for (size_t j = 0; j < acc.size(); ++j) out[static_cast<int64_t>(j) % cols] += acc[j];
}
}  // namespace

void bias_activation(Tensor& y, int64_t cols, const float* bias, Activation act, ThreadPool* pool) {
  const int64_t rows = cols ? y.size() / cols : 0;
  if (act == Activation::kSoftmax || act == Activation::kSigmoid || act == Activation::kTanh) {
    if (bias) add_bias(y.data(), rows, cols, bias, pool);
    activation_forward(act, y, pool);
    return;
  }
  if (!bias && act == Activation::kLinear) return;
  const float lo = act == Activation::kLinear ? -INFINITY : 0.0f;
  const float hi = act == Activation::kReLU6 ? 6.0f : INFINITY;
  const Folded f(rows, cols);
  std::vector<float> wide(static_cast<size_t>(f.width), 0.0f);
  for (int64_t j = 0; bias && j < f.width; ++j) wide[static_cast<size_t>(j)] = bias[j % cols];
  float* p = y.data();
  parallel_for(pool, f.groups, std::max<int64_t>(1, kGrain / f.width), [&](int64_t g0, int64_t g1) {
    add_clamp_rows(p + g0 * f.width, g1 - g0, f.width, wide.data(), lo, hi);
  });
  add_clamp_rows(p + f.groups * f.width, 1, (rows - f.groups * f.k) * cols, wide.data(), lo, hi);
}

const Tensor& activation_and_bias_grad(Activation act, const Tensor& y, const Tensor& grad_y,
                                       int64_t cols, Tensor& grad_pre, float* bias_grad,
                                       ThreadPool* pool) {
  const int64_t rows = cols ? y.size() / cols : 0;
  if (act == Activation::kLinear) {
    if (bias_grad) column_sums(grad_y.data(), rows, cols, bias_grad, pool);
    return grad_y;
  }
  if (act != Activation::kReLU && act != Activation::kReLU6) {
    activation_backward(act, y, grad_y, grad_pre, pool);
    if (bias_grad) column_sums(grad_pre.data(), rows, cols, bias_grad, pool);
    return grad_pre;
  }
  grad_pre.resize(y.shape());
  const float hi = act == Activation::kReLU6 ? 6.0f : INFINITY;
  const Folded f(rows, cols);
  const float* yp = y.data();
  const float* gy = grad_y.data();
  float* gx = grad_pre.data();
  // Folded groups [g0, g1), or (width < f.width) the tail.
  auto pass = [&](int64_t g0, int64_t g1, int64_t width, float* acc) {
    const int64_t at = g0 * f.width;
    relu_grad_rows(yp + at, gy + at, gx + at, g1 - g0, width, hi, acc);
  };
  const int64_t tail = (rows - f.groups * f.k) * cols;
  if (!bias_grad) {
    parallel_for(pool, f.groups, std::max<int64_t>(1, kGrain / f.width),
                 [&](int64_t g0, int64_t g1) { pass(g0, g1, f.width, nullptr); });
    pass(f.groups, f.groups + 1, tail, nullptr);
    return grad_pre;
  }
  std::vector<float> acc(static_cast<size_t>(f.width));
  blocked_range_sum(pool, f.groups, f.width, acc.data(), [&](int64_t g0, int64_t g1, float* a) { pass(g0, g1, f.width, a); });
  pass(f.groups, f.groups + 1, tail, acc.data());
  unfold_sums(acc, cols, bias_grad);
  return grad_pre;
}

void column_sums(const float* x, int64_t rows, int64_t cols, float* out, ThreadPool* pool) {
  const Folded f(rows, cols);
  std::vector<float> acc(static_cast<size_t>(f.width));
  blocked_range_sum(pool, f.groups, f.width, acc.data(),
                    [&](int64_t g0, int64_t g1, float* a) { sum_rows(x + g0 * f.width, g1 - g0, f.width, a); });
  sum_rows(x + f.groups * f.width, 1, (rows - f.groups * f.k) * cols, acc.data());
  unfold_sums(acc, cols, out);
}

void glorot_uniform(Tensor& t, int64_t fan_in, int64_t fan_out, Rng& rng) {
  const float limit = std::sqrt(6.0f / static_cast<float>(fan_in + fan_out));
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(-limit, limit);
}

void im2col(const float* images, int64_t n, int64_t c, const ConvGeometry& g, const Window2D& w,
            float* cols, ThreadPool* pool) {
  const int64_t row_len = w.kernel[0] * w.kernel[1] * c;
  // Work is split by output rows (image, oy); each fills out_w rows of `cols`.
  const int64_t lines = n * g.out_h;
  parallel_for(pool, lines, std::max<int64_t>(1, kGrain / (row_len * g.out_w)), [&](int64_t b, int64_t e) {
    for (int64_t line = b; line < e; ++line) {
      const int64_t img = line / g.out_h, oy = line % g.out_h;
      im2col_line(images + img * g.in_h * g.in_w * c, oy, c, g, w, cols + line * g.out_w * row_len);
    }
  });
}

void im2col_transposed(const float* images, int64_t n, int64_t c, const ConvGeometry& g,
                       const Window2D& w, float* cols_t, ThreadPool* pool) {
  const int64_t rows = n * g.out_h * g.out_w;
  const int64_t lines = n * g.out_h;
  parallel_for(pool, lines, std::max<int64_t>(1, kGrain / (w.kernel[0] * w.kernel[1] * c * g.out_w)),
               [&](int64_t b, int64_t e) {
                 for (int64_t line = b; line < e; ++line) {
                   const int64_t img = line / g.out_h, oy = line % g.out_h;
                   im2col_transposed_line(images + img * g.in_h * g.in_w * c, line, oy, c, g, w, rows, cols_t);
                 }
               });
}

void col2im(const float* cols, int64_t n, int64_t c, const ConvGeometry& g, const Window2D& w,
            float* images, ThreadPool* pool) {
  const int64_t row_len = w.kernel[0] * w.kernel[1] * c;
  const int64_t image_size = g.in_h * g.in_w * c;
  parallel_for(pool, n, 1, [&](int64_t b, int64_t e) {
    for (int64_t img = b; img < e; ++img)
      col2im_image(cols + img * g.out_h * g.out_w * row_len, c, g, w, images + img * image_size);
  });
}

}  // namespace lq::ops
