#include "litequant/nn/model.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <thread>

#include "litequant/core/error.h"
#include "litequant/nn/layers/core.h"
#include "litequant/nn/layers/quantization.h"
#include "model_impl.h"

namespace lq {
namespace {

// Keras' default layer names: "Conv2D" -> "conv2d", "MaxPooling2D" -> "max_pooling2d",
// "ReLU" -> "re_lu".
std::string snake_case(const std::string& s) {
  std::string a;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool starts_word = i > 0 && std::isupper(static_cast<unsigned char>(s[i])) &&
                             i + 1 < s.size() && (std::islower(static_cast<unsigned char>(s[i + 1])) ||
                                                  std::isdigit(static_cast<unsigned char>(s[i + 1])));
    if (starts_word) a += '_';
    a += s[i];
  }
  std::string b;
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0 && std::isupper(static_cast<unsigned char>(a[i])) &&
        std::islower(static_cast<unsigned char>(a[i - 1])))
      b += '_';
    b += static_cast<char>(std::tolower(static_cast<unsigned char>(a[i])));
  }
  return b;
}

void assign_default_names(std::vector<Model::Impl::Node>& nodes) {
  std::set<std::string> taken;
  for (auto& n : nodes)
    if (!n.layer->name().empty() && !taken.insert(n.layer->name()).second)
      throw Error("two layers are named '" + n.layer->name() + "'; layer names must be unique");
  std::map<std::string, int> counter;
  auto fresh_name = [&](const std::string& base, bool is_input) {
    for (;;) {
      const int k = counter[base]++;
      const std::string name =
          is_input ? base + "_" + std::to_string(k + 1) : (k == 0 ? base : base + "_" + std::to_string(k));
      if (taken.insert(name).second) return name;
    }
  };
  // A wrapper is named after its layer: "quant_dense" (TFMOT), an annotation "dense".
  for (auto& n : nodes) {
    auto* w = dynamic_cast<QuantizeWrapper*>(n.layer.get());
    if (!w) continue;
    const bool fresh = w->layer().name().empty();
    if (fresh) w->layer().set_name(fresh_name(snake_case(w->layer().type()), false));
    if (!w->name().empty()) continue;
    const std::string name = w->annotate_only() ? w->layer().name() : "quant_" + w->layer().name();
    if (!(w->annotate_only() && fresh) && !taken.insert(name).second)
      throw Error("two layers are named '" + name + "'; layer names must be unique");
    w->set_name(name);
  }
  for (auto& n : nodes) {
    if (!n.layer->name().empty()) continue;
    const bool is_input = n.is_input;
    n.layer->set_name(fresh_name(is_input ? "input" : snake_case(n.layer->type()), is_input));
  }
}

}  // namespace

Model::Model(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs,
             const std::string& name)
    : impl_(std::make_unique<Impl>()), name_(name) {
  if (inputs.empty() || outputs.empty()) throw Error("model '" + name + "' needs inputs and outputs");
  std::map<const GraphNode*, int> index;
  // Depth-first post-order from the outputs: a deterministic topological order.
  std::vector<std::pair<const GraphNode*, size_t>> stack;
  std::set<const GraphNode*> on_stack;
  for (const SymbolicTensor& out : outputs) {
    stack.push_back({out.node().get(), 0});
    while (!stack.empty()) {
      auto& [g, next] = stack.back();
      if (index.count(g)) {
        stack.pop_back();
        continue;
      }
      on_stack.insert(g);
      if (next < g->inputs.size()) {
        const GraphNode* child = g->inputs[next++].get();
        if (on_stack.count(child)) throw Error("model '" + name + "': the graph has a cycle");
        stack.push_back({child, 0});
        continue;
      }
      Impl::Node n;
      n.layer = g->layer;
      n.shape = g->shape;
      n.is_input = dynamic_cast<ModelInput*>(g->layer.get()) != nullptr;
      for (const auto& in : g->inputs) n.inputs.push_back(index.at(in.get()));
      n.edge_grad.resize(n.inputs.size());
      index[g] = static_cast<int>(impl_->nodes.size());
      impl_->nodes.push_back(std::move(n));
      on_stack.erase(g);
      stack.pop_back();
    }
  }
  for (const SymbolicTensor& in : inputs) {
    auto it = index.find(in.node().get());
    if (it == index.end() || !impl_->node(it->second).is_input)
      throw Error("model '" + name + "': an input is not an lq::Input() the outputs depend on");
    impl_->inputs.push_back(it->second);
  }
  for (size_t i = 0; i < impl_->nodes.size(); ++i) {
    if (impl_->nodes[i].is_input &&
        std::find(impl_->inputs.begin(), impl_->inputs.end(), static_cast<int>(i)) == impl_->inputs.end())
      throw Error("model '" + name + "': the outputs depend on an Input that is not a model input");
  }
  for (const SymbolicTensor& out : outputs) impl_->outputs.push_back(index.at(out.node().get()));
  for (auto& n : impl_->nodes) {
    n.needs_grad = !n.is_input && n.layer->count_trainable_params() > 0;
    for (int i : n.inputs) n.needs_grad = n.needs_grad || impl_->node(i).needs_grad;
  }
  assign_default_names(impl_->nodes);
  set_num_threads(0);
  initialize(0);
}

Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Model Sequential(const std::vector<LayerRef>& layers, const std::string& name) {
  if (layers.empty() || !dynamic_cast<ModelInput*>(layers[0].ptr().get()))
    throw Error("Sequential model '" + name +
                "': the first layer must be an InputLayer(shape) giving the input shape");
  auto* first = static_cast<ModelInput*>(layers[0].ptr().get());
  auto node = std::make_shared<GraphNode>();
  node->layer = layers[0].ptr();
  node->shape = first->build({});
  SymbolicTensor in(node), x(node);
  for (size_t i = 1; i < layers.size(); ++i) x = layers[i](x);
  Model m({in}, {x}, name);
  m.sequential_ = true;
  return m;
}

