// RESHAPE, CONCATENATION, PAD.
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;
using test::expect_exact;
using test::output_for;

TEST(Reshape, InferAndCopy) {
  ReshapeParams p = prepare_reshape({2, 3}, {3, -1});
  EXPECT_EQ(p.output_dims, (Dims{3, 2}));
  const std::vector<float> in = {1, 2, 3, 4, 5, 6};
  std::vector<float> out = output_for(p);
  eval_reshape(p, in.data(), out.data());
  expect_exact(out, in);
  eval_reshape(p, out.data(), out.data());  // in place: no-op
  expect_exact(out, in);
  EXPECT_EQ(prepare_reshape({2, 3}, {6}).output_dims, (Dims{6}));
  EXPECT_EQ(prepare_reshape({1}, {}).output_dims, (Dims{}));
  EXPECT_EQ(prepare_reshape({0, 4}, {2, 0, 3}).output_dims, (Dims{2, 0, 3}));
}

TEST(Reshape, PrepareErrors) {
  expect_error([] { prepare_reshape({2, 3}, {-1, -1}); }, "RESHAPE: new shape [-1, -1] has more than one -1");
  expect_error([] { prepare_reshape({2, 3}, {4}); },
               "RESHAPE: new shape [4] has 4 elements but input [2, 3] has 6");
  expect_error([] { prepare_reshape({2, 3}, {4, -1}); }, "cannot infer the -1 in [4, -1]");
  expect_error([] { prepare_reshape({2, 3}, {0, -1}); }, "cannot infer the -1");
  expect_error([] { prepare_reshape({2, 3}, {-2, -3}); }, "negative dimension");
}

std::vector<float> concat(const std::vector<Dims>& dims, const std::vector<std::vector<float>>& data,
                          int32_t axis, Dims expected_dims) {
  const ConcatenationParams p = prepare_concatenation(dims, axis, Activation::kNone);
  EXPECT_EQ(p.output_dims, expected_dims);
  std::vector<const float*> ptrs;
  for (const auto& d : data) ptrs.push_back(d.data());
  std::vector<float> out = output_for(p);
  eval_concatenation(p, ptrs, out.data());
  return out;
}

TEST(Concatenation, AxisMinus1And1) {
  // [2, 1] ++ [2, 2] on axis -1 -> [2, 3].
  expect_exact(concat({{2, 1}, {2, 2}}, {{1, 2}, {3, 4, 5, 6}}, -1, {2, 3}), {1, 3, 4, 2, 5, 6});
  // [2, 1, 2] ++ [2, 2, 2] on axis 1 -> [2, 3, 2].
  expect_exact(concat({{2, 1, 2}, {2, 2, 2}}, {{1, 2, 3, 4}, {5, 6, 7, 8, 9, 10, 11, 12}}, 1,
                      {2, 3, 2}),
               {1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12});
  // Three inputs on axis 0 (one empty), and a single input.
  expect_exact(concat({{1, 2}, {0, 2}, {2, 2}}, {{1, 2}, {}, {3, 4, 5, 6}}, 0, {3, 2}),
               {1, 2, 3, 4, 5, 6});
  expect_exact(concat({{3}}, {{7, 8, 9}}, -1, {3}), {7, 8, 9});
  // 4-D channel concat (the usual NHWC case): [1, 2, 1, 1] ++ [1, 2, 1, 2] axis 3.
  expect_exact(concat({{1, 2, 1, 1}, {1, 2, 1, 2}}, {{1, 2}, {3, 4, 5, 6}}, 3, {1, 2, 1, 3}),
               {1, 3, 4, 2, 5, 6});
}

TEST(Concatenation, PrepareErrors) {
  const std::vector<Dims> two = {{2, 3}, {2, 3}};
  expect_error([&] { prepare_concatenation(two, 2, Activation::kNone); },
               "CONCATENATION: axis 2 is out of range for inputs of rank 2");
  expect_error([&] { prepare_concatenation(two, -3, Activation::kNone); }, "axis -3 is out of range");
  expect_error([] { prepare_concatenation(std::vector<Dims>{{2, 3}, {3, 3}}, 1, Activation::kNone); },
               "CONCATENATION: input 1 [3, 3] does not match input 0 [2, 3] outside axis 1");
  expect_error([] { prepare_concatenation(std::vector<Dims>{{2, 3}, {2, 3, 1}}, 0, Activation::kNone); },
               "does not match");
  expect_error([&] { prepare_concatenation(two, 0, Activation::kRelu); },
               "CONCATENATION: fused activation RELU is not supported (only NONE)");
  expect_error([] { prepare_concatenation({}, 0, Activation::kNone); }, "needs at least one input");
}

std::vector<float> pad(const Dims& in_dims, const std::vector<float>& in,
                       const std::vector<int32_t>& paddings, Dims expected_dims) {
  const PadParams p =
      prepare_pad(in_dims, {static_cast<int32_t>(in_dims.size()), 2}, paddings);
  EXPECT_EQ(p.output_dims, expected_dims);
  std::vector<float> out = output_for(p);
  eval_pad(p, in.data(), out.data());
  return out;
}

TEST(Pad, TwoAndFourDims) {
  expect_exact(pad({2, 2}, {1, 2, 3, 4}, {1, 0, 0, 2}, {3, 4}),
               {0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0});
  expect_exact(pad({1, 1, 2, 1}, {5, 6}, {0, 0, 1, 1, 0, 1, 0, 0}, {1, 3, 3, 1}),
               {0, 0, 0, 5, 6, 0, 0, 0, 0});
  // Channel padding on both sides, batch 2.
  expect_exact(pad({2, 1, 1, 1}, {7, 8}, {0, 0, 0, 0, 0, 0, 1, 2}, {2, 1, 1, 4}),
               {0, 7, 0, 0, 0, 8, 0, 0});
  expect_exact(pad({2}, {1, 2}, {0, 0}, {2}), {1, 2});
  expect_exact(pad({0, 2}, {}, {1, 0, 0, 0}, {1, 2}), {0, 0});
}

TEST(Pad, PrepareErrors) {
  const std::vector<int32_t> neg = {0, -1, 0, 0};
  expect_error([&] { prepare_pad({2, 2}, {2, 2}, neg); },
               "PAD: paddings must be >= 0, got {0, -1} for dimension 0");
  const std::vector<int32_t> four = {0, 0, 0, 0};
  expect_error([&] { prepare_pad({2, 2, 2}, {2, 2}, four); },
               "PAD: paddings must have shape [3, 2] for input [2, 2, 2], got [2, 2]");
  expect_error([&] { prepare_pad({2, 2}, {2, 2}, std::span<const int32_t>(four).first(3)); },
               "paddings hold 3 values, expected 4");
  const std::vector<int32_t> huge = {0, std::numeric_limits<int32_t>::max()};
  expect_error([&] { prepare_pad({2}, {1, 2}, huge); }, "does not fit an int32 dimension");
}

}  // namespace
}  // namespace lq::kernels
