#include "litequant/nn/layers/conv.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "litequant/core/error.h"
#include "litequant/core/gemm.h"
#include "nn/ops/ops.h"

namespace lq {
namespace {
// im2col scratch per chunk of images, in floats (16 MiB).
constexpr int64_t kColsBudget = int64_t{4} << 20;

void check_window(const Window2D& w, const std::string& where) {
  for (int i = 0; i < 2; ++i) {
    if (w.kernel[i] <= 0 || w.strides[i] <= 0 || w.dilation[i] <= 0)
      throw Error(where + "kernel size, strides and dilation must be positive");
  }
  if ((w.strides[0] > 1 || w.strides[1] > 1) && (w.dilation[0] > 1 || w.dilation[1] > 1))
    throw Error(where + "strides > 1 together with dilation_rate > 1 is not supported (as in Keras)");
}

const Shape& image_input(const std::vector<Shape>& inputs, const std::string& where) {
  if (inputs.size() != 1) throw Error(where + "expects 1 input");
  if (inputs[0].size() != 3)
    throw Error(where + "expects an image input (height, width, channels), got shape " +
                to_string(inputs[0]) + "; add a Reshape layer");
  return inputs[0];
}

nlohmann::json window_config(const Window2D& w) {
  return {{"kernel_size", w.kernel},
          {"strides", w.strides},
          {"padding", padding_name(w.padding)},
          {"dilation_rate", w.dilation}};
}
}  // namespace

Padding parse_padding(const std::string& name) {
  if (name == "valid") return Padding::kValid;
  if (name == "same") return Padding::kSame;
  throw Error("unknown padding '" + name + "' (use \"valid\" or \"same\")");
}

std::string padding_name(Padding p) { return p == Padding::kSame ? "same" : "valid"; }

ConvGeometry conv_geometry(int64_t in_h, int64_t in_w, const Window2D& w, const std::string& where) {
  ConvGeometry g;
  g.in_h = in_h;
  g.in_w = in_w;
  int64_t in[2] = {in_h, in_w}, out[2], pad[2];
  for (int i = 0; i < 2; ++i) {
    const int64_t span = (w.kernel[i] - 1) * w.dilation[i] + 1;
    if (w.padding == Padding::kSame) {
      out[i] = (in[i] + w.strides[i] - 1) / w.strides[i];
      pad[i] = std::max<int64_t>((out[i] - 1) * w.strides[i] + span - in[i], 0) / 2;
    } else {
      out[i] = in[i] >= span ? (in[i] - span) / w.strides[i] + 1 : 0;
      pad[i] = 0;
    }
    if (out[i] <= 0)
      throw Error(where + "window of " + std::to_string(span) + " does not fit an input of " +
                  std::to_string(in_h) + "x" + std::to_string(in_w) + " with padding 'valid'");
  }
  g.out_h = out[0];
  g.out_w = out[1];
  g.pad_top = pad[0];
  g.pad_left = pad[1];
  return g;
}

// ---- Conv2D ----
Conv2DLayer::Conv2DLayer(int64_t filters, Window2D window, Activation activation, bool use_bias,
                         std::string name)
    : Layer(std::move(name)), filters_(filters), window_(window), activation_(activation),
      use_bias_(use_bias) {
  if (filters <= 0) throw Error(where() + "filters must be positive");
  check_window(window_, where());
}

Shape Conv2DLayer::do_build(const std::vector<Shape>& inputs) {
  const Shape& in = image_input(inputs, where());
  channels_ = in[2];
  geo_ = conv_geometry(in[0], in[1], window_, where());
  kernel_ = &add_weight("kernel", {window_.kernel[0], window_.kernel[1], channels_, filters_});
  if (use_bias_) bias_ = &add_weight("bias", {filters_});
  return {geo_.out_h, geo_.out_w, filters_};
}

void Conv2DLayer::initialize(Rng& rng) {
  const int64_t field = window_.kernel[0] * window_.kernel[1];
  ops::glorot_uniform(kernel_->value, field * channels_, field * filters_, rng);
  if (bias_) bias_->value.zero();
}

int64_t Conv2DLayer::images_per_chunk() const {
  const int64_t per_image = geo_.out_h * geo_.out_w * window_.kernel[0] * window_.kernel[1] * channels_;
  return std::max<int64_t>(1, kColsBudget / per_image);
}

const float* Conv2DLayer::im2col_chunk(const Tensor& x, int64_t first, int64_t count, ThreadPool* pool) {
  const int64_t depth = window_.kernel[0] * window_.kernel[1] * channels_;
  if (cols_source_ == x.data() && cols_first_image_ == first &&
      cols_.size() == count * geo_.out_h * geo_.out_w * depth)
    return cols_.data();
  const float* images = x.data() + first * geo_.in_h * geo_.in_w * channels_;
  if (cols_transposed()) {
    cols_.resize({depth, count * geo_.out_h * geo_.out_w});
    ops::im2col_transposed(images, count, channels_, geo_, window_, cols_.data(), pool);
  } else {
    cols_.resize({count * geo_.out_h * geo_.out_w, depth});
    ops::im2col(images, count, channels_, geo_, window_, cols_.data(), pool);
  }
  cols_source_ = x.data();
  cols_first_image_ = first;
  return cols_.data();
}

namespace {
bool is_pointwise(const Window2D& w) {
  return w.kernel[0] == 1 && w.kernel[1] == 1 && w.strides[0] == 1 && w.strides[1] == 1;
}
}  // namespace

void Conv2DLayer::forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) {
  const Tensor& x = *in[0];
  const int64_t n = x.dim(0);
  const int64_t depth = window_.kernel[0] * window_.kernel[1] * channels_;
  const int64_t out_pixels = geo_.out_h * geo_.out_w;
  const int64_t in_image = geo_.in_h * geo_.in_w * channels_;
  out.resize({n, geo_.out_h, geo_.out_w, filters_});
  cols_source_ = nullptr;  // new data, possibly in the same buffer: never reuse here
  const int64_t chunk = images_per_chunk();
  for (int64_t n0 = 0; n0 < n; n0 += chunk) {
    const int64_t nb = std::min(chunk, n - n0);
    const float* a = x.data() + n0 * in_image;
    const bool t = !is_pointwise(window_) && cols_transposed();
    if (!is_pointwise(window_)) a = im2col_chunk(x, n0, nb, ctx.pool);
    sgemm(t ? Trans::kYes : Trans::kNo, Trans::kNo, nb * out_pixels, filters_, depth, 1.0f, a,
          t ? nb * out_pixels : depth,
          kernel_->value.data(), filters_, 0.0f, out.data() + n0 * out_pixels * filters_, filters_,
          ctx.pool);
  }
  ops::bias_activation(out, filters_, bias_ ? bias_->value.data() : nullptr, activation_, ctx.pool);
}

