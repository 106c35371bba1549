// Quantized operators: which family prepares an op (by its tensor types), and the int8
// weighted ops FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D.
#include "litequant/kernels/int8_optimized.h"
#include "litequant/kernels/int8_reference.h"
#include "node_context.h"

namespace lq::runtime {
namespace {
using tflite::Op;
using tflite::TensorType;
namespace k = kernels;

bool quantized_type(TensorType t) { return t == TensorType::kInt8 || t == TensorType::kUInt8; }

// Input 0 and the output int8; weights (input 1) a constant int8; bias (input 2) optional
// constant int32.
void expect_int8_weighted(const NodeContext& c) {
  c.expect(c.in(0), TensorType::kInt8, "input");
  c.expect(c.in(1), TensorType::kInt8, "weights");
  c.expect_constant(c.in(1), "weights");
  if (c.has_input(2)) {
    c.expect(c.in(2), TensorType::kInt32, "bias");
    c.expect_constant(c.in(2), "bias");
  }
  c.expect(c.out(), TensorType::kInt8, "output");
}

// FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D take the optimized kernels
// (int8_optimized.h: packed once here, byte-identical with the reference, split over the
// interpreter's thread pool when large enough) when weights and bias are constants, which
// expect_int8_weighted requires today; the reference kernels remain the fallback.
bool constant_operands(const NodeContext& c, int weights, int bias) {
  return c.constant(weights) && (bias < 0 || c.constant(bias));
}
}  // namespace

std::optional<PreparedNode> prepare_quantized(NodeContext& c) {
  const Op code = c.code();
  if (code == Op::kQuantize) return prepare_quantize(c);
  if (code == Op::kDequantize)
    return c.type(c.in(0)) == TensorType::kFloat16 ? std::nullopt : std::optional(prepare_quantize(c));
  if (!c.has_input(0)) return std::nullopt;
  const TensorType input = c.type(c.in(0));
  if (quantized_type(input)) {
    switch (code) {
      case Op::kFullyConnected: case Op::kConv2D: case Op::kDepthwiseConv2D:
        return prepare_int8_weighted(c);
      case Op::kAdd: case Op::kMul: case Op::kRelu: case Op::kRelu6: case Op::kLogistic:
      case Op::kTanh: case Op::kSoftmax:
        return prepare_int8_elementwise(c);
      case Op::kMaxPool2D: case Op::kAveragePool2D: case Op::kReshape: case Op::kConcatenation:
      case Op::kMean: case Op::kPad:
        return prepare_int8_shape_op(c);
      default:
        c.fail("not supported for " + tflite::type_name(input) + " tensors");
    }
  }
  const bool weighted = code == Op::kFullyConnected || code == Op::kConv2D || code == Op::kDepthwiseConv2D;
  if (input == TensorType::kFloat32 && weighted && c.has_input(1) && c.type(c.in(1)) == TensorType::kInt8)
    return prepare_hybrid(c);
  return std::nullopt;
}

namespace {
// uint8 FULLY_CONNECTED (asymmetric uint8 weights, TF1-style models).
PreparedNode prepare_uint8_fully_connected(NodeContext& c) {
  Interpreter::Impl& m = c.m();
  c.expect(c.in(1), TensorType::kUInt8, "weights");
  c.expect_constant(c.in(1), "weights");
  if (c.has_input(2)) {
    c.expect(c.in(2), TensorType::kInt32, "bias");
    c.expect_constant(c.in(2), "bias");
  }
  c.expect(c.out(), TensorType::kUInt8, "output");
  const int in = c.in(0), w = c.in(1), b = c.has_input(2) ? c.in(2) : -1, out = c.out();
  const auto& o = options_as<tflite::FullyConnectedOptions>(c.op());
  const auto p = k::prepare_fully_connected_uint8(c.dims(in), c.dims(w), bias_dims(c), c.quant(in, "input"),
                                                  c.quant(w, "weights"), c.quant(out, "output"),
                                                  {act(o.activation), o.keep_num_dims});
  c.set_output(p.output_dims);
  return [&m, p, in, w, b, out] {
    k::eval_fully_connected_uint8(p, m.in<uint8_t>(in), m.in<uint8_t>(w), b >= 0 ? m.in<int32_t>(b) : nullptr,
                                  m.out<uint8_t>(out));
  };
}
}  // namespace

PreparedNode prepare_int8_weighted(NodeContext& c) {
  Interpreter::Impl& m = c.m();
  if (c.code() == Op::kFullyConnected && c.type(c.in(0)) == TensorType::kUInt8) return prepare_uint8_fully_connected(c);
  expect_int8_weighted(c);
  const int in = c.in(0), w = c.in(1), b = c.has_input(2) ? c.in(2) : -1, out = c.out();
  const k::QuantParams in_q = c.quant(in, "input"), out_q = c.quant(out, "output");
  switch (c.code()) {
    case Op::kFullyConnected: {
      const auto& o = options_as<tflite::FullyConnectedOptions>(c.op());
      const auto p = k::prepare_fully_connected_int8(c.dims(in), c.dims(w), bias_dims(c), in_q,
                                                     c.weight_scales(w, 0, "weights"), out_q,
                                                     {act(o.activation), o.keep_num_dims});
      c.set_output(p.output_dims);
      if (constant_operands(c, w, b)) {
        auto opt = k::prepare_fully_connected_int8_optimized(p, c.constant_data<int8_t>(w).data(),
                                                             b >= 0 ? c.i32(b).data() : nullptr,
                                                             k::Int8Path::kAuto, m.options.num_threads);
        return [&m, opt = std::move(opt), in, out]() mutable {
          k::eval_fully_connected_int8_optimized(opt, m.in<int8_t>(in), m.out<int8_t>(out), m.pool.get());
        };
      }
      return [&m, p, in, w, b, out] {
        k::eval_fully_connected_int8(p, m.in<int8_t>(in), m.in<int8_t>(w), b >= 0 ? m.in<int32_t>(b) : nullptr,
                                     m.out<int8_t>(out));
      };
    }
    case Op::kConv2D: {
      const auto& o = options_as<tflite::Conv2DOptions>(c.op());
      const auto p = k::prepare_conv2d_int8(
          c.dims(in), c.dims(w), bias_dims(c), in_q, c.weight_scales(w, 0, "weights"), out_q,
          {pad(o.padding), o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, act(o.activation)});
      c.set_output(p.output_dims);
      if (constant_operands(c, w, b)) {
        auto opt = k::prepare_conv2d_int8_optimized(p, c.constant_data<int8_t>(w).data(),
                                                    b >= 0 ? c.i32(b).data() : nullptr,
                                                             k::Int8Path::kAuto, m.options.num_threads);
        return [&m, opt = std::move(opt), in, out]() mutable {
          k::eval_conv2d_int8_optimized(opt, m.in<int8_t>(in), m.out<int8_t>(out), m.pool.get());
        };
      }
      return [&m, p, in, w, b, out] {
        k::eval_conv2d_int8(p, m.in<int8_t>(in), m.in<int8_t>(w), b >= 0 ? m.in<int32_t>(b) : nullptr,
                            m.out<int8_t>(out));
      };
    }
    case Op::kDepthwiseConv2D: {
      const auto& o = options_as<tflite::DepthwiseConv2DOptions>(c.op());
      const auto p = k::prepare_depthwise_conv2d_int8(
          c.dims(in), c.dims(w), bias_dims(c), in_q, c.weight_scales(w, 3, "weights"), out_q,
          {pad(o.padding), o.stride_h, o.stride_w, o.depth_multiplier, o.dilation_h, o.dilation_w,
           act(o.activation)});
      c.set_output(p.output_dims);
      if (constant_operands(c, w, b)) {
        auto opt = k::prepare_depthwise_conv2d_int8_optimized(p, c.constant_data<int8_t>(w).data(),
                                                              b >= 0 ? c.i32(b).data() : nullptr,
                                                             k::Int8Path::kAuto, m.options.num_threads);
        return [&m, opt = std::move(opt), in, out]() mutable {
          k::eval_depthwise_conv2d_int8_optimized(opt, m.in<int8_t>(in), m.out<int8_t>(out), m.pool.get());
        };
      }
      return [&m, p, in, w, b, out] {
        k::eval_depthwise_conv2d_int8(p, m.in<int8_t>(in), m.in<int8_t>(w),
                                      b >= 0 ? m.in<int32_t>(b) : nullptr, m.out<int8_t>(out));
      };
    }
    default:
      c.fail("not an int8 weighted op");
  }
}

}  // namespace lq::runtime
