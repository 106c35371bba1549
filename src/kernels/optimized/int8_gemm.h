#pragma once
// Internals of the optimized int8 kernels: a GEMM with fused requantization,
//   C[r, o] = requantize(sum_k A[r, k] * W[o, k] + offset[o], o)    (o < n, r < rows)
// A is u8 (x + 128, or zp_in + 128 for padding taps), row stride `lda` >= kp, its
// columns k in [K, kp) may hold anything (the packed weights are 0 there). W is packed
// once per path (layouts below). Shared by int8_gemm.cpp (packing, portable kernel,
// dispatch) and the per-ISA files int8_gemm_avx2.cpp / int8_gemm_avx512.cpp.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "litequant/kernels/int8_optimized.h"

namespace lq::kernels::int8_opt {

// Channel layout of the packed weights. Channels are grouped in vectors of `lanes`
// channels; vectors in panels of up to `panel_vectors` (the micro-kernel width). In a
// panel with nv vectors, k group g (of `group` consecutive k), vector v, lane j, element
// t is at  panel_base + ((g * nv + v) * lanes + j) * group + t.
//   portable:   lanes 1,  group kp, panel 1   (plain rows, int8)
//   avx2:       lanes 8,  group 2,  panel 2   (int16 elements, for vpmaddwd)
//   avx512vnni: lanes 16, group 4,  panel 4   (int8, for vpdpbusd)
struct PackedGemm {
  Int8Path path = Int8Path::kPortable;
  int32_t n = 0;   // output channels
  int32_t k = 0;   // reduction depth
  int32_t kp = 0;  // k rounded up to a multiple of 4
  int32_t lanes = 1, group = 1, panel_vectors = 1;
  std::vector<int8_t> w8;    // int8 layouts
  std::vector<int16_t> w16;  // int16 layout (avx2)
  // Per channel, padded with zeros to a multiple of 64 channels.
  std::vector<int32_t> offset;      // bias - (128 + zp_in) * sum w
  std::vector<int32_t> multiplier;  // M
  std::vector<int32_t> total_shift; // 31 - shift, in [1, 62]
  int32_t out_lo = -128, out_hi = 127;  // act.min - zp_out, act.max - zp_out
  int32_t zp_out = 0;
  // A shorter requantization (int8_requant_avx512.h): every channel's total_shift >= 33
  // and zp_out folds into its rounding constant without leaving int32.
  bool requant_hi = false;
  bool clamp = true;  // [act.min, act.max] narrower than [-128, 127]
};

// Builds the packed GEMM for weights [n, k] (row-major) or returns nullptr when an
// accumulator could leave int32 (the contract in int8_optimized.h). bias may be null.
// `path` must be resolved and available.
std::shared_ptr<const PackedGemm> pack_gemm(Int8Path path, const Requantization& rq,
                                            const int8_t* weights, int32_t n, int32_t k,
                                            const int32_t* bias);

// The same packing without requantization, for the dynamic-range kernels
// (hybrid_optimized.h): offset[o] = -128 * sum w[o] (zp_in 0, no bias), so gemm_int32
// yields sum_k (A[r, k] - 128) * W[o, k] exactly. nullptr when the bound fails.
std::shared_ptr<const PackedGemm> pack_gemm_raw(Int8Path path, const int8_t* weights, int32_t n,
                                                int32_t k);

// Rows per GEMM call such that a chunk of A stays in L2-ish size (a multiple of 48).
int64_t chunk_rows_for(int32_t kp, int64_t total_rows);

// Aligned start of a scratch buffer of chunk_rows * kp bytes (+64 slack allocated).
inline uint8_t* aligned_scratch(std::vector<uint8_t>& s) {
  const auto addr = reinterpret_cast<uintptr_t>(s.data());
  return s.data() + (64 - addr % 64) % 64;
}

// dst[i] = src[i] + 128 as u8 (flips the sign bit), 8 bytes at a time (vectorizes).
inline void to_u8(const int8_t* __restrict src, uint8_t* __restrict dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, src + i, 8);
    v ^= 0x8080808080808080ull;
    std::memcpy(dst + i, &v, 8);
  }
  for (; i < n; ++i) dst[i] = static_cast<uint8_t>(static_cast<uint8_t>(src[i]) ^ 0x80u);
}

// C (row stride ldc) for `rows` rows of A; dispatches on g.path.
void gemm(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows, int8_t* c,
          int64_t ldc);

