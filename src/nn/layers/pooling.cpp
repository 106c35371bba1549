#include "litequant/nn/layers/pooling.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "litequant/core/error.h"
#include "nn/ops/ops.h"
#include "nn/ops/vector_loops.h"

namespace lq {

Pooling2DLayer::Pooling2DLayer(bool is_max, Window2D window, std::string name)
    : Layer(std::move(name)), is_max_(is_max), window_(window) {
  for (int i = 0; i < 2; ++i)
    if (window_.kernel[i] <= 0 || window_.strides[i] <= 0)
      throw Error(where() + "pool_size and strides must be positive");
}

namespace {
// Output row oy of a pool: its input rows (clipped to the image) and column geometry.
ops::PoolLine pool_line(const ConvGeometry& geo, const Window2D& w, int64_t channels, int64_t oy) {
  const int64_t first = oy * w.strides[0] - geo.pad_top;
  return {channels, geo.in_w, geo.out_w, std::max<int64_t>(first, 0), std::min(first + w.kernel[0], geo.in_h),
          w.strides[1], geo.pad_left, w.kernel[1]};
}
}  // namespace

Shape Pooling2DLayer::do_build(const std::vector<Shape>& inputs) {
  expect_inputs(inputs, 1);
  const Shape& in = inputs[0];
  if (in.size() != 3)
    throw Error(where() + "expects an image input (height, width, channels), got shape " +
                to_string(in));
  if (in[0] * in[1] * in[2] > std::numeric_limits<int32_t>::max())
    throw Error(where() + "input image is too large");
  channels_ = in[2];
  geo_ = conv_geometry(in[0], in[1], window_, where());
  return {geo_.out_h, geo_.out_w, channels_};
}

void Pooling2DLayer::forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) {
  const Tensor& x = *in[0];
  const int64_t n = x.dim(0), c = channels_;
  const int64_t in_image = geo_.in_h * geo_.in_w * c;
  out.resize({n, geo_.out_h, geo_.out_w, c});
  if (is_max_) argmax_.resize(static_cast<size_t>(out.size()));
  ops::parallel_rows(ctx.pool, n * geo_.out_h, [&](int64_t row) {
    const int64_t img = row / geo_.out_h, oy = row % geo_.out_h;
    const ops::PoolLine line = pool_line(geo_, window_, c, oy);
    const float* image = x.data() + img * in_image;
    float* dst = out.data() + row * geo_.out_w * c;
    if (is_max_) ops::max_pool_line(line, image, dst, argmax_.data() + row * geo_.out_w * c);
    else ops::avg_pool_line(line, image, dst);
  });
}

void Pooling2DLayer::backward(const std::vector<const Tensor*>& in, const Tensor&,
                              const Tensor& grad_out, const std::vector<Tensor*>& grad_in,
                              RunContext& ctx) {
  Tensor* dx = grad_in[0];
  if (!dx) return;
  const int64_t n = in[0]->dim(0), c = channels_;
  const int64_t in_image = geo_.in_h * geo_.in_w * c;
  const int64_t out_image = geo_.out_h * geo_.out_w * c;
  dx->resize(in[0]->shape());
  parallel_for(ctx.pool, n, 1, [&](int64_t b, int64_t e) {
    for (int64_t img = b; img < e; ++img) {
      float* d = dx->data() + img * in_image;
      const float* g = grad_out.data() + img * out_image;
      std::fill(d, d + in_image, 0.0f);
      if (is_max_) {
        const int32_t* am = argmax_.data() + img * out_image;
        for (int64_t o = 0; o < out_image; ++o) d[am[o]] += g[o];
        continue;
      }
      for (int64_t oy = 0; oy < geo_.out_h; ++oy)
        ops::avg_pool_backward_line(pool_line(geo_, window_, c, oy), g + oy * geo_.out_w * c, d);
    }
  });
}

void Pooling2DLayer::add_config(nlohmann::json& c) const {
  c["pool_size"] = window_.kernel;
  c["strides"] = window_.strides;
  c["padding"] = padding_name(window_.padding);
}

// ---- GlobalAveragePooling2D ----
Shape GlobalAveragePooling2DLayer::do_build(const std::vector<Shape>& inputs) {
  expect_inputs(inputs, 1);
  if (inputs[0].size() != 3)
    throw Error(where() + "expects an image input (height, width, channels), got shape " +
                to_string(inputs[0]));
  return {inputs[0][2]};
}

void GlobalAveragePooling2DLayer::forward(const std::vector<const Tensor*>& in, Tensor& out,
                                          RunContext& ctx) {
  const Tensor& x = *in[0];
  const int64_t n = x.dim(0), pixels = x.dim(1) * x.dim(2), c = x.dim(3);
  out.resize({n, c});
  const float inv = 1.0f / static_cast<float>(pixels);
  ops::parallel_rows(ctx.pool, n, [&](int64_t img) {
    float* dst = out.data() + img * c;
    std::fill(dst, dst + c, 0.0f);
    const float* src = x.data() + img * pixels * c;
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t ch = 0; ch < c; ++ch) dst[ch] += src[p * c + ch];
    for (int64_t ch = 0; ch < c; ++ch) dst[ch] *= inv;
  });
}

void GlobalAveragePooling2DLayer::backward(const std::vector<const Tensor*>& in, const Tensor&,
                                           const Tensor& grad_out,
                                           const std::vector<Tensor*>& grad_in, RunContext& ctx) {
  Tensor* dx = grad_in[0];
  if (!dx) return;
  const Tensor& x = *in[0];
  const int64_t n = x.dim(0), pixels = x.dim(1) * x.dim(2), c = x.dim(3);
  dx->resize(x.shape());
  const float inv = 1.0f / static_cast<float>(pixels);
  ops::parallel_rows(ctx.pool, n, [&](int64_t img) {
    const float* g = grad_out.data() + img * c;
    float* d = dx->data() + img * pixels * c;
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t ch = 0; ch < c; ++ch) d[p * c + ch] = g[ch] * inv;
  });
}

}  // namespace lq
