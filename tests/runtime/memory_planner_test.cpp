#include "litequant/runtime/memory_planner.h"

#include <gtest/gtest.h>

#include "litequant/core/rng.h"

namespace lq::runtime {
namespace {

bool overlap(const BufferRequest& a, size_t oa, const BufferRequest& b, size_t ob) {
  const bool live = !(a.last_use < b.first_use || b.last_use < a.first_use);
  const bool bytes = oa < ob + b.bytes && ob < oa + a.bytes;
  return live && bytes && a.bytes && b.bytes;
}

TEST(MemoryPlanner, ChainReusesMemory) {
  // A chain a -> b -> c -> d: at most two buffers are alive at once.
  std::vector<BufferRequest> r{{1000, -1, 0}, {4000, 0, 1}, {1000, 1, 2}, {4000, 2, 3}};
  MemoryPlan p = plan_memory(r);
  EXPECT_EQ(p.arena_bytes, 4032u + 1024u);  // 4000 and 1000 rounded up to 64
  for (size_t i = 0; i < r.size(); ++i)
    for (size_t j = i + 1; j < r.size(); ++j) EXPECT_FALSE(overlap(r[i], p.offsets[i], r[j], p.offsets[j]));
}

TEST(MemoryPlanner, RandomPlansNeverOverlapAndBeatTheSum) {
  Rng rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BufferRequest> r(1 + rng.below(30));
    size_t sum = 0;
    for (auto& q : r) {
      q.bytes = 1 + rng.below(5000);
      q.first_use = static_cast<int>(rng.below(20)) - 1;
      q.last_use = q.first_use + static_cast<int>(rng.below(6));
      sum += (q.bytes + 63) / 64 * 64;
    }
    MemoryPlan p = plan_memory(r);
    EXPECT_LE(p.arena_bytes, sum);
    for (size_t i = 0; i < r.size(); ++i) {
      EXPECT_EQ(p.offsets[i] % 64, 0u);
      EXPECT_LE(p.offsets[i] + r[i].bytes, p.arena_bytes);
      for (size_t j = i + 1; j < r.size(); ++j)
        EXPECT_FALSE(overlap(r[i], p.offsets[i], r[j], p.offsets[j])) << "trial " << trial;
    }
  }
}

}  // namespace
}  // namespace lq::runtime
