// Optimized float MEAN and PAD (float_ops_optimized.h). Both bit-identical with the
// reference: MEAN sums in the reference's order, PAD copies.
#include <cstring>

#include "float_row_kernels.h"

namespace lq::kernels {
namespace {

// MEAN's input as [outer, reduced, inner] when the reduced axes (ignoring size-1 ones)
// are one contiguous run; false otherwise.
struct MeanLayout {
  int64_t outer = 1, reduced = 1, inner = 1;
};
bool mean_layout(const MeanParams& p, MeanLayout& l) {
  int stage = 0;  // 0: before the reduced run, 1: inside it, 2: after it
  for (size_t k = 0; k < p.input_dims.size(); ++k) {
    const int64_t d = p.input_dims[k];
    if (d == 1) continue;
    const bool reduced = p.output_strides[k] == 0;
    if (reduced && stage == 2) return false;
    if (reduced) stage = 1;
    else if (stage == 1) stage = 2;
    (reduced ? l.reduced : stage == 0 ? l.outer : l.inner) *= d;
  }
  return true;
}

}  // namespace

void eval_mean_optimized(const MeanParams& params, const float* input, float* output, ThreadPool* pool,
                         OpPath path) {
  MeanLayout l;
  if (params.input_size == 0 || params.output_size == 0 || !mean_layout(params, l)) {
    eval_mean(params, input, output);
    return;
  }
  const auto accumulate = float_opt::row_kernels(path).accumulate;
  const float count = static_cast<float>(params.reduce_count);
  float_opt::parallel_units(pool, l.outer, l.reduced * l.inner, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      float* out = output + o * l.inner;
      const float* in = input + o * l.reduced * l.inner;
      if (l.inner == 1) {  // a contiguous run: the reference's sequential sum
        float sum = 0.0f;
        for (int64_t r = 0; r < l.reduced; ++r) sum += in[r];
        out[0] = sum;
      } else {
        for (int64_t i = 0; i < l.inner; ++i) out[i] = 0.0f;
        for (int64_t r = 0; r < l.reduced; ++r) accumulate(out, in + r * l.inner, l.inner);
      }
      for (int64_t i = 0; i < l.inner; ++i) out[i] = out[i] / count;
    }
  });
}

void eval_pad_optimized(const PadParams& p, const float* input, float* output) {
  const size_t rank = p.input_dims.size();
  if (rank == 0 || p.input_size == 0) {
    eval_pad(p, input, output);
    return;
  }
  std::memset(output, 0, static_cast<size_t>(p.output_size) * sizeof(float));
  const int64_t width = p.input_dims[rank - 1];
  int64_t offset = 0;  // output offset of the current input row
  for (size_t k = 0; k < rank; ++k) offset += p.before[k] * p.output_strides[k];
  int32_t index[kMaxIndexRank] = {};
  for (int64_t i = 0; i < p.input_size; i += width) {
    std::memcpy(output + offset, input + i, static_cast<size_t>(width) * sizeof(float));
    for (size_t k = rank - 1; k-- > 0;) {  // advance the odometer over the outer dims
      offset += p.output_strides[k];
      if (++index[k] < p.input_dims[k]) break;
      offset -= int64_t{index[k]} * p.output_strides[k];
      index[k] = 0;
    }
  }
}

}  // namespace lq::kernels