void Conv2DLayer::backward(const std::vector<const Tensor*>& in, const Tensor& out,
                           const Tensor& grad_out, const std::vector<Tensor*>& grad_in,
                           RunContext& ctx) {
  const Tensor& x = *in[0];
  const int64_t n = x.dim(0);
  const int64_t depth = window_.kernel[0] * window_.kernel[1] * channels_;
  const int64_t out_pixels = geo_.out_h * geo_.out_w;
  const int64_t in_image = geo_.in_h * geo_.in_w * channels_;
  const Tensor* g = &ops::activation_and_bias_grad(activation_, out, grad_out, filters_, grad_pre_,
                                                   bias_ ? bias_->grad.data() : nullptr, ctx.pool);
  Tensor* dx = grad_in[0];
  if (dx) dx->resize(x.shape());
  const int64_t chunk = images_per_chunk();
  for (int64_t n0 = 0; n0 < n; n0 += chunk) {
    const int64_t nb = std::min(chunk, n - n0);
    const int64_t rows = nb * out_pixels;
    const float* gc = g->data() + n0 * out_pixels * filters_;
    const float* a = x.data() + n0 * in_image;
    const bool t = !is_pointwise(window_) && cols_transposed();
    if (!is_pointwise(window_)) a = im2col_chunk(x, n0, nb, ctx.pool);
    sgemm(t ? Trans::kNo : Trans::kYes, Trans::kNo, depth, filters_, rows, 1.0f, a, t ? rows : depth,
          gc, filters_,
          n0 == 0 ? 0.0f : 1.0f, kernel_->grad.data(), filters_, ctx.pool);
    if (!dx) continue;
    float* dxc = dx->data() + n0 * in_image;
    if (is_pointwise(window_)) {
      sgemm(Trans::kNo, Trans::kYes, rows, depth, filters_, 1.0f, gc, filters_,
            kernel_->value.data(), filters_, 0.0f, dxc, depth, ctx.pool);
    } else {
      grad_cols_.resize({rows, depth});
      sgemm(Trans::kNo, Trans::kYes, rows, depth, filters_, 1.0f, gc, filters_,
            kernel_->value.data(), filters_, 0.0f, grad_cols_.data(), depth, ctx.pool);
      ops::col2im(grad_cols_.data(), nb, channels_, geo_, window_, dxc, ctx.pool);
    }
  }
}

