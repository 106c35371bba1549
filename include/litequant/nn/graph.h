#pragma once
// The functional (Keras) API: calling a layer on symbolic tensors records a graph.
//
//   auto in = lq::Input({28, 28});
//   auto x = lq::layers::Flatten()(in);
//   auto a = lq::layers::Dense(64, "relu")(x);
//   auto b = lq::layers::Dense(64, "relu")(x);
//   auto y = lq::layers::Dense(10)(lq::layers::Add()({a, b}));
//   lq::Model model({in}, {y});
#include <concepts>
#include <memory>
#include <string>
#include <vector>

#include "litequant/nn/layer.h"

namespace lq {

// One call of a layer in a graph: its layer, the nodes feeding it, its output shape.
struct GraphNode {
  std::shared_ptr<Layer> layer;
  std::vector<std::shared_ptr<GraphNode>> inputs;
  Shape shape;  // output shape, batch excluded
};

// A placeholder for a layer output while a model is being defined.
class SymbolicTensor {
 public:
  explicit SymbolicTensor(std::shared_ptr<GraphNode> node) : node_(std::move(node)) {}
  const Shape& shape() const { return node_->shape; }
  const std::shared_ptr<GraphNode>& node() const { return node_; }

 private:
  std::shared_ptr<GraphNode> node_;
};

// What layer factories return: shares ownership of a layer and calls it like Keras.
// Calling builds the layer for the input shapes; a layer can be called only once.
class LayerRef {
 public:
  template <typename L>
    requires std::derived_from<L, Layer>
  LayerRef(std::shared_ptr<L> layer) : layer_(std::move(layer)) {}  // NOLINT
  SymbolicTensor operator()(const SymbolicTensor& input) const;
  SymbolicTensor operator()(const std::vector<SymbolicTensor>& inputs) const;
  Layer* operator->() const { return layer_.get(); }
  Layer& operator*() const { return *layer_; }
  const std::shared_ptr<Layer>& ptr() const { return layer_; }

 private:
  std::shared_ptr<Layer> layer_;
};

// A model input of the given shape (batch excluded).
SymbolicTensor Input(const Shape& shape, const std::string& name = "");

}  // namespace lq
