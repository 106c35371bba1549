// AVX2 int8/uint8 pools (int8_pool.h): MAX 32 (or 16) channels per vector, AVERAGE 8
// channels per vector in int32. AVX2 has no masked byte loads: a channel tail is done by
// one more vector ending at the last channel (it rewrites some outputs with the same
// values), and fewer channels than one vector take the scalar loop.
#include "int8_pool.h"

#if defined(__AVX2__)
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace lq::kernels::pool_opt {
namespace {

struct Window {
  const uint8_t* base;  // first in-image tap, channel 0
  int64_t row_stride, col_stride;
  int32_t rows, cols;
};

template <bool Signed>
inline __m256i max256(__m256i a, __m256i b) {
  if constexpr (Signed) return _mm256_max_epi8(a, b);
  else return _mm256_max_epu8(a, b);
}
template <bool Signed>
inline __m256i min256(__m256i a, __m256i b) {
  if constexpr (Signed) return _mm256_min_epi8(a, b);
  else return _mm256_min_epu8(a, b);
}
template <bool Signed>
inline __m128i max128(__m128i a, __m128i b) {
  if constexpr (Signed) return _mm_max_epi8(a, b);
  else return _mm_max_epu8(a, b);
}
template <bool Signed>
inline __m128i min128(__m128i a, __m128i b) {
  if constexpr (Signed) return _mm_min_epi8(a, b);
  else return _mm_min_epu8(a, b);
}

template <typename T>
void scalar_pixel(const Window& w, int64_t c_begin, int64_t C, int32_t lo, int32_t hi, bool max, T* out) {
  const int32_t n = w.rows * w.cols;
  for (int64_t c = c_begin; c < C; ++c) {
    int32_t m = lo, acc = 0;
    for (int32_t y = 0; y < w.rows; ++y)
      for (int32_t x = 0; x < w.cols; ++x) {
        const int32_t v = reinterpret_cast<const T*>(w.base + y * w.row_stride + x * w.col_stride)[c];
        m = std::max(m, v);
        acc += v;
      }
    const int32_t r = max ? m : (acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n);
    out[c] = static_cast<T>(std::min(std::max(r, lo), hi));
  }
}

template <bool Signed>
void max_pixel(const Window& w, int64_t C, int32_t lo, int32_t hi, uint8_t* out) {
  if (C >= 32) {
    const __m256i lo_v = _mm256_set1_epi8(static_cast<char>(lo)), hi_v = _mm256_set1_epi8(static_cast<char>(hi));
    for (int64_t c0 = 0; c0 < C; c0 += 32) {
      const int64_t c = std::min(c0, C - 32);
      __m256i m = lo_v;
      const uint8_t* row = w.base + c;
      for (int32_t y = 0; y < w.rows; ++y, row += w.row_stride) {
        const uint8_t* px = row;
        for (int32_t x = 0; x < w.cols; ++x, px += w.col_stride)
          m = max256<Signed>(m, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(px)));
      }
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c), min256<Signed>(m, hi_v));
    }
  } else if (C >= 16) {
    const __m128i lo_v = _mm_set1_epi8(static_cast<char>(lo)), hi_v = _mm_set1_epi8(static_cast<char>(hi));
    for (int64_t c0 = 0; c0 < C; c0 += 16) {
      const int64_t c = std::min(c0, C - 16);
      __m128i m = lo_v;
      const uint8_t* row = w.base + c;
      for (int32_t y = 0; y < w.rows; ++y, row += w.row_stride) {
        const uint8_t* px = row;
        for (int32_t x = 0; x < w.cols; ++x, px += w.col_stride)
          m = max128<Signed>(m, _mm_loadu_si128(reinterpret_cast<const __m128i*>(px)));
      }
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + c), min128<Signed>(m, hi_v));
    }
  } else if (Signed) {
    scalar_pixel<int8_t>(w, 0, C, lo, hi, true, reinterpret_cast<int8_t*>(out));
  } else {
    scalar_pixel<uint8_t>(w, 0, C, lo, hi, true, out);
  }
}

template <bool Signed>
void average_pixel(const Window& w, int64_t C, int32_t lo, int32_t hi, uint8_t* out) {
  if (C < 8) {
    if (Signed) scalar_pixel<int8_t>(w, 0, C, lo, hi, false, reinterpret_cast<int8_t*>(out));
    else scalar_pixel<uint8_t>(w, 0, C, lo, hi, false, out);
    return;
  }
  const int32_t n = w.rows * w.cols;
  const __m256 nf = _mm256_set1_ps(static_cast<float>(n));
  const __m256i half = _mm256_set1_epi32(n / 2);
  const __m256i lo_v = _mm256_set1_epi32(lo), hi_v = _mm256_set1_epi32(hi);
  // Low byte of each int32, gathered into the low 8 bytes.
  const __m256i pick = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                        0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m256i lanes = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0);
  for (int64_t c0 = 0; c0 < C; c0 += 8) {
    const int64_t c = std::min(c0, C - 8);
    __m256i acc = _mm256_setzero_si256();
    const uint8_t* row = w.base + c;
    for (int32_t y = 0; y < w.rows; ++y, row += w.row_stride) {
      const uint8_t* px = row;
      for (int32_t x = 0; x < w.cols; ++x, px += w.col_stride) {
        const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(px));
        acc = _mm256_add_epi32(acc, Signed ? _mm256_cvtepi8_epi32(v) : _mm256_cvtepu8_epi32(v));
      }
    }
    // sign(acc) * floor((|acc| + n/2) / n); exact in float (int8_optimized_ops.h).
    const __m256i num = _mm256_add_epi32(_mm256_abs_epi32(acc), half);
    __m256i q = _mm256_cvttps_epi32(_mm256_div_ps(_mm256_cvtepi32_ps(num), nf));
    q = _mm256_sign_epi32(q, acc);
    q = _mm256_min_epi32(_mm256_max_epi32(q, lo_v), hi_v);
    q = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(q, pick), lanes);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + c), _mm256_castsi256_si128(q));
  }
}

// Output rows [row0, row1) of all images (row = b * out_h + oy).
template <bool Signed, bool Max>
void run(const Pool2DInt8Optimized& p, const uint8_t* input, uint8_t* output, int64_t row0,
         int64_t row1) {
  const Pool2DInt8Params& q = p.params;
  const int32_t lo = q.quantized_activation.min, hi = q.quantized_activation.max;
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
      if constexpr (Max) max_pixel<Signed>(w, C, lo, hi, out);
      else average_pixel<Signed>(w, C, lo, hi, out);
    }
  }
}

}  // namespace

bool avx2_compiled() { return true; }

void pool_avx2(const Pool2DInt8Optimized& p, const void* input, void* output, int64_t row0,
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
bool avx2_compiled() { return false; }
void pool_avx2(const Pool2DInt8Optimized&, const void*, void*, int64_t, int64_t) {}
}  // namespace lq::kernels::pool_opt

#endif
