#pragma once
// Pooling over NHWC images. Average pooling with "same" padding divides by the number
// of taps inside the image (TensorFlow semantics). Max pooling gradients go to the
// first maximum in row-major window order.
#include <utility>

#include "litequant/nn/layers/conv.h"

namespace lq {

class Pooling2DLayer : public Layer {
 public:
  Pooling2DLayer(bool is_max, Window2D window, std::string name);
  std::string type() const override { return is_max_ ? "MaxPooling2D" : "AveragePooling2D"; }
  bool is_max() const { return is_max_; }
  const Window2D& window() const { return window_; }
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  bool is_max_;
  Window2D window_;
  ConvGeometry geo_;
  int64_t channels_ = 0;
  std::vector<int32_t> argmax_;  // per output element: input offset within its image
};

// [N, H, W, C] -> [N, C], the mean over H and W.
class GlobalAveragePooling2DLayer final : public Layer {
 public:
  explicit GlobalAveragePooling2DLayer(std::string name) : Layer(std::move(name)) {}
  std::string type() const override { return "GlobalAveragePooling2D"; }
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
};

}  // namespace lq
