#pragma once
// Models for the tflite tests, built in memory.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "litequant/tflite/model.h"

namespace lq::tflite::test {

inline std::vector<uint8_t> float_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}
inline std::vector<uint8_t> int32_bytes(const std::vector<int32_t>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Deterministic values in [-1, 1).
inline std::vector<float> pseudo_random(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 12345u;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<float>(s >> 8) / static_cast<float>(1u << 24) * 2.0f - 1.0f;
  }
  return v;
}

// Appends a tensor (and its buffer when data is given); returns its index.
inline int32_t add_tensor(Model& m, std::string name, std::vector<int32_t> shape, TensorType type,
                          std::vector<uint8_t> data = {}, Quantization q = {}) {
  Tensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.type = type;
  t.quantization = std::move(q);
  if (!data.empty()) {
    t.buffer = static_cast<uint32_t>(m.buffers.size());
    m.buffers.push_back(Buffer::take(std::move(data)));
  }
  m.tensors.push_back(std::move(t));
  return static_cast<int32_t>(m.tensors.size() - 1);
}

inline void add_op(Model& m, Op op, std::vector<int32_t> in, std::vector<int32_t> out,
                   Options options = {}, int32_t version = 1) {
  m.operators.push_back(Operator{static_cast<int32_t>(op), version, std::move(in), std::move(out),
                                 std::move(options)});
}

inline Model empty_model() {
  Model m;
  m.buffers.emplace_back();  // the sentinel
  return m;
}

