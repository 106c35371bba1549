#pragma once
// The register tile of the float DEPTHWISE_CONV_2D (DepthwiseConv2DFloatOptimized,
// float_optimized.h), one template for every path (V from float_vec.h).
//
// Packed filter: for tap t in [0, KH*KW) ((ky, kx) order), filter_stride floats (out_c
// rounded up to 16; the extra channels are 0), same for the bias. The image read has
// out_c channels per pixel, channel oc being input channel oc / M (M = 1: the input).
// A tile computes MR output pixels of one output row for one vector of channels
// [c, c + n): acc = 0.f; acc += x * w (FMA) in tap order; then
// out = min(hi, max(lo, acc + bias)) (NaN stays NaN). Lanes past n are neither read nor
// written (masked loads and stores).
#include <cstdint>
#include <utility>

namespace lq::kernels::float_depthwise {

constexpr int kMaxPixels = 8;  // MR

struct TileArgs {
  const int64_t* tap = nullptr;  // offset (floats) of each tap in the image
  int64_t taps = 0;
  int64_t pixel_stride = 0;   // floats between the inputs of neighbouring output pixels
  int64_t filter_stride = 0;  // floats between the packed weights of neighbouring taps
  int64_t out_stride = 0;     // floats between neighbouring output pixels (out_c)
  float lo = 0.0f, hi = 0.0f;
};

// in/w/bias/out point at channel c of pixel 0; n = channels in [c, out_c) (a full
// vector when n >= lanes).
using TileFn = void (*)(const TileArgs& a, const float* in, const float* w, const float* bias, float* out, int n);

struct TileKernels {
  int lanes = 0;
  TileFn fn[kMaxPixels] = {};  // fn[MR - 1]
};

const TileKernels& tile_kernels_portable();
const TileKernels& tile_kernels_avx2();
const TileKernels& tile_kernels_avx512();

template <class V, int MR>
void depthwise_tile(const TileArgs& a, const float* in, const float* w, const float* bias, float* out, int n) {
  constexpr int L = V::kLanes;
  typename V::Vec acc[MR];
  for (int j = 0; j < MR; ++j) acc[j] = V::zero();
  const int64_t ps = a.pixel_stride;
  if (n >= L) {
    for (int64_t t = 0; t < a.taps; ++t) {
      const typename V::Vec wv = V::load(w + t * a.filter_stride);
      const float* x = in + a.tap[t];
      for (int j = 0; j < MR; ++j) acc[j] = V::fma(V::load(x + j * ps), wv, acc[j]);
    }
  } else {
    for (int64_t t = 0; t < a.taps; ++t) {
      const typename V::Vec wv = V::load(w + t * a.filter_stride);
      const float* x = in + a.tap[t];
      for (int j = 0; j < MR; ++j) acc[j] = V::fma(V::load_n(x + j * ps, n), wv, acc[j]);
    }
  }
  const typename V::Vec lo = V::set1(a.lo), hi = V::set1(a.hi), b = V::load(bias);
  const int stored = n < L ? n : L;
  for (int j = 0; j < MR; ++j) V::store(out + j * a.out_stride, V::min(hi, V::max(lo, V::add(acc[j], b))), stored);
}

template <class V, int... MR>
TileKernels make_tile_kernels(std::integer_sequence<int, MR...>) {
  TileKernels t;
  t.lanes = V::kLanes;
  ((t.fn[MR] = &depthwise_tile<V, MR + 1>), ...);
  return t;
}

}  // namespace lq::kernels::float_depthwise
