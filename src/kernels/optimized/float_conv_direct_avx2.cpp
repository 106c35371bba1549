// AVX2 tiles of the direct float conv (float_conv_tile.h): two ymm per 16-channel block;
// 6 pixels x 1 block of accumulators (12 of the 16 registers; 2 blocks would spill).
// convnet's conv2 (32x32x32 -> 64, 3x3): 62 GMAC/s (33 with a store per FMA, float_vec.h).
#include "float_conv_tile.h"
#include "float_vec.h"

namespace lq::kernels::float_conv {

const TileKernels& tile_kernels_avx2() {
  static const TileKernels t = make_tile_kernels<float_vec::Avx2, 6>();
  return t;
}

}  // namespace lq::kernels::float_conv
