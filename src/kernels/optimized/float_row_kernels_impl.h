// The row kernels of float_row_kernels.h as plain loops, written so GCC vectorizes them
// (blocks of 16 through a local array; ternaries and bit selects that become
// min/max/blend). Included once per code path, by float_elementwise_opt{,_avx2,_avx512}
// .cpp, each compiled with its own ISA flags: everything here has internal linkage (no
// #pragma once, no out-of-line std:: templates a linker could merge across ISAs).
// Bit-exactness: the exact ops' expressions are the reference's own (same operand
// order, one rounding per operation, no multiply-add pair GCC could fuse).
#include <bit>
#include <cstdint>

#include "float_row_kernels.h"

namespace lq::kernels::float_opt {
namespace {

constexpr int kBlock = 16;
constexpr float kLowest = -3.40282347e+38f;

// out[i] = f(i) for i in [0, n): blocks of 16 through a local array, so the loop
// vectorizes even when out aliases an input.
template <typename F>
inline void map_row(float* out, int64_t n, F f) {
  int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    float v[kBlock];
    for (int j = 0; j < kBlock; ++j) v[j] = f(i + j);
    for (int j = 0; j < kBlock; ++j) out[i + j] = v[j];
  }
  for (; i < n; ++i) out[i] = f(i);
}

// The reference's clamp_activation: std::min(std::max(x, lo), hi).
inline float clamp(float x, float lo, float hi) {
  const float t = x < lo ? lo : x;
  return hi < t ? hi : t;
}

inline float bits_to_float(uint32_t b) { return std::bit_cast<float>(b); }
inline uint32_t float_to_bits(float f) { return std::bit_cast<uint32_t>(f); }

// c ? a : b on the bits. Both sides are computed first: with -ftrapping-math GCC will not
// turn a ternary whose arms hold a division into a blend, and leaves the loop scalar.
inline float select(bool c, float a, float b) {
  const uint32_t m = 0u - static_cast<uint32_t>(c);
  return bits_to_float((float_to_bits(a) & m) | (float_to_bits(b) & ~m));
}

// exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 in two steps (Cody-Waite);
// exp(r) = 1 + r + r^2 P(r) with P Cephes expf's degree-5 polynomial. Clamping to
// [-104, 88.8] keeps NaN (comparisons are false) and gives 0 / inf at the ends; 2^n is
// applied as two factors so subnormal results round once.
constexpr float kShift = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;  // 9 bits: n * kLn2Hi is exact
constexpr float kLn2Lo = -2.12194440e-4f;

inline float exp_poly_r(float r) {  // (exp(r) - 1 - r) / r^2
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  return p * r + 5.0000001201e-1f;
}

// Reduces x: returns r, sets n (as an integer; garbage for NaN, whose r is NaN).
inline float reduce_ln2(float x, int32_t& n) {
  const float t = x * kLog2e + kShift;
  const float nf = t - kShift;
  n = static_cast<int32_t>(float_to_bits(t) - float_to_bits(kShift));
  float r = x - nf * kLn2Hi;
  return r - nf * kLn2Lo;
}

inline float pow2(int32_t n) { return bits_to_float((static_cast<uint32_t>(n) + 127u) << 23); }

inline float exp_fast(float x) {
  x = select(x < -104.0f, -104.0f, x);
  x = select(x > 88.8f, 88.8f, x);
  int32_t n;
  const float r = reduce_ln2(x, n);
  const float e = exp_poly_r(r) * (r * r) + r + 1.0f;
  const int32_t n1 = n >> 1;  // n in [-151, 128]: two factors 2^n1, 2^(n - n1) in range
  return e * pow2(n1) * pow2(n - n1);
}

// tanh(x) = sign(x) u / (u + 2), u = expm1(2|x|) = 2^n expm1(r) + (2^n - 1).
inline float tanh_fast(float x) {
  const uint32_t sign = float_to_bits(x) & 0x80000000u;
  float a = bits_to_float(float_to_bits(x) & 0x7fffffffu);
  a = select(a > 9.5f, 9.5f, a);  // tanh rounds to 1 above 9.01; NaN stays NaN
  const float y = a + a;
  int32_t n;
  const float r = reduce_ln2(y, n);
  const float s = pow2(n & 0xff);  // n in [0, 28] (any value for NaN)
  const float q = exp_poly_r(r) * (r * r) + r;
  const float u = (s - 1.0f) + s * q;
  const float t = u / (u + 2.0f);
  return bits_to_float(float_to_bits(t) | sign);
}

inline float logistic_fast(float x) {
  const float e = exp_fast(select(x < -9.0f, x, -x));
  const float y = select(x < -9.0f, e, 1.0f / (1.0f + e));
  return select(x > 16.619047164916992188f, 1.0f, y);
}

void relu_row(const float* in, float* out, int64_t n) {
  map_row(out, n, [in](int64_t i) { return in[i] < 0.0f ? 0.0f : in[i]; });
}
void relu6_row(const float* in, float* out, int64_t n) {
  map_row(out, n, [in](int64_t i) {
    const float x = in[i];
    return x > 6.0f ? 6.0f : (x < 0.0f ? 0.0f : x);
  });
}
void logistic_row(const float* in, float* out, int64_t n) {
  map_row(out, n, [in](int64_t i) { return logistic_fast(in[i]); });
}
void tanh_row(const float* in, float* out, int64_t n) {
  map_row(out, n, [in](int64_t i) { return tanh_fast(in[i]); });
}

template <bool Add, bool StepA, bool StepB>
void binary_row_as(const float* a, const float* b, float* out, int64_t n, float lo, float hi) {
  map_row(out, n, [=](int64_t i) {
    const float x = a[StepA ? i : 0], y = b[StepB ? i : 0];
    return clamp(Add ? x + y : x * y, lo, hi);
  });
}

template <bool Add>
void binary_row(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n, float lo, float hi) {
  if (sa && sb) binary_row_as<Add, true, true>(a, b, out, n, lo, hi);
  else if (sa) binary_row_as<Add, true, false>(a, b, out, n, lo, hi);
  else if (sb) binary_row_as<Add, false, true>(a, b, out, n, lo, hi);
  else binary_row_as<Add, false, false>(a, b, out, n, lo, hi);
}

// SOFTMAX row: max and sum in 16 interleaved lanes (max is exact in any order).
void softmax_row(const float* in, float* out, int64_t depth, float beta) {
  float lane[kBlock];
  for (int j = 0; j < kBlock; ++j) lane[j] = kLowest;
  int64_t c = 0;
  for (; c + kBlock <= depth; c += kBlock)
    for (int j = 0; j < kBlock; ++j) lane[j] = lane[j] < in[c + j] ? in[c + j] : lane[j];
  for (int j = 0; c + j < depth; ++j) lane[j] = lane[j] < in[c + j] ? in[c + j] : lane[j];
  float max = kLowest;
  for (int j = 0; j < kBlock; ++j) max = max < lane[j] ? lane[j] : max;
  map_row(out, depth, [=](int64_t i) { return exp_fast((in[i] - max) * beta); });
  for (int j = 0; j < kBlock; ++j) lane[j] = 0.0f;
  for (c = 0; c + kBlock <= depth; c += kBlock)
    for (int j = 0; j < kBlock; ++j) lane[j] += out[c + j];
  for (int j = 0; c + j < depth; ++j) lane[j] += out[c + j];
  float sum = 0.0f;
  for (int j = 0; j < kBlock; ++j) sum += lane[j];
  map_row(out, depth, [=](int64_t i) { return out[i] / sum; });
}

void accumulate_row(float* acc, const float* row, int64_t n) {
  map_row(acc, n, [=](int64_t i) { return acc[i] + row[i]; });
}

// Exact binary16 -> binary32: normals and inf/NaN rebias the exponent (payload kept
// as is), subnormals are m * 2^-24 = (1 + m / 1024) * 2^-14 - 2^-14 (exact).
void half_to_float_row(const uint16_t* in, float* out, int64_t n) {
  map_row(out, n, [in](int64_t i) {
    const uint32_t h = in[i];
    const uint32_t sign = (h & 0x8000u) << 16;
    const uint32_t body = (h & 0x7fffu) << 13;
    const uint32_t exp = h & 0x7c00u;
    const uint32_t scaled = exp == 0x7c00u ? body + (224u << 23) : body + (112u << 23);
    const float sub = bits_to_float(body + (113u << 23)) - bits_to_float(113u << 23);
    return bits_to_float(float_to_bits(select(exp == 0, sub, bits_to_float(scaled))) | sign);
  });
}

// Pools: each output pixel reduces its in-image taps (ky, then kx) per channel, 16
// channels at a time in a local array.
template <bool Max, int Width>
inline void pool_block(const float* win, int64_t row_stride, int64_t col_stride, int32_t rows, int32_t cols,
                       int width, float lo, float hi, float* out) {
  const int w = Width > 0 ? Width : width;
  float acc[kBlock];
  for (int j = 0; j < w; ++j) acc[j] = Max ? kLowest : 0.0f;
  for (int32_t y = 0; y < rows; ++y)
    for (int32_t x = 0; x < cols; ++x) {
      const float* px = win + y * row_stride + x * col_stride;
      for (int j = 0; j < w; ++j) {
        if constexpr (Max) acc[j] = acc[j] < px[j] ? px[j] : acc[j];
        else acc[j] += px[j];
      }
    }
  // No taps (never with TFLite padding): the sum 0 divided by 1 is the reference's 0.
  const float n = static_cast<float>(rows * cols > 0 ? rows * cols : 1);
  for (int j = 0; j < w; ++j) out[j] = clamp(Max ? acc[j] : acc[j] / n, lo, hi);
}

template <bool Max>
void pool_row(const PoolRow& r) {
  const int64_t C = r.channels;
  for (int32_t ox = 0; ox < r.out_w; ++ox) {
    const int64_t ix0 = int64_t{ox} * r.stride_w - r.pad_left;
    const int64_t kx0 = ix0 < 0 ? -ix0 : 0;
    const int64_t kx1 = r.filter_w < r.in_w - ix0 ? r.filter_w : r.in_w - ix0;
    const int32_t cols = kx1 > kx0 ? static_cast<int32_t>(kx1 - kx0) : 0;
    const float* win = r.input + (ix0 + kx0) * C;
    float* out = r.output + int64_t{ox} * C;
    // Channel blocks of 16, then one of 8 and one of 4 (fixed widths vectorize), then 0-3.
    int64_t c = 0;
    for (; c + 16 <= C; c += 16) pool_block<Max, 16>(win + c, r.row_stride, C, r.rows, cols, 0, r.lo, r.hi, out + c);
    if (c + 8 <= C) {
      pool_block<Max, 8>(win + c, r.row_stride, C, r.rows, cols, 0, r.lo, r.hi, out + c);
      c += 8;
    }
    if (c + 4 <= C) {
      pool_block<Max, 4>(win + c, r.row_stride, C, r.rows, cols, 0, r.lo, r.hi, out + c);
      c += 4;
    }
    if (c < C)
      pool_block<Max, 0>(win + c, r.row_stride, C, r.rows, cols, static_cast<int>(C - c), r.lo, r.hi, out + c);
  }
}

// The table with the plain-loop kernels of this translation unit.
constexpr RowKernels kLoopKernels = {
    relu_row,        relu6_row,           logistic_row,       tanh_row,       binary_row<true>, binary_row<false>,
    softmax_row,     accumulate_row,      half_to_float_row,  pool_row<true>, pool_row<false>,
};

}  // namespace
}  // namespace lq::kernels::float_opt
