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

BroadcastRows broadcast_rows(const BinaryParams& shape) {
  BroadcastRows r;
  if (!shape.broadcast) {
    r.row = shape.size;
    return r;
  }
  // Fold dims 3, 2, 1, 0 into the row while each operand stays contiguous (stride ==
  // elements folded so far) or repeated (stride 0); size-1 dims fold trivially.
  r.row = 1;
  bool steps_known = false;
  int k = 3;
  for (; k >= 0; --k) {
    const int64_t n = shape.out4[k], a = shape.stride1[k], b = shape.stride2[k];
    if (n == 1) continue;
    if (!steps_known) {
      if ((a != 0 && a != 1) || (b != 0 && b != 1)) break;
      r.step1 = a;
      r.step2 = b;
      steps_known = true;
    } else if (a != r.step1 * r.row || b != r.step2 * r.row) {
      break;
    }
    r.row *= n;
  }
  for (int d = 0; d <= k; ++d) {
    r.outer[d] = shape.out4[d];
    r.stride1[d] = shape.stride1[d];
    r.stride2[d] = shape.stride2[d];
  }
  return r;
}

AddInt8Optimized prepare_add_int8_optimized(const AddInt8Params& params, OpPath path) {
  check_path(path, "ADD");
  AddInt8Optimized a;
  a.params = params;
  a.path = resolve_op_path(path);
  a.rows = broadcast_rows(params.shape);
  a.reference = a.path != OpPath::kAvx512 || params.left_shift != 20 ||
                !right_ok(params.input1_multiplier) || !right_ok(params.input2_multiplier) ||
                !right_ok(params.output_multiplier);
  return a;
}

void eval_add_int8_optimized(const AddInt8Optimized& a, const int8_t* input1, const int8_t* input2,
                             int8_t* output) {
  if (a.reference) eval_add_int8(a.params, input1, input2, output);
  else elementwise_opt::add_avx512(a.params, a.rows, input1, input2, output);
}

MulInt8Optimized prepare_mul_int8_optimized(const MulInt8Params& params, OpPath path) {
  check_path(path, "MUL");
  MulInt8Optimized m;
  m.params = params;
  m.path = resolve_op_path(path);
  const int shift = params.output_multiplier.shift;
  m.rows = broadcast_rows(params.shape);
  m.reference = m.path != OpPath::kAvx512 || shift > 15 || shift < -31;
  return m;
}

void eval_mul_int8_optimized(const MulInt8Optimized& m, const int8_t* input1, const int8_t* input2,
                             int8_t* output) {
  if (m.reference) eval_mul_int8(m.params, input1, input2, output);
  else elementwise_opt::mul_avx512(m.params, m.rows, input1, input2, output);
}

}  // namespace lq::kernels
