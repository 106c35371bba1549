// Quantized MAX_POOL_2D, AVERAGE_POOL_2D, RESHAPE, CONCATENATION, MEAN and PAD through the
// interpreter against the real TFLite runtime: randomized one-op models sweeping shapes,
// windows, strides, paddings, zero points, fused activations and axes. Every output must
// be byte-identical.
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

tflite::Quantization quant(Rng& rng, float lo, float hi, int zp_lo = -100, int zp_hi = 100) {
  return {{uniform_in(rng, lo, hi)}, {pick(rng, zp_lo, zp_hi)}, 0};
}

struct Totals {
  int64_t compared = 0, differ = 0;
  void add(const test::OracleComparison& r) { compared += r.compared, differ += r.differ; }
  void report(const char* what) const {
    std::printf("%s sweep: %lld outputs compared with real TFLite, %lld differ\n", what,
                static_cast<long long>(compared), static_cast<long long>(differ));
    EXPECT_GT(compared, 0);
    EXPECT_EQ(differ, 0);
  }
};

void pool_sweep(Op code, uint64_t seed) {
  Rng rng(seed);
  Totals t;
  for (int k = 0; k < 12; ++k) {
    const bool uint8 = k % 6 == 5;
    const TensorType type = uint8 ? TensorType::kUInt8 : TensorType::kInt8;
    const int n = pick(rng, 1, 2), h = pick(rng, 2, 9), w = pick(rng, 2, 9), c = pick(rng, 1, 6);
    const int fh = pick(rng, 1, 4), fw = pick(rng, 1, 4), sh = pick(rng, 1, 3), sw = pick(rng, 1, 3);
    const Padding padding = k % 2 ? Padding::kValid : Padding::kSame;
    if (padding == Padding::kValid && (fh > h || fw > w)) continue;
    auto out_size = [&](int in, int f, int s) { return padding == Padding::kSame ? (in + s - 1) / s : (in - f) / s + 1; };
    const auto q = uint8 ? quant(rng, 0.01f, 0.1f, 0, 255) : quant(rng, 0.01f, 0.1f);
    ModelBuilder b;
    const int x = b.tensor("x", {n, h, w, c}, type, q);
    const int y = b.tensor("y", {n, out_size(h, fh, sh), out_size(w, fw, sw), c}, type, q);
    b.op(code, uint8 ? 1 : 2, {x}, {y}, tflite::Pool2DOptions{padding, sw, sh, fw, fh, pick_activation(rng)});
    t.add(test::compare_with_oracle(tflite::op_name(static_cast<int32_t>(code)) + std::to_string(k), b.build({x}, {y})));
  }
  t.report(tflite::op_name(static_cast<int32_t>(code)).c_str());
}

TEST(Int8ShapeOracle, MaxPool2DSweep) {
  LQ_REQUIRE_ORACLE();
  pool_sweep(Op::kMaxPool2D, 41);
}

TEST(Int8ShapeOracle, AveragePool2DSweep) {
  LQ_REQUIRE_ORACLE();
  pool_sweep(Op::kAveragePool2D, 43);
}

TEST(Int8ShapeOracle, ReshapeAndPad) {
  LQ_REQUIRE_ORACLE();
  Rng rng(47);
  Totals t;
  for (int k = 0; k < 3; ++k) {  // RESHAPE: shape as input 1 and in the options
    const bool uint8 = k == 2;
    const TensorType type = uint8 ? TensorType::kUInt8 : TensorType::kInt8;
    const auto q = uint8 ? quant(rng, 0.01f, 0.1f, 0, 255) : quant(rng, 0.01f, 0.1f);
    const int a = pick(rng, 1, 4), c = pick(rng, 1, 5), d = pick(rng, 1, 5);
    ModelBuilder b;
    const int x = b.tensor("x", {a, c, d}, type, q);
    const int s = b.constant("s", {2}, TensorType::kInt32, std::vector<int32_t>{a, -1});
    const int y = b.tensor("y", {a, c * d}, type, q);
    b.op(Op::kReshape, 1, {x, s}, {y}, tflite::ReshapeOptions{{a, c * d}});
    t.add(test::compare_with_oracle("reshape" + std::to_string(k), b.build({x}, {y})));
  }
  for (int k = 0; k < 6; ++k) {  // PAD: ranks 1-4, zero points (the pad value)
    const int rank = 1 + k % 4;
    std::vector<int32_t> in_shape, out_shape, paddings;
    for (int i = 0; i < rank; ++i) {
      const int d = pick(rng, 1, 5), before = pick(rng, 0, 2), after = pick(rng, 0, 2);
      in_shape.push_back(d);
      out_shape.push_back(d + before + after);
      paddings.push_back(before);
      paddings.push_back(after);
    }
    const auto q = quant(rng, 0.01f, 0.1f, -128, 127);
    ModelBuilder b;
    const int x = b.tensor("x", in_shape, TensorType::kInt8, q);
    const int p = b.constant("p", {rank, 2}, TensorType::kInt32, paddings);
    const int y = b.tensor("y", out_shape, TensorType::kInt8, q);
    b.op(Op::kPad, 3, {x, p}, {y});
    t.add(test::compare_with_oracle("pad" + std::to_string(k), b.build({x}, {y})));
  }
  t.report("RESHAPE + PAD");
}

