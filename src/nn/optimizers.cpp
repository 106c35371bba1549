#include "litequant/nn/optimizers.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "litequant/core/error.h"

namespace lq {
namespace {

// The Adam step over one weight; compiled for AVX-512, AVX2 and baseline x86-64 and
// picked at load time (GCC target_clones), as sqrt and division dominate it.
#if defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void adam_update(float* __restrict w, const float* __restrict g, float* __restrict m,
                 float* __restrict v, int64_t n, float step, float a, float b, float epsilon) {
  for (int64_t i = 0; i < n; ++i) {
    m[i] += (g[i] - m[i]) * a;
    v[i] += (g[i] * g[i] - v[i]) * b;
    w[i] -= step * m[i] / (std::sqrt(v[i]) + epsilon);
  }
}

class SgdOptimizer final : public Optimizer {
 public:
  SgdOptimizer(float lr, float momentum, bool nesterov)
      : Optimizer(lr, momentum != 0.0f ? 1 : 0), momentum_(momentum), nesterov_(nesterov) {
    if (!(momentum >= 0.0f && momentum <= 1.0f))
      throw Error("SGD: momentum must be in [0, 1], got " + std::to_string(momentum));
  }
  std::string name() const override { return "sgd"; }
  nlohmann::json config() const override {
    return {{"name", name()}, {"learning_rate", learning_rate()}, {"momentum", momentum_},
            {"nesterov", nesterov_}};
  }

 protected:
  void update(float* w, const float* g, int64_t n, float** slots) const override {
    const float lr = learning_rate();
    if (momentum_ == 0.0f) {
      for (int64_t i = 0; i < n; ++i) w[i] -= lr * g[i];
      return;
    }
    float* __restrict v = slots[0];
    float* __restrict wr = w;
    const float* __restrict gr = g;
    for (int64_t i = 0; i < n; ++i) {
      v[i] = momentum_ * v[i] - lr * gr[i];
      wr[i] += nesterov_ ? momentum_ * v[i] - lr * gr[i] : v[i];
    }
  }

 private:
  float momentum_;
  bool nesterov_;
};

class AdamOptimizer final : public Optimizer {
 public:
  AdamOptimizer(float lr, float beta_1, float beta_2, float epsilon)
      : Optimizer(lr, 2), beta_1_(beta_1), beta_2_(beta_2), epsilon_(epsilon) {
    if (!(beta_1 >= 0.0f && beta_1 < 1.0f) || !(beta_2 >= 0.0f && beta_2 < 1.0f))
      throw Error("Adam: beta_1 and beta_2 must be in [0, 1)");
    if (!(epsilon > 0.0f)) throw Error("Adam: epsilon must be positive");
  }
  std::string name() const override { return "adam"; }
  nlohmann::json config() const override {
    return {{"name", name()},     {"learning_rate", learning_rate()}, {"beta_1", beta_1_},
            {"beta_2", beta_2_}, {"epsilon", epsilon_}};
  }

 protected:
  void update(float* w, const float* g, int64_t n, float** slots) const override {
    const double t = static_cast<double>(iterations_);
    const float step = static_cast<float>(learning_rate() * std::sqrt(1.0 - std::pow(beta_2_, t)) /
                                          (1.0 - std::pow(beta_1_, t)));
    adam_update(w, g, slots[0], slots[1], n, step, 1.0f - beta_1_, 1.0f - beta_2_, epsilon_);
  }

 private:
  float beta_1_, beta_2_, epsilon_;
};

}  // namespace

Optimizer::Optimizer(float learning_rate, int slots_per_weight)
    : learning_rate_(learning_rate), slots_per_weight_(slots_per_weight) {
  if (!(learning_rate > 0.0f) || !std::isfinite(learning_rate))
    throw Error("learning rate must be a positive number, got " + std::to_string(learning_rate));
}

void Optimizer::set_learning_rate(float lr) {
  if (!(lr > 0.0f) || !std::isfinite(lr))
    throw Error(name() + ": learning rate must be a positive number, got " + std::to_string(lr));
  learning_rate_ = lr;
}

void Optimizer::build(const std::vector<Weight*>& weights) {
  slot_storage_.clear();
  for (Weight* w : weights)
    for (int s = 0; s < slots_per_weight_; ++s) slot_storage_.emplace_back(w->value.shape());
}

std::vector<Tensor*> Optimizer::slots() {
  std::vector<Tensor*> out;
  for (Tensor& t : slot_storage_) out.push_back(&t);
  return out;
}

void Optimizer::apply(const std::vector<Weight*>& weights, ThreadPool* pool) {
  if (slot_storage_.size() != weights.size() * static_cast<size_t>(slots_per_weight_))
    build(weights);
  ++iterations_;
  // Each weight's update is independent; large weights are split across threads.
  for (size_t i = 0; i < weights.size(); ++i) {
    Weight* w = weights[i];
    std::vector<float*> slot(static_cast<size_t>(slots_per_weight_) + 1, nullptr);
    for (int s = 0; s < slots_per_weight_; ++s)
      slot[static_cast<size_t>(s)] = slot_storage_[i * static_cast<size_t>(slots_per_weight_) + static_cast<size_t>(s)].data();
    parallel_for(pool, w->value.size(), 32768, [&](int64_t b, int64_t e) {
      std::vector<float*> shifted(slot.size(), nullptr);
      for (size_t s = 0; s + 1 < slot.size(); ++s) shifted[s] = slot[s] + b;
      update(w->value.data() + b, w->grad.data() + b, e - b, shifted.data());
    });
  }
}

std::shared_ptr<Optimizer> SGD(float learning_rate, float momentum, bool nesterov) {
  return std::make_shared<SgdOptimizer>(learning_rate, momentum, nesterov);
}

std::shared_ptr<Optimizer> Adam(float learning_rate, float beta_1, float beta_2, float epsilon) {
  return std::make_shared<AdamOptimizer>(learning_rate, beta_1, beta_2, epsilon);
}

std::shared_ptr<Optimizer> optimizer_from_config(const nlohmann::json& config) {
  const nlohmann::json c = config.is_string() ? nlohmann::json{{"name", config}} : config;
  if (!c.is_object() || !c.contains("name") || !c["name"].is_string())
    throw Error("optimizer config must be a name or an object with a \"name\"");
  const std::string name = c["name"];
  if (name == "adam")
    return Adam(c.value("learning_rate", 0.001f), c.value("beta_1", 0.9f),
                c.value("beta_2", 0.999f), c.value("epsilon", 1e-7f));
  if (name == "sgd")
    return SGD(c.value("learning_rate", 0.01f), c.value("momentum", 0.0f),
               c.value("nesterov", false));
  throw Error("unknown optimizer '" + name + "' (known: adam, sgd)");
}

}  // namespace lq
