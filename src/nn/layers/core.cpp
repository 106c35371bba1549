#include "litequant/nn/layers/core.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "litequant/core/error.h"
#include "litequant/core/gemm.h"
#include "nn/ops/ops.h"

namespace lq {
namespace {
void copy_as(const Tensor& src, Tensor& dst, const Shape& shape) {
  dst.resize(shape);
  std::memcpy(dst.data(), src.data(), static_cast<size_t>(src.size()) * sizeof(float));
}
Shape batch_of(const Tensor& t, const Shape& rest) { return with_batch(t.dim(0), rest); }
}  // namespace

// ---- InputLayer ----
Shape ModelInput::do_build(const std::vector<Shape>& inputs) {
  expect_inputs(inputs, 0);
  if (shape_.empty()) throw Error(where() + "input shape must have at least one dimension");
  for (int64_t d : shape_)
    if (d <= 0) throw Error(where() + "input shape " + to_string(shape_) + " must be positive");
  return shape_;
}

void ModelInput::forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext&) {
  copy_as(*in.at(0), out, in.at(0)->shape());
}

void ModelInput::add_config(nlohmann::json& c) const { c["shape"] = shape_; }

// ---- Dense ----
DenseLayer::DenseLayer(int64_t units, Activation activation, bool use_bias, std::string name)
    : Layer(std::move(name)), units_(units), activation_(activation), use_bias_(use_bias) {
  if (units <= 0) throw Error(where() + "units must be positive, got " + std::to_string(units));
}

Shape DenseLayer::do_build(const std::vector<Shape>& inputs) {
  expect_inputs(inputs, 1);
  const Shape& in = inputs[0];
  if (in.empty()) throw Error(where() + "needs an input with at least one dimension");
  kernel_ = &add_weight("kernel", {in.back(), units_});
  if (use_bias_) bias_ = &add_weight("bias", {units_});
  Shape out = in;
  out.back() = units_;
  return out;
}

void DenseLayer::initialize(Rng& rng) {
  ops::glorot_uniform(kernel_->value, kernel_->value.dim(0), units_, rng);
  if (bias_) bias_->value.zero();
}

void DenseLayer::forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) {
  const Tensor& x = *in[0];
  const int64_t depth = kernel_->value.dim(0);
  const int64_t rows = x.size() / depth;
  Shape shape = x.shape();
  shape.back() = units_;
  out.resize(shape);
  sgemm(Trans::kNo, Trans::kNo, rows, units_, depth, 1.0f, x.data(), depth,
        kernel_->value.data(), units_, 0.0f, out.data(), units_, ctx.pool);
  ops::bias_activation(out, units_, bias_ ? bias_->value.data() : nullptr, activation_, ctx.pool);
}

void DenseLayer::backward(const std::vector<const Tensor*>& in, const Tensor& out,
                          const Tensor& grad_out, const std::vector<Tensor*>& grad_in,
                          RunContext& ctx) {
  const Tensor& x = *in[0];
  const int64_t depth = kernel_->value.dim(0);
  const int64_t rows = x.size() / depth;
  const Tensor* g = &ops::activation_and_bias_grad(activation_, out, grad_out, units_, grad_pre_,
                                                   bias_ ? bias_->grad.data() : nullptr, ctx.pool);
  sgemm(Trans::kYes, Trans::kNo, depth, units_, rows, 1.0f, x.data(), depth, g->data(), units_,
        0.0f, kernel_->grad.data(), units_, ctx.pool);
  if (grad_in[0]) {
    grad_in[0]->resize(x.shape());
    sgemm(Trans::kNo, Trans::kYes, rows, depth, units_, 1.0f, g->data(), units_,
          kernel_->value.data(), units_, 0.0f, grad_in[0]->data(), depth, ctx.pool);
  }
}

void DenseLayer::add_config(nlohmann::json& c) const {
  c["units"] = units_;
  c["activation"] = activation_name(activation_);
  c["use_bias"] = use_bias_;
}

// ---- Flatten ----
Shape FlattenLayer::do_build(const std::vector<Shape>& inputs) {
  expect_inputs(inputs, 1);
  return {num_elements(inputs[0])};
}

void FlattenLayer::forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext&) {
  copy_as(*in[0], out, batch_of(*in[0], output_shape()));
}

