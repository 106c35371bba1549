// The AVX-512 pool lines of the training kernels against the plain loops: the same bits
// (values, argmax offsets) over channel counts around the 16-lane blocks, strides,
// paddings, ties, -0.0 and NaN.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "litequant/core/cpu.h"
#include "litequant/core/rng.h"
#include "nn/ops/vector_loops.h"

namespace lq::ops {
namespace {

struct Case {
  int64_t c, in_h, in_w, kernel, stride, pad;
};

std::vector<float> image_with_ties(int64_t n, Rng& rng) {
  std::vector<float> x(static_cast<size_t>(n));
  for (auto& v : x) {
    const float u = rng.uniform(0.0f, 1.0f);
    v = u < 0.02f ? NAN : u < 0.05f ? -0.0f : std::round(rng.uniform(-4.0f, 4.0f));  // many ties
  }
  return x;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(VectorLoops, Avx512PoolLinesMatchThePlainLoopsBitForBit) {
  if (!cpu_features().avx512_core()) GTEST_SKIP() << "this CPU has no AVX-512; only the plain loops run here";
  Rng rng(7);
  const Case cases[] = {{1, 5, 7, 2, 2, 0},  {3, 6, 6, 3, 1, 1},  {12, 26, 26, 2, 2, 0}, {16, 4, 9, 3, 2, 1},
                        {17, 5, 5, 2, 1, 0}, {40, 7, 3, 3, 3, 1}, {33, 3, 8, 1, 1, 0}};
  for (const Case& k : cases) {
    SCOPED_TRACE(testing::Message() << "c=" << k.c << " kernel=" << k.kernel << " stride=" << k.stride);
    const int64_t out_w = (k.in_w + 2 * k.pad - k.kernel) / k.stride + 1;
    const int64_t out_h = (k.in_h + 2 * k.pad - k.kernel) / k.stride + 1;
    const auto image = image_with_ties(k.in_h * k.in_w * k.c, rng);
    for (int64_t oy = 0; oy < out_h; ++oy) {
      const int64_t first = oy * k.stride - k.pad;
      const PoolLine line{k.c, k.in_w, out_w, std::max<int64_t>(first, 0), std::min(first + k.kernel, k.in_h),
                          k.stride, k.pad, k.kernel};
      const size_t n = static_cast<size_t>(out_w * k.c);
      std::vector<float> max_a(n), max_b(n), avg_a(n), avg_b(n);
      std::vector<int32_t> am_a(n), am_b(n);
      detail::max_pool_line_portable(line, image.data(), max_a.data(), am_a.data());
      detail::max_pool_line_avx512(line, image.data(), max_b.data(), am_b.data());
      EXPECT_TRUE(same_bits(max_a, max_b));
      EXPECT_EQ(am_a, am_b);
      detail::avg_pool_line_portable(line, image.data(), avg_a.data());
      detail::avg_pool_line_avx512(line, image.data(), avg_b.data());
      EXPECT_TRUE(same_bits(avg_a, avg_b));
      std::vector<float> grad(n);
      for (auto& g : grad) g = rng.uniform(-1.0f, 1.0f);
      std::vector<float> back_a(image.size(), 0.5f), back_b(image.size(), 0.5f);
      detail::avg_pool_backward_line_portable(line, grad.data(), back_a.data());
      detail::avg_pool_backward_line_avx512(line, grad.data(), back_b.data());
      EXPECT_TRUE(same_bits(back_a, back_b));
    }
  }
}

TEST(VectorLoops, MaxPoolTakesTheFirstMaximumAndSkipsNaN) {
  // One output pixel over a 2x2 window of 1 channel: values 1, NaN, 3, 3 -> 3 at tap 2.
  const float image[] = {1.0f, NAN, 3.0f, 3.0f};
  const PoolLine line{1, 2, 1, 0, 2, 2, 0, 2};
  float out = 0;
  int32_t at = -1;
  max_pool_line(line, image, &out, &at);
  EXPECT_EQ(out, 3.0f);
  EXPECT_EQ(at, 2);
  avg_pool_line(line, image, &out);
  EXPECT_TRUE(std::isnan(out));
}

TEST(VectorLoops, RowKernels) {
  std::vector<float> y = {-2.0f, 0.5f, 7.0f, NAN, 1.0f, -1.0f};
  const float bias[] = {1.0f, 1.0f, 1.0f};
  add_clamp_rows(y.data(), 2, 3, bias, 0.0f, 6.0f);
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 1.5f);
  EXPECT_EQ(y[2], 6.0f);
  EXPECT_TRUE(std::isnan(y[3]));
  EXPECT_EQ(y[4], 2.0f);
  EXPECT_EQ(y[5], 0.0f);
  const float act[] = {1.0f, 0.0f, 6.0f, 3.0f};
  const float gy[] = {2.0f, 3.0f, 4.0f, 5.0f};
  float gx[4], acc[2] = {0.0f, 0.0f};
  relu_grad_rows(act, gy, gx, 2, 2, 6.0f, acc);
  EXPECT_EQ(gx[0], 2.0f);
  EXPECT_EQ(gx[1], 0.0f);
  EXPECT_EQ(gx[2], 0.0f);
  EXPECT_EQ(gx[3], 5.0f);
  EXPECT_EQ(acc[0], 2.0f);
  EXPECT_EQ(acc[1], 5.0f);
  sum_rows(gy, 2, 2, acc);
  EXPECT_EQ(acc[0], 8.0f);
  EXPECT_EQ(acc[1], 13.0f);
}

}  // namespace
}  // namespace lq::ops
