// TFLite's padding rule, fused activation ranges, element counts.
#include <limits>

#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;

struct PaddingCase {
  Padding padding;
  int32_t in, filter, stride, dilation;
  int32_t out, before, after;
};

TEST(KernelCommon, PaddingRuleTable) {
  const PaddingCase cases[] = {
      {Padding::kSame, 3, 2, 1, 1, 3, 0, 1},   // odd total: extra pad goes after
      {Padding::kSame, 5, 3, 2, 1, 3, 1, 1},
      {Padding::kSame, 4, 3, 2, 1, 2, 0, 1},
      {Padding::kSame, 6, 1, 3, 1, 2, 0, 0},   // negative total clamps to 0
      {Padding::kSame, 5, 3, 1, 2, 5, 2, 2},   // dilated: eff 5
      {Padding::kSame, 7, 4, 2, 1, 4, 1, 2},
      {Padding::kSame, 1, 5, 1, 1, 1, 2, 2},
      {Padding::kValid, 5, 3, 2, 1, 2, 0, 0},
      {Padding::kValid, 5, 2, 1, 2, 3, 0, 0},  // eff 3
      {Padding::kValid, 6, 3, 2, 1, 2, 0, 0},
      {Padding::kValid, 3, 3, 1, 1, 1, 0, 0},
      {Padding::kValid, 7, 3, 3, 1, 2, 0, 0},
  };
  for (const PaddingCase& c : cases) {
    const PaddedSize r = compute_padded_size(c.padding, c.in, c.filter, c.stride, c.dilation, "t");
    EXPECT_EQ(r.out, c.out) << c.in << " " << c.filter << " " << c.stride << " " << c.dilation;
    EXPECT_EQ(r.pad_before, c.before) << c.in << " " << c.filter << " " << c.stride;
    EXPECT_EQ(r.pad_after, c.after) << c.in << " " << c.filter << " " << c.stride;
  }
}

TEST(KernelCommon, PaddingRuleErrors) {
  expect_error([] { compute_padded_size(Padding::kValid, 3, 4, 1, 1, "X height"); },
               "X height: VALID padding needs the filter (4 with dilation) to fit in the input (3)");
  expect_error([] { compute_padded_size(Padding::kValid, 3, 2, 1, 3, "X"); }, "filter (4 with");
  expect_error([] { compute_padded_size(Padding::kSame, 3, 2, 0, 1, "X"); }, "stride must be >= 1");
  expect_error([] { compute_padded_size(Padding::kSame, 3, 2, -2, 1, "X"); }, "stride must be >= 1");
  expect_error([] { compute_padded_size(Padding::kSame, 3, 2, 1, 0, "X"); }, "dilation must be >= 1");
  expect_error([] { compute_padded_size(Padding::kSame, 3, 0, 1, 1, "X"); }, "filter size must be >= 1");
  expect_error([] { compute_padded_size(Padding::kSame, 0, 1, 1, 1, "X"); }, "input size must be >= 1");
  expect_error([] { compute_padded_size(static_cast<Padding>(7), 3, 1, 1, 1, "X"); }, "unknown padding");
  // Huge but valid values do not overflow.
  const int32_t big = std::numeric_limits<int32_t>::max();
  PaddedSize r = compute_padded_size(Padding::kSame, big, 3, big, 1, "X");
  EXPECT_EQ(r.out, 1);
  EXPECT_EQ(r.pad_before + r.pad_after, 0);
  r = compute_padded_size(Padding::kSame, big, 2, 1, big, "X");  // eff = big + 1
  EXPECT_EQ(r.out, big);
  EXPECT_EQ(r.pad_before, big / 2);
  EXPECT_EQ(r.pad_after, big / 2 + 1);
}

TEST(KernelCommon, ActivationRanges) {
  constexpr float kMax = std::numeric_limits<float>::max();
  const ActivationRange none = activation_range(Activation::kNone, "OP");
  EXPECT_EQ(none.min, -kMax);
  EXPECT_EQ(none.max, kMax);
  EXPECT_EQ(activation_range(Activation::kRelu, "OP").min, 0.0f);
  EXPECT_EQ(activation_range(Activation::kRelu, "OP").max, kMax);
  EXPECT_EQ(activation_range(Activation::kReluN1To1, "OP").min, -1.0f);
  EXPECT_EQ(activation_range(Activation::kReluN1To1, "OP").max, 1.0f);
  EXPECT_EQ(activation_range(Activation::kRelu6, "OP").min, 0.0f);
  EXPECT_EQ(activation_range(Activation::kRelu6, "OP").max, 6.0f);
  expect_error([] { activation_range(Activation::kTanh, "CONV_2D"); },
               "CONV_2D: fused activation TANH is not supported");
  expect_error([] { activation_range(static_cast<Activation>(9), "ADD"); },
               "ADD: unknown fused activation 9");
  // NONE still clamps infinities to the float range (TFLite); NaN passes through.
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(clamp_activation(inf, none), kMax);
  EXPECT_EQ(clamp_activation(-inf, none), -kMax);
  EXPECT_TRUE(std::isnan(clamp_activation(std::nanf(""), none)));
  EXPECT_EQ(clamp_activation(7.5f, activation_range(Activation::kRelu6, "OP")), 6.0f);
}

TEST(KernelCommon, FlatSize) {
  EXPECT_EQ(flat_size({}), 1);
  EXPECT_EQ(flat_size({2, 3, 4}), 24);
  EXPECT_EQ(flat_size({2, 0, 4}), 0);
  EXPECT_EQ(dims_string({1, 28, 28, 3}), "[1, 28, 28, 3]");
  expect_error([] { flat_size({2, -1}, "ADD input1"); }, "ADD input1: dimensions [2, -1] contain a negative value");
  expect_error([] { flat_size({65536, 65536, 65536, 65536}); }, "too many elements");
}

}  // namespace
}  // namespace lq::kernels
