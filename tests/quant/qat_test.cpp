// Quantization-aware training: quantize_model's structure (TFMOT's), the wrapper's forward
// against hand-built fake quantization, BatchNormalization folding, partial QAT, strip,
// .lqm round trips, export with the learned ranges, and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kernels/test_util.h"
#include "litequant/convert/converter.h"
#include "litequant/data/dataset.h"
#include "litequant/nn/fake_quant.h"
#include "litequant/nn/layers.h"
#include "litequant/nn/serialization.h"
#include "litequant/nn/zoo.h"
#include "litequant/quant/qat.h"
#include "litequant/runtime/evaluate.h"
#include "litequant/runtime/interpreter.h"

namespace lq::quant {
namespace {
using kernels::test::expect_error;
using tflite::Op;
using tflite::TensorType;

std::vector<std::string> names_and_types(const Model& m) {
  std::vector<std::string> out;
  for (Layer* l : m.layers()) out.push_back(l->name() + ":" + l->type());
  return out;
}

Tensor random_images(int64_t n, uint64_t seed, const Shape& shape = {28, 28}) {
  Tensor t(with_batch(n, shape));
  Rng rng(seed);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(0.0f, 1.0f);
  return t;
}

Weight& weight(const Model& m, const std::string& layer, const std::string& name) {
  for (Weight* w : m.get_layer(layer)->weights())
    if (w->name == name) return *w;
  throw Error("no weight " + layer + "/" + name);
}

TEST(QuantizeModel, SeedCnnHasTfmotStructureAndParameterCounts) {
  const Model m = zoo::cnn();
  const Model q = quantize_model(m);
  EXPECT_EQ(names_and_types(q),
            (std::vector<std::string>{"input_1:InputLayer", "quantize_layer:QuantizeLayer",
                                      "quant_reshape:QuantizeWrapperV2", "quant_conv2d:QuantizeWrapperV2",
                                      "quant_max_pooling2d:QuantizeWrapperV2", "quant_flatten:QuantizeWrapperV2",
                                      "quant_dense:QuantizeWrapperV2"}));
  // Seed 001's TFMOT summary: 20,410 trainable and 38 non-trainable parameters:
  // quantize_layer min/max/optimizer_step (3); quant_reshape, quant_max_pooling2d and
  // quant_flatten an optimizer_step each (3); quant_conv2d per-channel kernel min/max
  // (2 x 12), output min/max and step (27); quant_dense per-tensor kernel min/max, output
  // min/max and step (5). The same structure gives the same counts here.
  EXPECT_EQ(q.count_trainable_params(), 20410);
  EXPECT_EQ(q.count_params() - q.count_trainable_params(), 38);
  EXPECT_EQ(q.get_layer("quant_conv2d")->count_params(), 147);
  EXPECT_EQ(q.get_layer("quant_dense")->count_params(), 20295);
  std::ostringstream s;
  q.summary(s);
  // The 65-column table wraps long "name (type)" cells as Keras does.
  EXPECT_NE(s.str().find("quant_conv2d (QuantizeWrapp"), std::string::npos) << s.str();
  EXPECT_NE(s.str().find("Non-trainable params: 38"), std::string::npos) << s.str();
  // Same weights as the float model.
  EXPECT_EQ(weight(q, "quant_dense", "kernel").value.shape(), (Shape{2028, 10}));
  const Tensor& a = weight(q, "quant_conv2d", "kernel").value;
  const Tensor& b = weight(m, "conv2d", "kernel").value;
  ASSERT_EQ(a.size(), b.size());
  for (int64_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]);
}

// Dense(2, relu) on a 3-vector: the QAT output is fq_out(relu(fq_in(x) . fq_w(W) + b)).
TEST(QuantizeModel, WrapperComputesFakeQuantizedDense) {
  auto in = Input({3});
  Model m({in}, {layers::Dense(2, "relu", {.name = "dense"})(in)});
  Model q = quantize_model(m);
  Tensor& w = weight(q, "quant_dense", "kernel").value;
  const std::vector<float> wv{0.3f, -0.71f, 1.13f, 0.05f, -0.4f, 0.9f};
  std::copy(wv.begin(), wv.end(), w.data());
  weight(q, "quant_dense", "bias").value[0] = 0.1f;
  const Tensor x({2, 3}, {0.2f, 0.9f, 0.35f, 1.0f, 0.0f, 0.6f});
  q.forward(x, true);  // one training step sets the ranges from this batch
  const Tensor y = q.forward(x, false);

  const auto gin = fq::nudge(0.0f, 1.0f, 8, false, fq::Division::kDivide);  // all values in [0, 1]
  const float wmax = 1.13f;
  const auto gw = fq::nudge(-wmax, wmax, 8, true, fq::Division::kMultiply);
  std::vector<float> pre(4);
  for (int r = 0; r < 2; ++r)
    for (int u = 0; u < 2; ++u) {
      float acc = u == 0 ? 0.1f : 0.0f;
      for (int k = 0; k < 3; ++k) acc += fq::fake_quant(x[r * 3 + k], gin) * fq::fake_quant(wv[k * 2 + u], gw);
      pre[static_cast<size_t>(r * 2 + u)] = std::max(acc, 0.0f);
    }
  const float hi = *std::max_element(pre.begin(), pre.end());
  const auto gout = fq::nudge(0.0f, hi, 8, false, fq::Division::kDivide);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(y[i], fq::fake_quant(pre[static_cast<size_t>(i)], gout), 1e-6f) << i;
  EXPECT_EQ(weight(q, "quant_dense", "kernel_max").value[0], wmax);
  EXPECT_EQ(weight(q, "quant_dense", "optimizer_step").value[0], 1.0f);
}

TEST(QuantizeModel, NoFakeQuantBetweenAnOpAndItsRelu) {
  auto in = Input({8, 8, 1});
  auto c = layers::Conv2D(4, {3, 3}, {.name = "conv"})(in);
  auto r = layers::ReLU("relu")(c);
  Model m({in}, {layers::Dense(3, "", {.name = "out"})(layers::Flatten("flat")(r))});
  const Model q = quantize_model(m);
  auto* conv = dynamic_cast<QuantizeWrapper*>(q.get_layer("quant_conv"));
  auto* relu = dynamic_cast<QuantizeWrapper*>(q.get_layer("quant_relu"));
  ASSERT_TRUE(conv && relu);
  EXPECT_FALSE(conv->quantizes_output());
  EXPECT_TRUE(conv->quantizes_weights());
  EXPECT_TRUE(relu->quantizes_output());
  EXPECT_FALSE(dynamic_cast<QuantizeWrapper*>(q.get_layer("quant_flat"))->quantizes_output());
}

TEST(QuantizeModel, UnsupportedLayersAreNamed) {
  auto in = Input({4});
  Model bn({in}, {layers::BatchNormalization({.name = "lonely_bn"})(in)});
  expect_error([&] { quantize_model(bn); }, "lonely_bn");
  auto in2 = Input({4});
  Model sm({in2}, {layers::Dense(3, "softmax", {.name = "probs"})(in2)});
  expect_error([&] { quantize_model(sm); }, "activation 'softmax' cannot be fused");
  const Model q = quantize_model(zoo::mlp());
  expect_error([&] { quantize_model(q); }, "already quantization-aware");
  QuantizeConfig bad;
  bad.weight_bits = 9;
  expect_error([&] { quantize_model(zoo::mlp(), bad); }, "num_bits must be in [2, 8], got 9");
  bad = {};
  bad.activation_bits = 1;
  expect_error([&] { quantize_model(zoo::mlp(), bad); }, "num_bits must be in [2, 8], got 1");
}

TEST(QuantizeModel, StripGivesTheFloatModelWithTheTrainedWeights) {
  Model m = zoo::cnn();
  Model q = quantize_model(m);
  q.compile(Adam(), SparseCategoricalCrossentropy(true));
  const Tensor x = random_images(64, 3);
  Tensor y({64});
  for (int64_t i = 0; i < 64; ++i) y[i] = static_cast<float>(i % 10);
  q.train_on_batch(x, y);
  const Model s = strip_quantization(q);
  EXPECT_EQ(s.to_config().dump(), m.to_config().dump());
  const Tensor& trained = weight(q, "quant_conv2d", "kernel").value;
  const Tensor& stripped = weight(s, "conv2d", "kernel").value;
  for (int64_t i = 0; i < trained.size(); ++i) ASSERT_EQ(trained[i], stripped[i]);
  EXPECT_NE(trained[0], weight(m, "conv2d", "kernel").value[0]);  // training changed it
}

TEST(QuantizeModel, SavesAndLoadsWithRangesAndSteps) {
  Model q = quantize_model(zoo::mlp());
  const Tensor x = random_images(32, 5);
  q.forward(x, true);
  const Tensor before = q.predict(x);
  Model back = deserialize_model(serialize_model(q), "q.lqm");
  EXPECT_EQ(back.to_config().dump(), q.to_config().dump());
  const Tensor after = back.predict(x);
  for (int64_t i = 0; i < before.size(); ++i) ASSERT_EQ(before[i], after[i]);
  EXPECT_TRUE(is_quantization_aware(back));
}

TEST(QuantizeModel, FoldsBatchNormalizationAndExportsTheFoldedLayer) {
  auto in = Input({10, 10, 1});
  auto x = layers::Conv2D(6, {3, 3}, {.use_bias = false, .name = "conv"})(in);
  x = layers::BatchNormalization({.name = "bn"})(x);
  x = layers::ReLU("relu")(x);
  x = layers::Flatten("flat")(x);
  Model m({in}, {layers::Dense(4, "", {.name = "out"})(x)});
  m.initialize(2);
  Model q = quantize_model(m);
  auto* conv = dynamic_cast<QuantizeWrapper*>(q.get_layer("quant_conv"));
  ASSERT_TRUE(conv && conv->batch_norm());
  EXPECT_EQ(conv->batch_norm()->name(), "bn");
  q.compile(Adam(1e-2), SparseCategoricalCrossentropy(true));
  const Tensor images = random_images(128, 7, {10, 10, 1});
  Tensor labels({128});
  for (int64_t i = 0; i < 128; ++i) labels[i] = images[i * 100 + 17] > 0.5f ? 1.0f : 0.0f;
  const double first = q.train_on_batch(images, labels);
  double last = first;
  for (int step = 0; step < 30; ++step) last = q.train_on_batch(images, labels);
  EXPECT_LT(last, first);
  // BatchNormalization statistics moved and the strip restores the layer.
  const Model s = strip_quantization(q);
  EXPECT_EQ(s.get_layer("bn")->type(), "BatchNormalization");
  EXPECT_NE(weight(s, "bn", "moving_mean").value[0], 0.0f);
  // The export runs the folded conv in int8 and agrees with the simulation.
  const auto bytes = TFLiteConverter::from_keras_model(q).convert();
  auto it = runtime::Interpreter::from_bytes(bytes, "folded.tflite");
  const tflite::Model tm = TFLiteConverter::from_keras_model(q).convert_to_model();
  int convs = 0;
  for (const auto& op : tm.operators) convs += op.opcode == static_cast<int32_t>(Op::kConv2D);
  EXPECT_EQ(convs, 1);
  const Tensor sim = q.predict(images);
  it.resize_input_tensor(0, {128, 10, 10, 1});
  it.allocate_tensors();
  it.set_tensor(it.get_input_details()[0].index, std::span<const float>(images.data(), size_t(images.size())));
  it.invoke();
  const auto out = it.get_tensor<float>(it.get_output_details()[0].index);
  double max_diff = 0, range = 0;
  for (int64_t i = 0; i < sim.size(); ++i) {
    max_diff = std::max(max_diff, std::fabs(double(out[static_cast<size_t>(i)]) - sim[i]));
    range = std::max(range, std::fabs(double(sim[i])));
  }
  EXPECT_LT(max_diff, 0.03 * range) << "simulated and exported outputs differ by " << max_diff;
}

TEST(QuantizeApply, OnlyAnnotatedLayersAreQuantized) {
  auto model = Sequential({layers::InputLayer({28, 28}), layers::Reshape({28, 28, 1}),
                           quantize_annotate_layer(layers::Conv2D(4, {3, 3}, {.activation = "relu"})),
                           layers::Flatten(), layers::Dense(10)});
  EXPECT_EQ(model.get_layer("conv2d")->type(), "QuantizeAnnotate");
  EXPECT_FALSE(is_quantization_aware(model));
  Model q = quantize_apply(model);
  EXPECT_EQ(names_and_types(q),
            (std::vector<std::string>{"input_1:InputLayer", "reshape:Reshape", "quantize_layer:QuantizeLayer",
                                      "quant_conv2d:QuantizeWrapperV2", "flatten:Flatten", "dense:Dense"}));
  q.forward(random_images(16, 9), true);
  const tflite::Model tm = TFLiteConverter::from_keras_model(q).convert_to_model();
  std::vector<std::string> ops;
  for (const auto& op : tm.operators)
    ops.push_back(tflite::op_name(op.opcode) + ":" + tflite::type_name(tm.tensors[static_cast<size_t>(op.outputs[0])].type));
  EXPECT_EQ(ops, (std::vector<std::string>{"RESHAPE:float32", "QUANTIZE:int8", "CONV_2D:int8", "DEQUANTIZE:float32",
                                           "RESHAPE:float32", "FULLY_CONNECTED:float32"}));
  expect_error([&] { quantize_apply(zoo::mlp()); }, "no layer is annotated");
}

TEST(QuantizeModel, FourBitWeightsExportOnTheFourBitGrid) {
  QuantizeConfig four;
  four.weight_bits = 4;
  Model q = quantize_model(zoo::cnn(), four);
  q.forward(random_images(32, 11), true);
  const tflite::Model tm = TFLiteConverter::from_keras_model(q).convert_to_model();
  int checked = 0;
  for (const auto& op : tm.operators) {
    if (op.opcode != static_cast<int32_t>(Op::kConv2D) && op.opcode != static_cast<int32_t>(Op::kFullyConnected)) continue;
    const auto& w = tm.tensors[static_cast<size_t>(op.inputs[1])];
    ASSERT_EQ(w.type, TensorType::kInt8);
    const auto& data = tm.buffers[static_cast<size_t>(w.buffer)].data();
    int lo = 0, hi = 0;
    for (uint8_t b : data) lo = std::min(lo, int(int8_t(b))), hi = std::max(hi, int(int8_t(b)));
    EXPECT_EQ(lo, -7);
    EXPECT_EQ(hi, 7);
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(Int4, PackAndUnpackRoundTripTflitesNibbleOrder) {
  const std::vector<int8_t> v{-3, 1, 5, -8, 7};
  const auto packed = tflite::pack_int4(v);
  EXPECT_EQ(packed, (std::vector<uint8_t>{0x1D, 0x85, 0x07}));  // element 0 in the low nibble
  EXPECT_EQ(tflite::unpack_int4(packed, 5), v);
  expect_error([] { tflite::pack_int4(std::vector<int8_t>{8}); }, "not in [-8, 7]");
  expect_error([&] { tflite::unpack_int4(packed, 7); }, "fewer than 7 values");
}

TEST(QuantizeModel, PackedInt4WeightsRunLikeTheirInt8Storage) {
  QuantizeConfig four;
  four.weight_bits = 4;
  Model q = quantize_model(zoo::cnn(), four);
  const Tensor x = random_images(16, 13);
  q.forward(x, true);
  auto c = TFLiteConverter::from_keras_model(q);
  const auto int8_bytes = c.convert();
  c.pack_int4 = true;
  const tflite::Model packed = c.convert_to_model();
  const auto packed_bytes = tflite::write_model(packed);
  std::vector<std::string> kinds;
  for (const auto& op : packed.operators) {
    if (op.opcode != static_cast<int32_t>(Op::kConv2D) && op.opcode != static_cast<int32_t>(Op::kFullyConnected)) continue;
    kinds.push_back(tflite::op_name(op.opcode) + " v" + std::to_string(op.version) + " " +
                    tflite::type_name(packed.tensors[static_cast<size_t>(op.inputs[1])].type));
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"CONV_2D v7 int4", "FULLY_CONNECTED v10 int4"}));
  EXPECT_LT(packed_bytes.size(), int8_bytes.size() * 6 / 10);
  std::vector<std::vector<float>> outs;
  for (const auto* bytes : {&int8_bytes, &packed_bytes}) {
    auto it = runtime::Interpreter::from_bytes(*bytes, "m.tflite");
    it.resize_input_tensor(0, {16, 28, 28});
    it.allocate_tensors();
    it.set_tensor(it.get_input_details()[0].index, std::span<const float>(x.data(), size_t(x.size())));
    it.invoke();
    const auto o = it.get_tensor<float>(it.get_output_details()[0].index);
    outs.emplace_back(o.begin(), o.end());
  }
  EXPECT_EQ(outs[0], outs[1]);
}

// Seed 000's option 2: FakeQuantWithMinMaxArgs placed by hand in front of each Dense.
TEST(FakeQuantByHand, ConvertsToInt8WithTheGivenRangesAndStrips) {
  auto in = Input({28, 28});
  auto x = layers::Flatten()(in);
  x = layers::Dense(16, "relu")(layers::FakeQuantWithMinMaxArgs()(x));
  Model m({in}, {layers::Dense(10, "softmax")(layers::FakeQuantWithMinMaxArgs(-6.0f, 6.0f, 8, false, "fq_head")(x))});
  EXPECT_EQ(m.count_params(), 784 * 16 + 16 + 16 * 10 + 10);
  EXPECT_TRUE(is_quantization_aware(m));
  auto c = TFLiteConverter::from_keras_model(m);
  expect_error([&] { c.convert_to_model(); }, "give a representative dataset");
  c.representative_dataset = {random_images(20, 17)};
  const tflite::Model tm = c.convert_to_model();
  int fc = 0;
  for (const auto& op : tm.operators) {
    if (op.opcode != static_cast<int32_t>(Op::kFullyConnected)) continue;
    ++fc;
    const auto& q = tm.tensors[static_cast<size_t>(op.inputs[0])].quantization;
    // [-6, 6] on 8 bits: scale 12/255, zero point from min 127.5 -> 128, int8 0.
    ASSERT_EQ(q.scale.size(), 1u);
    EXPECT_FLOAT_EQ(q.scale[0], 12.0f / 255.0f);
    EXPECT_EQ(q.zero_point[0], 0);
    EXPECT_EQ(tm.tensors[static_cast<size_t>(op.outputs[0])].type, TensorType::kInt8);
  }
  EXPECT_EQ(fc, 2);
  const Model s = strip_quantization(m);
  EXPECT_EQ(names_and_types(s), (std::vector<std::string>{"input_1:InputLayer", "flatten:Flatten", "dense:Dense",
                                                          "dense_1:Dense"}));
  EXPECT_FALSE(is_quantization_aware(s));
}

}  // namespace
}  // namespace lq::quant
