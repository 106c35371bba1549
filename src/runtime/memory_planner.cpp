#include "litequant/runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace lq::runtime {

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests, size_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  auto aligned = [&](size_t n) { return (n + alignment - 1) / alignment * alignment; };
  // Largest first; ties by first use, then index, so the plan is deterministic.
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].bytes != requests[b].bytes) return requests[a].bytes > requests[b].bytes;
    return requests[a].first_use < requests[b].first_use;
  });
  std::vector<size_t> placed;
  for (size_t r : order) {
    const BufferRequest& req = requests[r];
    // Intervals taken by placed buffers whose lifetimes overlap this one, by offset.
    std::vector<std::pair<size_t, size_t>> taken;
    for (size_t p : placed) {
      const BufferRequest& other = requests[p];
      if (other.last_use < req.first_use || req.last_use < other.first_use) continue;
      taken.push_back({plan.offsets[p], plan.offsets[p] + aligned(other.bytes)});
    }
    std::sort(taken.begin(), taken.end());
    size_t offset = 0;
    for (const auto& [begin, end] : taken) {
      if (offset + aligned(req.bytes) <= begin) break;  // fits in the gap before `begin`
      offset = std::max(offset, end);
    }
    plan.offsets[r] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + aligned(req.bytes));
    placed.push_back(r);
  }
  return plan;
}

}  // namespace lq::runtime
