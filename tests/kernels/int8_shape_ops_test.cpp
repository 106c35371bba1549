// int8/uint8 RESHAPE, CONCATENATION, PAD and int8 MEAN: hand-computed values (each MEAN
// path), prepare errors.
#include <cstdint>
#include <vector>

#include "litequant/kernels/int8_shape_ops.h"
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;

TEST(ReshapeInt8, CopiesBytesAndChecksParameters) {
  const auto p = prepare_reshape_int8({2, 3}, {3, -1}, {0.1f, -4}, {0.1f, -4});
  EXPECT_EQ(p.output_dims, (Dims{3, 2}));
  const std::vector<int8_t> in = {-128, -1, 0, 1, 2, 127};
  std::vector<int8_t> out(6, 9);
  eval_reshape_int8(p, in.data(), out.data());
  EXPECT_EQ(out, in);
  eval_reshape_int8(p, out.data(), out.data());  // in place: a no-op
  EXPECT_EQ(out, in);
  EXPECT_NO_THROW(prepare_reshape_int8({4}, {2, 2}, {0.1f, 200}, {0.1f, 200}, QuantizedType::kUInt8));
  expect_error([] { prepare_reshape_int8({2, 3}, {6}, {0.1f, -4}, {0.2f, -4}); },
               "RESHAPE: input quantization (scale 0.100000001, zero point -4) must equal the output's "
               "(scale 0.200000003, zero point -4)");
  expect_error([] { prepare_reshape_int8({2, 3}, {6}, {0.1f, -4}, {0.1f, -3}); }, "RESHAPE: input quantization");
  expect_error([] { prepare_reshape_int8({2, 3}, {4}, {0.1f, 0}, {0.1f, 0}); }, "RESHAPE: new shape [4] has 4 elements");
}

TEST(ConcatenationInt8, CopiesSlabs) {
  // [2, 1] ++ [2, 2] on axis 1 (or -1).
  const std::vector<Dims> dims = {{2, 1}, {2, 2}};
  const std::vector<QuantParams> qs = {{0.5f, 1}, {0.5f, 1}};
  const auto p = prepare_concatenation_int8(dims, qs, {0.5f, 1}, -1, Activation::kNone);
  EXPECT_EQ(p.output_dims, (Dims{2, 3}));
  const std::vector<int8_t> a = {1, 2}, b = {-3, -4, -5, -6};
  const void* ins[] = {a.data(), b.data()};
  std::vector<int8_t> out(6, 0);
  eval_concatenation_int8(p, ins, out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{1, -3, -4, 2, -5, -6}));
}

TEST(ConcatenationInt8, Errors) {
  const std::vector<Dims> dims = {{1, 2}, {1, 2}};
  const std::vector<QuantParams> same = {{0.5f, 1}, {0.5f, 1}};
  const std::vector<QuantParams> other = {{0.5f, 1}, {0.25f, 1}};
  const std::vector<QuantParams> almost = {{0.5f, 1}, {0.5f * (1 + 1e-7f), 1}};
  expect_error([&] { prepare_concatenation_int8(dims, other, {0.5f, 1}, 0, Activation::kNone); },
               "CONCATENATION: input 1 quantization (scale 0.25, zero point 1) must equal the output's");
  // TFLite compares the parameters exactly: no tolerance here.
  expect_error([&] { prepare_concatenation_int8(dims, almost, {0.5f, 1}, 0, Activation::kNone); },
               "CONCATENATION: input 1 quantization");
  expect_error([&] { prepare_concatenation_int8(dims, same, {0.5f, 2}, 0, Activation::kNone); },
               "CONCATENATION: input 0 quantization");
  expect_error([&] { prepare_concatenation_int8(dims, same, {0.5f, 1}, 0, Activation::kRelu); },
               "CONCATENATION: fused activation RELU is not supported");
  expect_error([&] { prepare_concatenation_int8(dims, std::span<const QuantParams>(same).first(1), {0.5f, 1}, 0, Activation::kNone); },
               "CONCATENATION: 2 inputs but 1 quantization parameters");
  const std::vector<Dims> bad = {{1, 2}, {2, 3}};
  expect_error([&] { prepare_concatenation_int8(bad, same, {0.5f, 1}, 1, Activation::kNone); },
               "CONCATENATION: input 1 [2, 3] does not match input 0 [1, 2] outside axis 1");
}

