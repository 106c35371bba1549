// The interpreter runs what the converter writes and computes what the training
// framework computes.
#include "litequant/runtime/interpreter.h"

#include <gtest/gtest.h>

#include <cmath>

#include "litequant/convert/converter.h"
#include "litequant/nn/layers.h"
#include "litequant/nn/zoo.h"
#include "nn/test_util.h"

namespace lq::runtime {
namespace {
using namespace lq::layers;

// Runs `bytes` on x (batch resized to x's) and returns the first output.
std::vector<float> run(const std::vector<uint8_t>& bytes, const Tensor& x, size_t* arena = nullptr) {
  Interpreter it = Interpreter::from_bytes(bytes, "converted.tflite");
  std::vector<int32_t> shape;
  for (int64_t d : x.shape()) shape.push_back(static_cast<int32_t>(d));
  it.resize_input_tensor(0, shape);
  it.allocate_tensors();
  it.set_tensor<float>(it.get_input_details()[0].index, std::span<const float>(x.data(), static_cast<size_t>(x.size())));
  it.invoke();
  if (arena) *arena = it.arena_bytes();
  auto out = it.get_tensor<float>(it.get_output_details()[0].index);
  return {out.begin(), out.end()};
}

// Max |a - b| / max(1, |b|).
double max_rel_diff(const std::vector<float>& a, const Tensor& b) {
  EXPECT_EQ(a.size(), static_cast<size_t>(b.size()));
  double worst = 0;
  for (size_t i = 0; i < a.size() && i < static_cast<size_t>(b.size()); ++i)
    worst = std::max(worst, std::abs(double(a[i]) - b[static_cast<int64_t>(i)]) / std::max(1.0, std::abs(double(b[static_cast<int64_t>(i)]))));
  return worst;
}

Model functional_model() {
  auto in = Input({12, 12, 3}, "image");
  auto c1 = Conv2D(8, {3, 3}, {.padding = "same", .name = "c1"})(in);
  auto b1 = BatchNormalization({.name = "bn1"})(c1);
  auto r1 = ReLU("r1")(b1);
  auto dw = DepthwiseConv2D({3, 3}, {.padding = "same", .depth_multiplier = 1, .activation = "relu6", .name = "dw"})(r1);
  auto sum = Add("sum")({r1, dw});
  auto c2 = Conv2D(6, {3, 3}, {.strides = {2, 2}, .padding = "valid", .name = "c2"})(sum);
  auto b2 = BatchNormalization({.name = "bn2"})(Dropout(0.3f, "drop")(c2));  // folds through Dropout
  auto pooled = AveragePooling2D({2, 2}, {.padding = "same"})(ReLU6("r2")(b2));
  auto side = MaxPooling2D({4, 4}, {.strides = {4, 4}})(in);
  auto cat = Concatenate(-1, "cat")({pooled, MaxPooling2D({1, 1})(side)});
  auto b3 = BatchNormalization({.name = "bn3"})(cat);  // after a concat: MUL + ADD
  auto gap = GlobalAveragePooling2D("gap")(b3);
  auto out = Dense(5, "softmax", {.name = "head"})(gap);
  Model m({in}, {out}, "functional");
  m.initialize(3);
  return m;
}

// Gives BatchNormalization layers non-trivial statistics.
void randomise_batch_norm(Model& m) {
  Rng rng(17);
  for (Layer* l : m.layers())
    for (Weight* w : l->weights())
      if (w->name == "moving_mean" || w->name == "beta")
        for (int64_t i = 0; i < w->value.size(); ++i) w->value[i] = rng.uniform(-0.5f, 0.5f);
      else if (w->name == "moving_variance" || w->name == "gamma")
        for (int64_t i = 0; i < w->value.size(); ++i) w->value[i] = rng.uniform(0.5f, 2.0f);
}

TEST(Interpreter, SeedModelsMatchTheTrainingFramework) {
  for (const char* name : {"cnn", "mlp"}) {
    Model m = zoo::by_name(name);
    m.initialize(9);
    const auto bytes = TFLiteConverter::from_keras_model(m).convert();
    for (int64_t batch : {1, 7}) {
      const Tensor x = test::random_tensor({batch, 28, 28}, 4, 0.0f, 1.0f);
      EXPECT_LT(max_rel_diff(run(bytes, x), m.predict(x)), 1e-5) << name << " batch " << batch;
    }
  }
}

TEST(Interpreter, FunctionalModelWithFoldedBatchNorm) {
  Model m = functional_model();
  randomise_batch_norm(m);
  const tflite::Model converted = TFLiteConverter::from_keras_model(m).convert_to_model();
  int muls = 0, relu_ops = 0;
  for (const auto& op : converted.operators) {
    muls += op.opcode == static_cast<int32_t>(tflite::Op::kMul);
    relu_ops += op.opcode == static_cast<int32_t>(tflite::Op::kRelu);
  }
  EXPECT_EQ(muls, 1);      // bn1 folded into c1, bn2 into c2; bn3 stays

  EXPECT_EQ(relu_ops, 0);  // r1 fused into c1 (after folding bn1)
  const Tensor x = test::random_tensor({3, 12, 12, 3}, 8);
  EXPECT_LT(max_rel_diff(run(tflite::write_model(converted), x), m.predict(x)), 1e-5);
}

TEST(Interpreter, ArenaReusesMemory) {
  Model m = zoo::cnn();
  size_t arena = 0;
  run(TFLiteConverter::from_keras_model(m).convert(), test::random_tensor({1, 28, 28}, 1), &arena);
  // Activations: 784 + 26*26*12 + 13*13*12 + 2028 + 10 floats, each rounded to 64 bytes.
  EXPECT_GT(arena, 26u * 26 * 12 * 4);
  EXPECT_LT(arena, (784u + 26 * 26 * 12 + 2 * 2028 + 10) * 4);
}

// As TFLite: invoke() leaves the input tensors as they were set (the arena never reuses
// their bytes), so the same input can be run again without set_tensor.
TEST(Interpreter, InvokeKeepsTheInputs) {
  for (const char* name : {"cnn", "mlp"}) {
    Model m = zoo::by_name(name);
    auto it = Interpreter::from_bytes(TFLiteConverter::from_keras_model(m).convert(), "m.tflite");
    it.resize_input_tensor(0, {4, 28, 28});
    it.allocate_tensors();
    const Tensor x = test::random_tensor({4, 28, 28}, 5, 0.0f, 1.0f);
    const int in = it.get_input_details()[0].index, out = it.get_output_details()[0].index;
    it.set_tensor<float>(in, std::span<const float>(x.data(), static_cast<size_t>(x.size())));
    it.invoke();
    const auto first = it.get_tensor<float>(out);
    const std::vector<float> y(first.begin(), first.end());
    const auto kept = it.get_tensor<float>(in);
    ASSERT_EQ(std::vector<float>(kept.begin(), kept.end()), std::vector<float>(x.data(), x.data() + x.size())) << name;
    it.invoke();
    const auto again = it.get_tensor<float>(out);
    EXPECT_EQ(std::vector<float>(again.begin(), again.end()), y) << name;
  }
}

TEST(Interpreter, TensorAccessErrors) {
  Model m = zoo::mlp();
  Interpreter it = Interpreter::from_bytes(TFLiteConverter::from_keras_model(m).convert(), "mlp.tflite");
  const int in = it.get_input_details()[0].index;
  std::vector<float> x(784);
  EXPECT_THROW(it.set_tensor<float>(in, x), Error);  // before allocate_tensors
  EXPECT_THROW(it.invoke(), Error);
  it.allocate_tensors();
  EXPECT_THROW(it.set_tensor<float>(in, std::span<const float>(x.data(), 783)), Error);
  std::vector<int8_t> q(784);
  EXPECT_THROW(it.set_tensor<int8_t>(in, q), Error);
  EXPECT_THROW(it.tensor_details(999), Error);
  EXPECT_THROW(it.resize_input_tensor(1, {1, 28, 28}), Error);
  EXPECT_THROW(it.resize_input_tensor(0, {0, 28, 28}), Error);
  it.set_tensor<float>(in, x);
  it.invoke();
  EXPECT_EQ(it.get_tensor<float>(it.get_output_details()[0].index).size(), 10u);
  EXPECT_EQ(it.get_input_details()[0].shape, (std::vector<int32_t>{1, 28, 28}));
  EXPECT_EQ(it.get_input_details()[0].name, "input_1");
}

TEST(Interpreter, HugeActivationsAreRefusedNotAllocated) {
  Model m = zoo::mlp();
  Interpreter it = Interpreter::from_bytes(TFLiteConverter::from_keras_model(m).convert(), "mlp.tflite");
  it.resize_input_tensor(0, {2000000, 28, 28});  // 6.3 GB of float input
  try {
    it.allocate_tensors();
    FAIL() << "a 6 GB arena was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("arena limit"), std::string::npos) << e.what();
  }
  it.resize_input_tensor(0, {4, 28, 28});  // and the interpreter stays usable
  it.allocate_tensors();
  it.invoke();
}

TEST(Interpreter, UnsupportedOperatorIsNamed) {
  Model m = zoo::mlp();
  tflite::Model t = TFLiteConverter::from_keras_model(m).convert_to_model();
  t.operators[1].opcode = 41;  // SUB
  t.operators[1].options = std::monostate{};
  try {
    Interpreter it(std::move(t));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("operator 1 (SUB)"), std::string::npos) << e.what();
  }
}

TEST(Interpreter, OperatorOrderIsChecked) {
  Model m = zoo::mlp();
  tflite::Model t = TFLiteConverter::from_keras_model(m).convert_to_model();
  std::swap(t.operators[1], t.operators[2]);
  Interpreter it(std::move(t));
  EXPECT_THROW(it.allocate_tensors(), Error);
}

}  // namespace
}  // namespace lq::runtime
