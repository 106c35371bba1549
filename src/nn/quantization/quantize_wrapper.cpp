// QuantizeWrapper: one layer run with fake-quantized weights and output.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "litequant/core/error.h"
#include "litequant/nn/layers/conv.h"
#include "litequant/nn/layers/core.h"
#include "litequant/nn/layers/normalization.h"
#include "litequant/nn/layers/quantization.h"

namespace lq {
namespace {

bool is_pass_through(const std::string& type) {
  return type == "Reshape" || type == "Flatten" || type == "MaxPooling2D" || type == "AveragePooling2D" ||
         type == "Dropout";
}

bool has_output_range(const std::string& type) {
  return type == "Add" || type == "Concatenate" || type == "GlobalAveragePooling2D";
}

Weight* find_weight(Layer& layer, const std::string& name) {
  for (Weight* w : layer.weights())
    if (w->name == name) return w;
  return nullptr;
}

// Swaps two tensors for one scope (a weight's value and its substitute while the inner
// layer runs) and swaps them back when the scope ends, also on an exception. Null: no-op.
class SwapForScope {
 public:
  SwapForScope(Tensor* a, Tensor* b) : a_(a), b_(b) {
    if (a_) std::swap(*a_, *b_);
  }
  ~SwapForScope() {
    if (a_) std::swap(*a_, *b_);
  }
  SwapForScope(const SwapForScope&) = delete;
  SwapForScope& operator=(const SwapForScope&) = delete;

