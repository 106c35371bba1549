// Pixel-packed direct CONV_2D for fewer than 16 output channels (SmallConv, int8_gemm.h):
// vpermb gathers each lane's window dword from 64 image bytes, vpdpbusd accumulates,
// and the lanes requantize with their channel's constants (int8_requant_avx512.h).
// Functions carry a VNNI + VBMI target attribute; reached only after prepare checked
// both (int8_conv.cpp).
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
#include <type_traits>

#include "int8_requant_avx512.h"

#define LQ_VNNI_VBMI __attribute__((target("avx512vnni,avx512vbmi")))
#define LQ_UNROLL _Pragma("GCC unroll 4")
#define LQ_UNROLL_ALL _Pragma("GCC unroll 64")

namespace lq::kernels::int8_opt {
namespace {

template <bool Hi>
using RequantOf = std::conditional_t<Hi, Requant16Hi, Requant16>;

// T = kh * G filter rows x dword groups (G of them per row) when fixed at compile time, 0
// otherwise.
template <int V, bool Hi, bool Clamp, int T, int G>
LQ_VNNI_VBMI void small_rows(const PackedGemm& g, const SmallConv& s, const ImplicitConv& ic,
                             const uint8_t* img, int64_t oy0, int64_t oy1, int8_t* out) {
  const int64_t n = g.n, m = s.pixels, groups = s.groups;
  const __m512i lo = _mm512_set1_epi32(g.out_lo), hi = _mm512_set1_epi32(g.out_hi);
  const __m512i zp = _mm512_set1_epi32(g.zp_out);
  const __m512i act_lo = _mm512_add_epi32(lo, zp), act_hi = _mm512_add_epi32(hi, zp);
  __m512i offset[V];
  RequantOf<Hi> q[V];
  LQ_UNROLL for (int v = 0; v < V; ++v) {
    offset[v] = _mm512_loadu_si512(s.offset.data() + v * 16);
    if constexpr (Hi) q[v] = load_requant_hi(s.multiplier.data() + v * 16, s.total_shift.data() + v * 16, g.zp_out);
    else q[v] = load_requant(s.multiplier.data() + v * 16, s.total_shift.data() + v * 16);
  }
  __m512i perm[T > 0 ? G * V : 1];
  if constexpr (T > 0) {
    LQ_UNROLL_ALL for (int i = 0; i < G * V; ++i) perm[i] = _mm512_loadu_si512(s.permute.data() + i * 64);
  }
  // Locals, not loads through s / ic (the int8 stores may alias them).
  const int8_t* const weights = s.weights.data();
  const uint8_t* const permute = s.permute.data();
  const int64_t tap_row = ic.tap_row_step, col = ic.col_step, out_w = ic.out_w, kh = s.kh;
  // One step: m pixels from the window at base into dst (bytes of them; Full: all m).
  auto step = [&](auto full, const uint8_t* base, int8_t* dst, int64_t bytes) LQ_VNNI_VBMI {
    __m512i acc[V];
    LQ_UNROLL for (int v = 0; v < V; ++v) acc[v] = offset[v];
    if constexpr (T > 0) {
      // Filter rows x dword groups known at compile time: all unrolled.
      LQ_UNROLL_ALL for (int t = 0; t < T; ++t) {
        const __m512i x = _mm512_loadu_si512(base + (t / G) * tap_row);
        LQ_UNROLL_ALL for (int v = 0; v < V; ++v) {
          const __m512i a = _mm512_permutexvar_epi8(perm[(t % G) * V + v], x);
          acc[v] = _mm512_dpbusd_epi32(acc[v], a, _mm512_loadu_si512(weights + (t * V + v) * 64));
        }
      }
    } else {
      const int8_t* w = weights;
      for (int64_t ky = 0; ky < kh; ++ky) {
        const __m512i x = _mm512_loadu_si512(base + ky * tap_row);
        const uint8_t* pm = permute;
        for (int64_t j = 0; j < groups; ++j) {
          LQ_UNROLL for (int v = 0; v < V; ++v) {
            const __m512i a = _mm512_permutexvar_epi8(_mm512_loadu_si512(pm + v * 64), x);
            acc[v] = _mm512_dpbusd_epi32(acc[v], a, _mm512_loadu_si512(w + v * 64));
          }
          pm += V * 64;
          w += V * 64;
        }
      }
    }
    LQ_UNROLL for (int v = 0; v < V; ++v) {
      __m128i r;
      if constexpr (Hi) r = requantize16_hi<Clamp>(acc[v], q[v], act_lo, act_hi);
      else r = requantize16(acc[v], q[v], lo, hi, zp);
      if constexpr (decltype(full)::value) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + v * 16), r);
      } else {
        const int64_t left = bytes - v * 16;
        if (left <= 0) break;
        const __mmask16 k = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1u);
        _mm_mask_storeu_epi8(dst + v * 16, k, r);
      }
    }
  };
  const int64_t full_end = out_w / m * m;  // pixels in whole steps
  for (int64_t oy = oy0; oy < oy1; ++oy) {
    const uint8_t* row = img + oy * ic.row_step;
    int8_t* o = out + oy * out_w * n;
    int64_t ox = 0;
    for (; ox < full_end; ox += m) step(std::true_type{}, row + ox * col, o + ox * n, m * n);
    if (ox < out_w) step(std::false_type{}, row + ox * col, o + ox * n, (out_w - ox) * n);
  }
}

template <int V, int T, int G>
LQ_VNNI_VBMI void small_rows_t(const PackedGemm& g, const SmallConv& s, const ImplicitConv& ic,
                               const uint8_t* img, int64_t oy0, int64_t oy1, int8_t* out) {
  if (!g.requant_hi) small_rows<V, false, true, T, G>(g, s, ic, img, oy0, oy1, out);
  else if (g.clamp) small_rows<V, true, true, T, G>(g, s, ic, img, oy0, oy1, out);
  else small_rows<V, true, false, T, G>(g, s, ic, img, oy0, oy1, out);
}

template <int V>
LQ_VNNI_VBMI void small_rows_v(const PackedGemm& g, const SmallConv& s, const ImplicitConv& ic,
                               const uint8_t* img, int64_t oy0, int64_t oy1, int8_t* out) {
  // 3x3 filters on 1 input channel (one dword per filter row): unrolled.
  if (s.kh == 3 && s.groups == 1) small_rows_t<V, 3, 1>(g, s, ic, img, oy0, oy1, out);
  else small_rows_t<V, 0, 1>(g, s, ic, img, oy0, oy1, out);
}

}  // namespace

void conv_small_avx512(const PackedGemm& g, const SmallConv& s, const ImplicitConv& ic,
                       const uint8_t* img, int64_t oy0, int64_t oy1, int8_t* out) {
  static_assert(SmallConv::kMaxVectors == 4);
  switch (s.vectors) {
    case 1: small_rows_v<1>(g, s, ic, img, oy0, oy1, out); break;
    case 2: small_rows_v<2>(g, s, ic, img, oy0, oy1, out); break;
    case 3: small_rows_v<3>(g, s, ic, img, oy0, oy1, out); break;
    default: small_rows_v<4>(g, s, ic, img, oy0, oy1, out); break;
  }
}

}  // namespace lq::kernels::int8_opt

#else

namespace lq::kernels::int8_opt {
void conv_small_avx512(const PackedGemm&, const SmallConv&, const ImplicitConv&, const uint8_t*, int64_t,
                       int64_t, int8_t*) {}
}  // namespace lq::kernels::int8_opt

#endif
