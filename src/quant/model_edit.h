#pragma once
// Editing a tflite::Model in place: new tensors and constants, reading float constants,
// and dropping what no operator uses any more.
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "litequant/tflite/model.h"

namespace lq::quant::detail {

inline int add_tensor(tflite::Model& m, tflite::Tensor t) {
  m.tensors.push_back(std::move(t));
  return static_cast<int>(m.tensors.size() - 1);
}

template <typename T>
int add_constant(tflite::Model& m, const std::string& name, std::vector<int32_t> shape, tflite::TensorType type,
                 const std::vector<T>& values, tflite::Quantization q = {}) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  m.buffers.push_back(tflite::Buffer::take(std::move(bytes)));
  return add_tensor(m, {name, std::move(shape), type, static_cast<uint32_t>(m.buffers.size() - 1), std::move(q), false});
}

inline bool is_constant(const tflite::Model& m, int t) {
  const uint32_t b = m.tensors[static_cast<size_t>(t)].buffer;
  return b != 0 && b < m.buffers.size() && !m.buffers[b].data().empty();
}

// The values of a float32 constant tensor (copied: buffers may be unaligned views).
std::vector<float> float_values(const tflite::Model& m, int t);

// Removes tensors no operator, input or output refers to and buffers no tensor uses
// (keeping buffers[0]), renumbering the rest in order.
void compact(tflite::Model& m);

}  // namespace lq::quant::detail
