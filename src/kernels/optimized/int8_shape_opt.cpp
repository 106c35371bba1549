// Optimized int8/uint8 PAD (row copies) and int8 MEAN over a contiguous block of reduced
// dimensions (channel-vector int32 sums + the reference's finish_mean_int8). Contracts in
// int8_optimized_ops.h.
#include <algorithm>
#include <cstring>

#include "int8_shape_opt.h"
#include "litequant/core/error.h"
#include "litequant/kernels/int8_optimized_ops.h"

namespace lq::kernels {

// ---- PAD ---------------------------------------------------------------------------------
PadInt8Optimized prepare_pad_int8_optimized(const PadInt8Params& params) {
  PadInt8Optimized p;
  p.params = params;
  const int32_t rank = static_cast<int32_t>(params.input_dims.size());
  p.row_dim = 0;  // no padding at all: one row
  for (int32_t d = 0; d < rank; ++d)
    if (params.before[static_cast<size_t>(d)] != 0 || params.after[static_cast<size_t>(d)] != 0) p.row_dim = d;
  p.row_bytes = 1;
  for (int32_t d = p.row_dim; d < rank; ++d) p.row_bytes *= params.input_dims[static_cast<size_t>(d)];
  return p;
}

void eval_pad_int8_optimized(const PadInt8Optimized& p, const void* input, void* output) {
  const PadInt8Params& q = p.params;
  auto* out = static_cast<uint8_t*>(output);
  const auto* in = static_cast<const uint8_t*>(input);
  if (q.output_size > 0) std::memset(out, q.pad_byte, static_cast<size_t>(q.output_size));
  if (q.input_size == 0) return;
  const size_t row = static_cast<size_t>(p.row_bytes);
  // Output offset of the current row: the odometer over input dims [0, row_dim).
  int64_t offset = 0;
  for (size_t k = 0; k < q.input_dims.size(); ++k) offset += q.before[k] * q.output_strides[k];
  int32_t index[kMaxIndexRank] = {};
  const int64_t rows = q.input_size / p.row_bytes;
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(out + offset, in + r * p.row_bytes, row);
    for (size_t k = static_cast<size_t>(p.row_dim); k-- > 0;) {
      offset += q.output_strides[k];
      if (++index[k] < q.input_dims[k]) break;
      offset -= int64_t{index[k]} * q.output_strides[k];
      index[k] = 0;
    }
  }
}

// ---- MEAN --------------------------------------------------------------------------------
MeanInt8Optimized prepare_mean_int8_optimized(const MeanInt8Params& params, OpPath path) {
  if (!op_path_available(path))
    throw Error(std::string("MEAN: the ") + op_path_name(path) + " code path is not available on this CPU");
  MeanInt8Optimized m;
  m.params = params;
  m.path = resolve_op_path(path);
  if (m.path == OpPath::kAvx512 && !shape_opt::avx512_compiled()) m.path = OpPath::kPortable;
  const MeanInt8Params& p = params;
  if (p.reduce_count == 0 || p.output_size == 0 || p.reduced_rank == 0) return m;
  // The reduced dims (input order) must chain into one block [inner, inner * reduce).
  for (int32_t k = 0; k + 1 < p.reduced_rank; ++k)
    if (p.reduced_stride[k] != p.reduced_stride[k + 1] * p.reduced_size[k + 1]) return m;
  const int64_t inner = p.reduced_stride[p.reduced_rank - 1];
  const int64_t block = inner * p.reduce_count;
  // Every kept dim (size > 1) lies after the block (stride < inner) or before it, and the
  // ones after it make up exactly `inner`.
  int64_t after = 1;
  for (int32_t k = 0; k < p.kept_rank; ++k) {
    if (p.kept_size[k] == 1) continue;
    if (p.kept_stride[k] < inner) after *= p.kept_size[k];
    else if (p.kept_stride[k] < block) return m;
  }
  if (after != inner || inner > kMaxMeanInner || p.output_size % inner != 0) return m;
  m.inner = inner;
  m.reduce = p.reduce_count;
  m.outer = p.output_size / inner;
  m.sums.assign(static_cast<size_t>(inner), 0);
  m.reference = false;
  return m;
}

void eval_mean_int8_optimized(MeanInt8Optimized& m, const int8_t* input, int8_t* output) {
  if (m.reference) {
    eval_mean_int8(m.params, input, output);
    return;
  }
  const int64_t inner = m.inner;
  int32_t* sums = m.sums.data();
  for (int64_t o = 0; o < m.outer; ++o) {
    const int8_t* x = input + o * inner * m.reduce;
    if (inner == 1) {
      int32_t s = 0;  // |sum| <= 128 * 2^23 (prepare_mean_int8's bound): no overflow
      for (int64_t r = 0; r < m.reduce; ++r) s += x[r];
      output[o] = finish_mean_int8(m.params, s);
      continue;
    }
    if (m.path == OpPath::kAvx512 && inner >= 16) {
      shape_opt::channel_sums_avx512(x, m.reduce, inner, sums);
    } else {
      std::fill(sums, sums + inner, 0);
      for (int64_t r = 0; r < m.reduce; ++r, x += inner)
        for (int64_t c = 0; c < inner; ++c) sums[c] += x[c];
    }
    for (int64_t c = 0; c < inner; ++c) output[o * inner + c] = finish_mean_int8(m.params, sums[c]);
  }
}

}  // namespace lq::kernels
