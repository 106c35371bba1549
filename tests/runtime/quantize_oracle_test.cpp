// QUANTIZE and DEQUANTIZE through the interpreter against the real TFLite runtime:
// randomized one-op models (shapes, scales, zero points, every supported type pair),
// float inputs exactly on and next to the rounding ties, non-finite inputs, and
// per-channel DEQUANTIZE of constant int8 weights.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "common/op_oracle.h"
#include "common/sweep.h"
#include "litequant/core/rng.h"

namespace lq::runtime {
namespace {
using namespace lq::test;  // ModelBuilder, compare_with_oracle, the sweep helpers
using tflite::Op;
using tflite::TensorType;


std::vector<int32_t> random_shape(Rng& rng) {
  std::vector<int32_t> shape(static_cast<size_t>(pick(rng, 1, 4)));
  for (auto& d : shape) d = pick(rng, 1, 7);
  return shape;
}

tflite::Quantization quant(float scale, int zero_point) { return {{scale}, {zero_point}, 0}; }
int zero_point_of(Rng& rng, TensorType t) { return t == TensorType::kInt8 ? pick(rng, -128, 127) : pick(rng, 0, 255); }

void report(const char* what, int64_t compared, int64_t differ) {
  std::printf("%s: %lld outputs compared, %lld differ\n", what, static_cast<long long>(compared),
              static_cast<long long>(differ));
  EXPECT_GT(compared, 0);
  EXPECT_EQ(differ, 0);
}

void quantize_from_float_sweep(TensorType out_type, uint64_t seed, const char* what) {
  Rng rng(seed);
  int64_t compared = 0, differ = 0;
  for (int k = 0; k < 12; ++k) {
    ModelBuilder b;
    const auto shape = random_shape(rng);
    // Scales from fine (most inputs saturate) to coarse (a few steps over [-1, 1)).
    const float scale = log_uniform(rng, 0.002f, 0.3f);
    const int x = b.tensor("x", shape, TensorType::kFloat32);
    const int y = b.tensor("y", shape, out_type, quant(scale, zero_point_of(rng, out_type)));
    b.op(Op::kQuantize, 1, {x}, {y});
    const auto r = test::compare_with_oracle(std::string(what) + std::to_string(k), b.build({x}, {y}));
    compared += r.compared, differ += r.differ;
  }
  report(what, compared, differ);
}

TEST(QuantizeOracle, FloatToInt8Sweep) {
  LQ_REQUIRE_ORACLE();
  quantize_from_float_sweep(TensorType::kInt8, 1, "QUANTIZE float32->int8");
}
TEST(QuantizeOracle, FloatToUInt8Sweep) {
  LQ_REQUIRE_ORACLE();
  quantize_from_float_sweep(TensorType::kUInt8, 2, "QUANTIZE float32->uint8");
}

// Inputs exactly at (k + 1/2) * scale as float, their float neighbours, and non-finite and
// huge values: this tells a float division from a double one and the tie direction.
std::vector<float> tie_inputs(float scale, size_t n) {
  std::vector<float> v = {0.0f, -0.0f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                          3.0e38f, -3.0e38f, 1.0e10f, -1.0e10f, 2147483648.0f * scale, -2147483648.0f * scale,
                          2147483520.0f * scale, -2147483520.0f * scale,
                          std::numeric_limits<float>::denorm_min()};
  for (int k = -140; v.size() < n; ++k) {
    const float tie = static_cast<float>((k + 0.5) * static_cast<double>(scale));
    for (float x : {tie, std::nextafter(tie, 1e30f), std::nextafter(tie, -1e30f)})
      if (v.size() < n) v.push_back(x);
  }
  return v;
}

void quantize_ties(TensorType out_type, const char* what) {
  int64_t compared = 0, differ = 0;
  const float scales[] = {0.5f, 0.1f, 0.3f, 0.0078125f, 0.017f, 1.0f / 3.0f, 0.007843137718737125f, 2.5f};
  int k = 0;
  for (float scale : scales) {
    const int32_t n = 840;
    ModelBuilder b;
    const int x = b.tensor("x", {1, n}, TensorType::kFloat32);
    const int zp = out_type == TensorType::kInt8 ? (k % 2 ? -3 : 0) : (k % 2 ? 128 : 0);
    const int y = b.tensor("y", {1, n}, out_type, quant(scale, zp));
    b.op(Op::kQuantize, 1, {x}, {y});
    const auto values = tie_inputs(scale, static_cast<size_t>(n));
    std::vector<uint8_t> bytes(values.size() * 4);
    std::memcpy(bytes.data(), values.data(), bytes.size());
    const auto r = test::compare_batch_with_oracle(std::string(what) + std::to_string(k++), b.build({x}, {y}), bytes, 1);
    compared += r.compared, differ += r.differ;
  }
  report(what, compared, differ);
}

TEST(QuantizeOracle, FloatToInt8Ties) {
  LQ_REQUIRE_ORACLE();
  quantize_ties(TensorType::kInt8, "QUANTIZE float32->int8 ties");
}
TEST(QuantizeOracle, FloatToUInt8Ties) {
  LQ_REQUIRE_ORACLE();
  quantize_ties(TensorType::kUInt8, "QUANTIZE float32->uint8 ties");
}

void requantize_sweep(TensorType in_type, TensorType out_type, uint64_t seed, const char* what) {
  Rng rng(seed);
  int64_t compared = 0, differ = 0;
  for (int k = 0; k < 10; ++k) {
    ModelBuilder b;
    const auto shape = random_shape(rng);
    const float s_in = log_uniform(rng, 0.005f, 0.5f);
    // Ratios below and above 1, and the classic int8 <-> uint8 re-typing (same scale,
    // zero point moved by 128).
    const float s_out = k == 0 ? s_in : s_in * log_uniform(rng, 0.1f, 10.0f);
    const int zp_in = zero_point_of(rng, in_type);
    int zp_out = zero_point_of(rng, out_type);
    if (k == 0 && in_type != out_type) zp_out = zp_in + (out_type == TensorType::kUInt8 ? 128 : -128);
    const int x = b.tensor("x", shape, in_type, quant(s_in, zp_in));
    const int y = b.tensor("y", shape, out_type, quant(s_out, zp_out));
    b.op(Op::kQuantize, 1, {x}, {y});
    const auto r = test::compare_with_oracle(std::string(what) + std::to_string(k), b.build({x}, {y}));
    compared += r.compared, differ += r.differ;
  }
  report(what, compared, differ);
}

TEST(QuantizeOracle, Int8ToInt8Sweep) {
  LQ_REQUIRE_ORACLE();
  requantize_sweep(TensorType::kInt8, TensorType::kInt8, 3, "QUANTIZE int8->int8");
}
TEST(QuantizeOracle, Int8ToUInt8Sweep) {
  LQ_REQUIRE_ORACLE();
  requantize_sweep(TensorType::kInt8, TensorType::kUInt8, 4, "QUANTIZE int8->uint8");
}
TEST(QuantizeOracle, UInt8ToInt8Sweep) {
  LQ_REQUIRE_ORACLE();
  requantize_sweep(TensorType::kUInt8, TensorType::kInt8, 5, "QUANTIZE uint8->int8");
}

// Every int8 value through scale ratios that put many results exactly on a tie (1/2,
// 1/4, 1/3, 3/2): single rounding (ties up) differs here from the runtime's double
// rounding (ties away from zero) in about a third of the outputs.
TEST(QuantizeOracle, Int8ToInt8Ties) {
  LQ_REQUIRE_ORACLE();
  int64_t compared = 0, differ = 0;
  const float pairs[][2] = {{0.3f, 0.6f}, {0.3f, 1.2f}, {0.1f, 0.3f}, {0.25f, 0.75f}, {0.3f, 0.2f}, {0.02f, 0.08f}};
  std::vector<uint8_t> all(256);
  for (int v = 0; v < 256; ++v) all[static_cast<size_t>(v)] = static_cast<uint8_t>(v);
  int k = 0;
  for (const auto& s : pairs) {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 256}, TensorType::kInt8, quant(s[0], k % 2 ? 5 : 0));
    const int y = b.tensor("y", {1, 256}, TensorType::kInt8, quant(s[1], k % 3 ? -7 : 0));
    b.op(Op::kQuantize, 1, {x}, {y});
    const auto r = test::compare_batch_with_oracle("requantize_ties" + std::to_string(k++), b.build({x}, {y}), all, 1);
    compared += r.compared, differ += r.differ;
  }
  report("QUANTIZE int8->int8 ties", compared, differ);
}

