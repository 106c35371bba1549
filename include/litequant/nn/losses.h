#pragma once
// Losses (Keras semantics, reduction = mean over the batch) and the accuracy metric.
//   SparseCategoricalCrossentropy: targets [N] (or [N, 1]) class ids.
//   CategoricalCrossentropy:       targets [N, C] one-hot / probabilities.
//   MeanSquaredError:              targets shaped like predictions; mean over all values.
// Without from_logits, predictions are probabilities clipped to [1e-7, 1 - 1e-7] (Keras
// epsilon); with from_logits, a numerically stable log-softmax is used.
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "litequant/core/tensor.h"

namespace lq {

class Loss {
 public:
  virtual ~Loss() = default;
  virtual std::string name() const = 0;  // Keras snake_case name
  // Mean loss over the batch. When grad is non-null it receives d(loss)/d(pred).
  // Throws lq::Error when the target shape does not fit the prediction.
  virtual double compute(const Tensor& pred, const Tensor& target, Tensor* grad) const = 0;
  virtual nlohmann::json config() const;
};

std::shared_ptr<Loss> SparseCategoricalCrossentropy(bool from_logits = false);
std::shared_ptr<Loss> CategoricalCrossentropy(bool from_logits = false);
std::shared_ptr<Loss> MeanSquaredError();
// {"name": "sparse_categorical_crossentropy", "from_logits": true} or a bare name.
std::shared_ptr<Loss> loss_from_config(const nlohmann::json& config);

// Number of correct predictions in a batch: argmax over the last axis compared with the
// class id (sparse targets) or with the target's argmax (one-hot targets); for a single
// output unit, prediction > 0.5 compared with target > 0.5.
int64_t count_correct(const Tensor& pred, const Tensor& target);

}  // namespace lq
