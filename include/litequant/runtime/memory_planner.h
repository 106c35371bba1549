#pragma once
// Places every activation tensor in one arena by lifetime (greedy by size, as TFLite
// Micro's GreedyMemoryPlanner): tensors whose lifetimes overlap never share bytes;
// tensors that are never alive at the same time may.
#include <cstddef>
#include <vector>

namespace lq::runtime {

struct BufferRequest {
  size_t bytes = 0;
  int first_use = 0;  // operator index where the buffer becomes live (-1: before the first)
  int last_use = 0;   // last operator index that reads it (inclusive)
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per request, multiples of `alignment`
  size_t arena_bytes = 0;
};

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests, size_t alignment = 64);

}  // namespace lq::runtime
