// AVX-512 VNNI int8 GEMM with fused single-rounding requantization (int8_gemm.h), and
// the same micro-kernel as a direct convolution reading the padded image in place
// (ImplicitConv). Micro-tiles of R rows x NV vectors of 16 channels (6 x 4: 24 zmm
// accumulators kept in registers over the whole k loop); vpdpbusd multiplies 4 u8 of A
// (broadcast) with 4 s8 weights per channel and adds to int32 accumulators. The file is
// compiled with -mavx512f/bw/vl/dq; the VNNI functions carry a target attribute and are
// only reached after int8_path_available(kAvx512Vnni).
#include "int8_gemm.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
// GCC 12's AVX-512 headers build unmasked shifts from _mm512_undefined_epi32(), which
// -Wuninitialized reports once inlined (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "int8_prefetch.h"
#include "int8_requant_avx512.h"

#define LQ_VNNI __attribute__((target("avx512vnni")))
#define LQ_UNROLL _Pragma("GCC unroll 16")

namespace lq::kernels::int8_opt {
namespace {

// acc += dot4(x_u8, w_s8) per int32 lane. Inline asm keeps the accumulator in place:
// GCC 12 compiles the intrinsic's tied operand of a 24-accumulator tile into a register
// move per instruction (and spills), which halved the kernel's speed.
LQ_VNNI inline void dpbusd(__m512i& acc, __m512i x, __m512i w) {
#if defined(__GNUC__)
  asm("vpdpbusd %[w], %[x], %[acc]" : [acc] "+v"(acc) : [x] "v"(x), [w] "v"(w));
#else
  acc = _mm512_dpbusd_epi32(acc, x, w);
#endif
}

// Requantizes R rows x NV vectors of accumulators into C (channels from ch0).
template <int R, int NV>
LQ_VNNI __attribute__((always_inline)) inline void store_tile(const PackedGemm& g,
                                                              const __m512i (&acc)[R][NV],
                                                              int64_t ch0, int8_t* c, int64_t ldc) {
  const __m512i lo = _mm512_set1_epi32(g.out_lo), hi = _mm512_set1_epi32(g.out_hi);
  const __m512i zp = _mm512_set1_epi32(g.zp_out);
  const __m512i act_lo = _mm512_add_epi32(lo, zp), act_hi = _mm512_add_epi32(hi, zp);
  LQ_UNROLL for (int v = 0; v < NV; ++v) {
    const int64_t ch = ch0 + v * 16;
    const int64_t rem = g.n - ch;
    const __mmask16 mask = rem >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << rem) - 1u);
    if (g.requant_hi) {
      const Requant16Hi q = load_requant_hi(g.multiplier.data() + ch, g.total_shift.data() + ch, g.zp_out);
      if (g.clamp) {
        LQ_UNROLL for (int r = 0; r < R; ++r)
          _mm_mask_storeu_epi8(c + r * ldc + ch, mask, requantize16_hi<true>(acc[r][v], q, act_lo, act_hi));
      } else {
        LQ_UNROLL for (int r = 0; r < R; ++r)
          _mm_mask_storeu_epi8(c + r * ldc + ch, mask, requantize16_hi<false>(acc[r][v], q, act_lo, act_hi));
      }
    } else {
      const Requant16 q = load_requant(g.multiplier.data() + ch, g.total_shift.data() + ch);
      LQ_UNROLL for (int r = 0; r < R; ++r) {
        _mm_mask_storeu_epi8(c + r * ldc + ch, mask, requantize16(acc[r][v], q, lo, hi, zp));
      }
    }
  }
}

// The same tile as raw int32 sums (gemm_int32).
template <int R, int NV>
LQ_VNNI __attribute__((always_inline)) inline void store_tile(const PackedGemm& g,
                                                              const __m512i (&acc)[R][NV],
                                                              int64_t ch0, int32_t* c, int64_t ldc) {
  LQ_UNROLL for (int v = 0; v < NV; ++v) {
    const int64_t ch = ch0 + v * 16;
    const int64_t rem = g.n - ch;
    const __mmask16 mask = rem >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << rem) - 1u);
    LQ_UNROLL for (int r = 0; r < R; ++r) _mm512_mask_storeu_epi32(c + r * ldc + ch, mask, acc[r][v]);
  }
}

// Accumulators start at the channels' offsets (the first set) or 0.
template <int R, int NV>
LQ_VNNI __attribute__((always_inline)) inline void init_tile(const PackedGemm& g, int64_t ch0,
                                                             bool with_offset,
                                                             __m512i (&acc)[R][NV]) {
  LQ_UNROLL for (int v = 0; v < NV; ++v) {
    const __m512i o = with_offset ? _mm512_loadu_si512(g.offset.data() + ch0 + v * 16)
                                  : _mm512_setzero_si512();
    LQ_UNROLL for (int r = 0; r < R; ++r) acc[r][v] = o;
  }
}

// Out: int8_t (requantized) or int32_t (raw).
template <typename Out>
struct TileArgs {
  const PackedGemm* g;
  const uint8_t* a;
  int64_t lda;
  const int8_t* w;  // panel start
  int64_t ch0;      // first channel of the panel
  Out* c;
  int64_t ldc;
};