TEST(PadInt8, PadsWithTheZeroPoint) {
  // [1, 2] padded by {0,1} rows and {1,0} columns -> [2, 3].
  const std::vector<int32_t> paddings = {0, 1, 1, 0};
  const auto p = prepare_pad_int8({1, 2}, {2, 2}, paddings, {0.1f, -7}, {0.1f, -7});
  EXPECT_EQ(p.output_dims, (Dims{2, 3}));
  const std::vector<int8_t> in = {5, -6};
  std::vector<int8_t> out(6, 0);
  eval_pad_int8(p, in.data(), out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{-7, 5, -6, -7, -7, -7}));
  // uint8, zp 200.
  const auto u = prepare_pad_int8({2}, {1, 2}, std::vector<int32_t>{1, 1}, {0.1f, 200}, {0.1f, 200},
                                  QuantizedType::kUInt8);
  const std::vector<uint8_t> uin = {1, 255};
  std::vector<uint8_t> uout(4, 0);
  eval_pad_int8(u, uin.data(), uout.data());
  EXPECT_EQ(uout, (std::vector<uint8_t>{200, 1, 255, 200}));
  expect_error([&] { prepare_pad_int8({1, 2}, {2, 2}, paddings, {0.1f, -7}, {0.1f, 0}); },
               "PAD: input quantization (scale 0.100000001, zero point -7) must equal the output's");
  expect_error([&] { prepare_pad_int8({1, 2}, {2, 2}, std::vector<int32_t>{0, -1, 0, 0}, {0.1f, 0}, {0.1f, 0}); },
               "PAD: paddings must be >= 0");
  expect_error([&] { prepare_pad_int8({1, 2}, {3, 2}, paddings, {0.1f, 0}, {0.1f, 0}); },
               "PAD: paddings must have shape [2, 2]");
}

std::vector<int8_t> run_mean(const MeanInt8Params& p, const std::vector<int8_t>& in) {
  std::vector<int8_t> out(static_cast<size_t>(p.output_size), 99);
  eval_mean_int8(p, in.data(), out.data());
  return out;
}

TEST(MeanInt8, SpatialPathIntegerRounding) {
  // [1, 2, 2, 3], axes {1, 2}, keep_dims: TFLite's optimized Mean4D.
  // n = 4, real = 0.5 / (4 * 0.5) = 0.25 (M = 2^30, shift -1); t = 3 * 0.5 / 0.5 = 3 ->
  // bias = -1 - int(3.5) = -4. Raw sums: c0 19 -> 4.75 -> 5 -> 1; c1 6 -> 1.5 -> 2 -> -2;
  // c2 -6 -> -1.5 -> -2 (double rounding: half away from zero) -> -6.
  const std::vector<int32_t> axes = {1, 2};
  const auto p = prepare_mean_int8({1, 2, 2, 3}, axes, true, {0.5f, 3}, {0.5f, -1});
  EXPECT_EQ(p.path, MeanInt8Path::kSpatial);
  EXPECT_EQ(p.output_dims, (Dims{1, 1, 1, 3}));
  const std::vector<int8_t> in = {4, 2, -1, 5, 1, -2, 5, 1, -2, 5, 2, -1};
  EXPECT_EQ(run_mean(p, in), (std::vector<int8_t>{1, -2, -6}));
}

TEST(MeanInt8, SpatialPathRoundsTheZeroPointSeparately) {
  // [1, 1, 2, 1] = {10, 3}, s_in 0.5 -> s_out 1: real = 0.5 / 2 = 0.25 (M = 2^30, shift
  // -1); sum 13 * 0.25 = 3.25 but DOUBLE rounding gives 4 (SRDHM: 6.5 -> 7, then
  // RoundingDivideByPOT: 3.5 -> 4).
  // zp_in 5: t = 2.5 -> bias -int(3.0) = -3 -> 1. zp_in -5: t = -2.5 -> bias +3 -> 7.
  const std::vector<int32_t> axes = {2, 1};
  EXPECT_EQ(run_mean(prepare_mean_int8({1, 1, 2, 1}, axes, true, {0.5f, 5}, {1.0f, 0}), {10, 3}),
            (std::vector<int8_t>{1}));
  EXPECT_EQ(run_mean(prepare_mean_int8({1, 1, 2, 1}, axes, true, {0.5f, -5}, {1.0f, 0}), {10, 3}),
            (std::vector<int8_t>{7}));
  // Clamped to [-128, 127]: s_in / s_out = 100.
  EXPECT_EQ(run_mean(prepare_mean_int8({1, 1, 2, 1}, axes, true, {1.0f, 0}, {0.01f, 0}), {10, -3}),
            (std::vector<int8_t>{127}));
}

