#pragma once
// BatchNormalization over the last axis (Keras defaults: momentum 0.99, epsilon 1e-3).
// Training: normalise with the batch mean and biased batch variance, then
//   moving = moving * momentum + batch * (1 - momentum)  (biased variance, as Keras'
//   non-fused path). Inference: normalise with the moving statistics.
//   y = gamma * (x - mean) / sqrt(var + epsilon) + beta
#include "litequant/nn/layer.h"

namespace lq {

class BatchNormalizationLayer final : public Layer {
 public:
  BatchNormalizationLayer(float momentum, float epsilon, std::string name);
  std::string type() const override { return "BatchNormalization"; }
  float momentum() const { return momentum_; }
  float epsilon() const { return epsilon_; }
  Weight& gamma() { return *gamma_; }
  Weight& beta() { return *beta_; }
  Weight& moving_mean() { return *moving_mean_; }
  Weight& moving_variance() { return *moving_variance_; }
  void initialize(Rng& rng) override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  float momentum_, epsilon_;
  Weight* gamma_ = nullptr;
  Weight* beta_ = nullptr;
  Weight* moving_mean_ = nullptr;
  Weight* moving_variance_ = nullptr;
  std::vector<float> batch_mean_, batch_inv_std_;  // from the last training forward
};

}  // namespace lq