void FlattenLayer::backward(const std::vector<const Tensor*>& in, const Tensor&,
                            const Tensor& grad_out, const std::vector<Tensor*>& grad_in,
                            RunContext&) {
  if (grad_in[0]) copy_as(grad_out, *grad_in[0], in[0]->shape());
}

// ---- Reshape ----
Shape ReshapeLayer::do_build(const std::vector<Shape>& inputs) {
  expect_inputs(inputs, 1);
  const int64_t total = num_elements(inputs[0]);
  Shape out = target_;
  int64_t known = 1;
  int unknown = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (unknown >= 0) throw Error(where() + "target_shape may contain only one -1");
      unknown = static_cast<int>(i);
    } else if (out[i] <= 0) {
      throw Error(where() + "target_shape " + to_string(target_) + " has a non-positive dimension");
    } else {
      known *= out[i];
    }
  }
  if (unknown >= 0 && total % known == 0) out[static_cast<size_t>(unknown)] = total / known;
  if ((unknown >= 0 && total % known != 0) || num_elements(out) != total)
    throw Error(where() + "cannot reshape input of shape " + to_string(inputs[0]) + " (" +
                std::to_string(total) + " values) to target_shape " + to_string(target_));
  return out;
}

void ReshapeLayer::forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext&) {
  copy_as(*in[0], out, batch_of(*in[0], output_shape()));
}

void ReshapeLayer::backward(const std::vector<const Tensor*>& in, const Tensor&,
                            const Tensor& grad_out, const std::vector<Tensor*>& grad_in,
                            RunContext&) {
  if (grad_in[0]) copy_as(grad_out, *grad_in[0], in[0]->shape());
}

void ReshapeLayer::add_config(nlohmann::json& c) const { c["target_shape"] = target_; }

// ---- Dropout ----
DropoutLayer::DropoutLayer(float rate, std::string name) : Layer(std::move(name)), rate_(rate) {
  if (!(rate >= 0.0f && rate < 1.0f))
    throw Error(where() + "rate must be in [0, 1), got " + std::to_string(rate));
}

Shape DropoutLayer::do_build(const std::vector<Shape>& inputs) {
  expect_inputs(inputs, 1);
  return inputs[0];
}

void DropoutLayer::forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) {
  const Tensor& x = *in[0];
  copy_as(x, out, x.shape());
  if (!ctx.training || rate_ == 0.0f) return;
  if (!ctx.rng) throw Error(where() + "training needs a random generator");
  mask_.resize(x.shape());
  const float keep_scale = 1.0f / (1.0f - rate_);
  for (int64_t i = 0; i < x.size(); ++i) {
    mask_[i] = ctx.rng->uniform() < rate_ ? 0.0f : keep_scale;
    out[i] *= mask_[i];
  }
}

void DropoutLayer::backward(const std::vector<const Tensor*>& in, const Tensor&,
                            const Tensor& grad_out, const std::vector<Tensor*>& grad_in,
                            RunContext& ctx) {
  if (!grad_in[0]) return;
  copy_as(grad_out, *grad_in[0], in[0]->shape());
  if (!ctx.training || rate_ == 0.0f) return;
  for (int64_t i = 0; i < grad_out.size(); ++i) (*grad_in[0])[i] *= mask_[i];
}

void DropoutLayer::add_config(nlohmann::json& c) const { c["rate"] = rate_; }

// ---- Activation / ReLU / Softmax ----
Shape ActivationLayer::do_build(const std::vector<Shape>& inputs) {
  expect_inputs(inputs, 1);
  return inputs[0];
}

void ActivationLayer::forward(const std::vector<const Tensor*>& in, Tensor& out,
                              RunContext& ctx) {
  copy_as(*in[0], out, in[0]->shape());
  activation_forward(activation_, out, ctx.pool);
}

void ActivationLayer::backward(const std::vector<const Tensor*>&, const Tensor& out,
                               const Tensor& grad_out, const std::vector<Tensor*>& grad_in,
                               RunContext& ctx) {
  if (grad_in[0]) activation_backward(activation_, out, grad_out, *grad_in[0], ctx.pool);
}

void ActivationLayer::add_config(nlohmann::json& c) const {
  if (keras_type_ == "Activation") c["activation"] = activation_name(activation_);
  if (keras_type_ == "ReLU" && activation_ == Activation::kReLU6) c["max_value"] = 6.0;
}

}  // namespace lq
