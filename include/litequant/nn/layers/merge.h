#pragma once
// Layers that merge several inputs: Add (equal shapes) and Concatenate (along `axis`,
// counted without the batch dimension when >= 0; -1 = last).
#include "litequant/nn/layer.h"

namespace lq {

class AddLayer final : public Layer {
 public:
  explicit AddLayer(std::string name) : Layer(std::move(name)) {}
  std::string type() const override { return "Add"; }
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
};

class ConcatenateLayer final : public Layer {
 public:
  ConcatenateLayer(int axis, std::string name) : Layer(std::move(name)), axis_(axis) {}
  std::string type() const override { return "Concatenate"; }
  // Axis in the batch-less shape, normalised to >= 0 once built.
  int axis() const { return axis_; }
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  int axis_;
};

}  // namespace lq
