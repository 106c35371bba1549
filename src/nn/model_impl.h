#pragma once
// Model internals: the graph in execution order and the per-node buffers.
#include <memory>
#include <vector>

#include "litequant/core/rng.h"
#include "litequant/core/thread_pool.h"
#include "litequant/nn/model.h"

namespace lq {

struct Model::Impl {
  struct Node {
    std::shared_ptr<Layer> layer;
    std::vector<int> inputs;  // node indices
    Shape shape;              // output shape, batch excluded
    bool is_input = false;
    bool needs_grad = false;  // some trainable weight lies upstream (or in this layer)
    Tensor value;
    Tensor grad;
    bool grad_set = false;
    std::vector<Tensor> edge_grad;  // per input, when the source's grad is already taken
    const Tensor* external = nullptr;  // input nodes: the batch being fed
  };
  std::vector<Node> nodes;  // topological order
  std::vector<int> inputs, outputs;
  std::unique_ptr<ThreadPool> pool;
  Rng rng{0};

  const Tensor& value(int i) const {
    const Node& n = nodes[static_cast<size_t>(i)];
    return n.external ? *n.external : n.value;
  }
  Node& node(int i) { return nodes[static_cast<size_t>(i)]; }
  const Node& node(int i) const { return nodes[static_cast<size_t>(i)]; }
};

}  // namespace lq
