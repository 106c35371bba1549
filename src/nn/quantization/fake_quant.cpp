#include "litequant/nn/fake_quant.h"

#include <algorithm>
#include <cmath>

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

float fake_quant(float x, const Grid& g) {
  if (g.zero_range) return 0.0f;
  const float shifted = std::min(std::max(x, g.nudged_min), g.nudged_max) - g.nudged_min;
  const float q = std::floor((g.division == Division::kDivide ? shifted / g.scale : shifted * g.inv_scale) + 0.5f);
  return (q - static_cast<float>(g.zero_point - g.quant_min)) * g.scale;
}

void fake_quant(const float* x, float* y, int64_t n, const Grid& g) {
  for (int64_t i = 0; i < n; ++i) y[i] = fake_quant(x[i], g);
}

void fake_quant_per_channel(const float* x, float* y, int64_t n, const Grid* grids, int64_t channels) {
  for (int64_t i = 0; i < n; ++i) y[i] = fake_quant(x[i], grids[i % channels]);
}

namespace {
inline void backward_one(float x, float dy, float& dx, const Grid& g, float* dmin, float* dmax) {
  if (g.zero_range) {
    dx = dy;
  } else if (x < g.nudged_min) {
    dx = 0.0f;
    if (dmin) *dmin += dy;
  } else if (x > g.nudged_max) {
    dx = 0.0f;
    if (dmax) *dmax += dy;
  } else {
    dx = dy;
  }
}
}  // namespace

void fake_quant_backward(const float* x, const float* dy, float* dx, int64_t n, const Grid& g, float* dmin,
                         float* dmax) {
  for (int64_t i = 0; i < n; ++i) backward_one(x[i], dy[i], dx[i], g, dmin, dmax);
}

void fake_quant_backward_per_channel(const float* x, const float* dy, float* dx, int64_t n, const Grid* grids,
                                     int64_t channels, float* dmin, float* dmax) {
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = i % channels;
    backward_one(x[i], dy[i], dx[i], grids[c], dmin ? dmin + c : nullptr, dmax ? dmax + c : nullptr);
  }
}

}  // namespace lq::fq
