// Portable float parts of the optimized dynamic-range kernels and their dispatch
// (hybrid_rows.h). Every expression is the reference's (src/kernels/reference/hybrid.cpp).
#include "hybrid_rows.h"

#include <algorithm>
#include <cmath>

#include "litequant/core/error.h"
#include "litequant/kernels/hybrid_reference.h"

namespace lq::kernels::hybrid_opt {

void min_max(bool avx512, const float* x, int64_t n, float& lo, float& hi) {
  if (avx512) return min_max_avx512(x, n, lo, hi);
  for (int64_t i = 0; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
}

RowQuant row_quant(bool asymmetric, float lo, float hi) {
  RowQuant q;
  if (!asymmetric) {
    const float range = std::max(std::fabs(lo), std::fabs(hi));
    if (range == 0.0f) {
      q.all_zero = true;
      return q;
    }
    q.scale = range / 127.0f;
    q.inverse = 127.0f / range;
    return q;
  }
  asymmetric_input_params(lo, hi, &q.scale, &q.zero_point);
  if (q.scale == 0.0f) return q;
  q.inverse = static_cast<float>(1.0 / static_cast<double>(q.scale));
  return q;
}

RowQuant quantize_stats(bool avx512, bool asymmetric, const float* x, int64_t n) {
  // Symmetric starts from x[0] (n > 0), asymmetric from 0 (its min/max include 0).
  float lo = asymmetric || n == 0 ? 0.0f : x[0], hi = lo;
  min_max(avx512, x, n, lo, hi);
  return row_quant(asymmetric, lo, hi);
}

void quantize_u8(bool avx512, const RowQuant& rq, bool asymmetric, const float* x, int64_t n,
                 uint8_t* dst) {
  if (rq.all_zero) {
    std::fill(dst, dst + n, uint8_t{128});
    return;
  }
  const float qmin = asymmetric ? -128.0f : -127.0f;
  if (avx512) return quantize_u8_avx512(rq, qmin, x, n, dst);
  // Symmetric: round(x * inv) == round(0 + x * inv) as an integer (only -0 becomes +0).
  const float offset = static_cast<float>(rq.zero_point);
  for (int64_t i = 0; i < n; ++i) {
    const float q = std::round(offset + x[i] * rq.inverse);
    const auto v = static_cast<int8_t>(std::min(std::max(q, qmin), 127.0f));
    dst[i] = static_cast<uint8_t>(static_cast<uint8_t>(v) ^ 0x80u);
  }
}

void quantize_centered_i16(const RowQuant& rq, const float* x, int64_t n, int16_t* dst) {
  const float offset = static_cast<float>(rq.zero_point);
  for (int64_t i = 0; i < n; ++i) {
    const float q = std::round(offset + x[i] * rq.inverse);
    const auto v = static_cast<int8_t>(std::min(std::max(q, -128.0f), 127.0f));
    dst[i] = static_cast<int16_t>(v - rq.zero_point);
  }
}

void rescale(bool avx512, const Rescale& r, const int32_t* acc, int64_t rows, int64_t n, float s_b,
             int32_t zp_b, float* out) {
  if (avx512) return rescale_avx512(r, acc, rows, n, s_b, zp_b, out);
  const float zp_f = static_cast<float>(zp_b);
  for (int64_t i = 0; i < rows * n; ++i) {
    const int64_t o = i % n;
    float value;
    if (r.order == Order::kFullyConnected) {
      int32_t dot = acc[i];
      if (r.row_sum_f) dot = static_cast<int32_t>(static_cast<float>(dot) - r.row_sum_f[o] * zp_f);
      const float product = static_cast<float>(dot) * (s_b * r.weight_scale[o]);
      value = r.bias[o] + product;
      if (!r.act_none) value = std::max(r.act_lo, std::min(value, r.act_hi));
      out[i] = value;
      continue;
    }
    float product;
    if (r.order == Order::kConv) {
      // acc - zp_b * row_sum in wrapping int32 (the true value fits).
      const uint32_t correction = r.row_sum ? static_cast<uint32_t>(zp_b) * static_cast<uint32_t>(r.row_sum[o]) : 0u;
      const auto a = static_cast<int32_t>(static_cast<uint32_t>(acc[i]) - correction);
      product = static_cast<float>(a) * (r.weight_scale[o] * s_b);
    } else {
      product = (static_cast<float>(acc[i]) * s_b) * r.weight_scale[o];
    }
    value = r.bias ? product + r.bias[o] : product;
    out[i] = std::min(std::max(value, r.act_lo), r.act_hi);
  }
}

HybridChannelConstants make_channel_constants(const int8_t* weights, int64_t n, int64_t k,
                                              std::span<const float> scales, const float* bias) {
  HybridChannelConstants c;
  const size_t padded = static_cast<size_t>((n + 15) / 16 * 16);
  c.weight_scale.assign(padded, 0.0f);
  c.bias.assign(padded, 0.0f);
  c.row_sum.assign(padded, 0);
  c.row_sum_f.assign(padded, 0.0f);
  for (int64_t o = 0; o < n; ++o) {
    const size_t i = static_cast<size_t>(o);
    c.weight_scale[i] = scales.size() > 1 ? scales[i] : scales[0];
    if (bias) c.bias[i] = bias[o];
    if (!weights) continue;
    int32_t sum = 0;
    for (int64_t j = 0; j < k; ++j) sum += weights[o * k + j];
    c.row_sum[i] = sum;
    c.row_sum_f[i] = static_cast<float>(sum);
  }
  return c;
}

HybridScratch reference_scratch(const std::string& op, int64_t rows, int64_t row_size) {
  constexpr double kMaxBytes = double(int64_t{1} << 30);
  if (static_cast<double>(rows) * static_cast<double>(row_size) > kMaxBytes)
    throw Error(op + ": the input is too large for the hybrid kernel (" + std::to_string(rows) + " x " +
                std::to_string(row_size) + " values, at most 1 GB quantized)");
  return make_hybrid_scratch(rows, row_size);
}

Int8Path resolve_path(const std::string& op, Int8Path path) {
  const Int8Path resolved = resolve_int8_path(path);
  if (!int8_path_available(resolved))
    throw Error(op + ": int8 kernel path " + int8_path_name(resolved) + " is not available on this CPU");
  return resolved;
}

}  // namespace lq::kernels::hybrid_opt
