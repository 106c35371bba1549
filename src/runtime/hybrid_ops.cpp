// Dynamic-range ("hybrid") FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D: float32 input
// and output, constant int8 symmetric weights, optional float32 bias. With a constant
// bias (or none) the optimized kernels run (hybrid_optimized.h: weights packed here once,
// bit-identical with the reference, split over the interpreter's pool); otherwise the
// reference kernels, whose quantized input lives in a scratch buffer made here, once.
#include <memory>

#include "litequant/kernels/hybrid_optimized.h"
#include "litequant/kernels/hybrid_reference.h"
#include "node_context.h"

namespace lq::runtime {
namespace {
using tflite::Op;
using tflite::TensorType;
namespace k = kernels;

void expect_hybrid(const NodeContext& c) {
  c.expect(c.in(0), TensorType::kFloat32, "input");
  c.expect(c.in(1), TensorType::kInt8, "weights");
  c.expect_constant(c.in(1), "weights");
  if (c.has_input(2)) c.expect(c.in(2), TensorType::kFloat32, "bias");
  c.expect(c.out(), TensorType::kFloat32, "output");
}

// The constant bias, or null (none); `constant` false when the bias is computed.
const float* constant_bias(const NodeContext& c, int b, bool& constant) {
  constant = b < 0 || c.constant(b);
  return b >= 0 && constant ? c.constant_data<float>(b).data() : nullptr;
}
}  // namespace

PreparedNode prepare_hybrid(NodeContext& c) {
  Interpreter::Impl& m = c.m();
  expect_hybrid(c);
  const int in = c.in(0), w = c.in(1), b = c.has_input(2) ? c.in(2) : -1, out = c.out();
  const k::Dims& in_dims = c.dims(in);
  bool bias_constant = true;
  const float* bias = constant_bias(c, b, bias_constant);
  const int threads = m.options.num_threads;
  switch (c.code()) {
    case Op::kFullyConnected: {
      const auto& o = options_as<tflite::FullyConnectedOptions>(c.op());
      const auto p = k::prepare_fully_connected_hybrid(
          in_dims, c.dims(w), bias_dims(c), c.weight_scales(w, 0, "weights"),
          {act(o.activation), o.keep_num_dims, o.asymmetric_quantize_inputs, c.op().version});
      c.set_output(p.output_dims);
      if (bias_constant) {
        auto opt = k::prepare_fully_connected_hybrid_optimized(p, c.constant_data<int8_t>(w).data(), bias,
                                                               k::Int8Path::kAuto, threads);
        return [&m, opt = std::move(opt), in, out]() mutable {
          k::eval_fully_connected_hybrid_optimized(opt, m.f32(in), m.f32_out(out), m.pool.get());
        };
      }
      auto scratch = std::make_shared<k::HybridScratch>(k::make_hybrid_scratch(p.batch, p.input_depth));
      return [&m, p, in, w, b, out, scratch] {
        k::eval_fully_connected_hybrid(p, m.f32(in), m.in<int8_t>(w), b >= 0 ? m.f32(b) : nullptr, m.f32_out(out),
                                       *scratch);
      };
    }
    case Op::kConv2D: {
      // As TFLite's CONV_2D Prepare (the hybrid path would otherwise read no bias).
      if (b < 0) c.fail("a hybrid CONV_2D (float input, int8 weights) needs a float bias (input 2), as in TFLite");
      const auto& o = options_as<tflite::Conv2DOptions>(c.op());
      const auto p = k::prepare_conv2d_hybrid(
          in_dims, c.dims(w), bias_dims(c), c.weight_scales(w, 0, "weights"),
          {pad(o.padding), o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, act(o.activation)});
      c.set_output(p.output_dims);
      if (bias_constant) {
        auto opt = k::prepare_conv2d_hybrid_optimized(p, c.constant_data<int8_t>(w).data(), bias,
                                                      k::Int8Path::kAuto, threads);
        return [&m, opt = std::move(opt), in, out]() mutable {
          k::eval_conv2d_hybrid_optimized(opt, m.f32(in), m.f32_out(out), m.pool.get());
        };
      }
      auto scratch = std::make_shared<k::HybridScratch>(
          k::make_hybrid_scratch(p.batch, int64_t{p.in_h} * p.in_w * p.in_c));
      return [&m, p, in, w, b, out, scratch] {
        k::eval_conv2d_hybrid(p, m.f32(in), m.in<int8_t>(w), b >= 0 ? m.f32(b) : nullptr, m.f32_out(out), *scratch);
      };
    }
    case Op::kDepthwiseConv2D: {
      const auto& o = options_as<tflite::DepthwiseConv2DOptions>(c.op());
      const auto p = k::prepare_depthwise_conv2d_hybrid(
          in_dims, c.dims(w), bias_dims(c), c.weight_scales(w, 3, "weights"),
          {pad(o.padding), o.stride_h, o.stride_w, o.depth_multiplier, o.dilation_h, o.dilation_w, act(o.activation)});
      c.set_output(p.output_dims);
      if (bias_constant) {
        auto opt = k::prepare_depthwise_conv2d_hybrid_optimized(p, c.constant_data<int8_t>(w).data(), bias,
                                                                k::Int8Path::kAuto, threads);
        return [&m, opt = std::move(opt), in, out]() mutable {
          k::eval_depthwise_conv2d_hybrid_optimized(opt, m.f32(in), m.f32_out(out), m.pool.get());
        };
      }
      auto scratch = std::make_shared<k::HybridScratch>(
          k::make_hybrid_scratch(p.batch, int64_t{p.in_h} * p.in_w * p.in_c));
      return [&m, p, in, w, b, out, scratch] {
        k::eval_depthwise_conv2d_hybrid(p, m.f32(in), m.in<int8_t>(w), b >= 0 ? m.f32(b) : nullptr, m.f32_out(out),
                                        *scratch);
      };
    }
    default:
      c.fail("not a hybrid (float input, int8 weights) op");
  }
}

}  // namespace lq::runtime
