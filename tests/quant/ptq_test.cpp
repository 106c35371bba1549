// Post-training quantization passes: parameters, weights, float16, calibration, the
// int8 graph rewrite, and the converter's mode rules and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "common/op_oracle.h"
#include "kernels/test_util.h"
#include "litequant/convert/converter.h"
#include "litequant/nn/zoo.h"
#include "litequant/quant/ptq.h"
#include "quant/model_edit.h"
#include "quant/weights.h"

namespace lq::quant {
namespace {
using tflite::Op;
using tflite::TensorType;

using kernels::test::expect_error;

TEST(AsymmetricInt8, TfliteParameters) {
  auto q = asymmetric_int8(0.0f, 1.0f);
  EXPECT_FLOAT_EQ(q.scale[0], 1.0f / 255.0f);
  EXPECT_EQ(q.zero_point[0], -128);
  q = asymmetric_int8(-1.0f, 1.0f);  // -128 + 127.5 = -0.5 rounds away from zero
  EXPECT_FLOAT_EQ(q.scale[0], 2.0f / 255.0f);
  EXPECT_EQ(q.zero_point[0], -1);
  q = asymmetric_int8(2.0f, 5.0f);  // widened to include 0
  EXPECT_FLOAT_EQ(q.scale[0], 5.0f / 255.0f);
  EXPECT_EQ(q.zero_point[0], -128);
  q = asymmetric_int8(-3.0f, -1.0f);
  EXPECT_FLOAT_EQ(q.scale[0], 3.0f / 255.0f);
  EXPECT_EQ(q.zero_point[0], 127);
  q = asymmetric_int8(0.0f, 0.0f);  // zero width: no division by zero, no NaN
  EXPECT_FLOAT_EQ(q.scale[0], 1.0f / 255.0f);
  EXPECT_EQ(q.zero_point[0], -128);
  q = asymmetric_int8(-1e-12f, 1e-12f);
  EXPECT_TRUE(std::isfinite(q.scale[0]) && q.scale[0] > 0);
}

TEST(SymmetricWeights, PerChannelAndPerTensor) {
  const std::vector<float> w{0.5f, -1.0f, 0.25f, 0.0f, 0.0f, 0.0f};
  auto q = detail::quantize_symmetric(w, {3, 2}, 0);
  ASSERT_EQ(q.scales.size(), 3u);
  EXPECT_FLOAT_EQ(q.scales[0], 1.0f / 127.0f);
  EXPECT_FLOAT_EQ(q.scales[1], 0.25f / 127.0f);
  EXPECT_FLOAT_EQ(q.scales[2], 1.0f);  // all-zero channel
  EXPECT_EQ(q.values, (std::vector<int8_t>{64, -127, 127, 0, 0, 0}));  // 63.5 -> 64
  q = detail::quantize_symmetric(w, {3, 2}, -1);
  ASSERT_EQ(q.scales.size(), 1u);
  EXPECT_EQ(q.values, (std::vector<int8_t>{64, -127, 32, 0, 0, 0}));
  q = detail::quantize_symmetric(w, {1, 3, 2}, 2);  // channel-last (depthwise layout)
  EXPECT_FLOAT_EQ(q.scales[0], 0.5f / 127.0f);
  EXPECT_FLOAT_EQ(q.scales[1], 1.0f / 127.0f);
  EXPECT_EQ(q.values, (std::vector<int8_t>{127, -127, 64, 0, 0, 0}));
  q = detail::quantize_symmetric(w, {3, 2}, -1, 4);  // 4-bit grid [-7, 7], scale float(1/7)
  // 0.5 / float(1/7) is 3.4999998 in float (-> 3); 0.25 / float(1/7) = 1.75 -> 2.
  EXPECT_EQ(q.values, (std::vector<int8_t>{3, -7, 2, 0, 0, 0}));
  expect_error([&] { detail::quantize_symmetric(w, {3, 2}, 0, 9); }, "[2, 8]");
  expect_error([&] { detail::quantize_symmetric({NAN}, {1}, -1); }, "not finite");
}

TEST(Bias, Int32WithInputTimesWeightScale) {
  EXPECT_EQ(detail::quantize_bias({1.0f, -0.0101f}, 0.5f, {0.01f, 0.001f}), (std::vector<int32_t>{200, -20}));
  EXPECT_EQ(detail::quantize_bias({1e30f}, 1e-10f, {1e-10f}), (std::vector<int32_t>{std::numeric_limits<int32_t>::max()}));
}

// x [1, 2] -> FULLY_CONNECTED (w [2, 2], bias) -> y -> RELU -> z.
tflite::Model tiny_fc(std::vector<float> w = {1.0f, -2.0f, 0.5f, 0.25f}) {
  test::ModelBuilder b;
  const int x = b.tensor("x", {1, 2}, TensorType::kFloat32);
  const int wt = b.constant("fc/kernel", {2, 2}, TensorType::kFloat32, w);
  const int bt = b.constant("fc/bias", {2}, TensorType::kFloat32, std::vector<float>{0.5f, -0.5f});
  const int y = b.tensor("fc", {1, 2}, TensorType::kFloat32);
  const int z = b.tensor("relu", {1, 2}, TensorType::kFloat32);
  b.op(Op::kFullyConnected, 1, {x, wt, bt}, {y}, tflite::FullyConnectedOptions{});
  b.op(Op::kRelu, 1, {y}, {z});
  return b.build({x}, {z});
}

TEST(Calibration, MinMaxOfEveryTensor) {
  const auto m = tiny_fc();
  // y0 = x0 - 2 x1 + 0.5, y1 = 0.5 x0 + 0.25 x1 - 0.5
  const Tensor data({3, 2}, {1, 0, 0, 1, -1, 1});
  const auto r = calibrate(m, {data}, 1, 2);  // batches of 2 and 1
  ASSERT_EQ(r.size(), m.tensors.size());
  EXPECT_FLOAT_EQ(r[0].min, -1.0f);
  EXPECT_FLOAT_EQ(r[0].max, 1.0f);
  EXPECT_FLOAT_EQ(r[3].min, -2.5f);  // y0 for (-1, 1)
  EXPECT_FLOAT_EQ(r[3].max, 1.5f);
  EXPECT_FLOAT_EQ(r[4].min, 0.0f);
  EXPECT_FLOAT_EQ(r[4].max, 1.5f);
  EXPECT_FALSE(r[1].seen);  // constants are not calibrated
}

TEST(Calibration, BadRepresentativeData) {
  const auto m = tiny_fc();
  expect_error([&] { calibrate(m, {}, 1); }, "has 1 input(s), got 0");
  expect_error([&] { calibrate(m, {Tensor({0, 2})}, 1); }, "is empty");
  expect_error([&] { calibrate(m, {Tensor({4, 3})}, 1); }, "has shape [4, 3], the model takes [N, 2]");
  expect_error([&] { calibrate(m, {Tensor({2, 2}, {0, 1, NAN, 2})}, 1); }, "non-finite value (nan) at element 2");
  expect_error([&] { calibrate(m, {Tensor({1, 2}, {INFINITY, 1})}, 1); }, "non-finite");
}

TEST(Int8Pass, FullyConnectedGraph) {
  const auto m = tiny_fc();
  const auto ranges = calibrate(m, {Tensor({3, 2}, {1, 0, 0, 1, -1, 1})}, 1);
  const auto q = quantize_int8(m, ranges, {});
  // QUANTIZE, FULLY_CONNECTED, RELU, DEQUANTIZE; float I/O.
  ASSERT_EQ(q.operators.size(), 4u);
  EXPECT_EQ(q.operators[0].opcode, static_cast<int>(Op::kQuantize));
  EXPECT_EQ(q.operators[1].opcode, static_cast<int>(Op::kFullyConnected));
  EXPECT_EQ(q.operators[1].version, 4);
  EXPECT_EQ(q.operators[2].opcode, static_cast<int>(Op::kRelu));
  EXPECT_EQ(q.operators[3].opcode, static_cast<int>(Op::kDequantize));
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.inputs[0])].type, TensorType::kFloat32);
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.outputs[0])].type, TensorType::kFloat32);
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.outputs[0])].name, "relu");
  const auto& fc = q.operators[1];
  const auto& x = q.tensors[static_cast<size_t>(fc.inputs[0])];
  const auto& w = q.tensors[static_cast<size_t>(fc.inputs[1])];
  const auto& b = q.tensors[static_cast<size_t>(fc.inputs[2])];
  const auto& y = q.tensors[static_cast<size_t>(fc.outputs[0])];
  EXPECT_EQ(x.type, TensorType::kInt8);
  EXPECT_FLOAT_EQ(x.quantization.scale[0], 2.0f / 255.0f);
  EXPECT_EQ(w.type, TensorType::kInt8);
  ASSERT_EQ(w.quantization.scale.size(), 1u);  // FULLY_CONNECTED: per tensor
  EXPECT_FLOAT_EQ(w.quantization.scale[0], 2.0f / 127.0f);
  std::vector<int8_t> wq(4);
  std::memcpy(wq.data(), q.buffers[w.buffer].data().data(), 4);
  EXPECT_EQ(wq, (std::vector<int8_t>{64, -127, 32, 16}));  // 63.5 -> 64, 31.75 -> 32, 15.875 -> 16
  EXPECT_EQ(b.type, TensorType::kInt32);
  EXPECT_FLOAT_EQ(b.quantization.scale[0], x.quantization.scale[0] * w.quantization.scale[0]);
  EXPECT_EQ(y.quantization, asymmetric_int8(-2.5f, 1.5f));
  // No float weights are left: 2 constants (int8 weights, int32 bias) + sentinel.
  EXPECT_EQ(q.buffers.size(), 3u);
}