// Small tiles (few rows, e.g. FULLY_CONNECTED at batch 1) would be one long chain of
// dependent vpdpbusd; they keep KS independent accumulator sets over alternating k
// groups and add them at the end (exact: every partial sum is inside the int32 bound).
template <int R, int NV>
constexpr int kSplits = R * NV >= 12 ? 1 : (12 / (R * NV) > 8 ? 8 : 12 / (R * NV));

template <int R, int NV, typename Out>
LQ_VNNI __attribute__((noinline)) void tile(const TileArgs<Out>& t) {
  constexpr int KS = kSplits<R, NV>;
  const int64_t groups = t.g->kp / 4;
  __m512i acc[KS][R][NV];
  LQ_UNROLL for (int s = 0; s < KS; ++s) init_tile(*t.g, t.ch0, s == 0, acc[s]);
  const int8_t* w = t.w;
  const uint8_t* a = t.a;
  auto step = [&](__m512i(&ac)[R][NV]) LQ_VNNI {
    __m512i wv[NV];
    LQ_UNROLL for (int v = 0; v < NV; ++v) wv[v] = _mm512_loadu_si512(w + v * 64);
    LQ_UNROLL for (int r = 0; r < R; ++r) {
      int32_t x;
      std::memcpy(&x, a + r * t.lda, sizeof(x));
      const __m512i xb = _mm512_set1_epi32(x);
      LQ_UNROLL for (int v = 0; v < NV; ++v) dpbusd(ac[r][v], xb, wv[v]);
    }
    w += NV * 64;
    a += 4;
  };
  int64_t kg = 0;
  if constexpr (KS > 1) {
    for (; kg + KS <= groups; kg += KS) {
      LQ_UNROLL for (int s = 0; s < KS; ++s) step(acc[s]);
    }
  }
  for (; kg < groups; ++kg) step(acc[0]);
  if constexpr (KS > 1) {
    LQ_UNROLL for (int s = 1; s < KS; ++s) {
      LQ_UNROLL for (int r = 0; r < R; ++r) {
        LQ_UNROLL for (int v = 0; v < NV; ++v) acc[0][r][v] = _mm512_add_epi32(acc[0][r][v], acc[s][r][v]);
      }
    }
  }
  store_tile<R, NV>(*t.g, acc[0], t.ch0, t.c, t.ldc);
}

// `rows` < R rows: the instantiation for exactly that many.
template <int R, int NV, typename Out>
LQ_VNNI void tile_rows(int64_t rows, const TileArgs<Out>& t) {
  if constexpr (R > 1) {
    if (rows < R) return tile_rows<R - 1, NV>(rows, t);
  }
  tile<R, NV>(t);
}

template <int NV, int R, typename Out>
LQ_VNNI void panel(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows,
                   const int8_t* w, int64_t ch0, Out* c, int64_t ldc) {
  TileArgs<Out> t{&g, a, lda, w, ch0, c, ldc};
  int64_t r = 0;
  for (; r + R <= rows; r += R) {
    t.a = a + r * lda;
    t.c = c + r * ldc;
    tile<R, NV>(t);
  }
  if (r < rows) {
    t.a = a + r * lda;
    t.c = c + r * ldc;
    tile_rows<R - 1, NV>(rows - r, t);
  }
}

template <typename Out>
LQ_VNNI void gemm_panels(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows,
                         Out* c, int64_t ldc) {
  const int64_t nvec = (g.n + 15) / 16;
  for (int64_t p0 = 0; p0 < nvec; p0 += 4) {
    const int8_t* w = g.w8.data() + p0 * 16 * g.kp;
    const int64_t ch0 = p0 * 16;
    switch (std::min<int64_t>(4, nvec - p0)) {
      case 4: panel<4, 6>(g, a, lda, rows, w, ch0, c, ldc); break;
      case 3: panel<3, 8>(g, a, lda, rows, w, ch0, c, ldc); break;
      case 2: panel<2, 8>(g, a, lda, rows, w, ch0, c, ldc); break;
      default: panel<1, 8>(g, a, lda, rows, w, ch0, c, ldc); break;
    }
  }
}

// ---- direct convolution (implicit im2col, ImplicitConv in int8_gemm.h) ----
// Row r of the tile is the output pixel whose window starts at img + off[r]; k group
// (ky, j) of it is the dword at img + off[r] + ky * tap_row_step + 4 j.
// noinline: inlined into the panel loop, GCC 12 kept the accumulators of small tiles
// (8 x 1) in memory (a third slower).
template <int R, int NV>
LQ_VNNI __attribute__((noinline)) void conv_tile(const PackedGemm& g, const ImplicitConv& ic,
                                                 const uint8_t* img, const int64_t* off,
                                                 const int8_t* w, int64_t ch0, int8_t* c,
                                                 int64_t ldc) {
  __m512i acc[R][NV];
  init_tile(g, ch0, true, acc);
  const uint8_t* ap[R];
  LQ_UNROLL for (int r = 0; r < R; ++r) ap[r] = img + off[r];
  for (int32_t ky = 0; ky < ic.kh; ++ky) {
    for (int64_t j = 0; j < ic.row_bytes; j += 4) {
      __m512i wv[NV];
      LQ_UNROLL for (int v = 0; v < NV; ++v) wv[v] = _mm512_loadu_si512(w + v * 64);
      LQ_UNROLL for (int r = 0; r < R; ++r) {
        int32_t x;
        std::memcpy(&x, ap[r] + j, sizeof(x));
        const __m512i xb = _mm512_set1_epi32(x);
        LQ_UNROLL for (int v = 0; v < NV; ++v) dpbusd(acc[r][v], xb, wv[v]);
      }
      w += NV * 64;
    }
    LQ_UNROLL for (int r = 0; r < R; ++r) ap[r] += ic.tap_row_step;
  }
  store_tile<R, NV>(g, acc, ch0, c, ldc);
}

