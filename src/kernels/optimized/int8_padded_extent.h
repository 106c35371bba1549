#pragma once
// Size of the padded image the optimized int8 CONV_2D / DEPTHWISE_CONV_2D convert their
// input into, along one axis (shared by int8_conv.cpp and int8_depthwise.cpp).
#include <algorithm>
#include <cstdint>

namespace lq::kernels::int8_opt {

// The input occupies [pad_before, pad_before + in); every window of every output
// position, (out - 1) * stride + (filter - 1) * dilation + 1 positions from 0, lies inside.
inline int64_t padded_extent(int64_t in, int64_t pad_before, int64_t out, int64_t stride,
                             int64_t filter, int64_t dilation) {
  return std::max(pad_before + in, (out - 1) * stride + (filter - 1) * dilation + 1);
}

}  // namespace lq::kernels::int8_opt