TEST(Int8Pass, IntegerOnlyIoAndFallback) {
  const auto m = tiny_fc();
  const auto ranges = calibrate(m, {Tensor({3, 2}, {1, 0, 0, 1, -1, 1})}, 1);
  Int8Options o;
  o.integer_only = true;
  o.input = IoType::kUInt8;
  o.output = IoType::kInt8;
  auto q = quantize_int8(m, ranges, o);
  const auto& in = q.tensors[static_cast<size_t>(q.inputs[0])];
  EXPECT_EQ(in.type, TensorType::kUInt8);
  EXPECT_EQ(in.quantization.zero_point[0], asymmetric_int8(-1, 1).zero_point[0] + 128);
  EXPECT_EQ(q.operators[0].opcode, static_cast<int>(Op::kQuantize));  // uint8 -> int8
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.outputs[0])].type, TensorType::kInt8);
  EXPECT_EQ(q.operators.size(), 3u);

  // RELU kept in float: DEQUANTIZE before it, output float.
  Int8Options fallback;
  fallback.float_operators = {1};
  q = quantize_int8(m, ranges, fallback);
  ASSERT_EQ(q.operators.size(), 4u);
  EXPECT_EQ(q.operators[2].opcode, static_cast<int>(Op::kDequantize));
  EXPECT_EQ(q.operators[3].opcode, static_cast<int>(Op::kRelu));
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.operators[3].outputs[0])].type, TensorType::kFloat32);
  fallback.integer_only = true;
  expect_error([&] { quantize_int8(m, ranges, fallback); }, "cannot keep operators in float");
}

