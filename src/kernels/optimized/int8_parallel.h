#pragma once
// How the optimized int8 kernels split one eval over a ThreadPool. Work is a range of
// `units` equal units (batch rows, output rows); it is cut into `parts` contiguous
// ranges, part t uses scratch slot t. Every output byte is computed by exactly one part
// with exact integer arithmetic, so the bytes do not depend on the number of parts.
// Small ops are not split: a part must carry at least kMinMacsPerPart multiply-adds.
// Measured with int8_kernel_bench BM_Threads* (2 vCPUs, AVX-512 VNNI, second vCPU idle):
// with 512k MACs per part every split op ran 1.8-2.7x faster (FC 8 x 512 -> 256, 1M MACs:
// 6.3 -> 2.3 us; CONV_2D 16 rows, 1.2M MACs: 4.9 -> 2.7 us), while splitting 262k-MAC
// parts was sometimes slower (FC 4 rows: 2.3 -> 9 us, a sleeping worker's wake-up). On
// a machine whose other cores are busy a split can be slower at any size.
// Nothing here allocates: the job handed to the pool captures one pointer, which
// std::function stores in place.
#include <algorithm>
#include <atomic>
#include <cstdint>

#include "litequant/core/thread_pool.h"

namespace lq::kernels::int8_opt {

constexpr int64_t kMinMacsPerPart = int64_t{1} << 19;  // 524288

inline int64_t parts_for(const ThreadPool* pool, int64_t slots, int64_t units, int64_t unit_macs) {
  if (!pool || slots <= 1 || units <= 1) return 1;
  int64_t parts = std::min<int64_t>({int64_t{pool->num_threads()}, slots, units});
  const int64_t by_work = units * std::max<int64_t>(unit_macs, 1) / kMinMacsPerPart;
  return std::max<int64_t>(1, std::min(parts, by_work));
}

// Calls fn(slot, begin, end) for each part of [0, units).
template <typename Fn>
void run_parts(ThreadPool* pool, int64_t parts, int64_t units, Fn& fn) {
  if (parts <= 1 || !pool) {
    fn(int64_t{0}, int64_t{0}, units);
    return;
  }
  struct Job {
    Fn* fn;
    int64_t parts, units;
  } job{&fn, parts, units};
  pool->parallel_for(parts, 1, [j = &job](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) (*j->fn)(t, j->units * t / j->parts, j->units * (t + 1) / j->parts);
  });
}

// Like run_parts, but [0, units) is cut into chunks of `grain` units (the last shorter)
// that the parts take in order, each its next one when done with the previous: a part
// whose thread the OS delays (a busy machine) takes fewer chunks instead of holding up
// the op. fn(slot, begin, end) runs one chunk; slot is the part, so a slot still serves
// one chunk at a time. grain >= units / parts gives run_parts' split.
template <typename Fn>
void run_chunks(ThreadPool* pool, int64_t parts, int64_t units, int64_t grain, Fn& fn) {
  if (parts <= 1 || !pool) {
    fn(int64_t{0}, int64_t{0}, units);
    return;
  }
  grain = std::max<int64_t>(grain, 1);
  std::atomic<int64_t> next{0};
  struct Job {
    Fn* fn;
    std::atomic<int64_t>* next;
    int64_t chunks, units, grain;
  } job{&fn, &next, (units + grain - 1) / grain, units, grain};
  pool->parallel_for(parts, 1, [j = &job](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t)
      for (int64_t c = j->next->fetch_add(1); c < j->chunks; c = j->next->fetch_add(1))
        (*j->fn)(t, c * j->grain, std::min(j->units, (c + 1) * j->grain));
  });
}

// Chunks per part for run_chunks: enough to even out a delayed thread, few enough that
// the per-chunk costs (an atomic, a partial image's conversion) stay small.
constexpr int64_t kChunksPerPart = 8;

}  // namespace lq::kernels::int8_opt
