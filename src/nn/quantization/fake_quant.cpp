#include "litequant/nn/fake_quant.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "fake_quant_simd.h"
#include "litequant/core/cpu.h"
#include "litequant/core/error.h"

namespace lq::fq {

void check_num_bits(int num_bits, const std::string& where) {
  if (num_bits < 2 || num_bits > 8)
    throw Error(where + "num_bits must be in [2, 8], got " + std::to_string(num_bits));
}

Grid nudge(float min, float max, int num_bits, bool narrow_range, Division division, const std::string& where) {
  check_num_bits(num_bits, where);
  if (!std::isfinite(min) || !std::isfinite(max))
    throw Error(where + "the quantization range must be finite, got [" + std::to_string(min) + ", " +
                std::to_string(max) + "]");
  if (min > max)
    throw Error(where + "min must not exceed max, got min " + std::to_string(min) + " > max " + std::to_string(max));
  Grid g;
  g.quant_min = narrow_range ? 1 : 0;
  g.quant_max = (1 << num_bits) - 1;
  g.division = division;
  if (min == 0.0f && max == 0.0f) {
    g.zero_range = true;
    g.zero_point = g.quant_min;
    return g;
  }
  if (min == max)
    throw Error(where + "the quantization range is empty: min == max == " + std::to_string(min));
  const float qmin = static_cast<float>(g.quant_min), qmax = static_cast<float>(g.quant_max);
  g.scale = (max - min) / (qmax - qmin);
  g.inv_scale = (qmax - qmin) / (max - min);
  const float zp_from_min = qmin - min / g.scale;
  if (zp_from_min < qmin) g.zero_point = g.quant_min;
  else if (zp_from_min > qmax) g.zero_point = g.quant_max;
  else g.zero_point = static_cast<int32_t>(std::round(zp_from_min));
  g.nudged_min = (qmin - static_cast<float>(g.zero_point)) * g.scale;
  g.nudged_max = (qmax - static_cast<float>(g.zero_point)) * g.scale;
  return g;
}

namespace {

// One grid in the form the loops use: y = (trunc((clamp(x) - lo) * inv + 0.5) - off) * scale.
// The argument of trunc is >= 0.5, so truncation is TF's floor. A zero range has
// inv = scale = 0 (y = 0) and an infinite clamp range (the gradient passes).
struct Lane {
  float lo, hi, inv, scale, off;
};

Lane lane_of(const Grid& g) {
  if (g.zero_range) return {-INFINITY, INFINITY, 0.0f, 0.0f, 0.0f};
  return {g.nudged_min, g.nudged_max, g.inv_scale, g.scale, static_cast<float>(g.zero_point - g.quant_min)};
}

// Structure-of-arrays lanes for per-channel loops.
struct Lanes {
  std::vector<float> lo, hi, inv, scale, off;
  explicit Lanes(const Grid* grids, int64_t channels) {
    for (int64_t c = 0; c < channels; ++c) {
      Lane l = lane_of(grids[c]);
      if (std::isinf(l.lo)) l.lo = l.hi = 0.0f;  // forward of a zero range: inv = scale = 0 gives 0
      lo.push_back(l.lo), hi.push_back(l.hi), inv.push_back(l.inv), scale.push_back(l.scale), off.push_back(l.off);
    }
  }
};

constexpr int64_t kGrain = 16384;  // elements per task

// fn(begin, end) over [0, n) in chunks of whole `unit`s (rows), on the pool when large.
void split(ThreadPool* pool, int64_t n, int64_t unit, const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t units = unit > 0 ? n / unit : 0;
  if (!pool || n < 2 * kGrain || units < 2) return fn(0, n);
  parallel_for(pool, units, std::max<int64_t>(1, kGrain / unit),
               [&](int64_t a, int64_t b) { fn(a * unit, b * unit); });
}

}  // namespace

float fake_quant(float x, const Grid& g) {
  if (g.zero_range) return 0.0f;
  const float shifted = std::min(std::max(x, g.nudged_min), g.nudged_max) - g.nudged_min;
  const float v = (g.division == Division::kDivide ? shifted / g.scale : shifted * g.inv_scale) + 0.5f;
  return (static_cast<float>(static_cast<int32_t>(v)) - static_cast<float>(g.zero_point - g.quant_min)) * g.scale;
}

void fake_quant(const float* x, float* y, int64_t n, const Grid& g, ThreadPool* pool) {
  if (pool && n >= 2 * kGrain)
    return split(pool, n, 1, [&](int64_t a, int64_t b) { fake_quant(x + a, y + a, b - a, g, nullptr); });
  if (g.zero_range) {
    std::fill(y, y + n, 0.0f);
    return;
  }
  const float lo = g.nudged_min, hi = g.nudged_max, scale = g.scale, inv = g.inv_scale;
  const float off = static_cast<float>(g.zero_point - g.quant_min);
  if (cpu_features().avx512_core()) {
    const bool divide = g.division == Division::kDivide;
    return detail::fake_quant_avx512(x, y, n, lo, hi, divide ? scale : inv, divide, off, scale);
  }
  if (g.division == Division::kDivide) {
    for (int64_t i = 0; i < n; ++i) {
      const float c = std::min(std::max(x[i], lo), hi) - lo;
      y[i] = (static_cast<float>(static_cast<int32_t>(c / scale + 0.5f)) - off) * scale;
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const float c = std::min(std::max(x[i], lo), hi) - lo;
      y[i] = (static_cast<float>(static_cast<int32_t>(c * inv + 0.5f)) - off) * scale;
    }
  }
}

void fake_quant_per_channel(const float* x, float* y, int64_t n, const Grid* grids, int64_t channels,
                            ThreadPool* pool) {
  if (channels == 1) return fake_quant(x, y, n, grids[0], pool);
  const Lanes l(grids, channels);
  const float *lo = l.lo.data(), *hi = l.hi.data(), *inv = l.inv.data(), *scale = l.scale.data(), *off = l.off.data();
  split(pool, n, channels, [&](int64_t a, int64_t b) {
  for (int64_t r = a / channels; r < b / channels; ++r) {
    const float* xr = x + r * channels;
    float* yr = y + r * channels;
    for (int64_t c = 0; c < channels; ++c) {
      const float v = std::min(std::max(xr[c], lo[c]), hi[c]) - lo[c];
      yr[c] = (static_cast<float>(static_cast<int32_t>(v * inv[c] + 0.5f)) - off[c]) * scale[c];
    }
  }
  });
}

void fake_quant_backward(const float* x, const float* dy, float* dx, int64_t n, const Grid& g, float* dmin,
                         float* dmax, ThreadPool* pool) {
  if (pool && !dmin && !dmax && n >= 2 * kGrain)
    return split(pool, n, 1, [&](int64_t a, int64_t b) {
      fake_quant_backward(x + a, dy + a, dx + a, b - a, g, nullptr, nullptr, nullptr);
    });
  const Lane l = lane_of(g);
  if (dmin || dmax) {
    float below = 0.0f, above = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
      const float v = x[i], d = dy[i];
      below += v < l.lo ? d : 0.0f;
      above += v > l.hi ? d : 0.0f;
    }
    if (dmin) *dmin += below;
    if (dmax) *dmax += above;
  }
  const float lo = l.lo, hi = l.hi;
  if (cpu_features().avx512_core()) return detail::ste_mask_avx512(x, dy, dx, n, lo, hi);
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i], d = dy[i];
    dx[i] = (v >= lo) & (v <= hi) ? d : 0.0f;
  }
}