 private:
  Tensor* a_;
  Tensor* b_;
};

}  // namespace

struct QuantizeWrapper::Folding {
  std::vector<float> scale;  // gamma / sqrt(moving_variance + epsilon), per output channel
  Tensor folded_bias;        // inference: (b - moving_mean) * scale + beta
  Tensor u;                  // training: conv(x, fq(W*s)) / s + b, the batch norm's input
  Tensor grad_u, grad_z;
};

QuantizeWrapper::QuantizeWrapper(std::shared_ptr<Layer> inner, QuantizeConfig config, std::string name,
                                 bool annotate_only, std::shared_ptr<BatchNormalizationLayer> batch_norm)
    : Layer(std::move(name)),
      inner_(std::move(inner)),
      config_(config),
      annotate_only_(annotate_only),
      batch_norm_(std::move(batch_norm)) {
  if (!inner_) throw Error(where() + "wraps no layer");
  if (config_.weight_bits != 0) fq::check_num_bits(config_.weight_bits, where() + "weight ");
  if (config_.activation_bits != 0) fq::check_num_bits(config_.activation_bits, where() + "activation ");
  if (!(config_.ema_decay >= 0.0f && config_.ema_decay < 1.0f)) throw Error(where() + "ema_decay must be in [0, 1)");
  if (config_.activation_range == RangeMode::kFixed)
    throw Error(where() + "an output range is tracked or trained, not fixed");
  add_sublayer(*inner_);
  if (batch_norm_) add_sublayer(*batch_norm_);
}

QuantizeWrapper::~QuantizeWrapper() = default;

Shape QuantizeWrapper::do_build(const std::vector<Shape>& inputs) {
  const std::string type = inner_->type();
  Shape out = inner_->build(inputs);
  if (annotate_only_) {
    if (batch_norm_) throw Error(where() + "an annotation folds no BatchNormalization");
    return out;
  }
  Activation act = Activation::kLinear;
  if (auto* d = dynamic_cast<DenseLayer*>(inner_.get())) kernel_ = &d->kernel(), act = d->activation();
  if (auto* c = dynamic_cast<Conv2DLayer*>(inner_.get())) kernel_ = &c->kernel(), act = c->activation();
  if (auto* c = dynamic_cast<DepthwiseConv2DLayer*>(inner_.get())) kernel_ = &c->kernel(), act = c->activation();
  auto* activation_layer = dynamic_cast<ActivationLayer*>(inner_.get());
  if (kernel_ && act != Activation::kLinear && act != Activation::kReLU && act != Activation::kReLU6)
    throw Error(where() + "activation '" + activation_name(act) +
                "' cannot be fused into an int8 op; put it in its own Activation layer");
  if (batch_norm_ && (!kernel_ || act != Activation::kLinear))
    throw Error(where() + "BatchNormalization folds only into a Conv2D, DepthwiseConv2D or Dense without activation");
  if (batch_norm_ && config_.weight_bits == 0) throw Error(where() + "a folded BatchNormalization needs quantized weights");
  if (!kernel_ && !activation_layer && !is_pass_through(type) && !has_output_range(type))
    throw Error(where() + "layer type " + type + " has no quantized form" +
                (type == "BatchNormalization" ? " unless it follows a Conv2D, DepthwiseConv2D or Dense" : ""));
  if (batch_norm_) out = batch_norm_->build({out});

  step_ = &add_weight("optimizer_step", {1}, false);
  if (kernel_ && config_.weight_bits > 0) {
    const bool per_channel = config_.weight_per_channel && !dynamic_cast<DenseLayer*>(inner_.get());
    const Shape& ks = kernel_->value.shape();
    kernel_channels_ = !per_channel ? 1
                       : dynamic_cast<DepthwiseConv2DLayer*>(inner_.get()) ? ks[2] * ks[3]
                                                                           : ks.back();
    kernel_min_ = &add_weight("kernel_min", {kernel_channels_}, false);
    kernel_max_ = &add_weight("kernel_max", {kernel_channels_}, false);
  }
  // Output: TFLite's fixed ranges for SOFTMAX / LOGISTIC / TANH, none for pass-through ops.
  output_spec_ = QuantizerSpec{};
  output_spec_.num_bits = config_.activation_bits;
  output_spec_.range = config_.activation_range;
  output_spec_.ema_decay = config_.ema_decay;
  output_bits_ = is_pass_through(type) ? 0 : config_.activation_bits;
  if (activation_layer && output_bits_ > 0) {
    const Activation a = activation_layer->activation();
    if (a == Activation::kSoftmax || a == Activation::kSigmoid)
      output_spec_ = {8, false, false, RangeMode::kFixed, 0.0f, 255.0f / 256.0f, 0.999f}, output_bits_ = 8;
    if (a == Activation::kTanh)
      output_spec_ = {8, false, false, RangeMode::kFixed, -1.0f, 127.0f / 128.0f, 0.999f}, output_bits_ = 8;
  }
  if (output_bits_ > 0) {
    if (output_spec_.range == RangeMode::kFixed) {
      output_ = detail::ActivationQuantizer(output_spec_, nullptr, nullptr);
    } else {
      const bool trainable = output_spec_.range == RangeMode::kTrainable;
      Weight& mn = add_weight("post_activation_min", {1}, trainable);
      Weight& mx = add_weight("post_activation_max", {1}, trainable);
      output_ = detail::ActivationQuantizer(output_spec_, &mn, &mx);
      output_.initialize();
    }
  }
  if (batch_norm_) fold_ = std::make_unique<Folding>();
  return out;
}

std::vector<fq::Grid> QuantizeWrapper::output_grids() const {
  return output_bits_ > 0 ? output_.grids() : std::vector<fq::Grid>{};
}

void QuantizeWrapper::initialize(Rng& rng) {
  inner_->initialize(rng);
  if (batch_norm_) batch_norm_->initialize(rng);
  if (step_) step_->value.zero();
  output_.initialize();
}

// Per-channel symmetric narrow-range grids from the current (folded) kernel, written to
// kernel_min / kernel_max, and the fake-quantized kernel into quantized_kernel_.
void QuantizeWrapper::quantize_kernel(ThreadPool* pool) {
  const Tensor& w = kernel_->value;
  const int64_t channels = kernel_channels_, n = w.size();
  quantized_kernel_.resize(w.shape());
  float* q = quantized_kernel_.data();
  const float* src = w.data();
  if (fold_) {
    const auto oc = static_cast<int64_t>(fold_->scale.size());
    const float* s = fold_->scale.data();
    for (int64_t r = 0; r < n / oc; ++r)
      for (int64_t c = 0; c < oc; ++c) q[r * oc + c] = src[r * oc + c] * s[c];
    src = q;
  }
  std::vector<float> m(static_cast<size_t>(channels));
  fq::abs_max_per_channel(src, n, channels, m.data(), pool);
  kernel_grids_.clear();
  for (int64_t c = 0; c < channels; ++c) {
    const float mc = m[static_cast<size_t>(c)];
    kernel_min_->value[c] = -mc;
    kernel_max_->value[c] = mc;
    kernel_grids_.push_back(fq::nudge(-mc, mc, config_.weight_bits, true, fq::Division::kMultiply, where()));
  }
  fq::fake_quant_per_channel(src, q, n, kernel_grids_.data(), channels, pool);
}

void QuantizeWrapper::forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) {
  if (annotate_only_) return inner_->forward(in, out, ctx);
  const bool first = step_->value[0] == 0.0f;
  Tensor& inner_out = output_bits_ > 0 ? pre_ : out;
  if (fold_) {
    fold_forward(in, inner_out, ctx);
  } else {
    if (quantizes_weights()) quantize_kernel(ctx.pool);
    const SwapForScope quantized(quantizes_weights() ? &kernel_->value : nullptr, &quantized_kernel_);
    inner_->forward(in, inner_out, ctx);
  }
  if (output_bits_ > 0) output_.forward(pre_, out, ctx.training, first, ctx.pool);
  if (ctx.training) step_->value[0] += 1.0f;
}

