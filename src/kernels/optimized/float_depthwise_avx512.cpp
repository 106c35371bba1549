// Avx512 tiles of the float DEPTHWISE_CONV_2D (float_depthwise_tile.h): up to 8 pixels x
// one zmm (16 channels) of accumulators.
#include "float_depthwise_tile.h"
#include "float_vec.h"

namespace lq::kernels::float_depthwise {

const TileKernels& tile_kernels_avx512() {
  static const TileKernels t = make_tile_kernels<float_vec::Avx512>(std::make_integer_sequence<int, kMaxPixels>());
  return t;
}

}  // namespace lq::kernels::float_depthwise
