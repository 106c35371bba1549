// int8 FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D through the interpreter against the
// real TFLite runtime: randomized one-op models sweeping shapes, strides, paddings,
// dilations, zero points, per-tensor / per-channel weights and fused activations.
#include <gtest/gtest.h>

#include "common/op_oracle.h"
#include "common/sweep.h"
#include "litequant/core/rng.h"

namespace lq::runtime {
namespace {
using namespace lq::test;  // ModelBuilder, compare_with_oracle, the sweep helpers
using tflite::Activation;
using tflite::Op;
using tflite::Padding;
using tflite::TensorType;



// Weight scales (1 or `channels`), the matching zero points and int32 bias of s_in * s_w.
struct WeightQuant {
  tflite::Quantization weights, bias;
  std::vector<int32_t> bias_values;
};
WeightQuant weight_quant(Rng& rng, int channels, bool per_channel, int dim, float input_scale) {
  WeightQuant q;
  const int n = per_channel ? channels : 1;
  for (int c = 0; c < n; ++c) q.weights.scale.push_back(uniform_in(rng, 0.002f, 0.02f));
  q.weights.zero_point.assign(static_cast<size_t>(n), 0);
  q.weights.quantized_dimension = dim;
  for (int c = 0; c < channels; ++c) {
    q.bias.scale.push_back(input_scale * q.weights.scale[per_channel ? static_cast<size_t>(c) : 0]);
    q.bias_values.push_back(pick(rng, -3000, 3000));
  }
  q.bias.zero_point.assign(static_cast<size_t>(channels), 0);
  return q;
}

tflite::Quantization activation_quant(Rng& rng, float lo, float hi) {
  return {{uniform_in(rng, lo, hi)}, {pick(rng, -100, 100)}, 0};
}

TEST(Int8WeightedOracle, FullyConnectedSweep) {
  LQ_REQUIRE_ORACLE();
  Rng rng(11);
  int64_t compared = 0, differ = 0;
  for (int k = 0; k < 8; ++k) {
    const int batch = pick(rng, 1, 4), depth = pick(rng, 1, 70), units = pick(rng, 1, 20);
    const bool per_channel = k % 2 == 1;
    ModelBuilder b;
    const auto in_q = activation_quant(rng, 0.01f, 0.05f);
    const auto wq = weight_quant(rng, units, per_channel, 0, in_q.scale[0]);
    const int x = b.tensor("x", {batch, depth}, TensorType::kInt8, in_q);
    const int w = b.constant("w", {units, depth}, TensorType::kInt8, random_weights(rng, static_cast<size_t>(units * depth)), wq.weights);
    const int bias = k % 3 == 2 ? -1 : b.constant("b", {units}, TensorType::kInt32, wq.bias_values, wq.bias);
    const int y = b.tensor("y", {batch, units}, TensorType::kInt8, activation_quant(rng, 0.05f, 0.3f));
    b.op(Op::kFullyConnected, bias < 0 ? 6 : 4, {x, w, bias}, {y}, tflite::FullyConnectedOptions{pick_activation(rng)});
    const auto r = test::compare_with_oracle("fc" + std::to_string(k), b.build({x}, {y}));
    compared += r.compared, differ += r.differ;
  }
  std::printf("FULLY_CONNECTED sweep: %lld int8 outputs compared, %lld differ\n", static_cast<long long>(compared),
              static_cast<long long>(differ));
  EXPECT_EQ(differ, 0);
}

void conv_sweep(bool depthwise, uint64_t seed) {
  Rng rng(seed);
  int64_t compared = 0, differ = 0;
  for (int k = 0; k < 10; ++k) {
    const int n = pick(rng, 1, 2), h = pick(rng, 3, 9), wd = pick(rng, 3, 9), c = pick(rng, 1, 5);
    const int mult = depthwise ? pick(rng, 1, 3) : 1, oc = depthwise ? c * mult : pick(rng, 1, 8);
    const int kh = pick(rng, 1, 3), kw = pick(rng, 1, 3), sh = pick(rng, 1, 2), sw = pick(rng, 1, 2);
    const int dh = k % 4 == 3 ? 2 : 1, dw = k % 5 == 4 ? 2 : 1;
    const Padding padding = k % 2 ? Padding::kValid : Padding::kSame;
    const bool per_channel = k % 3 != 0;
    if (padding == Padding::kValid && ((kh - 1) * dh + 1 > h || (kw - 1) * dw + 1 > wd)) continue;
    ModelBuilder b;
    const auto in_q = activation_quant(rng, 0.01f, 0.05f);
    const auto wq = weight_quant(rng, oc, per_channel, depthwise ? 3 : 0, in_q.scale[0]);
    const int x = b.tensor("x", {n, h, wd, c}, TensorType::kInt8, in_q);
    const std::vector<int32_t> wshape = depthwise ? std::vector<int32_t>{1, kh, kw, oc} : std::vector<int32_t>{oc, kh, kw, c};
    const int w = b.constant("w", wshape, TensorType::kInt8, random_weights(rng, static_cast<size_t>(kh * kw * oc * (depthwise ? 1 : c))), wq.weights);
    const int bias = b.constant("b", {oc}, TensorType::kInt32, wq.bias_values, wq.bias);
    auto out_size = [&](int in, int kk, int s, int d) {
      const int eff = (kk - 1) * d + 1;
      return padding == Padding::kSame ? (in + s - 1) / s : (in - eff) / s + 1;
    };
    const int y = b.tensor("y", {n, out_size(h, kh, sh, dh), out_size(wd, kw, sw, dw), oc}, TensorType::kInt8,
                           activation_quant(rng, 0.05f, 0.3f));
    const Activation a = pick_activation(rng);
    if (depthwise)
      b.op(Op::kDepthwiseConv2D, 3, {x, w, bias}, {y}, tflite::DepthwiseConv2DOptions{padding, sw, sh, mult, a, dw, dh});
    else
      b.op(Op::kConv2D, 3, {x, w, bias}, {y}, tflite::Conv2DOptions{padding, sw, sh, a, dw, dh});
    const auto r = test::compare_with_oracle((depthwise ? "dw" : "conv") + std::to_string(k), b.build({x}, {y}));
    compared += r.compared, differ += r.differ;
  }
  std::printf("%s sweep: %lld int8 outputs compared, %lld differ\n", depthwise ? "DEPTHWISE_CONV_2D" : "CONV_2D",
              static_cast<long long>(compared), static_cast<long long>(differ));
  EXPECT_GT(compared, 0);
  EXPECT_EQ(differ, 0);
}

TEST(Int8WeightedOracle, Conv2DSweep) {
  LQ_REQUIRE_ORACLE();
  conv_sweep(false, 21);
}
TEST(Int8WeightedOracle, DepthwiseConv2DSweep) {
  LQ_REQUIRE_ORACLE();
  conv_sweep(true, 31);
}

}  // namespace
}  // namespace lq::runtime