template <int R, int NV>
LQ_VNNI void conv_tile_rows(int64_t rows, const PackedGemm& g, const ImplicitConv& ic,
                            const uint8_t* img, const int64_t (&off)[8], const int8_t* w,
                            int64_t ch0, int8_t* c, int64_t ldc) {
  if constexpr (R > 1) {
    if (rows < R) return conv_tile_rows<R - 1, NV>(rows, g, ic, img, off, w, ch0, c, ldc);
  }
  conv_tile<R, NV>(g, ic, img, off, w, ch0, c, ldc);
}

template <int NV, int R>
LQ_VNNI void conv_panel(const PackedGemm& g, const ImplicitConv& ic, const uint8_t* img,
                        int64_t pixel0, int64_t rows, const int8_t* w, int64_t ch0, int8_t* c,
                        int64_t ldc, Prefetch& pf) {
  static_assert(R <= 8);
  int64_t oy = pixel0 / ic.out_w, ox = pixel0 % ic.out_w;
  int64_t off[8] = {};
  for (int64_t r = 0; r < rows; r += R) {
    const int64_t n = std::min<int64_t>(R, rows - r);
    for (int64_t i = 0; i < n; ++i) {
      off[i] = oy * ic.row_step + ox * ic.col_step;
      if (++ox == ic.out_w) ox = 0, ++oy;
    }
    pf.step();
    if (n == R)
      conv_tile<R, NV>(g, ic, img, off, w, ch0, c + r * ldc, ldc);
    else
      conv_tile_rows<R - 1, NV>(n, g, ic, img, off, w, ch0, c + r * ldc, ldc);
  }
}

}  // namespace

LQ_VNNI void conv_avx512_vnni(const PackedGemm& g, const ImplicitConv& ic, const uint8_t* img,
                              int64_t pixel0, int64_t rows, int8_t* c, int64_t ldc) {
  const int64_t nvec = (g.n + 15) / 16;
  Prefetch pf;
  const int64_t tiles = std::max<int64_t>(1, (nvec + 3) / 4 * ((rows + 7) / 8));  // R <= 8
  if (ic.prefetch_in) pf.in = PrefetchStream(ic.prefetch_in, ic.prefetch_in_bytes, tiles);
  if (ic.prefetch_out) pf.out = PrefetchStream(ic.prefetch_out, ic.prefetch_out_bytes, tiles);
  for (int64_t p0 = 0; p0 < nvec; p0 += 4) {
    const int8_t* w = g.w8.data() + p0 * 16 * g.kp;
    const int64_t ch0 = p0 * 16;
    switch (std::min<int64_t>(4, nvec - p0)) {
      case 4: conv_panel<4, 6>(g, ic, img, pixel0, rows, w, ch0, c, ldc, pf); break;
      case 3: conv_panel<3, 8>(g, ic, img, pixel0, rows, w, ch0, c, ldc, pf); break;
      case 2: conv_panel<2, 8>(g, ic, img, pixel0, rows, w, ch0, c, ldc, pf); break;
      default: conv_panel<1, 8>(g, ic, img, pixel0, rows, w, ch0, c, ldc, pf); break;
    }
  }
}

bool avx512_vnni_compiled() { return true; }

LQ_VNNI void gemm_avx512_vnni(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows,
                              int8_t* c, int64_t ldc) {
  gemm_panels(g, a, lda, rows, c, ldc);
}

LQ_VNNI void gemm_avx512_vnni_int32(const PackedGemm& g, const uint8_t* a, int64_t lda,
                                    int64_t rows, int32_t* c, int64_t ldc) {
  gemm_panels(g, a, lda, rows, c, ldc);
}

}  // namespace lq::kernels::int8_opt

#else

namespace lq::kernels::int8_opt {
bool avx512_vnni_compiled() { return false; }
void gemm_avx512_vnni(const PackedGemm&, const uint8_t*, int64_t, int64_t, int8_t*, int64_t) {}
void gemm_avx512_vnni_int32(const PackedGemm&, const uint8_t*, int64_t, int64_t, int32_t*, int64_t) {}
void conv_avx512_vnni(const PackedGemm&, const ImplicitConv&, const uint8_t*, int64_t, int64_t, int8_t*,
                      int64_t) {}
}  // namespace lq::kernels::int8_opt

#endif
