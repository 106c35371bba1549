#include "litequant/core/gemm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/gemm_internal.h"
#include "litequant/core/error.h"

namespace lq {
namespace {

using gemm_internal::Isa;

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kPortable: return "portable";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "?";
}

std::vector<Isa> available_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512}) {
    if (gemm_internal::isa_available(isa)) out.push_back(isa);
  }
  return out;
}

// One GEMM problem with padded leading dimensions and random contents.
struct Case {
  Trans ta = Trans::kNo, tb = Trans::kNo;
  int64_t m = 0, n = 0, k = 0;
  float alpha = 1.0f, beta = 0.0f;
  int64_t lda = 0, ldb = 0, ldc = 0;
  std::vector<float> a, b, c;

  Case(Trans ta_, Trans tb_, int64_t m_, int64_t n_, int64_t k_, float alpha_, float beta_,
       uint32_t seed, int64_t pad = 3)
      : ta(ta_), tb(tb_), m(m_), n(n_), k(k_), alpha(alpha_), beta(beta_) {
    const int64_t a_rows = ta == Trans::kNo ? m : k, a_cols = ta == Trans::kNo ? k : m;
    const int64_t b_rows = tb == Trans::kNo ? k : n, b_cols = tb == Trans::kNo ? n : k;
    lda = a_cols + pad;
    ldb = b_cols + pad + 1;
    ldc = n + pad + 2;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    a.resize(static_cast<size_t>(std::max<int64_t>(1, a_rows * lda)));
    b.resize(static_cast<size_t>(std::max<int64_t>(1, b_rows * ldb)));
    c.resize(static_cast<size_t>(std::max<int64_t>(1, m * ldc)));
    for (float& x : a) x = dist(rng);
    for (float& x : b) x = dist(rng);
    // beta == 0 must ignore C completely, even NaN.
    for (float& x : c) x = beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : dist(rng);
  }

  float at_a(int64_t i, int64_t p) const {
    return ta == Trans::kNo ? a[static_cast<size_t>(i * lda + p)] : a[static_cast<size_t>(p * lda + i)];
  }
  float at_b(int64_t p, int64_t j) const {
    return tb == Trans::kNo ? b[static_cast<size_t>(p * ldb + j)] : b[static_cast<size_t>(j * ldb + p)];
  }

  std::vector<float> run(Isa isa, ThreadPool* pool) const {
    std::vector<float> out = c;
    gemm_internal::sgemm_with(isa, ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta,
                              out.data(), ldc, pool);
    return out;
  }

  std::string describe() const {
    return std::string(ta == Trans::kNo ? "N" : "T") + (tb == Trans::kNo ? "N" : "T") +
           " m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k) +
           " alpha=" + std::to_string(alpha) + " beta=" + std::to_string(beta);
  }

  // Checks `got` against sgemm_reference with tolerance 1e-5 * sqrt(k) relative to
  // |alpha| * sum_p |a_ip * b_pj| + |beta * c_ij|; padding of C must be untouched.
  void check(const std::vector<float>& got, const std::string& label) const {
    std::vector<float> want = c;
    sgemm_reference(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, want.data(),
                    ldc);
    const double rel = 1e-5 * std::sqrt(static_cast<double>(std::max<int64_t>(k, 1)));
    int failures = 0;
    for (int64_t i = 0; i < m && failures < 5; ++i) {
      for (int64_t j = 0; j < ldc && failures < 5; ++j) {
        const size_t idx = static_cast<size_t>(i * ldc + j);
        if (j >= n) {  // padding: must keep its old bits
          if (std::memcmp(&got[idx], &c[idx], sizeof(float)) != 0) {
            ADD_FAILURE() << label << " " << describe() << ": wrote padding at " << i << "," << j;
            ++failures;
          }
          continue;
        }
        double scale = beta == 0.0f ? 0.0 : std::fabs(static_cast<double>(beta) * c[idx]);
        double sum = 0.0;
        for (int64_t p = 0; p < k; ++p) sum += std::fabs(static_cast<double>(at_a(i, p)) * at_b(p, j));
        scale += std::fabs(alpha) * sum;
        const double err = std::fabs(static_cast<double>(got[idx]) - want[idx]);
        if (!(err <= rel * scale + 1e-30)) {
          ADD_FAILURE() << label << " " << describe() << " at (" << i << "," << j
                        << "): got " << got[idx] << " want " << want[idx];
          ++failures;
        }
      }
    }
  }
};

