// AVX-512 (F/BW/VL/DQ) int8/uint8 pools (int8_pool.h): MAX 64 channels per vector,
// AVERAGE 16 channels per vector in int32, channel tails with masked loads and stores.
// MAX with few channels (prepared row buffer, int8_pool.h) works on whole rows with VBMI
// byte permutes instead (max_rows below).
#include "int8_pool.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
// GCC 12's AVX-512 headers build some intrinsics from _mm512_undefined_epi32(), which
// -Wuninitialized reports once inlined (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#define LQ_VBMI __attribute__((target("avx512vbmi")))

namespace lq::kernels::pool_opt {
namespace {

inline __mmask64 mask64(int64_t n) { return n >= 64 ? ~__mmask64{0} : ((__mmask64{1} << n) - 1); }
inline __mmask16 mask16(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n) - 1);
}

template <bool Signed>
inline __m512i max8(__m512i a, __m512i b) {
  if constexpr (Signed) return _mm512_max_epi8(a, b);
  else return _mm512_max_epu8(a, b);
}
template <bool Signed>
inline __m512i min8(__m512i a, __m512i b) {
  if constexpr (Signed) return _mm512_min_epi8(a, b);
  else return _mm512_min_epu8(a, b);
}
template <bool Signed>
inline __m512i widen16(__m128i x) {
  if constexpr (Signed) return _mm512_cvtepi8_epi32(x);
  else return _mm512_cvtepu8_epi32(x);
}

struct Window {
  const uint8_t* base;  // first in-image tap, channel 0
  int64_t row_stride, col_stride;
  int32_t rows, cols;
};

// Max of `m` and the window's taps at `first` (channel offset applied), load(px) giving
// one tap's vector.
template <bool Signed, typename Load>
inline __m512i window_max(const Window& w, const uint8_t* first, __m512i m, Load load) {
  for (int32_t y = 0; y < w.rows; ++y, first += w.row_stride) {
    const uint8_t* px = first;
    for (int32_t x = 0; x < w.cols; ++x, px += w.col_stride) m = max8<Signed>(m, load(px));
  }
  return m;
}

// Whole vectors load unmasked: GCC reuses the running max's register as a zero-masked
// load's destination, which (measured, AMD Zen 5) chains every load after the previous
// max, so taps missing L1 were fetched one at a time (5x slower at batch 256).
template <bool Signed>
void max_pixel(const Window& w, int64_t C, __m512i lo, __m512i hi, uint8_t* out) {
  int64_t c = 0;
  for (; c + 64 <= C; c += 64) {
    const __m512i m = window_max<Signed>(w, w.base + c, lo, [](const uint8_t* px) { return _mm512_loadu_si512(px); });
    _mm512_storeu_si512(out + c, min8<Signed>(m, hi));
  }
  if (c < C) {
    const __mmask64 k = mask64(C - c);
    const __m512i m =
        window_max<Signed>(w, w.base + c, lo, [k](const uint8_t* px) { return _mm512_maskz_loadu_epi8(k, px); });
    _mm512_mask_storeu_epi8(out + c, k, min8<Signed>(m, hi));
  }
}

template <bool Signed>
void average_pixel(const Window& w, int64_t C, __m512i lo, __m512i hi, uint8_t* out) {
  const int32_t n = w.rows * w.cols;
  const __m512 nf = _mm512_set1_ps(static_cast<float>(n));
  const __m512i half = _mm512_set1_epi32(n / 2);
  const __m512i zero = _mm512_setzero_si512();
  for (int64_t c = 0; c < C; c += 16) {
    const __mmask16 k = mask16(C - c);
    const bool full = C - c >= 16;  // unmasked loads (max_pixel)
    __m512i acc = zero;
    const uint8_t* row = w.base + c;
    for (int32_t y = 0; y < w.rows; ++y, row += w.row_stride) {
      const uint8_t* px = row;
      for (int32_t x = 0; x < w.cols; ++x, px += w.col_stride) {
        const __m128i v = full ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(px)) : _mm_maskz_loadu_epi8(k, px);
        acc = _mm512_add_epi32(acc, widen16<Signed>(v));
      }
    }
    // sign(acc) * floor((|acc| + n/2) / n); exact in float (int8_optimized_ops.h).
    const __m512i num = _mm512_add_epi32(_mm512_abs_epi32(acc), half);
    __m512i q = _mm512_cvttps_epi32(_mm512_div_ps(_mm512_cvtepi32_ps(num), nf));
    q = _mm512_mask_sub_epi32(q, _mm512_cmplt_epi32_mask(acc, zero), zero, q);
    q = _mm512_min_epi32(_mm512_max_epi32(q, lo), hi);
    _mm512_mask_cvtepi32_storeu_epi8(out + c, k, q);
  }
}

// Output rows [row0, row1) of all images (row = b * out_h + oy).
template <bool Signed, bool Max>
void run(const Pool2DInt8Optimized& p, const uint8_t* input, uint8_t* output, int64_t row0,
         int64_t row1) {
  const Pool2DInt8Params& q = p.params;
  const int32_t lo = q.quantized_activation.min, hi = q.quantized_activation.max;
  const __m512i lo_v = Max ? _mm512_set1_epi8(static_cast<char>(lo)) : _mm512_set1_epi32(lo);
  const __m512i hi_v = Max ? _mm512_set1_epi8(static_cast<char>(hi)) : _mm512_set1_epi32(hi);
  const int64_t C = q.in_c;
  Window w;
  w.row_stride = int64_t{q.in_w} * C;
  w.col_stride = C;
  for (int64_t r = row0; r < row1; ++r) {
    const int64_t b = r / q.out_h;
    const int32_t oy = static_cast<int32_t>(r % q.out_h);
    const int32_t y0 = p.ky0[static_cast<size_t>(oy)];
    w.rows = p.ky1[static_cast<size_t>(oy)] - y0;
    const int64_t iy = int64_t{oy} * q.stride_h - q.pad_top + y0;
    uint8_t* out = output + r * q.out_w * C;
    for (int32_t ox = 0; ox < q.out_w; ++ox, out += C) {
      const int32_t x0 = p.kx0[static_cast<size_t>(ox)];
      w.cols = p.kx1[static_cast<size_t>(ox)] - x0;
      const int64_t ix = int64_t{ox} * q.stride_w - q.pad_left + x0;
      w.base = input + ((b * q.in_h + iy) * q.in_w + ix) * C;
      if constexpr (Max) max_pixel<Signed>(w, C, lo_v, hi_v, out);
      else average_pixel<Signed>(w, C, lo_v, hi_v, out);
    }
  }
}


