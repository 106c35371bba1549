#include "litequant/core/tensor.h"

#include <gtest/gtest.h>

#include "litequant/core/error.h"
#include "litequant/core/rng.h"

namespace lq {
namespace {

TEST(Shape, ElementsAndStrings) {
  EXPECT_EQ(num_elements({2, 3, 4}), 24);
  EXPECT_EQ(num_elements({}), 1);
  EXPECT_EQ(to_string({28, 28, 1}), "(28, 28, 1)");
  EXPECT_EQ(to_string({10}), "(10,)");
  EXPECT_EQ(batch_shape_string({26, 26, 12}), "(None, 26, 26, 12)");
  EXPECT_THROW(num_elements({-1, 2}), Error);
  EXPECT_THROW(num_elements({1LL << 40, 1LL << 40}), Error);
}

TEST(Tensor, AlignedAndReshape) {
  Tensor t({2, 3});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u);
  EXPECT_EQ(t.size(), 6);
  t[5] = 3.0f;
  t.reshape({6});
  EXPECT_EQ(t.dim(0), 6);
  EXPECT_EQ(t[5], 3.0f);
  EXPECT_THROW(t.reshape({4}), Error);
  EXPECT_THROW(Tensor({2}, {1.0f, 2.0f, 3.0f}), Error);
}

TEST(Rng, DeterministicAndInRange) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    float x = a.uniform();
    EXPECT_EQ(x, b.uniform());
    differs |= x != c.uniform();
    EXPECT_GE(x, 0.0f);
    EXPECT_LT(x, 1.0f);
  }
  EXPECT_TRUE(differs);
  // Pinned first value: the sequence must not change across platforms or releases,
  // or saved seeds stop reproducing models.
  Rng pinned(1);
  EXPECT_EQ(pinned.next_u64(), 0xb3f2af6d0fc710c5ULL);
}

}  // namespace
}  // namespace lq