// One of every op and options type litequant knows, per-channel int8 weights, int32
// bias, float16 and int4 constants, FULLY_CONNECTED without bias (-1), DEPTHWISE without
// bias (2 inputs), two versions of one op,
// an op litequant does not know (GELU, code 150 > 127) and an empty buffer that is not
// the sentinel. Shapes are consistent, so the model also makes sense to an interpreter.
inline Model every_op_model() {
  Model m = empty_model();
  m.description = "litequant test model";
  m.subgraph_name = "main";
  using T = TensorType;
  const int32_t in = add_tensor(m, "input", {1, 8, 8, 3}, T::kFloat32);
  m.tensors[in].buffer = static_cast<uint32_t>(m.buffers.size());
  m.buffers.emplace_back();  // an empty, non-sentinel buffer: TFLite's converter does this
  std::vector<uint8_t> w(4 * 3 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = static_cast<uint8_t>(static_cast<int>(i * 7 % 255) - 127);
  const int32_t conv_w = add_tensor(m, "conv/w", {4, 3, 3, 3}, T::kInt8, w,
                                    {{0.5f, 0.25f, 0.125f, 1e-3f}, {0, 0, 0, 0}, 0});
  const int32_t conv_b = add_tensor(m, "conv/b", {4}, T::kInt32, int32_bytes({1, -2, 3, -4}),
                                    {{0.1f, 0.2f, 0.3f, 0.4f}, {0, 0, 0, 0}, 0});
  const int32_t conv_out = add_tensor(m, "conv", {1, 4, 4, 4}, T::kFloat32);
  add_op(m, Op::kConv2D, {in, conv_w, conv_b}, {conv_out},
         Conv2DOptions{Padding::kSame, 2, 2, Activation::kRelu, 1, 1}, 3);
  const int32_t dw_w =
      add_tensor(m, "dw/w", {1, 3, 3, 8}, T::kFloat16, std::vector<uint8_t>(144, 0x3c));
  const int32_t dw_out = add_tensor(m, "dw", {1, 4, 4, 8}, T::kFloat32);
  add_op(m, Op::kDepthwiseConv2D, {conv_out, dw_w}, {dw_out},
         DepthwiseConv2DOptions{Padding::kSame, 1, 1, 2, Activation::kRelu6, 2, 2}, 2);
  const int32_t avg = add_tensor(m, "avg", {1, 2, 2, 8}, T::kFloat32);
  add_op(m, Op::kAveragePool2D, {dw_out}, {avg},
         Pool2DOptions{Padding::kValid, 2, 2, 2, 2, Activation::kNone});
  const int32_t mx = add_tensor(m, "max", {1, 1, 1, 8}, T::kFloat32);
  add_op(m, Op::kMaxPool2D, {avg}, {mx},
         Pool2DOptions{Padding::kValid, 2, 1, 2, 2, Activation::kReluN1To1});
  const int32_t shape = add_tensor(m, "shape", {2}, T::kInt32, int32_bytes({1, 8}));
  const int32_t flat = add_tensor(m, "flat", {1, 8}, T::kFloat32);
  add_op(m, Op::kReshape, {mx, shape}, {flat}, ReshapeOptions{{1, -1}});
  const int32_t fc_w =
      add_tensor(m, "fc/w", {10, 8}, T::kFloat32, float_bytes(pseudo_random(80, 1)));
  const int32_t fc_b = add_tensor(m, "fc/b", {10}, T::kFloat32, float_bytes(pseudo_random(10, 2)));
  const int32_t fc = add_tensor(m, "fc", {1, 10}, T::kFloat32);
  add_op(m, Op::kFullyConnected, {flat, fc_w, fc_b}, {fc},
         FullyConnectedOptions{Activation::kReluN1To1, true, false});
  const int32_t fc2 = add_tensor(m, "fc2", {1, 10}, T::kFloat32);
  add_op(m, Op::kFullyConnected, {flat, fc_w, -1}, {fc2}, FullyConnectedOptions{}, 6);
  const int32_t sm = add_tensor(m, "softmax", {1, 10}, T::kFloat32);
  add_op(m, Op::kSoftmax, {fc}, {sm}, SoftmaxOptions{0.5f});
  const int32_t cat = add_tensor(m, "concat", {1, 20}, T::kFloat32);
  add_op(m, Op::kConcatenation, {sm, fc2}, {cat}, ConcatenationOptions{-1, Activation::kNone});
  const int32_t add = add_tensor(m, "add", {1, 20}, T::kFloat32);
  add_op(m, Op::kAdd, {cat, cat}, {add}, ActivationOptions{Activation::kRelu});
  const int32_t mul = add_tensor(m, "mul", {1, 20}, T::kFloat32);
  add_op(m, Op::kMul, {add, cat}, {mul}, ActivationOptions{Activation::kRelu6});
  const int32_t pads = add_tensor(m, "pads", {2, 2}, T::kInt32, int32_bytes({0, 0, 1, 1}));
  const int32_t pad = add_tensor(m, "pad", {1, 22}, T::kFloat32);
  add_op(m, Op::kPad, {mul, pads}, {pad});
  const int32_t axes = add_tensor(m, "axes", {1}, T::kInt32, int32_bytes({1}));
  const int32_t mean = add_tensor(m, "mean", {1, 1}, T::kFloat32);
  add_op(m, Op::kMean, {pad, axes}, {mean}, ReducerOptions{true});
  const int32_t q = add_tensor(m, "q", {1, 1}, T::kInt8, {}, {{0.05f}, {-3}, 0});
  add_op(m, Op::kQuantize, {mean}, {q});
  const int32_t dq = add_tensor(m, "dq", {1, 1}, T::kFloat32);
  add_op(m, Op::kDequantize, {q}, {dq}, {}, 2);
  int32_t x = dq;
  for (Op op : {Op::kRelu, Op::kRelu6, Op::kLogistic, Op::kTanh}) {
    const int32_t y = add_tensor(m, op_name(static_cast<int32_t>(op)), {1, 1}, T::kFloat32);
    add_op(m, op, {x}, {y});
    x = y;
  }
  const int32_t gelu = add_tensor(m, "gelu", {1, 1}, T::kFloat32);
  m.operators.push_back(Operator{150, 1, {x}, {gelu}, {}});
  // Constants nobody uses: int4 (packed, odd count) and int16/uint8 with per-tensor zero points.
  add_tensor(m, "int4", {3, 3}, T::kInt4, std::vector<uint8_t>(5, 0x7f), {{0.5f}, {0}, 0});
  add_tensor(m, "int16", {2}, T::kInt16, std::vector<uint8_t>(4, 1), {{0.5f}, {-7}, 0});
  add_tensor(m, "uint8", {3}, T::kUInt8, std::vector<uint8_t>(3, 200), {{2.0f}, {128}, 0});
  m.inputs = {in};
  m.outputs = {gelu, sm};
  return m;
}

}  // namespace lq::tflite::test
