#include "litequant/nn/layers/normalization.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "litequant/core/error.h"
#include "nn/ops/ops.h"

namespace lq {

BatchNormalizationLayer::BatchNormalizationLayer(float momentum, float epsilon, std::string name)
    : Layer(std::move(name)), momentum_(momentum), epsilon_(epsilon) {
  if (!(momentum >= 0.0f && momentum <= 1.0f)) throw Error(where() + "momentum must be in [0, 1]");
  if (!(epsilon > 0.0f)) throw Error(where() + "epsilon must be positive");
}

Shape BatchNormalizationLayer::do_build(const std::vector<Shape>& inputs) {
  expect_inputs(inputs, 1);
  if (inputs[0].empty()) throw Error(where() + "needs an input with at least one dimension");
  const int64_t c = inputs[0].back();
  gamma_ = &add_weight("gamma", {c});
  beta_ = &add_weight("beta", {c});
  moving_mean_ = &add_weight("moving_mean", {c}, false);
  moving_variance_ = &add_weight("moving_variance", {c}, false);
  return inputs[0];
}

void BatchNormalizationLayer::initialize(Rng&) {
  gamma_->value.fill(1.0f);
  beta_->value.zero();
  moving_mean_->value.zero();
  moving_variance_->value.fill(1.0f);
}

void BatchNormalizationLayer::forward(const std::vector<const Tensor*>& in, Tensor& out,
                                      RunContext& ctx) {
  const Tensor& x = *in[0];
  const int64_t c = x.dim(-1), rows = x.size() / c;
  out.resize(x.shape());
  batch_mean_.assign(static_cast<size_t>(c), 0.0f);
  batch_inv_std_.assign(static_cast<size_t>(c), 0.0f);
  std::vector<float> scale(static_cast<size_t>(c)), shift(static_cast<size_t>(c));
  if (ctx.training) {
    std::vector<float> sum(static_cast<size_t>(c)), sq(static_cast<size_t>(c));
    ops::column_sums(x.data(), rows, c, sum.data(), ctx.pool);
    for (int64_t ch = 0; ch < c; ++ch) batch_mean_[ch] = sum[ch] / static_cast<float>(rows);
    ops::blocked_sum(ctx.pool, rows, c, sq.data(), [&](int64_t r, float* acc) {
      const float* row = x.data() + r * c;
      for (int64_t ch = 0; ch < c; ++ch) {
        const float d = row[ch] - batch_mean_[ch];
        acc[ch] += d * d;
      }
    });
    for (int64_t ch = 0; ch < c; ++ch) {
      const float var = sq[ch] / static_cast<float>(rows);
      batch_inv_std_[ch] = 1.0f / std::sqrt(var + epsilon_);
      scale[ch] = gamma_->value[ch] * batch_inv_std_[ch];
      shift[ch] = beta_->value[ch] - batch_mean_[ch] * scale[ch];
      float& mm = moving_mean_->value[ch];
      float& mv = moving_variance_->value[ch];
      mm = mm * momentum_ + batch_mean_[ch] * (1.0f - momentum_);
      mv = mv * momentum_ + var * (1.0f - momentum_);
    }
  } else {
    for (int64_t ch = 0; ch < c; ++ch) {
      batch_inv_std_[ch] = 1.0f / std::sqrt(moving_variance_->value[ch] + epsilon_);
      batch_mean_[ch] = moving_mean_->value[ch];
      scale[ch] = gamma_->value[ch] * batch_inv_std_[ch];
      shift[ch] = beta_->value[ch] - batch_mean_[ch] * scale[ch];
    }
  }
  ops::parallel_rows(ctx.pool, rows, [&](int64_t r) {
    const float* src = x.data() + r * c;
    float* dst = out.data() + r * c;
    for (int64_t ch = 0; ch < c; ++ch) dst[ch] = src[ch] * scale[ch] + shift[ch];
  });
}

void BatchNormalizationLayer::backward(const std::vector<const Tensor*>& in, const Tensor&,
                                       const Tensor& grad_out, const std::vector<Tensor*>& grad_in,
                                       RunContext& ctx) {
  const Tensor& x = *in[0];
  const int64_t c = x.dim(-1), rows = x.size() / c;
  const float* g = grad_out.data();
  // sums[ch] = sum g, sums[c + ch] = sum g * xhat
  std::vector<float> sums(static_cast<size_t>(2 * c));
  ops::blocked_sum(ctx.pool, rows, 2 * c, sums.data(), [&](int64_t r, float* acc) {
    for (int64_t ch = 0; ch < c; ++ch) {
      const float xhat = (x[r * c + ch] - batch_mean_[ch]) * batch_inv_std_[ch];
      acc[ch] += g[r * c + ch];
      acc[c + ch] += g[r * c + ch] * xhat;
    }
  });
  for (int64_t ch = 0; ch < c; ++ch) {
    beta_->grad[ch] = sums[ch];
    gamma_->grad[ch] = sums[c + ch];
  }
  Tensor* dx = grad_in[0];
  if (!dx) return;
  dx->resize(x.shape());
  const float inv_rows = 1.0f / static_cast<float>(rows);
  ops::parallel_rows(ctx.pool, rows, [&](int64_t r) {
    for (int64_t ch = 0; ch < c; ++ch) {
      const float k = gamma_->value[ch] * batch_inv_std_[ch];
      if (!ctx.training) {
        (*dx)[r * c + ch] = g[r * c + ch] * k;
        continue;
      }
      const float xhat = (x[r * c + ch] - batch_mean_[ch]) * batch_inv_std_[ch];
      (*dx)[r * c + ch] = k * (g[r * c + ch] - inv_rows * (sums[ch] + xhat * sums[c + ch]));
    }
  });
}

void BatchNormalizationLayer::add_config(nlohmann::json& c) const {
  c["momentum"] = momentum_;
  c["epsilon"] = epsilon_;
}

}  // namespace lq
