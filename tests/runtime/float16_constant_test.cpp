// float16 models: DEQUANTIZE of a constant float16 tensor runs once, at
// allocate_tensors(), and its output is a constant from then on (interpreter_impl.h,
// "computed constants"). The outputs must be bit-identical with a float32 model whose
// weights are the same float16-rounded values, before and after a resize.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "litequant/convert/converter.h"
#include "litequant/core/rng.h"
#include "litequant/kernels/float_reference.h"
#include "litequant/nn/zoo.h"
#include "litequant/runtime/interpreter.h"

namespace lq::runtime {
namespace {

Model seed_model(const std::string& name) {
  Model m = name == "convnet" ? zoo::convnet() : zoo::by_name(name);
  m.initialize(1);
  return m;
}

std::vector<uint8_t> float16_bytes(Model& m) {
  TFLiteConverter c = TFLiteConverter::from_keras_model(m);
  c.optimizations = {Optimize::kDefault};
  c.target_spec.supported_types = {tflite::TensorType::kFloat16};
  return c.convert();
}

// The float32 model with every weight rounded to float16 and back.
std::vector<uint8_t> rounded_float32_bytes(Model& m) {
  for (Weight* w : m.trainable_weights())
    for (int64_t i = 0; i < w->value.size(); ++i)
      w->value[i] = kernels::half_to_float(kernels::float_to_half(w->value[i]));
  return TFLiteConverter::from_keras_model(m).convert();
}

std::vector<float> run(Interpreter& it, int batch, uint32_t seed) {
  auto shape = it.get_input_details()[0].shape;
  shape[0] = batch;
  it.resize_input_tensor(0, shape);
  it.allocate_tensors();
  const int in = it.get_input_details()[0].index;
  std::vector<float> x(it.tensor_bytes(in).size() / sizeof(float));
  Rng rng(seed);
  for (float& v : x) v = rng.uniform(0.0f, 1.0f);
  it.set_tensor<float>(in, x);
  it.invoke();
  it.invoke();  // a second invoke sees the same constants
  const auto out = it.get_tensor<float>(it.get_output_details()[0].index);
  return {out.begin(), out.end()};
}

void expect_bit_identical(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0);
}

TEST(Float16Constants, DequantizedOnceAndOutputsUnchanged) {
  for (const char* name : {"mlp", "cnn", "convnet"}) {
    SCOPED_TRACE(name);
    Model m = seed_model(name);
    const std::vector<uint8_t> f16 = float16_bytes(m);
    const std::vector<uint8_t> f32 = rounded_float32_bytes(m);
    Interpreter a = Interpreter::from_bytes(f16, "f16.tflite");
    Interpreter b = Interpreter::from_bytes(f32, "f32.tflite");
    for (int batch : {1, 3, 2}) {  // resize: allocate_tensors() prepares again
      SCOPED_TRACE("batch " + std::to_string(batch));
      expect_bit_identical(run(a, batch, 7u + static_cast<uint32_t>(batch)), run(b, batch, 7u + static_cast<uint32_t>(batch)));
      // The dequantized weights take no arena space: the same activations as float32.
      EXPECT_EQ(a.arena_bytes(), b.arena_bytes());
    }
    // Every DEQUANTIZE output holds half_to_float of its float16 constant.
    int dequantize_ops = 0;
    for (const tflite::Operator& op : a.model().operators) {
      if (op.opcode != static_cast<int32_t>(tflite::Op::kDequantize)) continue;
      ++dequantize_ops;
      const auto half = a.tensor_bytes(op.inputs[0]);
      const auto values = a.get_tensor<float>(op.outputs[0]);
      ASSERT_EQ(half.size() / 2, values.size());
      for (size_t i = 0; i < values.size(); ++i) {
        uint16_t h;
        std::memcpy(&h, half.data() + 2 * i, 2);
        const float want = kernels::half_to_float(h);
        ASSERT_EQ(std::memcmp(&values[i], &want, sizeof(float)), 0) << "element " << i;
      }
    }
    EXPECT_GT(dequantize_ops, 0);
  }
}

TEST(Float16Constants, ComputedOutputsAreNotSettable) {
  Model m = seed_model("mlp");
  Interpreter it = Interpreter::from_bytes(float16_bytes(m), "f16.tflite");
  it.allocate_tensors();
  for (const tflite::Operator& op : it.model().operators) {
    if (op.opcode != static_cast<int32_t>(tflite::Op::kDequantize)) continue;
    const auto values = it.get_tensor<float>(op.outputs[0]);
    std::vector<float> copy(values.begin(), values.end());
    EXPECT_THROW(it.set_tensor<float>(op.outputs[0], copy), Error);
  }
}

}  // namespace
}  // namespace lq::runtime