void dequantize_sweep(TensorType in_type, uint64_t seed, const char* what) {
  Rng rng(seed);
  int64_t compared = 0, differ = 0;
  for (int k = 0; k < 10; ++k) {
    ModelBuilder b;
    const auto shape = random_shape(rng);
    const int x = b.tensor("x", shape, in_type, quant(log_uniform(rng, 1e-4f, 2.0f), zero_point_of(rng, in_type)));
    const int y = b.tensor("y", shape, TensorType::kFloat32);
    b.op(Op::kDequantize, in_type == TensorType::kInt8 ? 2 : 1, {x}, {y});
    const auto r = test::compare_with_oracle(std::string(what) + std::to_string(k), b.build({x}, {y}));
    compared += r.compared, differ += r.differ;
  }
  report(what, compared, differ);
}

TEST(DequantizeOracle, Int8Sweep) {
  LQ_REQUIRE_ORACLE();
  dequantize_sweep(TensorType::kInt8, 6, "DEQUANTIZE int8");
}
TEST(DequantizeOracle, UInt8Sweep) {
  LQ_REQUIRE_ORACLE();
  dequantize_sweep(TensorType::kUInt8, 7, "DEQUANTIZE uint8");
}

// Constant int8 weights, per channel along each possible dimension, dequantized and added
// to a float input (so the model has an input).
TEST(DequantizeOracle, PerChannelConstantWeights) {
  LQ_REQUIRE_ORACLE();
  Rng rng(8);
  int64_t compared = 0, differ = 0;
  for (int k = 0; k < 8; ++k) {
    ModelBuilder b;
    std::vector<int32_t> shape(static_cast<size_t>(pick(rng, 1, 4)));
    for (auto& d : shape) d = pick(rng, 2, 6);
    const int dim = pick(rng, 0, static_cast<int>(shape.size()) - 1);
    tflite::Quantization q;
    q.quantized_dimension = dim;
    for (int c = 0; c < shape[static_cast<size_t>(dim)]; ++c) {
      q.scale.push_back(log_uniform(rng, 1e-3f, 0.1f));
      q.zero_point.push_back(k % 3 == 2 ? pick(rng, -20, 20) : 0);
    }
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    std::vector<int8_t> values(static_cast<size_t>(n));
    for (auto& v : values) v = static_cast<int8_t>(pick(rng, -128, 127));
    const int w = b.constant("w", shape, TensorType::kInt8, values, q);
    const int wf = b.tensor("w_float", shape, TensorType::kFloat32);
    const int x = b.tensor("x", shape, TensorType::kFloat32);
    const int y = b.tensor("y", shape, TensorType::kFloat32);
    b.op(Op::kDequantize, 5, {w}, {wf});
    b.op(Op::kAdd, 1, {x, wf}, {y}, tflite::ActivationOptions{});
    // Also return the dequantized weights themselves.
    const auto r = test::compare_with_oracle("dequantize_pc" + std::to_string(k), b.build({x}, {y, wf}));
    compared += r.compared, differ += r.differ;
  }
  report("DEQUANTIZE per-channel int8", compared, differ);
}

}  // namespace
}  // namespace lq::runtime
