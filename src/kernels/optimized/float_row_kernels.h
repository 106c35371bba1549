#pragma once
// Internals of the optimized float32 non-GEMM ops (float_ops_optimized.h): one table of
// row kernels per code path. The portable, AVX2 and AVX-512 tables are the same plain
// loops (float_row_kernels_impl.h) compiled three times with different ISA flags; the
// AVX2 and AVX-512 tables swap in intrinsics pool rows (float_pool_simd.h).
#include <algorithm>
#include <cstdint>

#include "litequant/kernels/float_ops_optimized.h"

namespace lq::kernels::float_opt {

// One output row of MAX_POOL_2D / AVERAGE_POOL_2D (all out_w pixels, all channels).
struct PoolRow {
  const float* input = nullptr;  // image b, first in-image tap row, x = 0, channel 0
  float* output = nullptr;       // out_w * channels values
  int64_t channels = 0, row_stride = 0;  // row_stride = in_w * channels
  int32_t rows = 0;                      // in-image tap rows
  int32_t in_w = 0, out_w = 0, filter_w = 0, stride_w = 1, pad_left = 0;
  float lo = 0.0f, hi = 0.0f;  // fused activation clamp
};

struct RowKernels {
  void (*relu)(const float* in, float* out, int64_t n);
  void (*relu6)(const float* in, float* out, int64_t n);
  void (*logistic)(const float* in, float* out, int64_t n);
  void (*tanh)(const float* in, float* out, int64_t n);
  // out[i] = clamp(a[i * sa] op b[i * sb]) with sa, sb in {0, 1}.
  void (*add)(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n, float lo, float hi);
  void (*mul)(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n, float lo, float hi);
  void (*softmax_row)(const float* in, float* out, int64_t depth, float beta);
  void (*accumulate)(float* acc, const float* row, int64_t n);  // acc[i] += row[i]
  void (*half_to_float)(const uint16_t* in, float* out, int64_t n);
  void (*max_pool_row)(const PoolRow& row);
  void (*average_pool_row)(const PoolRow& row);
};

const RowKernels& row_kernels_portable();
const RowKernels* row_kernels_avx2();    // null when not compiled in
const RowKernels* row_kernels_avx512();  // null when not compiled in
void max_pool_row_avx512(const PoolRow& row);  // float_pool_avx512.cpp
void average_pool_row_avx512(const PoolRow& row);
void max_pool_row_avx2(const PoolRow& row);  // float_pool_avx2.cpp
void average_pool_row_avx2(const PoolRow& row);

// The table of `path` (kAuto: the fastest this CPU runs); throws lq::Error if `path`
// is not available.
const RowKernels& row_kernels(OpPath path);

// Threads: a part must carry at least this much work (elements touched, or flops / 2
// for exp-based ops); a sleeping worker's wake-up costs tens of microseconds
// (int8_parallel.h has the measurements).
inline constexpr int64_t kMinWorkPerPart = int64_t{1} << 19;

// Calls fn(begin, end) over contiguous parts of [0, units), at most one per thread and
// each with at least kMinWorkPerPart work (unit_cost per unit); inline when that gives
// one part. Each unit is computed the same way in any part: results do not depend on
// the thread count.
template <typename Fn>
void parallel_units(ThreadPool* pool, int64_t units, int64_t unit_cost, Fn&& fn) {
  int64_t parts = 1;
  if (pool && units > 1) {
    const int64_t by_work = units * (unit_cost > 0 ? unit_cost : 1) / kMinWorkPerPart;
    parts = std::min<int64_t>({int64_t{pool->num_threads()}, units, by_work});
  }
  if (parts <= 1) {
    if (units > 0) fn(int64_t{0}, units);
    return;
  }
  struct Job {
    Fn* fn;
    int64_t parts, units;
  } job{&fn, parts, units};
  // Captures one pointer: std::function keeps it in place, nothing is allocated.
  pool->parallel_for(parts, 1, [j = &job](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) (*j->fn)(j->units * t / j->parts, j->units * (t + 1) / j->parts);
  });
}

}  // namespace lq::kernels::float_opt
