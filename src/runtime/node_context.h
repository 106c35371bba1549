#pragma once
// What a prepare step sees of one operator: its tensors' types, shapes, quantization and
// constant data, with errors that name the operator. The prepare_* functions check types
// and parameters, call the kernel's prepare, set output shapes and return the eval call.
//
// Families (one file each):
//   float_ops.cpp             float32 ops (and float16 DEQUANTIZE)
//   int8_ops.cpp              dispatch of quantized ops; int8/uint8 FC, CONV_2D, DEPTHWISE
//   int8_elementwise_ops.cpp  int8 ADD, MUL, RELU, RELU6, LOGISTIC, TANH, SOFTMAX
//   quantize_ops.cpp          QUANTIZE, DEQUANTIZE of int8/uint8
//   int8_shape_ops.cpp        int8 pools, RESHAPE, CONCATENATION, MEAN, PAD
//   hybrid_ops.cpp            float input with int8 weights (dynamic range) FC, CONV_2D,
//                             DEPTHWISE_CONV_2D
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "interpreter_impl.h"
#include "litequant/kernels/common.h"

namespace lq::kernels {
struct QuantParams;
}

namespace lq::runtime {

using PreparedNode = std::function<void()>;

template <typename T>
const T& options_as(const tflite::Operator& o) {
  static const T defaults{};
  const T* p = std::get_if<T>(&o.options);
  return p ? *p : defaults;
}

inline kernels::Activation act(tflite::Activation a) { return static_cast<kernels::Activation>(a); }
inline kernels::Padding pad(tflite::Padding p) { return static_cast<kernels::Padding>(p); }

class NodeContext {
 public:
  NodeContext(Interpreter::Impl& m, size_t op)
      : m_(m), op_(m.model.operators[op]), label_(m.op_label(op)) {}
  const tflite::Operator& op() const { return op_; }
  tflite::Op code() const { return static_cast<tflite::Op>(op_.opcode); }
  std::string op_name() const { return tflite::op_name(op_.opcode); }
  size_t inputs() const { return op_.inputs.size(); }
  bool has_input(size_t i) const { return i < op_.inputs.size() && op_.inputs[i] >= 0; }
  int in(size_t i) const {
    if (!has_input(i)) fail("input " + std::to_string(i) + " is missing");
    return op_.inputs[i];
  }
  int out(size_t i = 0) const {
    if (i >= op_.outputs.size()) fail("output " + std::to_string(i) + " is missing");
    return op_.outputs[i];
  }
  const kernels::Dims& dims(int t) const { return m_.tensors[static_cast<size_t>(t)].shape; }
  tflite::TensorType type(int t) const { return m_.tensors[static_cast<size_t>(t)].type; }
  bool constant(int t) const { return m_.tensors[static_cast<size_t>(t)].constant != nullptr; }
  const tflite::Quantization& quantization(int t) const {
    return m_.model.tensors[static_cast<size_t>(t)].quantization;
  }
  void expect(int t, tflite::TensorType want, const std::string& role) const;
  void expect_constant(int t, const std::string& role) const;
  // Per-tensor scale and zero point of tensor t; fails unless it has exactly one of each
  // (a missing zero point means 0).
  kernels::QuantParams quant(int t, const std::string& role) const;
  // Scales of a constant weight tensor: 1 (per-tensor) or one per slice of
  // `channel_dim` with quantized_dimension == channel_dim; every zero point must be 0.
  std::span<const float> weight_scales(int t, int channel_dim, const std::string& role) const;
  void set_output(const kernels::Dims& d, size_t i = 0) {
    m_.tensors[static_cast<size_t>(out(i))].shape = d;
  }
  template <typename T>
  std::span<const T> constant_data(int t) const {
    const auto& r = m_.tensors[static_cast<size_t>(t)];
    return {reinterpret_cast<const T*>(r.constant), static_cast<size_t>(kernels::flat_size(r.shape))};
  }
  std::span<const int32_t> i32(int t) const { return constant_data<int32_t>(t); }
  [[noreturn]] void fail(const std::string& what) const;
  Interpreter::Impl& m() { return m_; }
  const std::string& label() const { return label_; }

 private:
  Interpreter::Impl& m_;
  const tflite::Operator& op_;
  std::string label_;
};

// Shape of the optional bias (input 2); a float bias may be computed (e.g. by a float16
// DEQUANTIZE), as in TFLite.
std::optional<kernels::Dims> bias_dims(const NodeContext& c);

PreparedNode prepare_float(NodeContext& c);
// Quantized ops, or nullopt when the op runs in float (float32 inputs, float weights).
std::optional<PreparedNode> prepare_quantized(NodeContext& c);
PreparedNode prepare_int8_weighted(NodeContext& c);
PreparedNode prepare_int8_elementwise(NodeContext& c);
PreparedNode prepare_quantize(NodeContext& c);
PreparedNode prepare_int8_shape_op(NodeContext& c);
PreparedNode prepare_hybrid(NodeContext& c);

}  // namespace lq::runtime
