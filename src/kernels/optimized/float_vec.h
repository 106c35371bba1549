#pragma once
// Vector types of the float conv kernels (float_conv_tile.h, float_depthwise_tile.h):
// Portable always; Avx2 / Avx512 only in files compiled for them (*_avx2.cpp,
// *_avx512.cpp). Internal linkage: each file gets its own copy, built for its own ISA.
// max/min return the second operand when either is NaN: kernels call max(lo, v) and
// min(hi, v) so that a NaN sum stays NaN.
#include <cstring>

// GCC 12 reports false maybe-uninitialized warnings inside the intrinsics headers; this
// also covers the files including this header (which are all intrinsics code).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace lq::kernels::float_vec {
namespace {

// Plain C++ vectors of 4 floats (the compiler vectorizes the loops it can); multiply then
// add (no FMA instruction in the baseline ISA).
struct Portable {
  struct Vec {
    float v[4];
  };
  static constexpr int kLanes = 4;
  static Vec zero() { return set1(0.0f); }
  static Vec set1(float x) { return {{x, x, x, x}}; }
  static Vec load(const float* p) { return {{p[0], p[1], p[2], p[3]}}; }
  static Vec load_n(const float* p, int n) {  // lanes [n, 4) are 0
    Vec v = zero();
    std::memcpy(v.v, p, static_cast<size_t>(n) * sizeof(float));
    return v;
  }
  static Vec broadcast(const float* p) { return set1(*p); }
  template <typename Op>
  static Vec map(Vec a, Vec b, Op op) {
    for (int i = 0; i < 4; ++i) a.v[i] = op(a.v[i], b.v[i]);
    return a;
  }
  static Vec fma(Vec a, Vec b, Vec c) {
    for (int i = 0; i < 4; ++i) c.v[i] += a.v[i] * b.v[i];
    return c;
  }
  static Vec add(Vec a, Vec b) { return map(a, b, [](float x, float y) { return x + y; }); }
  static Vec max(Vec a, Vec b) { return map(a, b, [](float x, float y) { return x > y ? x : y; }); }
  static Vec min(Vec a, Vec b) { return map(a, b, [](float x, float y) { return x < y ? x : y; }); }
  static void store(float* p, Vec v, int n) { std::memcpy(p, v.v, static_cast<size_t>(n) * sizeof(float)); }
};

#if defined(__AVX2__) && defined(__FMA__)
struct Avx2 {
  using Vec = __m256;
  static constexpr int kLanes = 8;
  static Vec zero() { return _mm256_setzero_ps(); }
  static Vec set1(float x) { return _mm256_set1_ps(x); }
  static Vec load(const float* p) { return _mm256_loadu_ps(p); }
  static __m256i first(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Vec load_n(const float* p, int n) { return _mm256_maskload_ps(p, first(n)); }
  // set1, not _mm256_broadcast_ss: with the latter GCC 12 keeps the conv tile's
  // accumulators in memory (a store per FMA), as if the builtin's pointer could alias them.
  static Vec broadcast(const float* p) { return _mm256_set1_ps(*p); }
  static Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  static Vec add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
  static Vec max(Vec a, Vec b) { return _mm256_max_ps(a, b); }
  static Vec min(Vec a, Vec b) { return _mm256_min_ps(a, b); }
  static void store(float* p, Vec v, int n) {
    if (n == kLanes) _mm256_storeu_ps(p, v);
    else _mm256_maskstore_ps(p, first(n), v);
  }
};
#endif

#if defined(__AVX512F__)
struct Avx512 {
  using Vec = __m512;
  static constexpr int kLanes = 16;
  static Vec zero() { return _mm512_setzero_ps(); }
  static Vec set1(float x) { return _mm512_set1_ps(x); }
  static Vec load(const float* p) { return _mm512_loadu_ps(p); }
  static __mmask16 first(int n) { return static_cast<__mmask16>((1u << n) - 1); }
  static Vec load_n(const float* p, int n) { return _mm512_maskz_loadu_ps(first(n), p); }
  static Vec broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Vec fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
  static Vec add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
  static Vec max(Vec a, Vec b) { return _mm512_max_ps(a, b); }
  static Vec min(Vec a, Vec b) { return _mm512_min_ps(a, b); }
  static void store(float* p, Vec v, int n) {
    if (n == kLanes) _mm512_storeu_ps(p, v);
    else _mm512_mask_storeu_ps(p, first(n), v);
  }
};
#endif

}  // namespace
}  // namespace lq::kernels::float_vec
