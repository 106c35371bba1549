#pragma once
// The Layer interface: what every Keras-style layer implements.
//
// A layer is built once for fixed input shapes (batch excluded), owns its weights, and
// runs forward/backward on whole batches. Layers never see the model graph; the model
// owns the activation and gradient buffers and passes them in.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "litequant/core/rng.h"
#include "litequant/core/tensor.h"
#include "litequant/core/thread_pool.h"

namespace lq {

// A weight and its gradient. `name` is the Keras short name ("kernel", "bias", "gamma",
// "moving_mean", ...). Non-trainable weights (BatchNormalization statistics) have no grad.
struct Weight {
  std::string name;
  Tensor value;
  Tensor grad;
  bool trainable = true;
};

struct RunContext {
  ThreadPool* pool = nullptr;  // may be null: run on the caller thread
  bool training = false;       // dropout active, batch statistics used
  Rng* rng = nullptr;          // randomness for dropout; required when training
};

class Layer {
 public:
  explicit Layer(std::string name) : name_(std::move(name)) {}
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // Keras class name: "Dense", "Conv2D", ...
  virtual std::string type() const = 0;
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // Checks the input shapes (batch excluded), creates zero weights, returns the output
  // shape. Throws lq::Error naming the layer when the shapes do not fit.
  Shape build(const std::vector<Shape>& input_shapes);
  bool built() const { return built_; }
  const std::vector<Shape>& input_shapes() const { return input_shapes_; }
  const Shape& output_shape() const { return output_shape_; }

  // Keras default initialisation: glorot-uniform kernels, zero biases, ones for gammas.
  virtual void initialize(Rng& /*rng*/) {}

  // `output` is resized by the layer. Inputs include the batch dimension.
  virtual void forward(const std::vector<const Tensor*>& inputs, Tensor& output,
                       RunContext& ctx) = 0;
  // Called after forward() on the same inputs. grad_inputs[i] is null when input i needs
  // no gradient; otherwise the layer resizes and overwrites it. Weight gradients are
  // overwritten, not accumulated.
  virtual void backward(const std::vector<const Tensor*>& inputs, const Tensor& output,
                        const Tensor& grad_output, const std::vector<Tensor*>& grad_inputs,
                        RunContext& ctx) = 0;

  // The weights of the layer's sublayers (wrappers), then its own.
  std::vector<Weight*> weights();
  std::vector<const Weight*> weights() const;
  int64_t count_params() const;
  int64_t count_trainable_params() const;

  // Keras-like config: {"type": ..., "name": ..., <layer options>}.
  nlohmann::json config() const;

 protected:
  virtual Shape do_build(const std::vector<Shape>& input_shapes) = 0;
  virtual void add_config(nlohmann::json& /*config*/) const {}
  Weight& add_weight(const std::string& name, const Shape& shape, bool trainable = true);
  // A layer this one owns and runs (QuantizeWrapper's inner layer): its weights are listed
  // as this layer's, before this layer's own.
  void add_sublayer(Layer& layer) { sublayers_.push_back(&layer); }
  // "layer 'conv2d' (Conv2D): " — prefix for error messages.
  std::string where() const;
  // Throws unless there is exactly `n` inputs.
  void expect_inputs(const std::vector<Shape>& shapes, size_t n) const;

 private:
  std::string name_;
  bool built_ = false;
  std::vector<Shape> input_shapes_;
  Shape output_shape_;
  std::vector<std::unique_ptr<Weight>> weights_;
  std::vector<Layer*> sublayers_;
};

}  // namespace lq
