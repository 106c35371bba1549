#pragma once
// Model: a graph of layers with Keras' compile / fit / evaluate / predict / summary.
// Sequential models are models whose layers form a chain.
//
// Determinism: weights come from initialize(seed) (called with seed 0 on construction);
// fit() shuffles and drops out with its own seed. Every kernel splits work so that
// results are bit-identical for any thread count, so the same seeds give byte-identical
// weights.
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "litequant/nn/graph.h"
#include "litequant/nn/losses.h"
#include "litequant/nn/optimizers.h"

namespace lq {

using Logs = std::map<std::string, double>;

struct FitOptions {
  int epochs = 1;
  int64_t batch_size = 32;
  const Tensor* validation_x = nullptr;  // validation_data (both or neither)
  const Tensor* validation_y = nullptr;
  float validation_split = 0.0f;  // last fraction of x/y, taken before shuffling
  bool shuffle = true;
  uint64_t seed = 0;  // shuffling and dropout
  // 0 silent; 1 progress bar (live on a terminal, one line per epoch otherwise);
  // 2 one line per epoch.
  int verbose = 1;
  std::ostream* out = nullptr;  // default std::cout
  std::function<void(int epoch, const Logs& logs)> on_epoch_end;
};

struct History {
  std::map<std::string, std::vector<double>> history;  // "loss", "accuracy", "val_loss", ...
  std::vector<double> epoch_seconds;
};

struct EvaluateOptions {
  int64_t batch_size = 32;
  int verbose = 0;
  std::ostream* out = nullptr;
};

class Model {
 public:
  Model(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs,
        const std::string& name = "model");
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  const std::string& name() const { return name_; }
  bool is_sequential() const { return sequential_; }

  // Keras default initialisers, deterministic in `seed`.
  void initialize(uint64_t seed);
  // Threads for training and inference (<= 0: all hardware threads). Default: all.
  void set_num_threads(int threads);
  int num_threads() const;

  void compile(std::shared_ptr<Optimizer> optimizer, std::shared_ptr<Loss> loss,
               std::vector<std::string> metrics = {});
  bool compiled() const { return loss_ != nullptr; }
  Optimizer* optimizer() const { return optimizer_.get(); }
  Loss* loss() const { return loss_.get(); }
  const std::vector<std::string>& metrics() const { return metrics_; }

  History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
  Logs evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options = {});
  Tensor predict(const Tensor& x, int64_t batch_size = 32);
  // One optimizer step on one batch; returns the loss before the step.
  double train_on_batch(const Tensor& x, const Tensor& y);

  // Keras summary table; line_length 0 = Keras default (65, or 98 with "Connected to").
  void summary(std::ostream& out, int line_length = 0) const;
  int64_t count_params() const;
  int64_t count_trainable_params() const;

  // Layers in execution order, input layers first.
  std::vector<Layer*> layers() const;
  Layer* get_layer(const std::string& name) const;  // throws when absent
  const Shape& input_shape() const;   // batch excluded; single-input models
  const Shape& output_shape() const;  // batch excluded; single-output models
  // Names of the layers feeding layer i (in layers() order).
  std::vector<std::string> inbound_layers(size_t i) const;

  // Architecture (Keras-like layer list); see docs/MODEL_SPEC.md.
  nlohmann::json to_config() const;
  // max_params >= 0 stops building as soon as the weights exceed it (for untrusted files).
  static Model from_config(const nlohmann::json& config, int64_t max_params = -1);

  // Runs the graph on one batch (training: dropout on, batch statistics) and returns
  // the output tensor; exposed for tests and tools.
  const Tensor& forward(const Tensor& x, bool training);
  // Backpropagates d(loss)/d(output) after forward(training = true); fills weight grads.
  void backward(const Tensor& grad_output);
  // Trainable weights in a fixed order (layer order, then weight order).
  std::vector<Weight*> trainable_weights() const;

  struct Impl;  // src/nn/model_impl.h

 private:
  std::unique_ptr<Impl> impl_;
  std::string name_;
  bool sequential_ = false;
  std::shared_ptr<Optimizer> optimizer_;
  std::shared_ptr<Loss> loss_;
  std::vector<std::string> metrics_;

  friend Model Sequential(const std::vector<LayerRef>& layers, const std::string& name);
};

// Keras Sequential: the first layer must be an InputLayer(shape).
Model Sequential(const std::vector<LayerRef>& layers, const std::string& name = "sequential");

}  // namespace lq
