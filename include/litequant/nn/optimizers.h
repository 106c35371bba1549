#pragma once
// Optimizers with Keras (TF >= 2.11) update rules.
//   SGD:  v = momentum * v - lr * g;  w += v                       (plain: w -= lr * g)
//         nesterov: w += momentum * v - lr * g
//   Adam: t += 1; m += (g - m) * (1 - beta1); v += (g^2 - v) * (1 - beta2)
//         w -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon)
//   Keras defaults: Adam(lr 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7), SGD(lr 0.01).
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "litequant/nn/layer.h"

namespace lq {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual std::string name() const = 0;
  // One update of every weight in `weights` (all trainable, each with its grad), in a
  // fixed order; the optimizer keeps per-weight slots in that order.
  void apply(const std::vector<Weight*>& weights, ThreadPool* pool);
  int64_t iterations() const { return iterations_; }
  float learning_rate() const { return learning_rate_; }
  void set_learning_rate(float lr);

  // State for checkpoints: the slot tensors (per weight, per slot) and the step count.
  std::vector<Tensor*> slots() ;
  int slots_per_weight() const { return slots_per_weight_; }
  void set_iterations(int64_t n) { iterations_ = n; }
  // Creates zero slots for these weights (done by the first apply() otherwise).
  void build(const std::vector<Weight*>& weights);
  virtual nlohmann::json config() const = 0;

 protected:
  Optimizer(float learning_rate, int slots_per_weight);
  // Updates value[0..n) with grad; slot pointers are this weight's slots.
  virtual void update(float* value, const float* grad, int64_t n, float** slots) const = 0;
  int64_t iterations_ = 0;

 private:
  float learning_rate_;
  int slots_per_weight_;
  std::vector<Tensor> slot_storage_;  // weight-major
};

std::shared_ptr<Optimizer> SGD(float learning_rate = 0.01f, float momentum = 0.0f,
                               bool nesterov = false);
std::shared_ptr<Optimizer> Adam(float learning_rate = 0.001f, float beta_1 = 0.9f,
                                float beta_2 = 0.999f, float epsilon = 1e-7f);
// {"name": "adam", "learning_rate": 0.001, ...} or a bare name.
std::shared_ptr<Optimizer> optimizer_from_config(const nlohmann::json& config);

}  // namespace lq
