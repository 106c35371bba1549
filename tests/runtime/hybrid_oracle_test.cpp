// Dynamic-range (hybrid) FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D through the
// interpreter against the real TFLite runtime: float input, int8 weights, float bias.
// Randomized one-op models sweep shapes, strides, paddings, dilations, per-tensor /
// per-channel weights, symmetric / asymmetric input quantization and fused activations;
// outputs must agree within 1e-5 relative. Plus the layouts TFLite 2.12 mishandles, which
// the interpreter refuses.
#include <gtest/gtest.h>

#include "common/op_oracle.h"
#include "common/sweep.h"
#include "litequant/core/error.h"
#include "litequant/core/rng.h"

namespace lq::runtime {
namespace {
using namespace lq::test;  // ModelBuilder, compare_with_oracle, the sweep helpers
using tflite::Activation;
using tflite::Op;
using tflite::Padding;
using tflite::TensorType;

constexpr double kRelTol = 1e-5;


std::vector<float> biases(Rng& rng, int n) {
  std::vector<float> b(static_cast<size_t>(n));
  for (auto& v : b) v = uniform_in(rng, -1.0f, 1.0f);
  return b;
}
// n scales (distinct with overwhelming probability), zero points 0, along `dim`.
tflite::Quantization weight_quant(Rng& rng, int n, int dim) {
  tflite::Quantization q;
  for (int c = 0; c < n; ++c) q.scale.push_back(uniform_in(rng, 0.002f, 0.02f));
  q.zero_point.assign(static_cast<size_t>(n), 0);
  q.quantized_dimension = dim;
  return q;
}

struct Totals {
  int64_t compared = 0, differ = 0;
  double max_abs = 0.0;
  void add(const test::OracleComparison& r) {
    compared += r.compared, differ += r.differ;
    max_abs = std::max(max_abs, r.max_abs_diff);
  }
  void report(const char* what) const {
    std::printf("%s sweep: %lld float outputs compared with real TFLite, %lld differ beyond 1e-5 relative (max |diff| %g)\n",
                what, static_cast<long long>(compared), static_cast<long long>(differ), max_abs);
    EXPECT_GT(compared, 0);
    EXPECT_EQ(differ, 0);
  }
};

TEST(HybridOracle, FullyConnectedSweep) {
  LQ_REQUIRE_ORACLE();
  Rng rng(71);
  Totals t;
  for (int k = 0; k < 12; ++k) {
    const int batch = pick(rng, 1, 4), depth = pick(rng, 1, 80), units = pick(rng, 1, 20);
    const bool asymmetric = k % 2 == 1, three_d = k % 5 == 3, with_bias = k % 4 != 2;
    ModelBuilder b;
    const std::vector<int32_t> in_shape = three_d ? std::vector<int32_t>{batch, 2, depth} : std::vector<int32_t>{batch, depth};
    const int rows = three_d ? batch * 2 : batch;
    const int x = b.tensor("x", in_shape, TensorType::kFloat32);
    const int w = b.constant("w", {units, depth}, TensorType::kInt8, random_weights(rng, static_cast<size_t>(units * depth)),
                             weight_quant(rng, 1, 0));
    const int bias = with_bias ? b.constant("b", {units}, TensorType::kFloat32, biases(rng, units)) : -1;
    const int y = b.tensor("y", {rows, units}, TensorType::kFloat32);
    tflite::FullyConnectedOptions o;
    o.activation = pick_activation(rng);
    o.asymmetric_quantize_inputs = asymmetric;
    b.op(Op::kFullyConnected, asymmetric ? 9 : 3, {x, w, bias}, {y}, o);
    t.add(test::compare_with_oracle("hfc" + std::to_string(k), b.build({x}, {y}), 3, kRelTol));
  }
  t.report("hybrid FULLY_CONNECTED");
}

void conv_sweep(bool depthwise, uint64_t seed) {
  Rng rng(seed);
  Totals tensor_totals, channel_totals;
  for (int k = 0; k < 12; ++k) {
    const int n = pick(rng, 1, 3), h = pick(rng, 3, 9), wd = pick(rng, 3, 9), c = pick(rng, 1, 5);
    const int mult = depthwise ? pick(rng, 1, 3) : 1, oc = depthwise ? c * mult : pick(rng, 2, 8);
    const int kh = pick(rng, 1, 3), kw = pick(rng, 1, 3), sh = pick(rng, 1, 2), sw = pick(rng, 1, 2);
    const int dh = k % 4 == 3 ? 2 : 1, dw = k % 5 == 4 ? 2 : 1;
    const Padding padding = k % 2 ? Padding::kValid : Padding::kSame;
    // DEPTHWISE needs one scale per channel (TFLite); CONV_2D alternates.
    const bool per_channel = depthwise || k % 3 != 0;
    if (padding == Padding::kValid && ((kh - 1) * dh + 1 > h || (kw - 1) * dw + 1 > wd)) continue;
    ModelBuilder b;
    const int x = b.tensor("x", {n, h, wd, c}, TensorType::kFloat32);
    const std::vector<int32_t> wshape = depthwise ? std::vector<int32_t>{1, kh, kw, oc} : std::vector<int32_t>{oc, kh, kw, c};
    const int w = b.constant("w", wshape, TensorType::kInt8, random_weights(rng, static_cast<size_t>(kh * kw * oc * (depthwise ? 1 : c))),
                             weight_quant(rng, per_channel ? oc : 1, depthwise ? 3 : 0));
    // TFLite's CONV_2D requires a bias; DEPTHWISE_CONV_2D runs without one.
    const int bias = depthwise && k == 5 ? -1 : b.constant("b", {oc}, TensorType::kFloat32, biases(rng, oc));
    auto out_size = [&](int in, int kk, int s, int d) {
      const int eff = (kk - 1) * d + 1;
      return padding == Padding::kSame ? (in + s - 1) / s : (in - eff) / s + 1;
    };
    const int y = b.tensor("y", {n, out_size(h, kh, sh, dh), out_size(wd, kw, sw, dw), oc}, TensorType::kFloat32);
    const Activation a = pick_activation(rng);
    const std::vector<int32_t> ins = bias < 0 ? std::vector<int32_t>{x, w} : std::vector<int32_t>{x, w, bias};
    if (depthwise)
      b.op(Op::kDepthwiseConv2D, k % 2 ? 6 : 4, ins, {y}, tflite::DepthwiseConv2DOptions{padding, sw, sh, mult, a, dw, dh});
    else
      b.op(Op::kConv2D, per_channel ? 5 : 2, ins, {y}, tflite::Conv2DOptions{padding, sw, sh, a, dw, dh});
    const auto r = test::compare_with_oracle((depthwise ? "hdw" : "hconv") + std::to_string(k), b.build({x}, {y}), 3, kRelTol);
    (per_channel ? channel_totals : tensor_totals).add(r);
  }
  if (depthwise) {
    channel_totals.report("hybrid DEPTHWISE_CONV_2D (per-channel, asymmetric inputs)");
  } else {
    tensor_totals.report("hybrid CONV_2D per-tensor (symmetric inputs)");
    channel_totals.report("hybrid CONV_2D per-channel (asymmetric inputs)");
  }
}

TEST(HybridOracle, Conv2DSweep) {
  LQ_REQUIRE_ORACLE();
  conv_sweep(false, 73);
}
TEST(HybridOracle, DepthwiseConv2DSweep) {
  LQ_REQUIRE_ORACLE();
  conv_sweep(true, 79);
}

// Without the oracle: layouts the real runtime gets wrong (bias-only output) or rejects.
TEST(HybridOps, InterpreterRefusesWhatTfliteMishandles) {
  auto expect_rejected = [](const tflite::Model& m, const std::string& needle) {
    Interpreter it(m);
    try {
      it.allocate_tensors();
      ADD_FAILURE() << "accepted; expected an error containing " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  const std::vector<int8_t> w4 = {1, 2, 3, 4};
  {  // per-channel FULLY_CONNECTED below version 12
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2}, TensorType::kFloat32);
    const int w = b.constant("w", {2, 2}, TensorType::kInt8, w4, {{0.1f, 0.2f}, {0, 0}, 0});
    const int y = b.tensor("y", {1, 2}, TensorType::kFloat32);
    b.op(Op::kFullyConnected, 3, {x, w, -1}, {y}, tflite::FullyConnectedOptions{});
    expect_rejected(b.build({x}, {y}), "operator 0 (FULLY_CONNECTED): FULLY_CONNECTED: per-channel int8 weights");
  }
  {  // CONV_2D with equal per-channel scales
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2, 2, 1}, TensorType::kFloat32);
    const int w = b.constant("w", {2, 1, 2, 1}, TensorType::kInt8, w4, {{0.1f, 0.1f}, {0, 0}, 0});
    const int bias = b.constant("b", {2}, TensorType::kFloat32, std::vector<float>{0.5f, -0.5f});
    const int y = b.tensor("y", {1, 2, 2, 2}, TensorType::kFloat32);
    b.op(Op::kConv2D, 5, {x, w, bias}, {y}, tflite::Conv2DOptions{});
    expect_rejected(b.build({x}, {y}), "per-channel weight scales are all equal");
  }
  {  // DEPTHWISE_CONV_2D with one scale
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2, 2, 2}, TensorType::kFloat32);
    const int w = b.constant("w", {1, 1, 2, 2}, TensorType::kInt8, w4, {{0.1f}, {0}, 3});
    const int y = b.tensor("y", {1, 2, 2, 2}, TensorType::kFloat32);
    b.op(Op::kDepthwiseConv2D, 4, {x, w, -1}, {y}, tflite::DepthwiseConv2DOptions{});
    expect_rejected(b.build({x}, {y}), "needs one weight scale per output channel (2), got 1");
  }
  {  // CONV_2D without a bias (TFLite's CONV_2D Prepare: "has_bias was not true")
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2, 2, 1}, TensorType::kFloat32);
    const int w = b.constant("w", {2, 1, 2, 1}, TensorType::kInt8, w4, {{0.1f}, {0}, 0});
    const int y = b.tensor("y", {1, 2, 2, 2}, TensorType::kFloat32);
    b.op(Op::kConv2D, 2, {x, w}, {y}, tflite::Conv2DOptions{});
    expect_rejected(b.build({x}, {y}), "needs a float bias (input 2)");
  }
  {  // asymmetric int8 weights
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2}, TensorType::kFloat32);
    const int w = b.constant("w", {2, 2}, TensorType::kInt8, w4, {{0.1f}, {3}, 0});
    const int y = b.tensor("y", {1, 2}, TensorType::kFloat32);
    b.op(Op::kFullyConnected, 3, {x, w, -1}, {y}, tflite::FullyConnectedOptions{});
    expect_rejected(b.build({x}, {y}), "must be symmetric (zero point 0)");
  }
}

}  // namespace
}  // namespace lq::runtime
