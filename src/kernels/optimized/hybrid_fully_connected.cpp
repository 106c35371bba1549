// Optimized dynamic-range FULLY_CONNECTED: per chunk of batch rows, each row quantized
// straight to u8 (q + 128), one int8 GEMM with int32 out (int8_gemm.h) for sum w * q,
// then the reference's float rescale per row (hybrid_rows.h). Threads take contiguous
// ranges of batch rows, each with its own slot of scratch (int8_parallel.h).
#include <algorithm>
#include <limits>

#include "hybrid_rows.h"
#include "int8_gemm.h"
#include "int8_parallel.h"
#include "litequant/kernels/hybrid_optimized.h"

namespace lq::kernels {

FullyConnectedHybridOptimized prepare_fully_connected_hybrid_optimized(
    const FullyConnectedHybridParams& params, const int8_t* weights, const float* bias,
    Int8Path path, int max_threads) {
  const std::string op = "FULLY_CONNECTED";
  FullyConnectedHybridOptimized p;
  p.params = params;
  p.path = hybrid_opt::resolve_path(op, path);
  const float* b = params.has_bias ? bias : nullptr;
  const int64_t depth = params.input_depth, units = params.output_depth;
  const int64_t kp = (std::max<int64_t>(depth, 1) + 3) / 4 * 4;
  p.chunk_rows = int8_opt::chunk_rows_for(static_cast<int32_t>(kp), params.batch);
  // u8 rows (64-byte multiple) | int32 sums | RowQuant per row | alignment slack.
  p.slot_bytes = (p.chunk_rows * kp + 63) / 64 * 64 + p.chunk_rows * units * 4 +
                 p.chunk_rows * int64_t{sizeof(hybrid_opt::RowQuant)} + 64;
  if (p.slot_bytes <= kMaxHybridSlotBytes)
    p.gemm = int8_opt::pack_gemm_raw(p.path, weights, params.output_depth, params.input_depth);
  if (!p.gemm) {
    p.reference_weights.assign(weights, weights + depth * units);
    if (b) p.reference_bias.assign(b, b + units);
    p.reference_scratch = hybrid_opt::reference_scratch(op, params.batch, depth);
    return p;
  }
  p.channels = hybrid_opt::make_channel_constants(weights, units, depth, params.weight_scales, b);
  p.slots = std::max(1, max_threads);
  p.scratch.assign(static_cast<size_t>(p.slots * p.slot_bytes), 0);
  return p;
}

void eval_fully_connected_hybrid_optimized(FullyConnectedHybridOptimized& p, const float* input,
                                           float* output, ThreadPool* pool) {
  const FullyConnectedHybridParams& fc = p.params;
  if (p.uses_reference()) {
    eval_fully_connected_hybrid(fc, input, p.reference_weights.data(),
                                fc.has_bias ? p.reference_bias.data() : nullptr, output, p.reference_scratch);
    return;
  }
  const int8_opt::PackedGemm& g = *p.gemm;
  const int64_t depth = fc.input_depth, units = fc.output_depth, kp = g.kp;
  const bool avx512 = hybrid_opt::uses_avx512(p.path);
  hybrid_opt::Rescale rs;
  rs.order = hybrid_opt::Order::kFullyConnected;
  rs.weight_scale = p.channels.weight_scale.data();
  rs.bias = p.channels.bias.data();
  rs.row_sum_f = fc.asymmetric ? p.channels.row_sum_f.data() : nullptr;
  rs.act_none = fc.activation == Activation::kNone;
  rs.act_lo = fc.activation == Activation::kReluN1To1 ? -1.0f : 0.0f;
  rs.act_hi = fc.activation == Activation::kRelu6       ? 6.0f
              : fc.activation == Activation::kReluN1To1 ? 1.0f
                                                        : std::numeric_limits<float>::infinity();
  auto work = [&](int64_t slot, int64_t begin, int64_t end) {
    uint8_t* a = p.scratch.data() + slot * p.slot_bytes;
    a += (64 - reinterpret_cast<uintptr_t>(a) % 64) % 64;
    auto* dots = reinterpret_cast<int32_t*>(a + (p.chunk_rows * kp + 63) / 64 * 64);
    auto* rq = reinterpret_cast<hybrid_opt::RowQuant*>(dots + p.chunk_rows * units);
    for (int64_t b0 = begin; b0 < end; b0 += p.chunk_rows) {
      const int64_t rows = std::min(p.chunk_rows, end - b0);
      for (int64_t r = 0; r < rows; ++r) {
        const float* x = input + (b0 + r) * depth;
        rq[r] = hybrid_opt::quantize_stats(avx512, fc.asymmetric, x, depth);
        hybrid_opt::quantize_u8(avx512, rq[r], fc.asymmetric, x, depth, a + r * kp);
      }
      int8_opt::gemm_int32(g, a, kp, rows, dots, units);
      for (int64_t r = 0; r < rows; ++r)
        hybrid_opt::rescale(avx512, rs, dots + r * units, 1, units, rq[r].scale, rq[r].zero_point,
                            output + (b0 + r) * units);
    }
  };
  int8_opt::run_parts(pool, int8_opt::parts_for(pool, p.slots, fc.batch, depth * units), fc.batch, work);
}

}  // namespace lq::kernels
