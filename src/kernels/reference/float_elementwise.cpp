// ADD, MUL (TFLite reference/add.h, mul.h incl. BroadcastAdd4DSlow) and the unary
// activations RELU, RELU6, LOGISTIC, TANH (reference/logistic.h, tanh.h).
#include <cmath>

#include "checks.h"
#include "index_walk.h"

namespace lq::kernels {
namespace {

using detail::fail;

BinaryParams prepare_binary(const Dims& a, const Dims& b, Activation activation,
                            const std::string& op) {
  BinaryParams p;
  p.activation = activation_range(activation, op);
  const int64_t size_a = flat_size(a, op + " input1");
  flat_size(b, op + " input2");
  if (a == b) {
    p.size = size_a;
    p.output_dims = a;
    return p;
  }
  if (a.size() > 4 || b.size() > 4)
    fail(op, "broadcasting supports at most 4 dimensions, got " + dims_string(a) + " and " +
                 dims_string(b));
  // Right-align both shapes in 4-D.
  int32_t ext_a[4], ext_b[4];
  for (int i = 0; i < 4; ++i) {
    const int ia = i - (4 - static_cast<int>(a.size()));
    const int ib = i - (4 - static_cast<int>(b.size()));
    ext_a[i] = ia >= 0 ? a[static_cast<size_t>(ia)] : 1;
    ext_b[i] = ib >= 0 ? b[static_cast<size_t>(ib)] : 1;
    if (ext_a[i] != ext_b[i] && ext_a[i] != 1 && ext_b[i] != 1)
      fail(op, "shapes " + dims_string(a) + " and " + dims_string(b) +
                   " cannot be broadcast (dimension " + std::to_string(ext_a[i]) + " vs " +
                   std::to_string(ext_b[i]) + ")");
    p.out4[i] = ext_a[i] == 1 ? ext_b[i] : ext_a[i];
  }
  int64_t sa = 1, sb = 1;
  for (int i = 3; i >= 0; --i) {
    p.stride1[i] = ext_a[i] == 1 ? 0 : sa;
    p.stride2[i] = ext_b[i] == 1 ? 0 : sb;
    sa *= ext_a[i];
    sb *= ext_b[i];
  }
  const size_t rank = std::max(a.size(), b.size());
  p.output_dims.assign(p.out4 + (4 - rank), p.out4 + 4);
  p.size = flat_size(p.output_dims, op + " output");
  p.broadcast = true;
  return p;
}

// out[i] = clamp(f(in1, in2)) over the (possibly broadcast) output, row-major.
template <typename Fn>
void eval_binary(const BinaryParams& p, const float* in1, const float* in2, float* out, Fn f) {
  detail::for_each_broadcast_pair(p, in1, in2, out,
                                  [&](float a, float b) { return clamp_activation(f(a, b), p.activation); });
}

template <typename Fn>
void eval_unary(const UnaryParams& p, const float* in, float* out, Fn f) {
  for (int64_t i = 0; i < p.size; ++i) out[i] = f(in[i]);
}

}  // namespace

BinaryParams prepare_add(const Dims& input1, const Dims& input2, Activation activation) {
  return prepare_binary(input1, input2, activation, "ADD");
}

BinaryParams prepare_mul(const Dims& input1, const Dims& input2, Activation activation) {
  return prepare_binary(input1, input2, activation, "MUL");
}

void eval_add(const BinaryParams& p, const float* input1, const float* input2, float* output) {
  eval_binary(p, input1, input2, output, [](float a, float b) { return a + b; });
}

void eval_mul(const BinaryParams& p, const float* input1, const float* input2, float* output) {
  eval_binary(p, input1, input2, output, [](float a, float b) { return a * b; });
}

UnaryParams prepare_unary(const Dims& input, const std::string& op) {
  UnaryParams p;
  p.size = flat_size(input, op + " input");
  p.output_dims = input;
  return p;
}

void eval_relu(const UnaryParams& p, const float* input, float* output) {
  eval_unary(p, input, output, [](float x) { return x < 0.0f ? 0.0f : x; });
}

void eval_relu6(const UnaryParams& p, const float* input, float* output) {
  eval_unary(p, input, output,
             [](float x) { return x > 6.0f ? 6.0f : (x < 0.0f ? 0.0f : x); });
}

void eval_logistic(const UnaryParams& p, const float* input, float* output) {
  eval_unary(p, input, output, [](float x) {
    constexpr float kUpper = 16.619047164916992188f;  // above: 1 - e^-x rounds to 1
    constexpr float kLower = -9.0f;                   // below: 1 + e^-x ~ e^-x
    if (x > kUpper) return 1.0f;
    if (x < kLower) return std::exp(x);
    return 1.0f / (1.0f + std::exp(-x));
  });
}

void eval_tanh(const UnaryParams& p, const float* input, float* output) {
  eval_unary(p, input, output, [](float x) { return std::tanh(x); });
}

}  // namespace lq::kernels
