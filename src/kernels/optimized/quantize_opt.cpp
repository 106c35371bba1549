// Optimized QUANTIZE / DEQUANTIZE: prepare (tables built with the reference kernels),
// dispatch and the portable paths (int8_optimized_ops.h).
#include <cstring>

#include "litequant/core/error.h"
#include "quantize_opt.h"

namespace lq::kernels {
namespace {

// Input byte b as the element type: int8_t(b) or uint8_t(b).
template <typename T>
std::array<T, 256> all_bytes() {
  std::array<T, 256> v{};
  for (int b = 0; b < 256; ++b) {
    const uint8_t u = static_cast<uint8_t>(b);
    std::memcpy(&v[static_cast<size_t>(b)], &u, 1);
  }
  return v;
}

template <typename In, typename Out>
void build_requantize_table(RequantizeOptimized& r) {
  RequantizeParams p = r.params;
  p.size = 256;
  p.output_dims = {256};
  const std::array<In, 256> in = all_bytes<In>();
  std::array<Out, 256> out{};
  eval_requantize(p, in.data(), out.data());
  std::memcpy(r.table.data(), out.data(), 256);
}

// The reference per-channel (or per-tensor) DEQUANTIZE of every byte: [channels][256].
template <typename In>
void build_dequantize_tables(DequantizeOptimized& d) {
  DequantizeParams p = d.params;
  p.outer = 1;
  p.inner = 256;
  p.output_dims = {static_cast<int32_t>(p.channels), 256};  // <= kMaxDequantizeTables
  const std::array<In, 256> bytes = all_bytes<In>();
  std::vector<In> in(static_cast<size_t>(p.channels) * 256);
  for (size_t c = 0; c < static_cast<size_t>(p.channels); ++c) std::memcpy(&in[c * 256], bytes.data(), 256);
  d.table.assign(in.size(), 0.0f);
  eval_dequantize(p, in.data(), d.table.data());
}

}  // namespace

RequantizeOptimized prepare_requantize_optimized(const RequantizeParams& params, QuantizedType input,
                                                 QuantizedType output, OpPath path) {
  if (!op_path_available(path))
    throw Error(std::string("QUANTIZE: the ") + op_path_name(path) + " code path is not available on this CPU");
  RequantizeOptimized r;
  r.params = params;
  r.path = resolve_op_path(path);
  r.input_signed = input == QuantizedType::kInt8;
  r.output_signed = output == QuantizedType::kInt8;
  if (r.input_signed) {
    if (r.output_signed) build_requantize_table<int8_t, int8_t>(r);
    else build_requantize_table<int8_t, uint8_t>(r);
  } else {
    if (r.output_signed) build_requantize_table<uint8_t, int8_t>(r);
    else build_requantize_table<uint8_t, uint8_t>(r);
  }
  return r;
}

void eval_requantize_optimized(const RequantizeOptimized& r, const void* input, void* output) {
  // The table maps input BYTES to output BYTES, so the element types only matter for
  // building it.
  apply_byte_table(r.table, r.params.size, static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output),
                   r.path);
}

DequantizeOptimized prepare_dequantize_optimized(const DequantizeParams& params, QuantizedType input) {
  DequantizeOptimized d;
  d.params = params;
  d.input_signed = input == QuantizedType::kInt8;
  d.reference = params.channels > kMaxDequantizeTables;
  if (d.reference) return d;
  if (d.input_signed) build_dequantize_tables<int8_t>(d);
  else build_dequantize_tables<uint8_t>(d);
  return d;
}

void eval_dequantize_optimized(const DequantizeOptimized& d, const void* input, float* output) {
  if (d.reference) {
    if (d.input_signed) eval_dequantize(d.params, static_cast<const int8_t*>(input), output);
    else eval_dequantize(d.params, static_cast<const uint8_t*>(input), output);
    return;
  }
  const auto* in = static_cast<const uint8_t*>(input);
  const int64_t inner = d.params.inner;
  for (int64_t o = 0; o < d.params.outer; ++o)
    for (int64_t c = 0; c < d.params.channels; ++c) {
      const float* table = d.table.data() + c * 256;
      for (int64_t i = 0; i < inner; ++i) output[i] = table[in[i]];
      in += inner;
      output += inner;
    }
}

QuantizeFloatOptimized prepare_quantize_float_optimized(const QuantizeFloatParams& params, QuantizedType output,
                                                        OpPath path) {
  if (!op_path_available(path))
    throw Error(std::string("QUANTIZE: the ") + op_path_name(path) + " code path is not available on this CPU");
  QuantizeFloatOptimized q;
  q.params = params;
  q.output_signed = output == QuantizedType::kInt8;
  q.path = resolve_op_path(path);
  return q;
}

void eval_quantize_float_optimized(const QuantizeFloatOptimized& q, const float* input, void* output) {
  if (q.path == OpPath::kAvx512) {
    quantize_opt::quantize_float_avx512(q, input, output);
    return;
  }
  if (q.output_signed) eval_quantize_float(q.params, input, static_cast<int8_t*>(output));
  else eval_quantize_float(q.params, input, static_cast<uint8_t*>(output));
}

}  // namespace lq::kernels
