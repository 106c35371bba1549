// int8/uint8 MAX_POOL_2D and AVERAGE_POOL_2D: hand-computed values, rounding of the
// average, fused activations, prepare errors.
#include <cstdint>
#include <vector>

#include "litequant/kernels/int8_shape_ops.h"
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;

template <typename T>
std::vector<T> run_pool(const Pool2DInt8Params& p, bool max, const std::vector<T>& in) {
  std::vector<T> out(static_cast<size_t>(flat_size(p.output_dims)), T{99});
  if (max) eval_max_pool2d_int8(p, in.data(), out.data());
  else eval_average_pool2d_int8(p, in.data(), out.data());
  return out;
}

Pool2DOptions window(int32_t k, int32_t s, Padding padding, Activation a = Activation::kNone) {
  return {padding, s, s, k, k, a};
}

TEST(Pool2DInt8, MaxPoolSamePaddingIgnoresPadding) {
  // 3x3 input, 2x2 window, stride 2, SAME: out 2x2, padding after (row 3, column 3).
  // Windows: {-5,3,7,-1}=7, {-2,4}=4, {8,0}=8, {-128}=-128 (padding never counted).
  const std::vector<int8_t> in = {-5, 3, -2, 7, -1, 4, 8, 0, -128};
  const auto p = prepare_pool2d_int8({1, 3, 3, 1}, window(2, 2, Padding::kSame), {0.5f, 3},
                                     {0.5f, 3}, "MAX_POOL_2D");
  EXPECT_EQ(p.output_dims, (Dims{1, 2, 2, 1}));
  EXPECT_EQ(run_pool<int8_t>(p, true, in), (std::vector<int8_t>{7, 4, 8, -128}));
}

TEST(Pool2DInt8, AverageRoundsHalfAwayFromZero) {
  // 1x4 input, 1x2 windows stride 2 (VALID), two channels interleaved.
  // c0: (1+2)=3/2=1.5->2, (-1-2)=-3/2=-1.5->-2; c1: (0+1)=0.5->1, (-3+0)=-1.5->-2.
  const std::vector<int8_t> in = {1, 0, 2, 1, -1, -3, -2, 0};
  Pool2DOptions o{Padding::kValid, 1, 2, 1, 2, Activation::kNone};
  const auto p = prepare_pool2d_int8({1, 1, 4, 2}, o, {1.0f, 0}, {1.0f, 0}, "AVERAGE_POOL_2D");
  EXPECT_EQ(p.output_dims, (Dims{1, 1, 2, 2}));
  EXPECT_EQ(run_pool<int8_t>(p, false, in), (std::vector<int8_t>{2, 1, -2, -2}));
}

TEST(Pool2DInt8, AverageCountsOnlyInImageTaps) {
  // 2x2 input, 3x3 window stride 1 SAME: every window holds the 4 (corner) pixels... of
  // a 2x2 image: pad_before 1, so output (0,0) sees all 4 pixels {10,20,30,41} -> 101/4
  // = 25.25 -> 25; every output pixel sees the whole image here.
  const std::vector<int8_t> in = {10, 20, 30, 41};
  const auto p = prepare_pool2d_int8({1, 2, 2, 1}, window(3, 1, Padding::kSame), {1.0f, -7},
                                     {1.0f, -7}, "AVERAGE_POOL_2D");
  EXPECT_EQ(run_pool<int8_t>(p, false, in), (std::vector<int8_t>{25, 25, 25, 25}));
  // 1x3 window stride 1 SAME on [1, 1, 3, 1] = {1, 2, 4}: {1,2}=1.5->2, {1,2,4}=7/3->2,
  // {2,4}=3.
  const auto q = prepare_pool2d_int8({1, 1, 3, 1}, {Padding::kSame, 1, 1, 1, 3, Activation::kNone},
                                     {1.0f, 0}, {1.0f, 0}, "AVERAGE_POOL_2D");
  EXPECT_EQ(run_pool<int8_t>(q, false, {1, 2, 4}), (std::vector<int8_t>{2, 2, 3}));
}

