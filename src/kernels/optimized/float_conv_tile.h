#pragma once
// The register tile of the direct float conv (Conv2DFloatDirect, float_optimized.h), one
// template for every path; a path supplies the vector type V (float_vec.h).
//
// Packed filter of a group of NV 16-channel blocks: for k in [0, K) (K = KH*KW*C in the
// filter's (ky, kx, ic) order), NV*16 floats (channels past the op's out_c are 0).
// A tile computes MR output pixels of one output row, in[j * pixel_stride + tap] being
// pixel j's input at a tap; the taps are `segments` runs of `segment_len` contiguous
// floats starting at in + segment[s]. acc = 0.f; acc += x * w (FMA) in k order; then
// out = min(hi, max(lo, acc + bias)) (NaN stays NaN), only the first `channels` lanes.
#include <cstddef>
#include <cstdint>
#include <utility>

namespace lq::kernels::float_conv {

constexpr int kMaxBlocks = 4;   // NV
constexpr int kMaxPixels = 24;  // MR

struct TileArgs {
  const int64_t* segment = nullptr;
  int64_t segments = 0, segment_len = 0;
  int64_t pixel_stride = 0;  // floats between the inputs of neighbouring output pixels
  int64_t out_stride = 0;    // floats between neighbouring output pixels (out_c)
  float lo = 0.0f, hi = 0.0f;
};

using TileFn = void (*)(const TileArgs& a, const float* in, const float* w, const float* bias, float* out,
                        int channels);

// The tiles one path offers: fn[NV - 1][MR - 1] for NV <= max_blocks, MR <= max_pixels[NV - 1].
struct TileKernels {
  int max_blocks = 0;
  int max_pixels[kMaxBlocks] = {};
  TileFn fn[kMaxBlocks][kMaxPixels] = {};
};

const TileKernels& tile_kernels_portable();
const TileKernels& tile_kernels_avx2();
const TileKernels& tile_kernels_avx512();

template <class V, int MR, int NV>
void conv_tile(const TileArgs& a, const float* in, const float* w, const float* bias, float* out, int channels) {
  constexpr int L = V::kLanes, U = NV * 16 / L;
  typename V::Vec acc[MR][U];
  for (int j = 0; j < MR; ++j)
    for (int u = 0; u < U; ++u) acc[j][u] = V::zero();
  const int64_t ps = a.pixel_stride;
  for (int64_t s = 0; s < a.segments; ++s) {
    const float* x = in + a.segment[s];
    for (int64_t k = 0; k < a.segment_len; ++k, w += NV * 16) {
      typename V::Vec wv[U];
      for (int u = 0; u < U; ++u) wv[u] = V::load(w + u * L);
      for (int j = 0; j < MR; ++j) {
        const typename V::Vec b = V::broadcast(x + j * ps + k);
        for (int u = 0; u < U; ++u) acc[j][u] = V::fma(b, wv[u], acc[j][u]);
      }
    }
  }
  const typename V::Vec lo = V::set1(a.lo), hi = V::set1(a.hi);
  for (int u = 0; u < U; ++u) {
    const int n = channels - u * L;
    if (n <= 0) break;
    const typename V::Vec bu = V::load(bias + u * L);
    for (int j = 0; j < MR; ++j) {
      const typename V::Vec v = V::min(hi, V::max(lo, V::add(acc[j][u], bu)));
      V::store(out + j * a.out_stride + u * L, v, n < L ? n : L);
    }
  }
}

namespace detail {
template <class V, int NV, int... MR>
void fill_row(TileKernels& t, std::integer_sequence<int, MR...>) {
  ((t.fn[NV - 1][MR] = &conv_tile<V, MR + 1, NV>), ...);
  t.max_pixels[NV - 1] = static_cast<int>(sizeof...(MR));
}
template <class V, int... Pixels, size_t... I>
void fill_rows(TileKernels& t, std::integer_sequence<int, Pixels...>, std::index_sequence<I...>) {
  (fill_row<V, static_cast<int>(I) + 1>(t, std::make_integer_sequence<int, Pixels>()), ...);
}
}  // namespace detail

// Tiles of V for NV = 1..sizeof...(Pixels), MR = 1..Pixels[NV - 1].
template <class V, int... Pixels>
TileKernels make_tile_kernels() {
  static_assert(sizeof...(Pixels) <= kMaxBlocks && ((Pixels <= kMaxPixels) && ...));
  TileKernels t;
  t.max_blocks = static_cast<int>(sizeof...(Pixels));
  detail::fill_rows<V>(t, std::integer_sequence<int, Pixels...>(), std::make_index_sequence<sizeof...(Pixels)>());
  return t;
}

}  // namespace lq::kernels::float_conv
