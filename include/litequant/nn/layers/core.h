#pragma once
// Core layers: InputLayer, Dense, Flatten, Reshape, Dropout, Activation, ReLU, Softmax.
#include "litequant/nn/activation.h"
#include "litequant/nn/layer.h"

namespace lq {

class ModelInput final : public Layer {
 public:
  ModelInput(Shape shape, std::string name) : Layer(std::move(name)), shape_(std::move(shape)) {}
  std::string type() const override { return "InputLayer"; }
  const Shape& shape() const { return shape_; }
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext&) override;
  void backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor&,
                const std::vector<Tensor*>&, RunContext&) override {}

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  Shape shape_;
};

// y = activation(x · kernel + bias) over the last axis. kernel: [in, units] (Keras layout).
class DenseLayer final : public Layer {
 public:
  DenseLayer(int64_t units, Activation activation, bool use_bias, std::string name);
  std::string type() const override { return "Dense"; }
  int64_t units() const { return units_; }
  Activation activation() const { return activation_; }
  bool use_bias() const { return use_bias_; }
  Weight& kernel() { return *kernel_; }
  Weight* bias() { return bias_; }
  void initialize(Rng& rng) override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  int64_t units_;
  Activation activation_;
  bool use_bias_;
  Weight* kernel_ = nullptr;
  Weight* bias_ = nullptr;
  Tensor grad_pre_;  // gradient before the activation
};

class FlattenLayer final : public Layer {
 public:
  explicit FlattenLayer(std::string name) : Layer(std::move(name)) {}
  std::string type() const override { return "Flatten"; }
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext&) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext&) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
};

// target_shape may hold one -1, inferred from the input size.
class ReshapeLayer final : public Layer {
 public:
  ReshapeLayer(Shape target_shape, std::string name)
      : Layer(std::move(name)), target_(std::move(target_shape)) {}
  std::string type() const override { return "Reshape"; }
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext&) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext&) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  Shape target_;
};

// Inverted dropout: in training, zeroes a fraction `rate` and scales the rest by 1/(1-rate).
class DropoutLayer final : public Layer {
 public:
  DropoutLayer(float rate, std::string name);
  std::string type() const override { return "Dropout"; }
  float rate() const { return rate_; }
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  float rate_;
  Tensor mask_;  // 0 or 1/(1-rate) per element of the last training batch
};

// Activation("relu"), ReLU(max_value) and Softmax share this layer; type() gives the
// Keras class name that created it.
class ActivationLayer final : public Layer {
 public:
  ActivationLayer(std::string keras_type, Activation activation, std::string name)
      : Layer(std::move(name)), keras_type_(std::move(keras_type)), activation_(activation) {}
  std::string type() const override { return keras_type_; }
  Activation activation() const { return activation_; }
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  std::string keras_type_;
  Activation activation_;
};

}  // namespace lq
