#pragma once
// The padded (or expanded) image copy the optimized conv / depthwise kernels read: its
// size along one axis, and the bound on it. Prepare sizes the copy from tensor shapes and
// runs before the interpreter's arena-size check, so a hostile shape (a huge dilation or
// stride with SAME padding) must not allocate here: beyond the bound a kernel keeps the
// reference kernel.
#include <algorithm>
#include <cstdint>

namespace lq::kernels::opt {

// The input occupies [pad_before, pad_before + in); every window of every output
// position, (out - 1) * stride + (filter - 1) * dilation + 1 positions from 0, lies inside.
inline int64_t padded_extent(int64_t in, int64_t pad_before, int64_t out, int64_t stride, int64_t filter,
                             int64_t dilation) {
  return std::max(pad_before + in, (out - 1) * stride + (filter - 1) * dilation + 1);
}

// A copy of `copy_elements` is made only if at most 4x the `tensor_elements` it stands
// for plus 1 Mi elements, and at most `cap` elements. In double: no overflow.
inline bool image_copy_fits(double copy_elements, double tensor_elements, double cap) {
  return copy_elements <= 4.0 * tensor_elements + double(1 << 20) && copy_elements <= cap;
}

}  // namespace lq::kernels::opt