TEST(Int8ShapeOracle, ConcatenationSweep) {
  LQ_REQUIRE_ORACLE();
  Rng rng(53);
  Totals t;
  for (int k = 0; k < 6; ++k) {
    const int rank = 2 + k % 3, inputs = pick(rng, 2, 3);
    std::vector<int32_t> shape;
    for (int i = 0; i < rank; ++i) shape.push_back(pick(rng, 1, 4));
    const int axis = pick(rng, 0, rank - 1);
    const bool negative = k % 2 == 1;
    const auto q = quant(rng, 0.01f, 0.1f);
    ModelBuilder b;
    std::vector<int32_t> ins;
    int total = 0;
    for (int i = 0; i < inputs; ++i) {
      std::vector<int32_t> s = shape;
      s[static_cast<size_t>(axis)] = pick(rng, 1, 4);
      total += s[static_cast<size_t>(axis)];
      ins.push_back(b.tensor("x" + std::to_string(i), s, TensorType::kInt8, q));
    }
    std::vector<int32_t> out_shape = shape;
    out_shape[static_cast<size_t>(axis)] = total;
    const int y = b.tensor("y", out_shape, TensorType::kInt8, q);
    b.op(Op::kConcatenation, 2, ins, {y}, tflite::ConcatenationOptions{negative ? axis - rank : axis, Activation::kNone});
    t.add(test::compare_with_oracle("concat" + std::to_string(k), b.build(ins, {y})));
  }
  t.report("CONCATENATION");
}

// One MEAN model: input dims, axes, keep_dims; output params equal to the input's when
// same_params, else random.
test::OracleComparison mean_model(Rng& rng, const std::string& name, const std::vector<int32_t>& dims,
                                  const std::vector<int32_t>& axes, bool keep_dims, bool same_params, int seeds) {
  const auto in_q = quant(rng, 0.01f, 0.1f);
  const auto out_q = same_params ? in_q : quant(rng, 0.002f, 0.05f);
  std::vector<int32_t> out_shape;
  const int rank = static_cast<int>(dims.size());
  for (int i = 0; i < rank; ++i) {
    bool reduced = false;
    for (int a : axes) reduced = reduced || a == i || a + rank == i;
    if (!reduced) out_shape.push_back(dims[static_cast<size_t>(i)]);
    else if (keep_dims) out_shape.push_back(1);
  }
  ModelBuilder b;
  const int x = b.tensor("x", dims, TensorType::kInt8, in_q);
  const int a = b.constant("axes", {static_cast<int32_t>(axes.size())}, TensorType::kInt32, axes);
  const int y = b.tensor("y", out_shape, TensorType::kInt8, out_q);
  b.op(Op::kMean, 2, {x, a}, {y}, tflite::ReducerOptions{keep_dims});
  return test::compare_with_oracle(name, b.build({x}, {y}), seeds);
}

