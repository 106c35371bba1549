// Optimized int8 SOFTMAX: prepare and dispatch (int8_optimized_ops.h).
#include "int8_softmax_opt.h"

#include "litequant/core/error.h"

namespace lq::kernels {

SoftmaxInt8Optimized prepare_softmax_int8_optimized(const SoftmaxInt8Params& params, OpPath path) {
  if (!op_path_available(path))
    throw Error(std::string("SOFTMAX: the ") + op_path_name(path) + " code path is not available on this CPU");
  SoftmaxInt8Optimized s;
  s.params = params;
  s.path = resolve_op_path(path);
  if (s.path == OpPath::kAvx512 && !softmax_opt::avx512_compiled()) s.path = OpPath::kPortable;
  return s;
}

void eval_softmax_int8_optimized(const SoftmaxInt8Optimized& s, const int8_t* input, int8_t* output) {
  if (s.path == OpPath::kAvx512) softmax_opt::softmax_avx512(s.params, input, output);
  else eval_softmax_int8(s.params, input, output);
}

}  // namespace lq::kernels