void fake_quant_backward_per_channel(const float* x, const float* dy, float* dx, int64_t n, const Grid* grids,
                                     int64_t channels, float* dmin, float* dmax) {
  if (channels == 1) return fake_quant_backward(x, dy, dx, n, grids[0], dmin, dmax);
  std::vector<float> lo(static_cast<size_t>(channels)), hi(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    const Lane l = lane_of(grids[c]);
    lo[static_cast<size_t>(c)] = l.lo, hi[static_cast<size_t>(c)] = l.hi;
  }
  for (int64_t r = 0; r < n / channels; ++r) {
    const float* xr = x + r * channels;
    const float* gr = dy + r * channels;
    float* dr = dx + r * channels;
    for (int64_t c = 0; c < channels; ++c) {
      const auto k = static_cast<size_t>(c);
      const float v = xr[c], d = gr[c];
      if (dmin && v < lo[k]) dmin[c] += d;
      if (dmax && v > hi[k]) dmax[c] += d;
      dr[c] = (v >= lo[k]) & (v <= hi[k]) ? d : 0.0f;
    }
  }
}

MinMax min_max(const float* x, int64_t n, ThreadPool* pool) {
  if (pool && n >= 2 * kGrain) {
    const int64_t chunks = n / kGrain;
    std::vector<MinMax> parts(static_cast<size_t>(chunks));
    parallel_for(pool, chunks, 1, [&](int64_t a, int64_t b) {
      for (int64_t k = a; k < b; ++k) {
        const int64_t begin = k * n / chunks, end = (k + 1) * n / chunks;
        parts[static_cast<size_t>(k)] = min_max(x + begin, end - begin, nullptr);
      }
    });
    MinMax m = parts[0];
    for (const MinMax& p : parts) m.min = std::min(m.min, p.min), m.max = std::max(m.max, p.max);
    return m;
  }
  if (n >= 1 && cpu_features().avx512_core()) {
    MinMax m;
    detail::min_max_avx512(x, n, &m.min, &m.max);
    return m;
  }
  constexpr int kLanes = 16;
  float lo[kLanes], hi[kLanes];
  std::fill(lo, lo + kLanes, n ? x[0] : 0.0f);
  std::fill(hi, hi + kLanes, n ? x[0] : 0.0f);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) {
      const float v = x[i + j], a = lo[j], b = hi[j];
      lo[j] = v < a ? v : a;
      hi[j] = v > b ? v : b;
    }
  }
  for (; i < n; ++i) lo[0] = std::min(lo[0], x[i]), hi[0] = std::max(hi[0], x[i]);
  return {*std::min_element(lo, lo + kLanes), *std::max_element(hi, hi + kLanes)};
}

void abs_max_per_channel(const float* x, int64_t n, int64_t channels, float* out, ThreadPool* pool) {
  std::fill(out, out + channels, 0.0f);
  if (channels == 1) {
    const MinMax m = min_max(x, n, pool);
    out[0] = std::max(-m.min, m.max);
    return;
  }
  for (int64_t r = 0; r < n / channels; ++r)
    for (int64_t c = 0; c < channels; ++c) out[c] = std::max(out[c], std::fabs(x[r * channels + c]));
}

void min_max_per_channel(const float* x, int64_t n, int64_t channels, float* lo, float* hi, ThreadPool* pool) {
  if (channels == 1) {
    const MinMax m = min_max(x, n, pool);
    lo[0] = m.min, hi[0] = m.max;
    return;
  }
  std::copy(x, x + channels, lo);
  std::copy(x, x + channels, hi);
  for (int64_t r = 1; r < n / channels; ++r)
    for (int64_t c = 0; c < channels; ++c)
      lo[c] = std::min(lo[c], x[r * channels + c]), hi[c] = std::max(hi[c], x[r * channels + c]);
}

}  // namespace lq::fq
