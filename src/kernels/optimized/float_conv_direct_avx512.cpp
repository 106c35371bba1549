// AVX-512 tiles of the direct float conv (float_conv_tile.h): one zmm per 16-channel
// block; up to 24 pixels x 1 block ... 6 pixels x 4 blocks of accumulators. (7 x 4 ran
// no faster on convnet's conv2 / conv4: 125 / 128 GMAC/s either way.)
#include "float_conv_tile.h"
#include "float_vec.h"

namespace lq::kernels::float_conv {

const TileKernels& tile_kernels_avx512() {
  static const TileKernels t = make_tile_kernels<float_vec::Avx512, 24, 12, 8, 6>();
  return t;
}

}  // namespace lq::kernels::float_conv
