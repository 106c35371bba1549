#include "litequant/nn/layers/merge.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "litequant/core/error.h"
#include "nn/ops/ops.h"

namespace lq {

// ---- Add ----
Shape AddLayer::do_build(const std::vector<Shape>& inputs) {
  if (inputs.size() < 2) throw Error(where() + "needs at least 2 inputs");
  for (const Shape& s : inputs)
    if (s != inputs[0])
      throw Error(where() + "inputs must have equal shapes, got " + to_string(inputs[0]) +
                  " and " + to_string(s));
  return inputs[0];
}

void AddLayer::forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) {
  out.resize(in[0]->shape());
  parallel_for(ctx.pool, out.size(), 16384, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = (*in[0])[i];
    for (size_t k = 1; k < in.size(); ++k)
      for (int64_t i = b; i < e; ++i) out[i] += (*in[k])[i];
  });
}

void AddLayer::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& grad_out,
                        const std::vector<Tensor*>& grad_in, RunContext&) {
  for (size_t k = 0; k < in.size(); ++k) {
    if (!grad_in[k]) continue;
    grad_in[k]->resize(grad_out.shape());
    std::memcpy(grad_in[k]->data(), grad_out.data(), static_cast<size_t>(grad_out.size()) * sizeof(float));
  }
}

// ---- Concatenate ----
namespace {
// Elements from `axis` (batch-less index) to the end of one batch item.
int64_t inner_size(const Shape& s, int axis) {
  int64_t n = 1;
  for (size_t i = static_cast<size_t>(axis); i < s.size(); ++i) n *= s[i];
  return n;
}
}  // namespace

Shape ConcatenateLayer::do_build(const std::vector<Shape>& inputs) {
  if (inputs.size() < 2) throw Error(where() + "needs at least 2 inputs");
  const int rank = static_cast<int>(inputs[0].size());
  const int axis = axis_ < 0 ? axis_ + rank : axis_;
  if (axis < 0 || axis >= rank)
    throw Error(where() + "axis " + std::to_string(axis_) + " is out of range for inputs of rank " +
                std::to_string(rank));
  axis_ = axis;
  Shape out = inputs[0];
  out[static_cast<size_t>(axis)] = 0;
  for (const Shape& s : inputs) {
    bool ok = static_cast<int>(s.size()) == rank;
    for (int i = 0; ok && i < rank; ++i)
      ok = i == axis || s[static_cast<size_t>(i)] == inputs[0][static_cast<size_t>(i)];
    if (!ok)
      throw Error(where() + "inputs " + to_string(inputs[0]) + " and " + to_string(s) +
                  " differ outside the concatenation axis " + std::to_string(axis));
    out[static_cast<size_t>(axis)] += s[static_cast<size_t>(axis)];
  }
  return out;
}

void ConcatenateLayer::forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext&) {
  const int64_t n = in[0]->dim(0);
  out.resize(with_batch(n, output_shape()));
  const int64_t outer = n * (num_elements(input_shapes()[0]) / inner_size(input_shapes()[0], axis_));
  const int64_t out_inner = out.size() / outer;
  int64_t offset = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    const int64_t inner = inner_size(input_shapes()[k], axis_);
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(out.data() + o * out_inner + offset, in[k]->data() + o * inner,
                  static_cast<size_t>(inner) * sizeof(float));
    offset += inner;
  }
}

void ConcatenateLayer::backward(const std::vector<const Tensor*>& in, const Tensor& out,
                                const Tensor& grad_out, const std::vector<Tensor*>& grad_in,
                                RunContext&) {
  const int64_t n = in[0]->dim(0);
  const int64_t outer = n * (num_elements(input_shapes()[0]) / inner_size(input_shapes()[0], axis_));
  const int64_t out_inner = out.size() / outer;
  int64_t offset = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    const int64_t inner = inner_size(input_shapes()[k], axis_);
    if (grad_in[k]) {
      grad_in[k]->resize(in[k]->shape());
      for (int64_t o = 0; o < outer; ++o)
        std::memcpy(grad_in[k]->data() + o * inner, grad_out.data() + o * out_inner + offset,
                    static_cast<size_t>(inner) * sizeof(float));
    }
    offset += inner;
  }
}

void ConcatenateLayer::add_config(nlohmann::json& c) const { c["axis"] = axis_; }

}  // namespace lq