constexpr Trans kTrans[2] = {Trans::kNo, Trans::kYes};

// All 4 transpose combos, every (m, n) pair of the size list with k cycling through the
// list, alpha in {1, 0.5}, beta in {0, 1, -0.5}.
void sweep(Isa isa) {
  const int64_t sizes[] = {1, 2, 3, 7, 15, 16, 17, 31, 33, 64, 100, 257};
  constexpr int kCount = 12;
  const float alphas[] = {1.0f, 0.5f};
  const float betas[] = {0.0f, 1.0f, -0.5f};
  uint32_t seed = 1;
  for (Trans ta : kTrans) {
    for (Trans tb : kTrans) {
      for (int i = 0; i < kCount; ++i) {
        for (int j = 0; j < kCount; ++j) {
          const int64_t k = sizes[(3 * i + 5 * j + (ta == Trans::kYes) + 2 * (tb == Trans::kYes)) % kCount];
          const float alpha = alphas[seed % 2];
          const float beta = betas[(seed / 2) % 3];
          Case cs(ta, tb, sizes[i], sizes[j], k, alpha, beta, seed++);
          cs.check(cs.run(isa, nullptr), isa_name(isa));
        }
      }
    }
  }
}

TEST(Gemm, SweepAllPaths) {
  for (Isa isa : available_isas()) sweep(isa);
}

TEST(Gemm, PublicEntryMatchesBestPath) {
  Case cs(Trans::kNo, Trans::kYes, 37, 45, 29, 0.5f, -0.5f, 7);
  std::vector<float> got = cs.c;
  sgemm(cs.ta, cs.tb, cs.m, cs.n, cs.k, cs.alpha, cs.a.data(), cs.lda, cs.b.data(), cs.ldb,
        cs.beta, got.data(), cs.ldc, nullptr);
  const std::vector<float> best = cs.run(gemm_internal::best_isa(), nullptr);
  EXPECT_EQ(std::memcmp(got.data(), best.data(), got.size() * sizeof(float)), 0);
  cs.check(got, "sgemm");
}

TEST(Gemm, SeveralKBlocks) {
  // k beyond one cache block (kKcTarget) exercises the C accumulation across k blocks.
  const int64_t ks[] = {gemm_internal::kKcTarget + 1, 2 * gemm_internal::kKcTarget + 7, 1000};
  uint32_t seed = 100;
  for (Isa isa : available_isas()) {
    for (Trans ta : kTrans) {
      for (Trans tb : kTrans) {
        for (int64_t k : ks) {
          Case cs(ta, tb, 19, 37, k, seed % 2 ? 1.0f : 0.5f, seed % 3 ? -0.5f : 0.0f, seed);
          ++seed;
          cs.check(cs.run(isa, nullptr), isa_name(isa));
        }
      }
    }
  }
}

TEST(Gemm, SeveralCacheBlocks) {
  // m and n beyond every path's row / column cache blocks (mc, nc), with ragged ends.
  uint32_t seed = 200;
  for (Isa isa : available_isas()) {
    Case nn(Trans::kNo, Trans::kNo, 1001, 2100, 5, 1.0f, 0.0f, seed++);
    nn.check(nn.run(isa, nullptr), isa_name(isa));
    Case tt(Trans::kYes, Trans::kYes, 999, 2061, 3, 0.5f, 1.0f, seed++);
    tt.check(tt.run(isa, nullptr), isa_name(isa));
  }
}

TEST(Gemm, TrainingShapes) {
  // The small shapes a batch-32 training step uses (scaled-down conv shapes).
  struct Shape {
    Trans ta, tb;
    int64_t m, n, k;
  };
  const Shape shapes[] = {
      {Trans::kNo, Trans::kNo, 32, 128, 784}, {Trans::kYes, Trans::kNo, 784, 128, 32},
      {Trans::kNo, Trans::kNo, 32, 10, 128},  {Trans::kYes, Trans::kNo, 128, 10, 32},
      {Trans::kNo, Trans::kYes, 32, 128, 10}, {Trans::kNo, Trans::kNo, 2163, 12, 9},
      {Trans::kYes, Trans::kNo, 9, 12, 2163}, {Trans::kNo, Trans::kYes, 32, 203, 10},
  };
  uint32_t seed = 300;
  for (Isa isa : available_isas()) {
    for (const Shape& s : shapes) {
      Case cs(s.ta, s.tb, s.m, s.n, s.k, 1.0f, 0.0f, seed++, 0);
      cs.check(cs.run(isa, nullptr), isa_name(isa));
    }
  }
}

