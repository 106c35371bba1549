// The interpreter's thread pool: int8 models give the same output bytes for any
// num_threads (the optimized kernels split batch rows / output rows; each output byte is
// computed by one worker with exact integer math). Shapes are large enough that CONV_2D,
// DEPTHWISE_CONV_2D and FULLY_CONNECTED really are split.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "litequant/convert/converter.h"
#include "litequant/core/rng.h"
#include "litequant/nn/layers.h"
#include "litequant/nn/zoo.h"
#include "litequant/runtime/interpreter.h"

namespace lq::runtime {
namespace {
using namespace lq::layers;

std::vector<uint8_t> to_int8(const Model& m) {
  Shape shape = m.input_shape();
  shape.insert(shape.begin(), 20);
  Tensor representative(shape);
  Rng rng(5);
  for (int64_t i = 0; i < representative.size(); ++i) representative[i] = rng.uniform(0.0f, 1.0f);
  TFLiteConverter c = TFLiteConverter::from_keras_model(m);
  c.optimizations = {Optimize::kDefault};
  c.representative_dataset = {representative};
  c.inference_input_type = c.inference_output_type = tflite::TensorType::kInt8;
  return c.convert();
}

// Output bytes of `bytes` at `batch` on random int8 input.
std::vector<uint8_t> run(const std::vector<uint8_t>& bytes, int batch, int threads) {
  Interpreter it = Interpreter::from_bytes(bytes, "threads.tflite", {.num_threads = threads});
  EXPECT_EQ(it.num_threads(), threads);
  auto shape = it.get_input_details()[0].shape;
  shape[0] = batch;
  it.resize_input_tensor(0, shape);
  it.allocate_tensors();
  const int in = it.get_input_details()[0].index;
  std::vector<int8_t> x(it.tensor_bytes(in).size());
  Rng rng(9);
  for (auto& v : x) v = static_cast<int8_t>(static_cast<int>(rng.uniform(0.0f, 256.0f)) - 128);
  it.set_tensor<int8_t>(in, x);
  it.invoke();
  const auto first = it.tensor_bytes(it.get_output_details()[0].index);
  std::vector<uint8_t> out(first.begin(), first.end());
  it.set_tensor<int8_t>(in, x);
  it.invoke();  // a second invoke reuses every scratch buffer
  const auto second = it.tensor_bytes(it.get_output_details()[0].index);
  EXPECT_TRUE(std::equal(second.begin(), second.end(), out.begin(), out.end()));
  return out;
}

Model depthwise_model() {
  auto in = Input({40, 40, 8}, "image");
  auto c = Conv2D(32, {3, 3}, {.padding = "same", .activation = "relu"})(in);
  auto dw = DepthwiseConv2D({3, 3}, {.padding = "same", .depth_multiplier = 2, .activation = "relu6"})(c);
  auto dense = Dense(64, "relu")(Flatten()(MaxPooling2D({4, 4})(dw)));
  Model m({in}, {Dense(10)(dense)}, "depthwise");
  m.initialize(4);
  return m;
}

TEST(InterpreterThreads, Int8BytesIndependentOfThreadCount) {
  Model convnet = zoo::convnet();
  convnet.initialize(2);
  for (const auto& [name, bytes, batch] :
       {std::tuple{"convnet", to_int8(convnet), 3}, {"depthwise", to_int8(depthwise_model()), 4}}) {
    SCOPED_TRACE(name);
    const std::vector<uint8_t> one = run(bytes, batch, 1);
    ASSERT_FALSE(one.empty());
    EXPECT_EQ(run(bytes, batch, 2), one);
    EXPECT_EQ(run(bytes, batch, 3), one);
    EXPECT_EQ(run(bytes, 1, 2), run(bytes, 1, 1));  // batch 1: output rows split
  }
}

}  // namespace
}  // namespace lq::runtime