TEST(Int8Pass, IntegerOnlyRejectsOpWithoutInt8KernelNamingTheLayer) {
  auto m = tiny_fc();
  m.operators[1].opcode = 47;  // EXP: no int8 kernel in litequant
  std::vector<TensorRange> ranges(m.tensors.size(), TensorRange{-1.0f, 1.0f, true});
  Int8Options o;
  o.integer_only = true;
  expect_error([&] { quantize_int8(m, ranges, o); }, "layer 'relu' (");
  expect_error([&] { quantize_int8(m, ranges, o); }, "no int8 kernel");
  // With float fallback the op stays float between DEQUANTIZE and the float output.
  const auto q = quantize_int8(m, ranges, {});
  EXPECT_EQ(q.operators.back().opcode, 47);
  EXPECT_EQ(q.operators[q.operators.size() - 2].opcode, static_cast<int>(Op::kDequantize));
}

TEST(Float16Pass, HalfConstantsAndDequantize) {
  const auto m = tiny_fc({1.0f, 65504.0f, 65520.0f, 5.9604645e-8f});
  const auto q = quantize_float16(m);
  ASSERT_EQ(q.operators.size(), 4u);
  EXPECT_EQ(q.operators[0].opcode, static_cast<int>(Op::kDequantize));
  EXPECT_EQ(q.operators[0].version, 3);
  EXPECT_EQ(q.operators[1].opcode, static_cast<int>(Op::kDequantize));
  const auto& h = q.tensors[static_cast<size_t>(q.operators[0].inputs[0])];
  EXPECT_EQ(h.type, TensorType::kFloat16);
  std::vector<uint16_t> bits(4);
  std::memcpy(bits.data(), q.buffers[h.buffer].data().data(), 8);
  // 1.0, max half, 65520 rounds (to even) to inf, smallest subnormal.
  EXPECT_EQ(bits, (std::vector<uint16_t>{0x3C00, 0x7BFF, 0x7C00, 0x0001}));
  EXPECT_EQ(q.buffers.size(), 3u);  // two float16 constants + sentinel
}