TEST(Gemm, BitIdenticalForAnyThreadCount) {
  struct Shape {
    Trans ta, tb;
    int64_t m, n, k;
  };
  // Shapes chosen so that per-thread ranges cross the packing heuristics' thresholds and
  // the k range spans several blocks.
  const Shape shapes[] = {
      {Trans::kNo, Trans::kNo, 100, 90, 700},   {Trans::kYes, Trans::kYes, 71, 300, 333},
      {Trans::kNo, Trans::kYes, 40, 47, 650},   {Trans::kYes, Trans::kNo, 300, 40, 129},
      {Trans::kNo, Trans::kNo, 2000, 12, 9},    {Trans::kNo, Trans::kNo, 130, 257, 100},
  };
  ThreadPool pool1(1), pool2(2), pool3(3);
  uint32_t seed = 500;
  for (Isa isa : available_isas()) {
    for (const Shape& s : shapes) {
      Case cs(s.ta, s.tb, s.m, s.n, s.k, 0.5f, seed % 2 ? -0.5f : 0.0f, seed);
      ++seed;
      const std::vector<float> base = cs.run(isa, nullptr);
      cs.check(base, isa_name(isa));
      for (ThreadPool* pool : {&pool1, &pool2, &pool3}) {
        const std::vector<float> got = cs.run(isa, pool);
        EXPECT_EQ(std::memcmp(got.data(), base.data(), got.size() * sizeof(float)), 0)
            << isa_name(isa) << " " << cs.describe() << " threads=" << pool->num_threads();
      }
    }
  }
}

TEST(Gemm, AlphaZeroAndEmptyK) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> a(6, nan), b(6, nan);
  for (Isa isa : available_isas()) {
    // alpha == 0: A and B are not read; C = beta * C.
    std::vector<float> c = {1, 2, 3, 4};
    gemm_internal::sgemm_with(isa, Trans::kNo, Trans::kNo, 2, 2, 3, 0.0f, a.data(), 3, b.data(),
                              2, 2.0f, c.data(), 2, nullptr);
    EXPECT_EQ(c, (std::vector<float>{2, 4, 6, 8}));
    // k == 0 with beta == 0 writes zeros over NaN.
    c.assign(4, nan);
    gemm_internal::sgemm_with(isa, Trans::kNo, Trans::kNo, 2, 2, 0, 1.0f, a.data(), 1, b.data(),
                              2, 0.0f, c.data(), 2, nullptr);
    EXPECT_EQ(c, (std::vector<float>(4, 0.0f)));
    // m == 0 or n == 0: nothing happens.
    gemm_internal::sgemm_with(isa, Trans::kNo, Trans::kNo, 0, 2, 3, 1.0f, nullptr, 3, b.data(),
                              2, 0.0f, nullptr, 2, nullptr);
  }
}

TEST(Gemm, RejectsBadArguments) {
  std::vector<float> a(16), b(16), c(16);
  EXPECT_THROW(sgemm(Trans::kNo, Trans::kNo, -1, 2, 2, 1.0f, a.data(), 2, b.data(), 2, 0.0f,
                     c.data(), 2, nullptr),
               Error);
  EXPECT_THROW(sgemm(Trans::kNo, Trans::kNo, 2, 2, 3, 1.0f, a.data(), 2, b.data(), 2, 0.0f,
                     c.data(), 2, nullptr),
               Error);  // lda < k
  EXPECT_THROW(sgemm(Trans::kNo, Trans::kYes, 2, 2, 3, 1.0f, a.data(), 3, b.data(), 2, 0.0f,
                     c.data(), 2, nullptr),
               Error);  // ldb < k for B^T
  EXPECT_THROW(sgemm(Trans::kNo, Trans::kNo, 2, 4, 2, 1.0f, a.data(), 2, b.data(), 4, 0.0f,
                     c.data(), 3, nullptr),
               Error);  // ldc < n
}

}  // namespace
}  // namespace lq
