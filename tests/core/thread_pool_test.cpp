#include "litequant/core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace lq {
namespace {

TEST(ThreadPool, CoversRangeExactlyOnce) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (int64_t n : {1, 2, 7, 1000}) {
      std::vector<int> hits(static_cast<size_t>(n), 0);
      pool.parallel_for(n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
      });
      for (int h : hits) EXPECT_EQ(h, 1);
    }
  }
}

TEST(ThreadPool, ManySmallJobs) {
  ThreadPool pool(2);
  std::atomic<int64_t> total{0};
  for (int rep = 0; rep < 20000; ++rep)
    pool.parallel_for(4, [&](int64_t b, int64_t e) { total += e - b; });
  EXPECT_EQ(total.load(), 80000);
}

TEST(ThreadPool, GrainLimitsChunks) {
  ThreadPool pool(2);
  std::atomic<int> calls{0};
  pool.parallel_for(10, 100, [&](int64_t b, int64_t e) {
    calls++;
    EXPECT_EQ(b, 0);
    EXPECT_EQ(e, 10);
  });
  EXPECT_EQ(calls.load(), 1);
}

TEST(ThreadPool, RethrowsWorkerException) {
  ThreadPool pool(2);
  EXPECT_THROW(pool.parallel_for(2, [&](int64_t b, int64_t) {
    if (b == 1) throw std::runtime_error("boom");
  }),
               std::runtime_error);
  // The pool stays usable.
  std::atomic<int> n{0};
  pool.parallel_for(2, [&](int64_t b, int64_t e) { n += static_cast<int>(e - b); });
  EXPECT_EQ(n.load(), 2);
}

}  // namespace
}  // namespace lq