TEST(DynamicRangePass, Int8WeightsFloatBias) {
  const auto q = quantize_dynamic_range(tiny_fc());
  ASSERT_EQ(q.operators.size(), 2u);
  EXPECT_EQ(q.operators[0].version, 3);
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.operators[0].inputs[1])].type, TensorType::kInt8);
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.operators[0].inputs[2])].type, TensorType::kFloat32);
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.operators[0].inputs[0])].type, TensorType::kFloat32);
}

TEST(Compact, DropsUnusedTensorsAndBuffers) {
  auto m = tiny_fc();
  detail::add_constant(m, "unused", {1}, TensorType::kFloat32, std::vector<float>{1.0f});
  m.operators.pop_back();  // RELU gone: z unused
  m.outputs = {3};
  detail::compact(m);
  EXPECT_EQ(m.tensors.size(), 4u);
  EXPECT_EQ(m.buffers.size(), 3u);
  EXPECT_EQ(m.outputs, (std::vector<int32_t>{3}));
  tflite::validate(m, "compacted");
}

TEST(Converter, ModeRulesAndErrors) {
  Model model = zoo::mlp();
  model.initialize(1);
  auto c = TFLiteConverter::from_keras_model(model);
  EXPECT_EQ(c.mode(), "float32");
  c.optimizations = {Optimize::kDefault};
  EXPECT_EQ(c.mode(), "dynamic range");
  c.target_spec.supported_types = {TensorType::kFloat16};
  EXPECT_EQ(c.mode(), "float16");
  c.representative_dataset = {Tensor({4, 28, 28})};
  EXPECT_EQ(c.mode(), "int8");
  c.target_spec.supported_ops = {OpsSet::kBuiltinsInt8};
  EXPECT_EQ(c.mode(), "int8 only");
  c.float_layers = {"dense"};
  expect_error([&] { c.convert(); }, "float_layers needs int8 quantization with float fallback");
  c.float_layers.clear();
  c.representative_dataset = {Tensor({4, 27, 28})};
  expect_error([&] { c.convert(); }, "the model takes [N, 28, 28]");
  c.representative_dataset.clear();
  expect_error([&] { c.convert(); }, "int8-only conversion needs a representative dataset");

  auto d = TFLiteConverter::from_keras_model(model);
  d.inference_input_type = TensorType::kUInt8;
  expect_error([&] { d.convert(); }, "need int8 quantization");
  d.optimizations = {Optimize::kDefault};
  d.representative_dataset = {Tensor({4, 28, 28})};
  d.float_layers = {"nope"};
  expect_error([&] { d.convert(); }, "no operator computes layer 'nope'");
  d.inference_input_type = TensorType::kInt16;
  expect_error([&] { d.convert(); }, "inference_input_type must be float32, int8 or uint8, got int16");
}

}  // namespace
}  // namespace lq::quant
