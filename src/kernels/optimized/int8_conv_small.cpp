// Packing of the pixel-packed small-channel direct CONV_2D (SmallConv, int8_gemm.h).
#include <numeric>

#include "int8_gemm.h"

namespace lq::kernels::int8_opt {

std::shared_ptr<const SmallConv> pack_small_conv(const PackedGemm& g, const int8_t* weights,
                                                 int32_t kh, int32_t row_bytes, int64_t col_step) {
  const int64_t n = g.n;
  if (n <= 0 || n >= 16 || row_bytes <= 0 || row_bytes % 4 != 0 || kh <= 0) return nullptr;
  const int64_t lanes = std::lcm(n, int64_t{16});
  const int64_t m = lanes / n, vectors = lanes / 16, groups = row_bytes / 4;
  if (vectors > SmallConv::kMaxVectors || (m - 1) * col_step + row_bytes > 64) return nullptr;
  constexpr int64_t kMaxWeightBytes = int64_t{1} << 24;  // a hostile filter height
  if (int64_t{kh} * groups * vectors * 64 > kMaxWeightBytes) return nullptr;
  auto s = std::make_shared<SmallConv>();
  s->pixels = static_cast<int32_t>(m);
  s->vectors = static_cast<int32_t>(vectors);
  s->groups = static_cast<int32_t>(groups);
  s->kh = kh;
  s->permute.assign(static_cast<size_t>(groups * vectors * 64), 0);
  s->weights.assign(static_cast<size_t>(int64_t{kh} * groups * vectors * 64), 0);
  s->offset.assign(static_cast<size_t>(vectors * 16), 0);
  s->multiplier.assign(s->offset.size(), 0);
  s->total_shift.assign(s->offset.size(), 1);
  const int64_t kd = int64_t{kh} * row_bytes;  // taps per channel
  for (int64_t v = 0; v < vectors; ++v)
    for (int64_t l = 0; l < 16; ++l) {
      const int64_t lane = v * 16 + l, pixel = lane / n, o = lane % n;
      s->offset[static_cast<size_t>(lane)] = g.offset[static_cast<size_t>(o)];
      s->multiplier[static_cast<size_t>(lane)] = g.multiplier[static_cast<size_t>(o)];
      s->total_shift[static_cast<size_t>(lane)] = g.total_shift[static_cast<size_t>(o)];
      for (int64_t j = 0; j < groups; ++j) {
        for (int64_t t = 0; t < 4; ++t)
          s->permute[static_cast<size_t>(((j * vectors + v) * 16 + l) * 4 + t)] =
              static_cast<uint8_t>(pixel * col_step + 4 * j + t);
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t t = 0; t < 4; ++t)
            s->weights[static_cast<size_t>((((ky * groups + j) * vectors + v) * 16 + l) * 4 + t)] =
                weights[o * kd + ky * row_bytes + 4 * j + t];
      }
    }
  return s;
}

}  // namespace lq::kernels::int8_opt