void Conv2DLayer::add_config(nlohmann::json& c) const {
  c["filters"] = filters_;
  c.update(window_config(window_));
  c["activation"] = activation_name(activation_);
  c["use_bias"] = use_bias_;
}

// ---- DepthwiseConv2D ----
DepthwiseConv2DLayer::DepthwiseConv2DLayer(Window2D window, int64_t depth_multiplier,
                                           Activation activation, bool use_bias, std::string name)
    : Layer(std::move(name)), window_(window), multiplier_(depth_multiplier),
      activation_(activation), use_bias_(use_bias) {
  if (depth_multiplier <= 0) throw Error(where() + "depth_multiplier must be positive");
  check_window(window_, where());
}

Shape DepthwiseConv2DLayer::do_build(const std::vector<Shape>& inputs) {
  const Shape& in = image_input(inputs, where());
  channels_ = in[2];
  geo_ = conv_geometry(in[0], in[1], window_, where());
  kernel_ = &add_weight("depthwise_kernel",
                        {window_.kernel[0], window_.kernel[1], channels_, multiplier_});
  if (use_bias_) bias_ = &add_weight("bias", {channels_ * multiplier_});
  return {geo_.out_h, geo_.out_w, channels_ * multiplier_};
}

void DepthwiseConv2DLayer::initialize(Rng& rng) {
  const int64_t field = window_.kernel[0] * window_.kernel[1];
  ops::glorot_uniform(kernel_->value, field * channels_, field * multiplier_, rng);
  if (bias_) bias_->value.zero();
}

void DepthwiseConv2DLayer::forward(const std::vector<const Tensor*>& in, Tensor& out,
                                   RunContext& ctx) {
  const Tensor& x = *in[0];
  const int64_t n = x.dim(0), c = channels_, m = multiplier_, oc = c * m;
  out.resize({n, geo_.out_h, geo_.out_w, oc});
  const float* k = kernel_->value.data();
  const float* b = bias_ ? bias_->value.data() : nullptr;
  ops::parallel_rows(ctx.pool, n * geo_.out_h, [&](int64_t row) {
    const int64_t img = row / geo_.out_h, oy = row % geo_.out_h;
    const float* src = x.data() + img * geo_.in_h * geo_.in_w * c;
    for (int64_t ox = 0; ox < geo_.out_w; ++ox) {
      float* dst = out.data() + ((img * geo_.out_h + oy) * geo_.out_w + ox) * oc;
      for (int64_t o = 0; o < oc; ++o) dst[o] = b ? b[o] : 0.0f;
      for (int64_t ky = 0; ky < window_.kernel[0]; ++ky) {
        const int64_t iy = oy * window_.strides[0] + ky * window_.dilation[0] - geo_.pad_top;
        if (iy < 0 || iy >= geo_.in_h) continue;
        for (int64_t kx = 0; kx < window_.kernel[1]; ++kx) {
          const int64_t ix = ox * window_.strides[1] + kx * window_.dilation[1] - geo_.pad_left;
          if (ix < 0 || ix >= geo_.in_w) continue;
          const float* px = src + (iy * geo_.in_w + ix) * c;
          const float* kk = k + (ky * window_.kernel[1] + kx) * oc;
          for (int64_t o = 0; o < oc; ++o) dst[o] += px[o / m] * kk[o];
        }
      }
    }
  });
  activation_forward(activation_, out, ctx.pool);
}