void Model::initialize(uint64_t seed) {
  Rng rng(seed);
  for (auto& n : impl_->nodes) n.layer->initialize(rng);
}

void Model::set_num_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (impl_->pool && impl_->pool->num_threads() == threads) return;
  impl_->pool = std::make_unique<ThreadPool>(threads);
}

int Model::num_threads() const { return impl_->pool->num_threads(); }

void Model::compile(std::shared_ptr<Optimizer> optimizer, std::shared_ptr<Loss> loss,
                    std::vector<std::string> metrics) {
  if (!optimizer || !loss) throw Error("compile: an optimizer and a loss are required");
  for (const std::string& m : metrics)
    if (m != "accuracy" && m != "acc")
      throw Error("compile: unknown metric '" + m + "' (known: accuracy)");
  optimizer_ = std::move(optimizer);
  loss_ = std::move(loss);
  metrics_ = std::move(metrics);
}

std::vector<Layer*> Model::layers() const {
  std::vector<Layer*> out;
  for (auto& n : impl_->nodes) out.push_back(n.layer.get());
  return out;
}

Layer* Model::get_layer(const std::string& name) const {
  for (auto& n : impl_->nodes)
    if (n.layer->name() == name) return n.layer.get();
  throw Error("model '" + name_ + "' has no layer named '" + name + "'");
}

std::vector<std::string> Model::inbound_layers(size_t i) const {
  std::vector<std::string> out;
  for (int src : impl_->nodes.at(i).inputs) out.push_back(impl_->node(src).layer->name());
  return out;
}

const Shape& Model::input_shape() const {
  if (impl_->inputs.size() != 1) throw Error("model '" + name_ + "' has several inputs");
  return impl_->node(impl_->inputs[0]).shape;
}

const Shape& Model::output_shape() const {
  if (impl_->outputs.size() != 1) throw Error("model '" + name_ + "' has several outputs");
  return impl_->node(impl_->outputs[0]).shape;
}

int64_t Model::count_params() const {
  int64_t n = 0;
  for (auto& node : impl_->nodes) n += node.layer->count_params();
  return n;
}

int64_t Model::count_trainable_params() const {
  int64_t n = 0;
  for (auto& node : impl_->nodes) n += node.layer->count_trainable_params();
  return n;
}

std::vector<Weight*> Model::trainable_weights() const {
  std::vector<Weight*> out;
  for (auto& n : impl_->nodes)
    for (Weight* w : n.layer->weights())
      if (w->trainable) out.push_back(w);
  return out;
}

const Tensor& Model::forward(const Tensor& x, bool training) {
  const Shape& expected = input_shape();
  const Shape got(x.shape().begin() + (x.rank() > 0 ? 1 : 0), x.shape().end());
  if (x.rank() == 0 || got != expected || x.dim(0) == 0)
    throw Error("model '" + name_ + "': input of shape " + to_string(x.shape()) +
                " does not match the expected " + batch_shape_string(expected));
  Impl& m = *impl_;
  m.node(m.inputs[0]).external = &x;
  RunContext ctx{m.pool.get(), training, &m.rng};
  std::vector<const Tensor*> ins;
  for (size_t i = 0; i < m.nodes.size(); ++i) {
    Impl::Node& n = m.nodes[i];
    if (n.is_input) continue;
    ins.clear();
    for (int src : n.inputs) ins.push_back(&m.value(src));
    n.layer->forward(ins, n.value, ctx);
  }
  return m.value(m.outputs[0]);
}

void Model::backward(const Tensor& grad_output) {
  Impl& m = *impl_;
  for (auto& n : m.nodes) n.grad_set = false;
  Impl::Node& out = m.node(m.outputs[0]);
  out.grad = grad_output;
  out.grad_set = true;
  RunContext ctx{m.pool.get(), true, &m.rng};
  std::vector<const Tensor*> ins;
  std::vector<Tensor*> grads;
  for (size_t i = m.nodes.size(); i-- > 0;) {
    Impl::Node& n = m.nodes[i];
    if (n.is_input || !n.needs_grad || !n.grad_set) continue;
    ins.clear();
    grads.clear();
    std::vector<size_t> accumulate;
    for (size_t e = 0; e < n.inputs.size(); ++e) {
      Impl::Node& src = m.node(n.inputs[e]);
      ins.push_back(&m.value(n.inputs[e]));
      if (!src.needs_grad) {
        grads.push_back(nullptr);
      } else if (!src.grad_set) {
        grads.push_back(&src.grad);
        src.grad_set = true;
      } else {
        grads.push_back(&n.edge_grad[e]);
        accumulate.push_back(e);
      }
    }
    n.layer->backward(ins, n.value, n.grad, grads, ctx);
    for (size_t e : accumulate) {
      Tensor& dst = m.node(n.inputs[e]).grad;
      const Tensor& add = n.edge_grad[e];
      for (int64_t k = 0; k < dst.size(); ++k) dst[k] += add[k];
    }
  }
}

}  // namespace lq
