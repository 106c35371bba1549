#include "litequant/nn/losses.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "litequant/core/error.h"

namespace lq {
namespace {
constexpr double kEpsilon = 1e-7;

int64_t classes_of(const Tensor& pred) { return pred.rank() == 0 ? 1 : pred.dim(-1); }

void check_rows(const Tensor& pred, int64_t target_rows, const std::string& loss) {
  const int64_t rows = pred.size() / std::max<int64_t>(classes_of(pred), 1);
  if (rows != target_rows)
    throw Error(loss + ": " + std::to_string(target_rows) + " targets for " + std::to_string(rows) +
                " predictions of shape " + to_string(pred.shape()));
}

class CrossentropyLoss : public Loss {
 public:
  CrossentropyLoss(bool sparse, bool from_logits) : sparse_(sparse), from_logits_(from_logits) {}
  std::string name() const override {
    return sparse_ ? "sparse_categorical_crossentropy" : "categorical_crossentropy";
  }
  nlohmann::json config() const override {
    return {{"name", name()}, {"from_logits", from_logits_}};
  }

  double compute(const Tensor& pred, const Tensor& target, Tensor* grad) const override {
    const int64_t classes = classes_of(pred);
    const int64_t rows = pred.size() / classes;
    if (sparse_) {
      check_rows(pred, target.size(), name());
    } else if (target.shape() != pred.shape()) {
      throw Error(name() + ": target shape " + to_string(target.shape()) +
                  " differs from prediction shape " + to_string(pred.shape()));
    }
    if (grad) grad->resize(pred.shape());
    std::vector<double> p(static_cast<size_t>(classes)), t(static_cast<size_t>(classes));
    double total = 0.0;
    for (int64_t r = 0; r < rows; ++r) {
      const float* x = pred.data() + r * classes;
      for (int64_t c = 0; c < classes; ++c) t[c] = 0.0;
      if (sparse_) {
        const float label = target[r];
        if (!(label >= 0.0f && label < static_cast<float>(classes)) || label != std::floor(label))
          throw Error(name() + ": label " + std::to_string(label) + " is not a class id in [0, " +
                      std::to_string(classes) + ")");
        t[static_cast<size_t>(label)] = 1.0;
      } else {
        for (int64_t c = 0; c < classes; ++c) t[c] = target[r * classes + c];
      }
      double t_sum = 0.0;
      for (double v : t) t_sum += v;
      if (from_logits_) {
        // log p = x - logsumexp(x); d/dx = softmax(x) * sum(t) - t
        const double mx = *std::max_element(x, x + classes);
        double z = 0.0;
        for (int64_t c = 0; c < classes; ++c) z += std::exp(x[c] - mx);
        const double lse = mx + std::log(z);
        for (int64_t c = 0; c < classes; ++c) {
          if (t[c] != 0.0) total -= t[c] * (x[c] - lse);
          if (grad)
            (*grad)[r * classes + c] =
                static_cast<float>((std::exp(x[c] - lse) * t_sum - t[c]) / static_cast<double>(rows));
        }
      } else {
        // Keras: p = x / sum(x), clipped; loss = -sum t log p.
        double s = 0.0;
        for (int64_t c = 0; c < classes; ++c) s += x[c];
        for (int64_t c = 0; c < classes; ++c) {
          const double q = x[c] / s;
          p[c] = std::clamp(q, kEpsilon, 1.0 - kEpsilon);
          if (t[c] != 0.0) total -= t[c] * std::log(p[c]);
        }
        if (grad) {
          // d/dx_j of -sum_c t_c log(x_c / s), where clipped entries c contribute nothing:
          //   = sum_{c unclipped} t_c / s - [j unclipped] t_j / x_j
          auto clipped = [&](int64_t c) { return x[c] / s < kEpsilon || x[c] / s > 1.0 - kEpsilon; };
          double live_t = 0.0;
          for (int64_t c = 0; c < classes; ++c)
            if (!clipped(c)) live_t += t[c];
          for (int64_t c = 0; c < classes; ++c) {
            double g = live_t / s;
            if (t[c] != 0.0 && !clipped(c)) g -= t[c] / x[c];
            (*grad)[r * classes + c] = static_cast<float>(g / static_cast<double>(rows));
          }
        }
      }
    }
    return total / static_cast<double>(rows);
  }

 private:
  bool sparse_, from_logits_;
};

class MseLoss : public Loss {
 public:
  std::string name() const override { return "mean_squared_error"; }
  double compute(const Tensor& pred, const Tensor& target, Tensor* grad) const override {
    if (target.size() != pred.size())
      throw Error(name() + ": target shape " + to_string(target.shape()) +
                  " does not match prediction shape " + to_string(pred.shape()));
    if (grad) grad->resize(pred.shape());
    double total = 0.0;
    const double n = static_cast<double>(pred.size());
    for (int64_t i = 0; i < pred.size(); ++i) {
      const double d = static_cast<double>(pred[i]) - target[i];
      total += d * d;
      if (grad) (*grad)[i] = static_cast<float>(2.0 * d / n);
    }
    return total / n;
  }
};
}  // namespace

nlohmann::json Loss::config() const { return {{"name", name()}}; }

std::shared_ptr<Loss> SparseCategoricalCrossentropy(bool from_logits) {
  return std::make_shared<CrossentropyLoss>(true, from_logits);
}
std::shared_ptr<Loss> CategoricalCrossentropy(bool from_logits) {
  return std::make_shared<CrossentropyLoss>(false, from_logits);
}
std::shared_ptr<Loss> MeanSquaredError() { return std::make_shared<MseLoss>(); }

std::shared_ptr<Loss> loss_from_config(const nlohmann::json& config) {
  const nlohmann::json c = config.is_string() ? nlohmann::json{{"name", config}} : config;
  if (!c.is_object() || !c.contains("name") || !c["name"].is_string())
    throw Error("loss config must be a name or an object with a \"name\"");
  const std::string name = c["name"];
  const bool logits = c.value("from_logits", false);
  if (name == "sparse_categorical_crossentropy") return SparseCategoricalCrossentropy(logits);
  if (name == "categorical_crossentropy") return CategoricalCrossentropy(logits);
  if (name == "mean_squared_error" || name == "mse") return MeanSquaredError();
  throw Error("unknown loss '" + name +
              "' (known: sparse_categorical_crossentropy, categorical_crossentropy, mean_squared_error)");
}

int64_t count_correct(const Tensor& pred, const Tensor& target) {
  const int64_t classes = classes_of(pred);
  const int64_t rows = pred.size() / classes;
  int64_t correct = 0;
  const bool one_hot = target.size() == pred.size() && classes > 1;
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = pred.data() + r * classes;
    if (classes == 1) {
      correct += (x[0] > 0.5f) == (target[r] > 0.5f);
      continue;
    }
    const int64_t guess = std::max_element(x, x + classes) - x;
    if (one_hot) {
      const float* t = target.data() + r * classes;
      correct += guess == std::max_element(t, t + classes) - t;
    } else {
      correct += static_cast<float>(guess) == target[r];
    }
  }
  return correct;
}

}  // namespace lq
