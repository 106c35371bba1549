// int8 ADD, MUL, RELU, RELU6, LOGISTIC, TANH and SOFTMAX (kernels in
// litequant/kernels/int8_elementwise.h).
#include "litequant/kernels/int8_elementwise.h"
#include "litequant/kernels/int8_optimized_ops.h"
#include "node_context.h"

namespace lq::runtime {
namespace {
using tflite::Op;
using tflite::TensorType;
namespace k = kernels;

PreparedNode prepare_binary(NodeContext& c) {
  Interpreter::Impl& m = c.m();
  const int a = c.in(0), b = c.in(1), out = c.out();
  c.expect(b, TensorType::kInt8, "input 1");
  c.expect(out, TensorType::kInt8, "output");
  const auto activation = act(options_as<tflite::ActivationOptions>(c.op()).activation);
  const k::QuantParams qa = c.quant(a, "input 0"), qb = c.quant(b, "input 1"), qo = c.quant(out, "output");
  if (c.code() == Op::kAdd) {
    const auto p = k::prepare_add_int8(c.dims(a), c.dims(b), qa, qb, qo, activation);
    c.set_output(p.output_dims);
    // Optimized kernels (int8_optimized_ops.h): byte-identical with the reference.
    return [&m, opt = k::prepare_add_int8_optimized(p), a, b, out] {
      k::eval_add_int8_optimized(opt, m.in<int8_t>(a), m.in<int8_t>(b), m.out<int8_t>(out));
    };
  }
  const auto p = k::prepare_mul_int8(c.dims(a), c.dims(b), qa, qb, qo, activation);
  c.set_output(p.output_dims);
  return [&m, opt = k::prepare_mul_int8_optimized(p), a, b, out] {
    k::eval_mul_int8_optimized(opt, m.in<int8_t>(a), m.in<int8_t>(b), m.out<int8_t>(out));
  };
}

PreparedNode prepare_unary(NodeContext& c) {
  Interpreter::Impl& m = c.m();
  const int in = c.in(0), out = c.out();
  c.expect(out, TensorType::kInt8, "output");
  const k::QuantParams qi = c.quant(in, "input"), qo = c.quant(out, "output");
  switch (c.code()) {
    case Op::kRelu:
    case Op::kRelu6: {
      const auto p = c.code() == Op::kRelu ? k::prepare_relu_int8(c.dims(in), qi, qo)
                                           : k::prepare_relu6_int8(c.dims(in), qi, qo);
      c.set_output(p.output_dims);
      // Optimized kernels (int8_optimized_ops.h): byte-identical with the reference.
      return [&m, opt = k::prepare_relu_int8_optimized(p), in, out] {
        k::eval_byte_table_optimized(opt, m.in<int8_t>(in), m.out<int8_t>(out));
      };
    }
    case Op::kLogistic:
    case Op::kTanh: {
      const auto p = c.code() == Op::kLogistic ? k::prepare_logistic_int8(c.dims(in), qi, qo)
                                               : k::prepare_tanh_int8(c.dims(in), qi, qo);
      c.set_output(p.output_dims);
      return [&m, opt = k::prepare_lookup_table_int8_optimized(p), in, out] {
        k::eval_byte_table_optimized(opt, m.in<int8_t>(in), m.out<int8_t>(out));
      };
    }
    case Op::kSoftmax: {
      const auto p = k::prepare_softmax_int8(c.dims(in), qi, qo, options_as<tflite::SoftmaxOptions>(c.op()).beta);
      c.set_output(p.output_dims);
      return [&m, opt = k::prepare_softmax_int8_optimized(p), in, out] {
        k::eval_softmax_int8_optimized(opt, m.in<int8_t>(in), m.out<int8_t>(out));
      };
    }
    default:
      c.fail("not an int8 elementwise op");
  }
}
}  // namespace

PreparedNode prepare_int8_elementwise(NodeContext& c) {
  const int in = c.in(0);
  if (c.type(in) != TensorType::kInt8)
    c.fail(tflite::type_name(c.type(in)) + " input is not supported (int8 only)");
  if (c.code() == Op::kAdd || c.code() == Op::kMul) return prepare_binary(c);
  return prepare_unary(c);
}

}  // namespace lq::runtime
