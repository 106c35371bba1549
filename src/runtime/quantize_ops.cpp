// QUANTIZE (float32 -> int8/uint8, int8/uint8 -> int8/uint8) and DEQUANTIZE (int8/uint8
// -> float32, per tensor or per channel). float16 DEQUANTIZE runs in float_ops.cpp.
#include "litequant/kernels/int8_optimized_ops.h"
#include "litequant/kernels/quantize.h"
#include "node_context.h"

namespace lq::runtime {
namespace {
using tflite::Op;
using tflite::TensorType;
namespace k = kernels;

bool quantized(TensorType t) { return t == TensorType::kInt8 || t == TensorType::kUInt8; }
k::IntegerRange qtype(TensorType t) { return t == TensorType::kInt8 ? k::kInt8Range : k::kUInt8Range; }

k::QuantizedType ktype(TensorType t) { return t == TensorType::kInt8 ? k::QuantizedType::kInt8 : k::QuantizedType::kUInt8; }

PreparedNode prepare_quantize_op(NodeContext& c) {
  Interpreter::Impl& m = c.m();
  const int in = c.in(0), out = c.out();
  const TensorType ti = c.type(in), to = c.type(out);
  if (!quantized(to))
    c.fail("output tensor " + std::to_string(out) + " is " + tflite::type_name(to) + ", expected int8 or uint8");
  const k::QuantParams out_q = c.quant(out, "output");
  if (ti == TensorType::kFloat32) {
    const auto p = k::prepare_quantize_float(c.dims(in), out_q, qtype(to));
    c.set_output(p.output_dims);
    // Optimized kernels (int8_optimized_ops.h): byte-identical with the reference.
    return [&m, opt = k::prepare_quantize_float_optimized(p, ktype(to)), in, out] {
      k::eval_quantize_float_optimized(opt, m.f32(in), m.mutable_data(out));
    };
  }
  if (!quantized(ti))
    c.fail("input tensor " + std::to_string(in) + " is " + tflite::type_name(ti) +
           ", expected float32, int8 or uint8");
  const auto p = k::prepare_requantize(c.dims(in), c.quant(in, "input"), qtype(ti), out_q, qtype(to));
  c.set_output(p.output_dims);
  return [&m, opt = k::prepare_requantize_optimized(p, ktype(ti), ktype(to)), in, out] {
    k::eval_requantize_optimized(opt, m.data(in), m.mutable_data(out));
  };
}

PreparedNode prepare_dequantize_op(NodeContext& c) {
  Interpreter::Impl& m = c.m();
  const int in = c.in(0), out = c.out();
  const TensorType ti = c.type(in);
  if (!quantized(ti))
    c.fail("input tensor " + std::to_string(in) + " is " + tflite::type_name(ti) +
           ", expected int8, uint8 or float16");
  c.expect(out, TensorType::kFloat32, "output");
  const tflite::Quantization& q = c.quantization(in);
  // TFLite dequantizes per channel when the tensor has more than one scale.
  const auto p = q.scale.size() > 1
                     ? k::prepare_dequantize_per_channel(c.dims(in), q.scale, q.zero_point, q.quantized_dimension,
                                                         qtype(ti))
                     : k::prepare_dequantize(c.dims(in), c.quant(in, "input"), qtype(ti));
  c.set_output(p.output_dims);
  return [&m, opt = k::prepare_dequantize_optimized(p, ktype(ti)), in, out] {
    k::eval_dequantize_optimized(opt, m.data(in), m.f32_out(out));
  };
}
}  // namespace

PreparedNode prepare_quantize(NodeContext& c) {
  if (c.code() == Op::kQuantize) return prepare_quantize_op(c);
  if (c.code() == Op::kDequantize) return prepare_dequantize_op(c);
  c.fail("not a QUANTIZE or DEQUANTIZE operator");
}

}  // namespace lq::runtime
