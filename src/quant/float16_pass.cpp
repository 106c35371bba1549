// Float16 weights: FLOAT16 constants expanded by DEQUANTIZE ops at the start of the graph.
#include <bit>
#include <cmath>
#include <map>

#include "litequant/quant/ptq.h"
#include "model_edit.h"

namespace lq::quant {
namespace {
using tflite::Op;
using tflite::TensorType;

// IEEE 754 binary16 of f, round to nearest even; overflow gives +-inf, NaN stays NaN.
uint16_t to_half(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return static_cast<uint16_t>(sign | 0x7E00u);  // NaN
  if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u); // rounds to >= 65520: inf
  if (abs < 0x38800000u) {
    // Subnormal half (or zero): value = abs * 2^24 in units of 2^-24, rounded to even.
    const float scaled = std::bit_cast<float>(abs) * 16777216.0f;  // exact: power of two
    return static_cast<uint16_t>(sign | static_cast<uint16_t>(std::nearbyint(scaled)));
  }
  // Normal: rebias the exponent (127 -> 15) and round the 23-bit mantissa to 10 bits.
  const uint32_t rebiased = abs - (112u << 23);
  const uint32_t round = 0xFFFu + ((rebiased >> 13) & 1u);
  return static_cast<uint16_t>(sign | ((rebiased + round) >> 13));
}

}  // namespace

tflite::Model quantize_float16(const tflite::Model& float_model) {
  tflite::Model m = float_model;
  std::vector<tflite::Operator> dequantize;
  std::map<int, int> expanded;  // float constant -> DEQUANTIZE output
  for (auto& op : m.operators) {
    for (int32_t& t : op.inputs) {
      if (t < 0 || !detail::is_constant(m, t) || m.tensors[static_cast<size_t>(t)].type != TensorType::kFloat32) continue;
      auto it = expanded.find(t);
      if (it == expanded.end()) {
        const auto values = detail::float_values(m, t);
        std::vector<uint16_t> half(values.size());
        for (size_t i = 0; i < values.size(); ++i) half[i] = to_half(values[i]);
        const tflite::Tensor src = m.tensors[static_cast<size_t>(t)];
        const int h = detail::add_constant(m, src.name + "/float16", src.shape, TensorType::kFloat16, half);
        const int f = detail::add_tensor(m, {src.name, src.shape, TensorType::kFloat32, 0, {}, false});
        dequantize.push_back({static_cast<int32_t>(Op::kDequantize), 3, {h}, {f}, {}});
        it = expanded.emplace(t, f).first;
      }
      t = it->second;
    }
  }
  m.operators.insert(m.operators.begin(), dequantize.begin(), dequantize.end());
  detail::compact(m);
  return m;
}

}  // namespace lq::quant
