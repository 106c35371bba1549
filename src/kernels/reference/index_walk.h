#pragma once
// Index walks shared by the float and quantized elementwise and shape kernels.
#include <cstdint>

#include "litequant/kernels/float_reference.h"

namespace lq::kernels::detail {

// out[o] = f(a[i1], b[i2]) over the (possibly broadcast) output, row-major.
template <typename In, typename Out, typename Fn>
inline void for_each_broadcast_pair(const BinaryParams& p, const In* a, const In* b, Out* out, Fn&& f) {
  if (!p.broadcast) {
    for (int64_t i = 0; i < p.size; ++i) out[i] = f(a[i], b[i]);
    return;
  }
  int64_t o = 0;
  for (int64_t d0 = 0; d0 < p.out4[0]; ++d0)
    for (int64_t d1 = 0; d1 < p.out4[1]; ++d1)
      for (int64_t d2 = 0; d2 < p.out4[2]; ++d2)
        for (int64_t d3 = 0; d3 < p.out4[3]; ++d3) {
          const int64_t i1 = d0 * p.stride1[0] + d1 * p.stride1[1] + d2 * p.stride1[2] + d3 * p.stride1[3];
          const int64_t i2 = d0 * p.stride2[0] + d1 * p.stride2[1] + d2 * p.stride2[2] + d3 * p.stride2[3];
          out[o++] = f(a[i1], b[i2]);
        }
}

// Copies every input element to its place in the padded output (PAD); the padding
// itself is written by the caller.
template <typename T>
inline void scatter_into_padded(const PadParams& p, const T* input, T* output) {
  if (p.input_size == 0) return;
  // Walk the input in row-major order; `offset` tracks the matching output element.
  const size_t rank = p.input_dims.size();
  int64_t offset = 0;
  for (size_t k = 0; k < rank; ++k) offset += p.before[k] * p.output_strides[k];
  int32_t index[kMaxIndexRank] = {};
  for (int64_t i = 0; i < p.input_size; ++i) {
    output[offset] = input[i];
    for (size_t k = rank; k-- > 0;) {  // advance the odometer
      offset += p.output_strides[k];
      if (++index[k] < p.input_dims[k]) break;
      offset -= int64_t{index[k]} * p.output_strides[k];
      index[k] = 0;
    }
  }
}

}  // namespace lq::kernels::detail
