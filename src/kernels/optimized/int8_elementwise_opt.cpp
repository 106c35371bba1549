// Optimized int8 ADD / MUL: prepare and dispatch (int8_optimized_ops.h).
#include "int8_elementwise_opt.h"

#include "litequant/core/error.h"

namespace lq::kernels {
namespace {

void check_path(OpPath path, const char* op) {
  if (!op_path_available(path))
    throw Error(std::string(op) + ": the " + op_path_name(path) + " code path is not available on this CPU");
}

// Right shifts the vector code handles (0..31).
bool right_ok(const QuantizedMultiplier& m) { return m.shift <= 0 && m.shift >= -31; }

}  // namespace

AddInt8Optimized prepare_add_int8_optimized(const AddInt8Params& params, OpPath path) {
  check_path(path, "ADD");
  AddInt8Optimized a;
  a.params = params;
  a.path = resolve_op_path(path);
  a.reference = a.path != OpPath::kAvx512 || params.shape.broadcast || params.left_shift != 20 ||
                !right_ok(params.input1_multiplier) || !right_ok(params.input2_multiplier) ||
                !right_ok(params.output_multiplier);
  return a;
}

void eval_add_int8_optimized(const AddInt8Optimized& a, const int8_t* input1, const int8_t* input2,
                             int8_t* output) {
  if (a.reference) eval_add_int8(a.params, input1, input2, output);
  else elementwise_opt::add_avx512(a.params, input1, input2, output);
}

MulInt8Optimized prepare_mul_int8_optimized(const MulInt8Params& params, OpPath path) {
  check_path(path, "MUL");
  MulInt8Optimized m;
  m.params = params;
  m.path = resolve_op_path(path);
  const int shift = params.output_multiplier.shift;
  m.reference = m.path != OpPath::kAvx512 || params.shape.broadcast || shift > 15 || shift < -31;
  return m;
}

void eval_mul_int8_optimized(const MulInt8Optimized& m, const int8_t* input1, const int8_t* input2,
                             int8_t* output) {
  if (m.reference) eval_mul_int8(m.params, input1, input2, output);
  else elementwise_opt::mul_avx512(m.params, input1, input2, output);
}

}  // namespace lq::kernels