void QuantizeWrapper::backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                               const std::vector<Tensor*>& grad_in, RunContext& ctx) {
  if (annotate_only_) return inner_->backward(in, out, grad_out, grad_in, ctx);
  const Tensor* g = &grad_out;
  if (output_bits_ > 0) {
    output_.backward(pre_, grad_out, grad_pre_, ctx.pool);
    g = &grad_pre_;
  }
  if (fold_) return fold_backward(in, *g, grad_in, ctx);
  const Tensor& inner_out = output_bits_ > 0 ? pre_ : out;
  const SwapForScope quantized(quantizes_weights() ? &kernel_->value : nullptr, &quantized_kernel_);
  inner_->backward(in, inner_out, *g, grad_in, ctx);
  // The straight-through gradient of the weights needs no mask: their symmetric range is
  // [-max |w|, max |w|], so every weight lies inside it.
}

void QuantizeWrapper::fold_forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) {
  BatchNormalizationLayer& bn = *batch_norm_;
  const Tensor& gamma = bn.gamma().value;
  const Tensor& beta = bn.beta().value;
  const Tensor& mean = bn.moving_mean().value;
  const Tensor& var = bn.moving_variance().value;
  const int64_t c = gamma.size();
  fold_->scale.resize(static_cast<size_t>(c));
  // The same float expressions as the converter's BatchNormalization folding.
  for (int64_t k = 0; k < c; ++k) fold_->scale[static_cast<size_t>(k)] = gamma[k] / std::sqrt(var[k] + bn.epsilon());
  Weight* bias = find_weight(*inner_, "bias");
  quantize_kernel(ctx.pool);
  if (!ctx.training) {
    // Inference: the folded layer, conv(x, fq(W*s)) + b*s + (beta - mean*s).
    fold_->folded_bias = Tensor({c});
    for (int64_t k = 0; k < c; ++k) {
      const float s = fold_->scale[static_cast<size_t>(k)];
      fold_->folded_bias[k] = (bias ? bias->value[k] : 0.0f) * s + (beta[k] - mean[k] * s);
    }
  }
  {
    const SwapForScope quantized(&kernel_->value, &quantized_kernel_);
    const SwapForScope folded(bias && !ctx.training ? &bias->value : nullptr, &fold_->folded_bias);
    inner_->forward(in, ctx.training ? fold_->u : out, ctx);
  }
  if (!ctx.training) {
    if (!bias)
      for (int64_t i = 0; i < out.size(); ++i) out[i] += fold_->folded_bias[i % c];
    return;
  }
  // Training: u = (z - b) / s + b, then batch normalization with batch statistics.
  Tensor& u = fold_->u;
  for (int64_t i = 0; i < u.size(); ++i) {
    const int64_t k = i % c;
    const float b = bias ? bias->value[k] : 0.0f;
    u[i] = (u[i] - b) / fold_->scale[static_cast<size_t>(k)] + b;
  }
  bn.forward({&u}, out, ctx);
}

void QuantizeWrapper::fold_backward(const std::vector<const Tensor*>& in, const Tensor& grad_out,
                                    const std::vector<Tensor*>& grad_in, RunContext& ctx) {
  if (!ctx.training) throw Error(where() + "backward needs a training forward pass");
  BatchNormalizationLayer& bn = *batch_norm_;
  Tensor* gu = &fold_->grad_u;
  bn.backward({&fold_->u}, grad_out /* not read: BatchNormalization works from its input */, grad_out, {gu}, ctx);
  const int64_t c = static_cast<int64_t>(fold_->scale.size());
  Tensor& gz = fold_->grad_z;
  gz.resize(gu->shape());
  for (int64_t i = 0; i < gz.size(); ++i) gz[i] = (*gu)[i] / fold_->scale[static_cast<size_t>(i % c)];
  {
    const SwapForScope quantized(&kernel_->value, &quantized_kernel_);
    inner_->backward(in, fold_->u, gz, grad_in, ctx);
  }
  // d/dW = d/d(W*s) * s (straight through: the folded weights lie inside their range).
  Tensor& kg = kernel_->grad;
  const float* s = fold_->scale.data();
  for (int64_t r = 0; r < kg.size() / c; ++r)
    for (int64_t k = 0; k < c; ++k) kg[r * c + k] *= s[k];
  // u = conv / s + b: the bias gradient is the sum of d/du (the inner layer summed d/dz).
  if (Weight* bias = find_weight(*inner_, "bias")) {
    bias->grad.zero();
    for (int64_t i = 0; i < gu->size(); ++i) bias->grad[i % c] += (*gu)[i];
  }
}

void QuantizeWrapper::add_config(nlohmann::json& c) const {
  c["layer"] = inner_->config();
  if (batch_norm_) c["batch_norm"] = batch_norm_->config();
  c["quantize_config"] = {{"weight_bits", config_.weight_bits},
                          {"weight_per_channel", config_.weight_per_channel},
                          {"activation_bits", config_.activation_bits},
                          {"activation_range", range_mode_name(config_.activation_range)},
                          {"ema_decay", config_.ema_decay}};
}

}  // namespace lq
