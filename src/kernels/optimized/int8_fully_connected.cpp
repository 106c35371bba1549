// Optimized int8 FULLY_CONNECTED: batch rows converted to u8 (x + 128) chunk by chunk,
// then the packed GEMM with fused requantization (int8_gemm.h). Threads take contiguous
// ranges of batch rows, each with its own conversion buffer (int8_parallel.h).
#include <algorithm>
#include <string>

#include "int8_gemm.h"
#include "int8_parallel.h"
#include "litequant/core/error.h"
#include "litequant/kernels/int8_optimized.h"

namespace lq::kernels {

FullyConnectedInt8Optimized prepare_fully_connected_int8_optimized(
    const FullyConnectedInt8Params& params, const int8_t* weights, const int32_t* bias,
    Int8Path path, int max_threads) {
  const Int8Path resolved = resolve_int8_path(path);
  if (!int8_path_available(resolved))
    throw Error(std::string("FULLY_CONNECTED: int8 kernel path ") + int8_path_name(resolved) +
                " is not available on this CPU");
  FullyConnectedInt8Optimized p;
  p.params = params;
  p.path = resolved;
  const int32_t* b = params.has_bias ? bias : nullptr;
  p.gemm = int8_opt::pack_gemm(resolved, params.requant, weights, params.output_depth,
                               params.input_depth, b);
  if (!p.gemm) {
    const size_t count = static_cast<size_t>(params.output_depth) * static_cast<size_t>(params.input_depth);
    p.reference_weights.assign(weights, weights + count);
    if (b) p.reference_bias.assign(b, b + params.output_depth);
    return p;
  }
  p.slots = std::max(1, max_threads);
  p.chunk_rows = int8_opt::chunk_rows_for(p.gemm->kp, params.batch);
  p.slot_bytes = (p.chunk_rows * p.gemm->kp + 64 + 63) / 64 * 64;
  p.scratch.assign(static_cast<size_t>(p.slots * p.slot_bytes), 0);
  return p;
}

void eval_fully_connected_int8_optimized(FullyConnectedInt8Optimized& p, const int8_t* input,
                                         int8_t* output, ThreadPool* pool) {
  const FullyConnectedInt8Params& fc = p.params;
  if (p.uses_reference()) {
    eval_fully_connected_int8(fc, input, p.reference_weights.data(),
                              fc.has_bias ? p.reference_bias.data() : nullptr, output);
    return;
  }
  const int8_opt::PackedGemm& g = *p.gemm;
  const int64_t depth = fc.input_depth, units = fc.output_depth, kp = g.kp;
  auto work = [&](int64_t slot, int64_t begin, int64_t end) {
    uint8_t* a = p.scratch.data() + slot * p.slot_bytes;
    a += (64 - reinterpret_cast<uintptr_t>(a) % 64) % 64;
    for (int64_t b0 = begin; b0 < end; b0 += p.chunk_rows) {
      const int64_t rows = std::min(p.chunk_rows, end - b0);
      for (int64_t r = 0; r < rows; ++r) int8_opt::to_u8(input + (b0 + r) * depth, a + r * kp, depth);
      int8_opt::gemm(g, a, kp, rows, output + b0 * units, units);
    }
  };
  int8_opt::run_parts(pool, int8_opt::parts_for(pool, p.slots, fc.batch, depth * units), fc.batch, work);
}

}  // namespace lq::kernels
