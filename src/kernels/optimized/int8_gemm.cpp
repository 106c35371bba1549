// Optimized int8 GEMM: path selection, weight packing, the portable kernel and dispatch.
#include "int8_gemm.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <type_traits>

#include "litequant/core/cpu.h"
#include "litequant/core/error.h"

namespace lq::kernels {

bool int8_path_available(Int8Path path) {
  const CpuFeatures& f = cpu_features();
  switch (path) {
    case Int8Path::kAuto:
    case Int8Path::kPortable: return true;
    case Int8Path::kAvx2: return int8_opt::avx2_compiled() && f.avx2_fma();  // the file is built with -mfma -mf16c too
    case Int8Path::kAvx512Vnni:
      return int8_opt::avx512_vnni_compiled() && f.avx512_core() && f.avx512vnni;
  }
  return false;
}

Int8Path resolve_int8_path(Int8Path path) {
  if (path != Int8Path::kAuto) return path;
  if (int8_path_available(Int8Path::kAvx512Vnni)) return Int8Path::kAvx512Vnni;
  if (int8_path_available(Int8Path::kAvx2)) return Int8Path::kAvx2;
  return Int8Path::kPortable;
}

const char* int8_path_name(Int8Path path) {
  switch (path) {
    case Int8Path::kAuto: return "auto";
    case Int8Path::kPortable: return "portable";
    case Int8Path::kAvx2: return "avx2";
    case Int8Path::kAvx512Vnni: return "avx512vnni";
  }
  return "?";
}

namespace int8_opt {
namespace {

int32_t round_up(int32_t x, int32_t m) { return (x + m - 1) / m * m; }

template <typename T>
void pack_weights(const int8_t* w, int32_t n, int32_t k, int32_t kp, int32_t lanes,
                  int32_t group, int32_t panel_vectors, std::vector<T>& out) {
  const int32_t nvec = (n + lanes - 1) / lanes;
  out.assign(static_cast<size_t>(nvec) * lanes * kp, T{0});
  const int32_t groups = kp / group;
  for (int32_t p0 = 0; p0 < nvec; p0 += panel_vectors) {
    const int32_t nv = std::min(panel_vectors, nvec - p0);
    T* base = out.data() + static_cast<size_t>(p0) * lanes * kp;
    for (int32_t g = 0; g < groups; ++g)
      for (int32_t v = 0; v < nv; ++v)
        for (int32_t j = 0; j < lanes; ++j)
          for (int32_t t = 0; t < group; ++t) {
            const int64_t ch = int64_t{p0 + v} * lanes + j, kk = int64_t{g} * group + t;
            const T value = ch < n && kk < k ? static_cast<T>(w[ch * k + kk]) : T{0};
            base[((int64_t{g} * nv + v) * lanes + j) * group + t] = value;
          }
  }
}

inline int8_t requantize_one(const PackedGemm& g, int32_t acc, int64_t o) {
  const int s = g.total_shift[static_cast<size_t>(o)];
  const int64_t v =
      (int64_t{acc} * g.multiplier[static_cast<size_t>(o)] + (int64_t{1} << (s - 1))) >> s;
  const int32_t scaled = std::min(std::max(static_cast<int32_t>(v), g.out_lo), g.out_hi);
  return static_cast<int8_t>(scaled + g.zp_out);
}

// Plain C++: one dot product per (row, channel) over plain weight rows. The bound checked
// by pack_gemm keeps every partial sum inside int32. Out int8_t: requantized; int32_t: raw.
template <typename Out>
void gemm_portable(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows, Out* c,
                   int64_t ldc) {
  const int64_t kp = g.kp;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* ar = a + r * lda;
    for (int64_t o = 0; o < g.n; ++o) {
      const int8_t* w = g.w8.data() + o * kp;
      int32_t acc = 0;
      for (int64_t i = 0; i < kp; ++i) acc += int32_t{w[i]} * int32_t{ar[i]};
      if constexpr (std::is_same_v<Out, int32_t>)
        c[r * ldc + o] = acc + g.offset[static_cast<size_t>(o)];
      else
        c[r * ldc + o] = requantize_one(g, acc + g.offset[static_cast<size_t>(o)], o);
    }
  }
}

}  // namespace

namespace {

// Packs weights [n, k] for `path` with offset[o] = bias[o] - (128 + zp_in) * sum w[o];
// nullptr when an accumulator could leave int32 (int8_optimized.h).
std::shared_ptr<PackedGemm> pack_common(Int8Path path, const int8_t* weights, int32_t n,
                                        int32_t k, const int32_t* bias, int64_t zp_in) {
  // Exactness bound of the contract, per channel.
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  std::vector<int64_t> sums(static_cast<size_t>(n));
  for (int32_t o = 0; o < n; ++o) {
    int64_t abs_sum = 0, sum = 0;
    for (int64_t i = 0; i < k; ++i) {
      const int64_t w = weights[int64_t{o} * k + i];
      abs_sum += w < 0 ? -w : w;
      sum += w;
    }
    const int64_t b = bias ? std::llabs(int64_t{bias[o]}) : 0;
    if (b + 255 * abs_sum > kMax) return nullptr;
    sums[static_cast<size_t>(o)] = sum;
  }
  auto g = std::make_shared<PackedGemm>();
  g->path = path;
  g->n = n;
  g->k = k;
  g->kp = round_up(std::max(k, 1), 4);
  switch (path) {
    case Int8Path::kAvx512Vnni: g->lanes = 16, g->group = 4, g->panel_vectors = 4; break;
    case Int8Path::kAvx2: g->lanes = 8, g->group = 2, g->panel_vectors = 2; break;
    default: g->lanes = 1, g->group = g->kp, g->panel_vectors = 1; break;
  }
  if (path == Int8Path::kAvx2)
    pack_weights(weights, n, k, g->kp, g->lanes, g->group, g->panel_vectors, g->w16);
  else
    pack_weights(weights, n, k, g->kp, g->lanes, g->group, g->panel_vectors, g->w8);
  const size_t np = static_cast<size_t>(round_up(n, 64));
  g->offset.assign(np, 0);
  g->multiplier.assign(np, 0);
  g->total_shift.assign(np, 1);
  for (int32_t o = 0; o < n; ++o) {
    const size_t i = static_cast<size_t>(o);
    const int64_t b = bias ? bias[o] : 0;
    g->offset[i] = static_cast<int32_t>(b - (128 + zp_in) * sums[i]);
  }
  return g;
}

}  // namespace

std::shared_ptr<const PackedGemm> pack_gemm(Int8Path path, const Requantization& rq,
                                            const int8_t* weights, int32_t n, int32_t k,
                                            const int32_t* bias) {
  if (rq.rounding != Rounding::kSingle) throw Error("int8 optimized kernels: single rounding only");
  auto g = pack_common(path, weights, n, k, bias, -int64_t{rq.input_offset});
  if (!g) return nullptr;
  for (int32_t o = 0; o < n; ++o) {
    const size_t i = static_cast<size_t>(o);
    g->multiplier[i] = rq.multiplier[i];
    g->total_shift[i] = 31 - rq.shift[i];
  }
  // Shorter requantization: s >= 33, and |H| + 2^(s-33) + |zp_out| * 2^(s-32) <= INT32_MAX
  // with |H| <= floor(|acc| * M / 2^32) + 1, |acc| <= |bias| + 255 * sum |w| (checked
  // <= INT32_MAX by pack_common); see int8_requant_avx512.h.
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  g->requant_hi = true;
  for (int32_t o = 0; o < n && g->requant_hi; ++o) {
    const size_t i = static_cast<size_t>(o);
    const int64_t s = g->total_shift[i];
    if (s < 33 || s > 62) {
      g->requant_hi = false;
      break;
    }
    int64_t acc_bound = bias ? std::llabs(int64_t{bias[o]}) : 0;
    for (int64_t t = 0; t < k; ++t) acc_bound += 255 * std::llabs(int64_t{weights[int64_t{o} * k + t]});
    const int64_t high = acc_bound * std::llabs(int64_t{g->multiplier[i]}) / (int64_t{1} << 32) + 1;
    const int64_t zp = std::llabs(int64_t{rq.output_offset});
    if (high + (int64_t{1} << (s - 33)) + zp * (int64_t{1} << (s - 32)) > kMax) g->requant_hi = false;
  }
  g->clamp = rq.activation.min > -128 || rq.activation.max < 127;
  g->zp_out = rq.output_offset;
  g->out_lo = rq.activation.min - rq.output_offset;
  g->out_hi = rq.activation.max - rq.output_offset;
  return g;
}

std::shared_ptr<const PackedGemm> pack_gemm_raw(Int8Path path, const int8_t* weights, int32_t n,
                                                int32_t k) {
  return pack_common(path, weights, n, k, nullptr, 0);
}

int64_t chunk_rows_for(int32_t kp, int64_t total_rows) {
  constexpr int64_t kTargetBytes = 48 * 1024, kMultiple = 48;
  const int64_t rows = std::max(kMultiple, kTargetBytes / std::max(kp, 1) / kMultiple * kMultiple);
  return std::max<int64_t>(1, std::min(rows, total_rows));
}

void gemm(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows, int8_t* c,
          int64_t ldc) {
  switch (g.path) {
    case Int8Path::kAvx512Vnni: gemm_avx512_vnni(g, a, lda, rows, c, ldc); return;
    case Int8Path::kAvx2: gemm_avx2(g, a, lda, rows, c, ldc); return;
    default: gemm_portable(g, a, lda, rows, c, ldc); return;
  }
}

void gemm_int32(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows, int32_t* c,
                int64_t ldc) {
  switch (g.path) {
    case Int8Path::kAvx512Vnni: gemm_avx512_vnni_int32(g, a, lda, rows, c, ldc); return;
    case Int8Path::kAvx2: gemm_avx2_int32(g, a, lda, rows, c, ldc); return;
    default: gemm_portable(g, a, lda, rows, c, ldc); return;
  }
}

}  // namespace int8_opt
}  // namespace lq::kernels