TEST(MeanInt8, SameParamsPathTruncates) {
  // keep_dims false: not the spatial path; same params: raw sum / n, truncating.
  // c0: {4, 5, 5, 5} = 19 / 4 = 4 (4.75 truncated); c1: {-2, -1, -1, -2} = -6 / 4 = -1.
  const std::vector<int32_t> axes = {1, 2};
  const auto p = prepare_mean_int8({1, 2, 2, 2}, axes, false, {0.5f, 3}, {0.5f, 3});
  EXPECT_EQ(p.path, MeanInt8Path::kSameParams);
  EXPECT_EQ(p.output_dims, (Dims{1, 2}));
  EXPECT_EQ(run_mean(p, {4, -2, 5, -1, 5, -1, 5, -2}), (std::vector<int8_t>{4, -1}));
  // Negative axes {-3, -2} with keep_dims do not take the spatial path.
  const auto n = prepare_mean_int8({1, 2, 2, 2}, std::vector<int32_t>{-3, -2}, true, {0.5f, 3}, {0.5f, 3});
  EXPECT_EQ(n.path, MeanInt8Path::kSameParams);
  EXPECT_EQ(n.output_dims, (Dims{1, 1, 1, 2}));
}

TEST(MeanInt8, FloatRescalePathAndGeneralAxes) {
  // [2, 3] over axis 0 (columns), s_in 0.5, zp_in 1 -> s_out 0.25, zp_out -2:
  // scale 2, bias -2; col0 {3, 4} mean 3.5 -> 7 - 2 = 5 -> +(-2) = 3;
  // col1 {0, 1} mean 0.5 -> 1 - 2 = -1 -> -3; col2 {127, 127} -> 254 - 2 -> 252 - 2 = 250 -> 127.
  const std::vector<int32_t> axes = {0, 0};  // duplicates count once
  const auto p = prepare_mean_int8({2, 3}, axes, false, {0.5f, 1}, {0.25f, -2});
  EXPECT_EQ(p.path, MeanInt8Path::kFloatRescale);
  EXPECT_EQ(p.reduce_count, 2);
  EXPECT_EQ(p.output_dims, (Dims{3}));
  EXPECT_EQ(run_mean(p, {3, 0, 127, 4, 1, 127}), (std::vector<int8_t>{3, -3, 127}));
  // std::round: half away from zero. scale 0.5, bias 0: means 1, -1, 1.5 -> 0.5 -> 1,
  // -0.5 -> -1, 0.75 -> 1.
  const auto h = prepare_mean_int8({2, 3}, std::vector<int32_t>{0}, false, {0.5f, 0}, {1.0f, 0});
  EXPECT_EQ(run_mean(h, {1, -1, 3, 1, -1, 0}), (std::vector<int8_t>{1, -1, 1}));
  // Middle axis of [2, 2, 2], keep_dims: outputs [2, 1, 2].
  const auto m = prepare_mean_int8({2, 2, 2}, std::vector<int32_t>{1}, true, {0.5f, 0}, {0.5f, 0});
  EXPECT_EQ(m.output_dims, (Dims{2, 1, 2}));
  EXPECT_EQ(run_mean(m, {1, 2, 3, 4, 5, 6, 7, 8}), (std::vector<int8_t>{2, 3, 6, 7}));
}

TEST(MeanInt8, Errors) {
  expect_error([] { prepare_mean_int8({1, 2}, std::vector<int32_t>{2}, false, {0.5f, 0}, {0.5f, 0}); },
               "MEAN: axis 2 is out of range");
  expect_error([] { prepare_mean_int8({1, 2}, std::vector<int32_t>{1}, false, {0.5f, 0}, {-1.0f, 0}); },
               "MEAN: output scale must be finite and > 0");
  expect_error([] { prepare_mean_int8({1, 2}, std::vector<int32_t>{1}, false, {0.5f, 128}, {0.5f, 0}); },
               "MEAN: input zero point 128 is outside [-128, 127]");
}

}  // namespace
}  // namespace lq::kernels
