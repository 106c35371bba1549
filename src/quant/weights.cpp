#include "weights.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "litequant/core/error.h"

namespace lq::quant::detail {

SymmetricWeights quantize_symmetric(const std::vector<float>& w, const std::vector<int32_t>& shape, int channel_dim,
                                    int num_bits) {
  if (num_bits < 2 || num_bits > 8) throw Error("weight bits must be in [2, 8], got " + std::to_string(num_bits));
  const float qmax = static_cast<float>((1 << (num_bits - 1)) - 1);
  // Element e belongs to channel (e / inner) % channels.
  int64_t channels = 1, inner = static_cast<int64_t>(w.size());
  if (channel_dim >= 0) {
    channels = shape[static_cast<size_t>(channel_dim)];
    inner = 1;
    for (size_t d = static_cast<size_t>(channel_dim) + 1; d < shape.size(); ++d) inner *= shape[d];
  }
  SymmetricWeights q;
  q.scales.assign(static_cast<size_t>(channels), 0.0f);
  auto channel_of = [&](size_t e) { return static_cast<size_t>((static_cast<int64_t>(e) / inner) % channels); };
  for (size_t e = 0; e < w.size(); ++e) {
    if (!std::isfinite(w[e])) throw Error("weight " + std::to_string(e) + " is not finite");
    float& s = q.scales[channel_of(e)];
    s = std::max(s, std::fabs(w[e]));
  }
  for (float& s : q.scales) s = s > 0.0f ? s / qmax : 1.0f;
  q.values.resize(w.size());
  for (size_t e = 0; e < w.size(); ++e) {
    const float v = std::round(w[e] / q.scales[channel_of(e)]);
    q.values[e] = static_cast<int8_t>(std::clamp(v, -qmax, qmax));
  }
  return q;
}

std::vector<int32_t> quantize_bias(const std::vector<float>& bias, float input_scale,
                                   const std::vector<float>& weight_scales) {
  std::vector<int32_t> q(bias.size());
  for (size_t c = 0; c < bias.size(); ++c) {
    const double scale = static_cast<double>(input_scale) * weight_scales[weight_scales.size() == 1 ? 0 : c];
    const double v = std::round(static_cast<double>(bias[c]) / scale);
    if (!std::isfinite(v)) throw Error("bias " + std::to_string(c) + " is not finite after scaling");
    q[c] = static_cast<int32_t>(std::clamp<double>(v, std::numeric_limits<int32_t>::min(),
                                                   std::numeric_limits<int32_t>::max()));
  }
  return q;
}

std::vector<int8_t> quantize_asymmetric(const std::vector<float>& values, float scale, int64_t zero_point) {
  std::vector<int8_t> q(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = std::round(static_cast<double>(values[i] / scale)) + static_cast<double>(zero_point);
    q[i] = static_cast<int8_t>(std::clamp(v, -128.0, 127.0));
  }
  return q;
}

}  // namespace lq::quant::detail
