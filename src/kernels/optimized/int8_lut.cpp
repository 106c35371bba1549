// Tables of 256 output bytes built by running the reference kernels on every input byte
// (RELU, RELU6, LOGISTIC, TANH; QUANTIZE's requantize uses apply_byte_table too), and
// their application (int8_optimized_ops.h).
#include "int8_lut.h"

#include <cstring>

#include "litequant/core/cpu.h"
#include "litequant/core/error.h"
#include "litequant/kernels/int8_optimized_ops.h"

namespace lq::kernels {
namespace {

void check_path(OpPath path, const char* op) {
  if (!op_path_available(path))
    throw Error(std::string(op) + ": the " + op_path_name(path) + " code path is not available on this CPU");
}

// Runs `reference(in, out)` on the 256 int8 values 0..255 (as bytes) into a table.
template <typename Reference>
ByteTableOptimized table_from(int64_t size, OpPath path, Reference&& reference) {
  ByteTableOptimized t;
  t.size = size;
  t.path = resolve_op_path(path);
  int8_t in[256], out[256];
  for (int b = 0; b < 256; ++b) in[b] = static_cast<int8_t>(b - (b >= 128 ? 256 : 0));
  reference(in, out);
  std::memcpy(t.table.data(), out, 256);
  return t;
}

}  // namespace

void apply_byte_table(const std::array<uint8_t, 256>& table, int64_t n, const uint8_t* input, uint8_t* output,
                      OpPath path) {
  if (path == OpPath::kAvx512 && cpu_features().avx512vbmi && lut::vbmi_compiled()) {
    lut::apply_vbmi(table, n, input, output);
    return;
  }
  for (int64_t i = 0; i < n; ++i) output[i] = table[input[i]];
}

ByteTableOptimized prepare_relu_int8_optimized(const ReluInt8Params& params, OpPath path) {
  check_path(path, "RELU");
  ReluInt8Params p = params;
  p.size = 256;
  p.output_dims = {256};
  return table_from(params.size, path, [&p](const int8_t* in, int8_t* out) { eval_relu_int8(p, in, out); });
}

ByteTableOptimized prepare_lookup_table_int8_optimized(const LookupTableInt8Params& params, OpPath path) {
  check_path(path, "LOGISTIC/TANH");
  LookupTableInt8Params p = params;
  p.size = 256;
  p.output_dims = {256};
  return table_from(params.size, path,
                    [&p](const int8_t* in, int8_t* out) { eval_lookup_table_int8(p, in, out); });
}

void eval_byte_table_optimized(const ByteTableOptimized& t, const void* input, void* output) {
  apply_byte_table(t.table, t.size, static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output), t.path);
}

}  // namespace lq::kernels
