#include "litequant/nn/layer.h"

#include <nlohmann/json.hpp>

#include "litequant/core/error.h"

namespace lq {

Shape Layer::build(const std::vector<Shape>& input_shapes) {
  if (built_) throw Error(where() + "is already part of a model; layers cannot be shared");
  for (const Shape& s : input_shapes) num_elements(s);  // rejects negative dims
  output_shape_ = do_build(input_shapes);
  input_shapes_ = input_shapes;
  built_ = true;
  return output_shape_;
}

Weight& Layer::add_weight(const std::string& name, const Shape& shape, bool trainable) {
  // 2^28 floats (1 GiB): far above any model litequant targets, low enough that a
  // hostile model description cannot make us allocate absurd amounts of memory.
  constexpr int64_t kMaxWeightElements = int64_t{1} << 28;
  if (num_elements(shape) > kMaxWeightElements)
    throw Error(where() + "weight '" + name + "' of shape " + to_string(shape) + " is too large");
  auto w = std::make_unique<Weight>();
  w->name = name;
  w->value = Tensor(shape);
  if (trainable) w->grad = Tensor(shape);
  w->trainable = trainable;
  weights_.push_back(std::move(w));
  return *weights_.back();
}

std::vector<Weight*> Layer::weights() {
  std::vector<Weight*> out;
  for (Layer* l : sublayers_)
    for (Weight* w : l->weights()) out.push_back(w);
  for (auto& w : weights_) out.push_back(w.get());
  return out;
}

std::vector<const Weight*> Layer::weights() const {
  std::vector<const Weight*> out;
  for (const Layer* l : sublayers_)
    for (const Weight* w : l->weights()) out.push_back(w);
  for (auto& w : weights_) out.push_back(w.get());
  return out;
}

int64_t Layer::count_params() const {
  int64_t n = 0;
  for (const Weight* w : weights()) n += w->value.size();
  return n;
}

int64_t Layer::count_trainable_params() const {
  int64_t n = 0;
  for (const Weight* w : weights())
    if (w->trainable) n += w->value.size();
  return n;
}

nlohmann::json Layer::config() const {
  nlohmann::json j;
  j["type"] = type();
  j["name"] = name_;
  add_config(j);
  return j;
}

std::string Layer::where() const {
  return name_.empty() ? "layer (" + type() + "): " : "layer '" + name_ + "' (" + type() + "): ";
}

void Layer::expect_inputs(const std::vector<Shape>& shapes, size_t n) const {
  if (shapes.size() != n)
    throw Error(where() + "expects " + std::to_string(n) + " input(s), got " +
                std::to_string(shapes.size()));
}

}  // namespace lq
