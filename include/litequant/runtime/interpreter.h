#pragma once
// Runs .tflite models, mirroring tf.lite.Interpreter:
//
//   lq::runtime::Interpreter it = lq::runtime::Interpreter::from_file("model.tflite");
//   it.allocate_tensors();
//   auto in = it.get_input_details()[0];
//   it.set_tensor(in.index, std::span<const float>(image, 784));
//   it.invoke();
//   std::span<const float> scores = it.get_tensor<float>(it.get_output_details()[0].index);
//
// Lifecycle: construction validates the model and rejects unsupported operators by name
// and index; allocate_tensors() computes every shape, prepares every kernel (all shape
// and parameter work) and places the activations in one arena by lifetime; invoke() only
// runs kernels. resize_input_tensor() changes an input's shape (e.g. the batch) and
// requires allocate_tensors() again. Constant tensors are used in place, never copied.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "litequant/core/error.h"
#include "litequant/tflite/model.h"

namespace lq::runtime {

struct TensorDetails {
  std::string name;
  int index = 0;
  std::vector<int32_t> shape;
  tflite::TensorType dtype = tflite::TensorType::kFloat32;
  tflite::Quantization quantization;  // scale / zero_point / quantized_dimension
};

struct InterpreterOptions {
  int num_threads = 1;
  // allocate_tensors() refuses plans above this (a hostile or absurd file must not make
  // the process allocate without bound).
  size_t max_arena_bytes = size_t{1} << 30;
};

class Interpreter {
 public:
  explicit Interpreter(tflite::Model model, InterpreterOptions options = {});
  static Interpreter from_file(const std::string& path, InterpreterOptions options = {});
  static Interpreter from_bytes(std::vector<uint8_t> bytes, const std::string& name,
                                InterpreterOptions options = {});
  Interpreter(Interpreter&&) noexcept;
  Interpreter& operator=(Interpreter&&) noexcept;
  ~Interpreter();

  void allocate_tensors();
  void resize_input_tensor(size_t input, const std::vector<int32_t>& shape);
  std::vector<TensorDetails> get_input_details() const;
  std::vector<TensorDetails> get_output_details() const;
  TensorDetails tensor_details(int tensor_index) const;

  // Copies `bytes` into a non-constant tensor; the dtype and byte count must match.
  void set_tensor(int tensor_index, const void* data, size_t bytes, tflite::TensorType dtype);
  template <typename T>
  void set_tensor(int tensor_index, std::span<const T> values) {
    set_tensor(tensor_index, values.data(), values.size_bytes(), dtype_of<T>());
  }
  // The tensor's bytes (valid until the next allocate_tensors()).
  std::span<const uint8_t> tensor_bytes(int tensor_index) const;
  template <typename T>
  std::span<const T> get_tensor(int tensor_index) const {
    check_dtype(tensor_index, dtype_of<T>());
    auto b = tensor_bytes(tensor_index);
    return {reinterpret_cast<const T*>(b.data()), b.size() / sizeof(T)};
  }

  void invoke();

  size_t arena_bytes() const;
  int num_threads() const;
  const tflite::Model& model() const;

  template <typename T>
  static tflite::TensorType dtype_of();

  struct Impl;  // src/runtime/interpreter_impl.h

 private:
  void check_dtype(int tensor_index, tflite::TensorType dtype) const;
  std::unique_ptr<Impl> impl_;
};

template <> inline tflite::TensorType Interpreter::dtype_of<float>() { return tflite::TensorType::kFloat32; }
template <> inline tflite::TensorType Interpreter::dtype_of<int8_t>() { return tflite::TensorType::kInt8; }
template <> inline tflite::TensorType Interpreter::dtype_of<uint8_t>() { return tflite::TensorType::kUInt8; }
template <> inline tflite::TensorType Interpreter::dtype_of<int16_t>() { return tflite::TensorType::kInt16; }
template <> inline tflite::TensorType Interpreter::dtype_of<int32_t>() { return tflite::TensorType::kInt32; }

}  // namespace lq::runtime