TEST(Pool2DInt8, FusedActivationClampsInQuantizedDomain) {
  // scale 0.5, zp -10: RELU clamps at q(0) = -10; RELU6 at q(6) = -10 + 12 = 2.
  const std::vector<int8_t> in = {-20, -11, -10, 0, 2, 3, 100, -128};
  const auto relu = prepare_pool2d_int8({1, 1, 8, 1}, window(1, 1, Padding::kValid, Activation::kRelu),
                                        {0.5f, -10}, {0.5f, -10}, "MAX_POOL_2D");
  EXPECT_EQ(run_pool<int8_t>(relu, true, in), (std::vector<int8_t>{-10, -10, -10, 0, 2, 3, 100, -10}));
  const auto relu6 = prepare_pool2d_int8({1, 1, 8, 1}, window(1, 1, Padding::kValid, Activation::kRelu6),
                                         {0.5f, -10}, {0.5f, -10}, "AVERAGE_POOL_2D");
  EXPECT_EQ(run_pool<int8_t>(relu6, false, in), (std::vector<int8_t>{-10, -10, -10, 0, 2, 2, 2, -10}));
}

TEST(Pool2DInt8, Uint8) {
  // Two 1x2 windows: {255, 254} -> max 255, avg 254.5 -> 255; {0, 1} -> 1, 0.5 -> 1.
  const std::vector<uint8_t> in = {255, 254, 0, 1};
  const auto p = prepare_pool2d_int8({1, 1, 4, 1}, {Padding::kValid, 1, 2, 1, 2, Activation::kNone},
                                     {0.1f, 128}, {0.1f, 128}, "AVERAGE_POOL_2D", QuantizedType::kUInt8);
  EXPECT_EQ(run_pool<uint8_t>(p, true, in), (std::vector<uint8_t>{255, 1}));
  EXPECT_EQ(run_pool<uint8_t>(p, false, in), (std::vector<uint8_t>{255, 1}));
  // uint8 RELU with zp 128 clamps at 128.
  const auto r = prepare_pool2d_int8({1, 1, 4, 1}, window(1, 1, Padding::kValid, Activation::kRelu),
                                     {0.1f, 128}, {0.1f, 128}, "MAX_POOL_2D", QuantizedType::kUInt8);
  EXPECT_EQ(run_pool<uint8_t>(r, true, in), (std::vector<uint8_t>{255, 254, 128, 128}));
}

TEST(Pool2DInt8, Errors) {
  const Pool2DOptions o = window(2, 2, Padding::kValid);
  expect_error([&] { prepare_pool2d_int8({1, 4, 4, 1}, o, {0.5f, 0}, {0.25f, 0}, "MAX_POOL_2D"); },
               "MAX_POOL_2D: input quantization (scale 0.5, zero point 0) must equal the output's (scale 0.25, zero point 0)");
  expect_error([&] { prepare_pool2d_int8({1, 4, 4, 1}, o, {0.5f, 1}, {0.5f, 2}, "AVERAGE_POOL_2D"); },
               "AVERAGE_POOL_2D: input quantization");
  expect_error([&] { prepare_pool2d_int8({1, 4, 4}, o, {0.5f, 0}, {0.5f, 0}, "MAX_POOL_2D"); },
               "MAX_POOL_2D: input must have 4 dimensions");
  expect_error([&] { prepare_pool2d_int8({1, 1, 1, 1}, o, {0.5f, 0}, {0.5f, 0}, "MAX_POOL_2D"); },
               "MAX_POOL_2D");
  expect_error([&] { prepare_pool2d_int8({1, 4, 4, 1}, o, {0.0f, 0}, {0.0f, 0}, "MAX_POOL_2D"); },
               "MAX_POOL_2D: input scale must be finite and > 0");
  expect_error([&] { prepare_pool2d_int8({1, 4, 4, 1}, o, {0.5f, 200}, {0.5f, 200}, "MAX_POOL_2D"); },
               "zero point 200 is outside [-128, 127]");
  expect_error([&] {
    prepare_pool2d_int8({1, 4, 4, 1}, o, {0.5f, -1}, {0.5f, -1}, "MAX_POOL_2D", QuantizedType::kUInt8);
  }, "zero point -1 is outside [0, 255]");
  expect_error([&] {
    prepare_pool2d_int8({1, 4, 4, 1}, window(2, 2, Padding::kValid, Activation::kTanh), {0.5f, 0}, {0.5f, 0},
                        "MAX_POOL_2D");
  }, "MAX_POOL_2D");
  // A scale difference within 1e-6 relative is accepted.
  EXPECT_NO_THROW(prepare_pool2d_int8({1, 4, 4, 1}, o, {0.5f, 0}, {0.5f * (1 + 1e-7f), 0}, "MAX_POOL_2D"));
}

}  // namespace
}  // namespace lq::kernels
