#include "litequant/nn/graph.h"

#include "litequant/core/error.h"
#include "litequant/nn/layers/core.h"

namespace lq {

SymbolicTensor LayerRef::operator()(const SymbolicTensor& input) const {
  return (*this)(std::vector<SymbolicTensor>{input});
}

SymbolicTensor LayerRef::operator()(const std::vector<SymbolicTensor>& inputs) const {
  if (!layer_) throw Error("calling an empty layer reference");
  if (dynamic_cast<ModelInput*>(layer_.get()))
    throw Error("an InputLayer cannot be called on tensors; use lq::Input(shape)");
  auto node = std::make_shared<GraphNode>();
  node->layer = layer_;
  std::vector<Shape> shapes;
  for (const SymbolicTensor& t : inputs) {
    node->inputs.push_back(t.node());
    shapes.push_back(t.shape());
  }
  node->shape = layer_->build(shapes);
  return SymbolicTensor(node);
}

SymbolicTensor Input(const Shape& shape, const std::string& name) {
  auto node = std::make_shared<GraphNode>();
  node->layer = std::make_shared<ModelInput>(shape, name);
  node->shape = node->layer->build({});
  return SymbolicTensor(node);
}

}  // namespace lq
