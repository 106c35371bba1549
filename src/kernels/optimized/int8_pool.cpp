// Optimized int8/uint8 MAX_POOL_2D and AVERAGE_POOL_2D: prepare, path dispatch and the
// portable path (int8_optimized_ops.h).
#include "int8_pool.h"
#include "int8_parallel.h"

#include <algorithm>
#include <cstring>

#include "litequant/core/cpu.h"
#include "litequant/core/error.h"

namespace lq::kernels {

bool op_path_available(OpPath path) {
  const CpuFeatures& f = cpu_features();
  switch (path) {
    case OpPath::kAuto:
    case OpPath::kPortable: return true;
    case OpPath::kAvx2: return pool_opt::avx2_compiled() && f.avx2_fma();
    case OpPath::kAvx512: return pool_opt::avx512_compiled() && f.avx512_core();
  }
  return false;
}

OpPath resolve_op_path(OpPath path) {
  if (path != OpPath::kAuto) return path;
  if (op_path_available(OpPath::kAvx512)) return OpPath::kAvx512;
  if (op_path_available(OpPath::kAvx2)) return OpPath::kAvx2;
  return OpPath::kPortable;
}

const char* op_path_name(OpPath path) {
  switch (path) {
    case OpPath::kAuto: return "auto";
    case OpPath::kPortable: return "portable";
    case OpPath::kAvx2: return "avx2";
    case OpPath::kAvx512: return "avx512";
  }
  return "?";
}

namespace {

// int32 words of one slot's buffer of max_small_avx512.
int64_t small_slot_words(const Pool2DInt8Params& q) {
  return (pool_opt::small_max_row_bytes(q) * q.out_h + 3) / 4;
}

// Clipped tap range of every output position along one axis; false if some window
// misses the image entirely (never with TFLite's padding rule).
bool clip_windows(int32_t out, int32_t in, int32_t filter, int32_t stride, int32_t pad,
                  std::vector<int32_t>& k0, std::vector<int32_t>& k1) {
  k0.assign(static_cast<size_t>(out), 0);
  k1.assign(static_cast<size_t>(out), 0);
  for (int32_t o = 0; o < out; ++o) {
    const int64_t i0 = int64_t{o} * stride - pad;
    const int64_t lo = std::max<int64_t>(0, -i0);
    const int64_t hi = std::min<int64_t>(filter, int64_t{in} - i0);
    if (hi <= lo) return false;
    k0[static_cast<size_t>(o)] = static_cast<int32_t>(lo);
    k1[static_cast<size_t>(o)] = static_cast<int32_t>(hi);
  }
  return true;
}

template <typename T>
void pool_portable(Pool2DInt8Optimized& p, const T* input, T* output) {
  const Pool2DInt8Params& q = p.params;
  const int32_t lo = q.quantized_activation.min, hi = q.quantized_activation.max;
  const int64_t C = q.in_c, row_stride = int64_t{q.in_w} * C;
  int32_t* acc = p.scratch.data();
  for (int64_t b = 0; b < q.batch; ++b)
    for (int32_t oy = 0; oy < q.out_h; ++oy) {
      const int32_t y0 = p.ky0[static_cast<size_t>(oy)], y1 = p.ky1[static_cast<size_t>(oy)];
      const int64_t iy = int64_t{oy} * q.stride_h - q.pad_top + y0;
      for (int32_t ox = 0; ox < q.out_w; ++ox) {
        const int32_t x0 = p.kx0[static_cast<size_t>(ox)], x1 = p.kx1[static_cast<size_t>(ox)];
        const int64_t ix = int64_t{ox} * q.stride_w - q.pad_left + x0;
        const T* win = input + ((b * q.in_h + iy) * q.in_w + ix) * C;
        T* out = output + ((b * q.out_h + oy) * q.out_w + ox) * C;
        if (p.kind == PoolKind::kMax) {
          for (int64_t c = 0; c < C; ++c) out[c] = static_cast<T>(lo);
          for (int32_t ky = y0; ky < y1; ++ky)
            for (int32_t kx = x0; kx < x1; ++kx) {
              const T* px = win + (ky - y0) * row_stride + (kx - x0) * C;
              for (int64_t c = 0; c < C; ++c) out[c] = std::max(out[c], px[c]);
            }
          for (int64_t c = 0; c < C; ++c) out[c] = static_cast<T>(std::min<int32_t>(out[c], hi));
        } else {
          std::fill(acc, acc + C, 0);
          for (int32_t ky = y0; ky < y1; ++ky)
            for (int32_t kx = x0; kx < x1; ++kx) {
              const T* px = win + (ky - y0) * row_stride + (kx - x0) * C;
              for (int64_t c = 0; c < C; ++c) acc[c] += px[c];
            }
          const int32_t n = (y1 - y0) * (x1 - x0);
          for (int64_t c = 0; c < C; ++c) {
            const int32_t a = acc[c];
            const int32_t avg = a > 0 ? (a + n / 2) / n : (a - n / 2) / n;
            out[c] = static_cast<T>(std::min(std::max(avg, lo), hi));
          }
        }
      }
    }
}

}  // namespace

Pool2DInt8Optimized prepare_pool2d_int8_optimized(const Pool2DInt8Params& params, PoolKind kind,
                                                  QuantizedType type, OpPath path, int max_threads) {
  if (!op_path_available(path))
    throw Error(std::string("pool: the ") + op_path_name(path) + " code path is not available on this CPU");
  Pool2DInt8Optimized p;
  p.params = params;
  p.kind = kind;
  p.type = type;
  p.path = resolve_op_path(path);
  const bool ok_h = clip_windows(params.out_h, params.in_h, params.filter_h, params.stride_h, params.pad_top, p.ky0, p.ky1);
  const bool ok_w = clip_windows(params.out_w, params.in_w, params.filter_w, params.stride_w, params.pad_left, p.kx0, p.kx1);
  // Average: the SIMD division is exact while 255 * taps + taps / 2 < 2^24.
  const bool big = int64_t{params.filter_h} * params.filter_w > 65536;
  p.reference = !ok_h || !ok_w || params.in_c != params.out_c || (kind == PoolKind::kAverage && big);
  if (!p.reference && kind == PoolKind::kAverage && p.path == OpPath::kPortable)
    p.scratch.assign(static_cast<size_t>(params.in_c), 0);
  // MAX, few channels, AVX-512 + VBMI: max_small_avx512 with one buffer per slot (a row
  // per output row), filled with act.min once (the borders, never written again).
  const int64_t row_bytes = pool_opt::small_max_row_bytes(params);
  if (!p.reference && kind == PoolKind::kMax && p.path == OpPath::kAvx512 && cpu_features().avx512vbmi &&
      pool_opt::small_max_pixels(params) > 0 && row_bytes > 0) {
    p.slots = std::max(1, max_threads);
    p.scratch.assign(static_cast<size_t>(p.slots * small_slot_words(params)), 0);
    std::memset(p.scratch.data(), static_cast<uint8_t>(params.quantized_activation.min), p.scratch.size() * 4);
  }
  return p;
}

void eval_pool2d_int8_optimized(Pool2DInt8Optimized& p, const void* input, void* output,
                                ThreadPool* pool) {
  const bool s8 = p.type == QuantizedType::kInt8;
  if (p.reference) {
    if (p.kind == PoolKind::kMax) {
      if (s8) eval_max_pool2d_int8(p.params, static_cast<const int8_t*>(input), static_cast<int8_t*>(output));
      else eval_max_pool2d_int8(p.params, static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output));
    } else {
      if (s8) eval_average_pool2d_int8(p.params, static_cast<const int8_t*>(input), static_cast<int8_t*>(output));
      else eval_average_pool2d_int8(p.params, static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output));
    }
    return;
  }
  if (p.kind == PoolKind::kMax && p.path == OpPath::kAvx512 && !p.scratch.empty()) {
    const int64_t words = small_slot_words(p.params);
    const Pool2DInt8Params& q = p.params;
    auto work = [&](int64_t slot, int64_t b0, int64_t b1) {
      auto* buffer = reinterpret_cast<uint8_t*>(p.scratch.data() + slot * words);
      pool_opt::max_small_avx512(p, input, output, b0, b1, buffer);
    };
    const int64_t image_taps = int64_t{q.out_h} * q.out_w * q.in_c * q.filter_h * q.filter_w;
    int8_opt::run_parts(pool, int8_opt::parts_for(pool, p.slots, q.batch, image_taps), q.batch, work);
    return;
  }
  if (p.path == OpPath::kAvx512 || p.path == OpPath::kAvx2) {
    // Chunks of output rows (of all images) handed out to the pool's threads as they
    // finish (int8_parallel.h, run_chunks; no scratch: any number of parts).
    const Pool2DInt8Params& q = p.params;
    const int64_t rows = q.batch * q.out_h;
    auto work = [&](int64_t, int64_t r0, int64_t r1) {
      if (p.path == OpPath::kAvx512) pool_opt::pool_avx512(p, input, output, r0, r1);
      else pool_opt::pool_avx2(p, input, output, r0, r1);
    };
    const int64_t row_taps = int64_t{q.out_w} * q.in_c * q.filter_h * q.filter_w;
    const int64_t parts = int8_opt::parts_for(pool, pool ? pool->num_threads() : 1, rows, row_taps);
    const int64_t grain = (rows + parts * int8_opt::kChunksPerPart - 1) / (parts * int8_opt::kChunksPerPart);
    int8_opt::run_chunks(pool, parts, rows, grain, work);
    return;
  }
  if (s8) pool_portable(p, static_cast<const int8_t*>(input), static_cast<int8_t*>(output));
  else pool_portable(p, static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output));
}

}  // namespace lq::kernels