// C[r, o] = sum_k A[r, k] * W[o, k] + offset[o] as int32 (no requantization; the sum
// is exact under the bound pack_gemm checks).
void gemm_int32(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows, int32_t* c,
                int64_t ldc);

// Per-ISA entry points (same contract as gemm / gemm_int32). nullptr-safe: *_compiled() tells
// whether the translation unit was built with the ISA.
bool avx512_vnni_compiled();
void gemm_avx512_vnni(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows,
                      int8_t* c, int64_t ldc);
void gemm_avx512_vnni_int32(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows,
                            int32_t* c, int64_t ldc);
// Direct CONV_2D on the AVX-512 VNNI path (no im2col). The weights are packed with
// k = (ky, j), j < row_bytes, where row_bytes = KW * C rounded up to 4 (the filter row's
// taps, contiguous in the padded u8 image when dilation_w is 1, padded with zero
// weights). Output pixel p = (oy, ox) reads img + oy * row_step + ox * col_step +
// ky * tap_row_step + j; dwords that run past the taps read the next image bytes (or
// the slack after the image), which meet zero weights.
struct ImplicitConv {
  int64_t out_w = 1;         // output pixels per row
  int64_t row_step = 0;      // stride_h * padded_w * C
  int64_t col_step = 0;      // stride_w * C
  int64_t tap_row_step = 0;  // dilation_h * padded_w * C
  int32_t kh = 1;            // filter rows
  int32_t row_bytes = 4;     // KW * C rounded up to 4
  // Optional: the next image's input and output, pulled toward L2 a few lines per tile
  // while this call computes (at large batches both come from memory: converting the
  // input waited on every line, stores into cold output lines stalled). Hints only.
  const void* prefetch_in = nullptr;
  void* prefetch_out = nullptr;
  int64_t prefetch_in_bytes = 0, prefetch_out_bytes = 0;
};
// C rows for output pixels [pixel0, pixel0 + rows) of the image at img.
void conv_avx512_vnni(const PackedGemm& g, const ImplicitConv& ic, const uint8_t* img,
                      int64_t pixel0, int64_t rows, int8_t* c, int64_t ldc);

// Pixel-packed direct CONV_2D for fewer than 16 output channels (AVX-512 VNNI + VBMI,
// int8_conv_small_avx512.cpp), same weights and constants as the direct path above. A
// step computes m consecutive output pixels of one output row as V vectors of 16 int32
// lanes: lane l of vector v is pixel (16v + l) / n, channel (16v + l) % n, so the V x 16
// requantized bytes are the NHWC output as is (no lane idle, as with 16 channels per
// vector). Per filter row, the A operand of vector v, dword group j is a vpermb of the
// 64 image bytes at the step's first window: lane l takes the dword at
// pixel * col_step + 4 j (past the filter row's taps it meets zero weights, as above).
// The 64-byte loads end at most 64 bytes past a window start: inside the image's slack.
struct SmallConv {
  static constexpr int kMaxVectors = 4;
  int32_t pixels = 0;   // m
  int32_t vectors = 0;  // V = m * n / 16
  int32_t groups = 0;   // dwords per filter row (row_bytes / 4)
  int32_t kh = 0;
  std::vector<uint8_t> permute;  // [group][V] x 64 vpermb indices
  std::vector<int8_t> weights;   // [ky][group][V] x 64 (16 lanes x 4 taps)
  std::vector<int32_t> offset, multiplier, total_shift;  // [V] x 16 lanes
};
// The SmallConv of g (packed for the direct path: k = kh x row_bytes) when it applies:
// n < 16 with V <= kMaxVectors and m windows within 64 bytes (m - 1) * col_step + row_bytes
// <= 64; else nullptr. weights: [n, kh, row_bytes] as given to pack_gemm.
std::shared_ptr<const SmallConv> pack_small_conv(const PackedGemm& g, const int8_t* weights,
                                                 int32_t kh, int32_t row_bytes, int64_t col_step);
// Output rows [oy0, oy1) of the image at img into out (the image's NHWC output).
void conv_small_avx512(const PackedGemm& g, const SmallConv& s, const ImplicitConv& ic,
                       const uint8_t* img, int64_t oy0, int64_t oy1, int8_t* out);

bool avx2_compiled();
void gemm_avx2(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows, int8_t* c,
               int64_t ldc);
void gemm_avx2_int32(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows, int32_t* c,
                     int64_t ldc);

}  // namespace lq::kernels::int8_opt