void DepthwiseConv2DLayer::backward(const std::vector<const Tensor*>& in, const Tensor& out,
                                    const Tensor& grad_out, const std::vector<Tensor*>& grad_in,
                                    RunContext& ctx) {
  const Tensor& x = *in[0];
  const int64_t n = x.dim(0), c = channels_, m = multiplier_, oc = c * m;
  const int64_t taps = window_.kernel[0] * window_.kernel[1];
  const Tensor* g = &ops::activation_and_bias_grad(activation_, out, grad_out, oc, grad_pre_,
                                                   bias_ ? bias_->grad.data() : nullptr, ctx.pool);
  Tensor* dx = grad_in[0];
  if (dx) dx->resize(x.shape());
  const float* k = kernel_->value.data();
  // Visits every (output pixel, tap) pair of image `img` that lands inside the input.
  auto for_each_tap = [&](int64_t img, auto&& fn) {
    for (int64_t oy = 0; oy < geo_.out_h; ++oy) {
      for (int64_t ox = 0; ox < geo_.out_w; ++ox) {
        const float* go = g->data() + ((img * geo_.out_h + oy) * geo_.out_w + ox) * oc;
        for (int64_t ky = 0; ky < window_.kernel[0]; ++ky) {
          const int64_t iy = oy * window_.strides[0] + ky * window_.dilation[0] - geo_.pad_top;
          if (iy < 0 || iy >= geo_.in_h) continue;
          for (int64_t kx = 0; kx < window_.kernel[1]; ++kx) {
            const int64_t ix = ox * window_.strides[1] + kx * window_.dilation[1] - geo_.pad_left;
            if (ix < 0 || ix >= geo_.in_w) continue;
            fn(go, (img * geo_.in_h + iy) * geo_.in_w + ix, ky * window_.kernel[1] + kx);
          }
        }
      }
    }
  };
  // Kernel gradient: per fixed block of images a partial sum, then added in block order.
  ops::blocked_sum(ctx.pool, n, taps * oc, kernel_->grad.data(), [&](int64_t img, float* acc) {
    for_each_tap(img, [&](const float* go, int64_t pixel, int64_t tap) {
      const float* px = x.data() + pixel * c;
      float* a = acc + tap * oc;
      for (int64_t o = 0; o < oc; ++o) a[o] += go[o] * px[o / m];
    });
  });
  if (!dx) return;
  parallel_for(ctx.pool, n, 1, [&](int64_t b, int64_t e) {
    for (int64_t img = b; img < e; ++img) {
      float* d = dx->data() + img * geo_.in_h * geo_.in_w * c;
      std::fill(d, d + geo_.in_h * geo_.in_w * c, 0.0f);
      for_each_tap(img, [&](const float* go, int64_t pixel, int64_t tap) {
        float* px = dx->data() + pixel * c;
        const float* kk = k + tap * oc;
        for (int64_t o = 0; o < oc; ++o) px[o / m] += go[o] * kk[o];
      });
    }
  });
}

void DepthwiseConv2DLayer::add_config(nlohmann::json& c) const {
  c.update(window_config(window_));
  c["depth_multiplier"] = multiplier_;
  c["activation"] = activation_name(activation_);
  c["use_bias"] = use_bias_;
}

}  // namespace lq
