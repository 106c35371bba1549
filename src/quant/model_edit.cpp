#include "model_edit.h"

#include "litequant/core/error.h"

namespace lq::quant::detail {

std::vector<float> float_values(const tflite::Model& m, int t) {
  const tflite::Tensor& tensor = m.tensors[static_cast<size_t>(t)];
  if (tensor.type != tflite::TensorType::kFloat32 || !is_constant(m, t))
    throw Error("tensor " + std::to_string(t) + " ('" + tensor.name + "') is not a float32 constant");
  const auto bytes = m.buffers[tensor.buffer].data();
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

void compact(tflite::Model& m) {
  std::vector<int32_t> tensor_map(m.tensors.size(), -1);
  auto use = [&](int32_t t) {
    if (t >= 0) tensor_map[static_cast<size_t>(t)] = 0;
  };
  for (int32_t t : m.inputs) use(t);
  for (int32_t t : m.outputs) use(t);
  for (const auto& op : m.operators) {
    for (int32_t t : op.inputs) use(t);
    for (int32_t t : op.outputs) use(t);
  }
  std::vector<tflite::Tensor> tensors;
  std::vector<int32_t> buffer_map(m.buffers.size(), -1);
  std::vector<tflite::Buffer> buffers;
  buffers.push_back(std::move(m.buffers[0]));
  buffer_map[0] = 0;
  for (size_t t = 0; t < m.tensors.size(); ++t) {
    if (tensor_map[t] < 0) continue;
    tensor_map[t] = static_cast<int32_t>(tensors.size());
    tflite::Tensor tensor = std::move(m.tensors[t]);
    if (tensor.buffer != 0) {
      int32_t& b = buffer_map[tensor.buffer];
      if (b < 0) {
        b = static_cast<int32_t>(buffers.size());
        buffers.push_back(std::move(m.buffers[tensor.buffer]));
      }
      tensor.buffer = static_cast<uint32_t>(b);
    }
    tensors.push_back(std::move(tensor));
  }
  auto remap = [&](std::vector<int32_t>& v) {
    for (int32_t& t : v)
      if (t >= 0) t = tensor_map[static_cast<size_t>(t)];
  };
  remap(m.inputs);
  remap(m.outputs);
  for (auto& op : m.operators) {
    remap(op.inputs);
    remap(op.outputs);
  }
  m.tensors = std::move(tensors);
  m.buffers = std::move(buffers);
}

}  // namespace lq::quant::detail