// MAX, few channels, one image at a time. First the vertical max of every output row's
// window rows goes into its row of the buffer (whole 64-byte vectors over the row's W*C
// bytes), inside a border of act.min bytes that stands for the clipped taps
// (max(act.min, ...) is what the per-pixel path computes too). Then, all rows written
// (reading a row right after writing it stalls on store forwarding), m output pixels at
// a time: window column kx of all of them is one vpermt2b from the 128 buffer bytes at
// the first window, output byte i taking byte ((i / C) * stride_w + kx) * C + i % C.
template <bool Signed>
LQ_VBMI void max_rows(const Pool2DInt8Optimized& p, const uint8_t* input, uint8_t* output,
                      int64_t b0, int64_t b1, uint8_t* buffer) {
  const Pool2DInt8Params& q = p.params;
  const int64_t C = q.in_c, in_row = int64_t{q.in_w} * C, sw = q.stride_w;
  const int64_t m = small_max_pixels(q), row_bytes = small_max_row_bytes(q);
  alignas(64) uint8_t idx0[64] = {};
  for (int64_t i = 0; i < m * C; ++i) idx0[i] = static_cast<uint8_t>((i / C) * sw * C + i % C);
  const __m512i first = _mm512_load_si512(idx0);
  const __m512i lo = _mm512_set1_epi8(static_cast<char>(q.quantized_activation.min));
  const __m512i hi = _mm512_set1_epi8(static_cast<char>(q.quantized_activation.max));
  for (int64_t b = b0; b < b1; ++b) {
    for (int32_t oy = 0; oy < q.out_h; ++oy) {
      const int32_t y0 = p.ky0[static_cast<size_t>(oy)], rows = p.ky1[static_cast<size_t>(oy)] - y0;
      const int64_t iy = int64_t{oy} * q.stride_h - q.pad_top + y0;
      const uint8_t* src = input + (b * q.in_h + iy) * in_row;
      uint8_t* row_in = buffer + oy * row_bytes + int64_t{q.pad_left} * C;
      for (int64_t j = 0; j < in_row; j += 64) {
        const __mmask64 k = mask64(in_row - j);
        __m512i v = _mm512_maskz_loadu_epi8(k, src + j);
        for (int32_t y = 1; y < rows; ++y) v = max8<Signed>(v, _mm512_maskz_loadu_epi8(k, src + y * in_row + j));
        _mm512_mask_storeu_epi8(row_in + j, k, v);
      }
    }
    for (int32_t oy = 0; oy < q.out_h; ++oy) {
      const uint8_t* row = buffer + oy * row_bytes;
      uint8_t* out = output + (b * q.out_h + oy) * q.out_w * C;
      for (int64_t ox = 0; ox < q.out_w; ox += m) {
        const uint8_t* s = row + ox * sw * C;
        const __m512i a = _mm512_loadu_si512(s), a_hi = _mm512_loadu_si512(s + 64);
        __m512i r = lo;
        for (int32_t kx = 0; kx < q.filter_w; ++kx) {
          const __m512i idx = _mm512_add_epi8(first, _mm512_set1_epi8(static_cast<char>(kx * C)));
          r = max8<Signed>(r, _mm512_permutex2var_epi8(a, idx, a_hi));
        }
        _mm512_mask_storeu_epi8(out + ox * C, mask64(std::min<int64_t>(m, q.out_w - ox) * C), min8<Signed>(r, hi));
      }
    }
  }
}

}  // namespace

bool avx512_compiled() { return true; }

void max_small_avx512(const Pool2DInt8Optimized& p, const void* input, void* output, int64_t b0,
                      int64_t b1, uint8_t* buffer) {
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  if (p.type == QuantizedType::kInt8) max_rows<true>(p, in, out, b0, b1, buffer);
  else max_rows<false>(p, in, out, b0, b1, buffer);
}

void pool_avx512(const Pool2DInt8Optimized& p, const void* input, void* output, int64_t row0,
                 int64_t row1) {
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  const bool s8 = p.type == QuantizedType::kInt8;
  if (p.kind == PoolKind::kMax) {
    if (s8) run<true, true>(p, in, out, row0, row1);
    else run<false, true>(p, in, out, row0, row1);
  } else {
    if (s8) run<true, false>(p, in, out, row0, row1);
    else run<false, false>(p, in, out, row0, row1);
  }
}

}  // namespace lq::kernels::pool_opt

#else

namespace lq::kernels::pool_opt {
bool avx512_compiled() { return false; }
void pool_avx512(const Pool2DInt8Optimized&, const void*, void*, int64_t, int64_t) {}
void max_small_avx512(const Pool2DInt8Optimized&, const void*, void*, int64_t, int64_t, uint8_t*) {}
}  // namespace lq::kernels::pool_opt

#endif