TEST(Int8ShapeOracle, MeanGlobalAveragePooling) {
  LQ_REQUIRE_ORACLE();
  Rng rng(59);
  Totals spatial, other;
  for (int k = 0; k < 10; ++k) {  // axes {1, 2}: keep_dims (integer path) and not (converter)
    const std::vector<int32_t> dims = {pick(rng, 1, 3), pick(rng, 1, 9), pick(rng, 1, 9), pick(rng, 4, 24)};
    const bool keep_dims = k % 2 == 0, same = k % 5 == 4;
    const std::vector<int32_t> axes = k % 3 == 2 ? std::vector<int32_t>{2, 1} : std::vector<int32_t>{1, 2};
    const auto r = mean_model(rng, "gap" + std::to_string(k), dims, axes, keep_dims, same, 6);
    (keep_dims ? spatial : other).add(r);
  }
  spatial.report("MEAN axes {1, 2} keep_dims (integer path)");
  other.report("MEAN axes {1, 2} without keep_dims");
}

TEST(Int8ShapeOracle, MeanGeneralAxes) {
  LQ_REQUIRE_ORACLE();
  Rng rng(61);
  Totals t;
  const std::vector<std::vector<int32_t>> axes_list = {{0}, {1}, {-1}, {-3, -2}, {0, 2}, {1, 1}, {2}, {0, 1, 2, 3}};
  for (size_t k = 0; k < axes_list.size(); ++k) {
    const auto& axes = axes_list[k];
    const bool four_d = axes.size() > 2 || k % 2 == 0 || axes[0] == -3;
    std::vector<int32_t> dims;
    for (int i = 0; i < (four_d ? 4 : 3); ++i) dims.push_back(pick(rng, 1, 6));
    t.add(mean_model(rng, "mean" + std::to_string(k), dims, axes, k % 3 == 0, k % 4 == 1, 3));
  }
  t.report("MEAN general axes");
}

// Without the oracle: the interpreter refuses what the kernels refuse, naming the operator.
TEST(Int8ShapeOps, InterpreterRejectsMismatchedQuantization) {
  auto expect_rejected = [](const tflite::Model& m, const std::string& needle) {
    Interpreter it = Interpreter::from_bytes(tflite::write_model(m), "test");
    try {
      it.allocate_tensors();
      ADD_FAILURE() << "accepted; expected an error containing " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 4, 4, 1}, TensorType::kInt8, {{0.5f}, {0}, 0});
    const int y = b.tensor("y", {1, 2, 2, 1}, TensorType::kInt8, {{0.25f}, {0}, 0});
    b.op(Op::kMaxPool2D, 2, {x}, {y}, tflite::Pool2DOptions{Padding::kValid, 2, 2, 2, 2, Activation::kNone});
    expect_rejected(b.build({x}, {y}), "operator 0 (MAX_POOL_2D): MAX_POOL_2D: input quantization (scale 0.5");
  }
  {
    ModelBuilder b;
    const int x0 = b.tensor("x0", {1, 2}, TensorType::kInt8, {{0.5f}, {1}, 0});
    const int x1 = b.tensor("x1", {1, 2}, TensorType::kInt8, {{0.5f}, {2}, 0});
    const int y = b.tensor("y", {1, 4}, TensorType::kInt8, {{0.5f}, {1}, 0});
    b.op(Op::kConcatenation, 2, {x0, x1}, {y}, tflite::ConcatenationOptions{1, Activation::kNone});
    expect_rejected(b.build({x0, x1}, {y}), "CONCATENATION: input 1 quantization");
  }
  {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2, 2, 1}, TensorType::kUInt8, {{0.5f}, {1}, 0});
    const int a = b.constant("a", {2}, TensorType::kInt32, std::vector<int32_t>{1, 2});
    const int y = b.tensor("y", {1, 1}, TensorType::kUInt8, {{0.5f}, {1}, 0});
    b.op(Op::kMean, 2, {x, a}, {y}, tflite::ReducerOptions{false});
    expect_rejected(b.build({x}, {y}), "MEAN supports int8 tensors only");
  }
  {
    ModelBuilder b;
    const int x = b.tensor("x", {2, 3}, TensorType::kInt8, {{0.5f}, {1}, 0});
    const int y = b.tensor("y", {6}, TensorType::kUInt8, {{0.5f}, {1}, 0});
    b.op(Op::kReshape, 1, {x}, {y}, tflite::ReshapeOptions{{6}});
    expect_rejected(b.build({x}, {y}), "output tensor 1 is uint8, expected int8");
  }
}

}  // namespace
}  // namespace lq::runtime
