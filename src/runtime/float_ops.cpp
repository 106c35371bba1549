// Prepare step of each operator the interpreter runs (float32 path): checks tensor
// types, calls the kernel's prepare_* for shapes and parameters, sets the output shapes
// and returns the eval call.
#include <cstring>
#include <memory>

#include "litequant/kernels/float_ops_optimized.h"
#include "litequant/kernels/float_fully_connected_optimized.h"
#include "litequant/kernels/float_optimized.h"
#include "litequant/kernels/float_reference.h"
#include "node_context.h"

namespace lq::runtime {
namespace {
using tflite::Op;
using tflite::TensorType;
namespace k = kernels;

// All float inputs [0, n) and output 0 must be float32.
void expect_float(const NodeContext& c, size_t n) {
  for (size_t i = 0; i < n && i < c.inputs(); ++i)
    if (c.has_input(i)) c.expect(c.op().inputs[i], TensorType::kFloat32, "input " + std::to_string(i));
  c.expect(c.out(), TensorType::kFloat32, "output");
}
}  // namespace

PreparedNode prepare_float(NodeContext& c) {
  Interpreter::Impl& m = c.m();
  const Op code = static_cast<Op>(c.op().opcode);
  switch (code) {
    case Op::kConv2D: {
      expect_float(c, 3);
      const auto& o = options_as<tflite::Conv2DOptions>(c.op());
      const auto p = k::prepare_conv2d(c.dims(c.in(0)), c.dims(c.in(1)), bias_dims(c),
                                       {pad(o.padding), o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, act(o.activation)});
      c.set_output(p.output_dims);
      const int in = c.in(0), w = c.in(1), b = c.has_input(2) ? c.in(2) : -1, out = c.out();
      // Optimized (float_optimized.h, within 1e-5 of the reference): constant filter and
      // bias packed here for the direct conv; otherwise im2col + sgemm.
      if (c.constant(w) && (b < 0 || c.constant(b))) {
        return [&m, opt = k::Conv2DFloatDirect(p, m.f32(w), b >= 0 ? m.f32(b) : nullptr, k::FloatPath::kAuto,
                                               m.options.num_threads),
                in, out]() mutable { opt.eval(m.f32(in), m.f32_out(out), m.pool.get()); };
      }
      m.warm_up = true;
      return [&m, opt = k::Conv2DFloatOptimized(p), in, w, b, out]() mutable {
        opt.eval(m.f32(in), m.f32(w), b >= 0 ? m.f32(b) : nullptr, m.f32_out(out), m.pool.get());
      };
    }
    case Op::kDepthwiseConv2D: {
      expect_float(c, 3);
      const auto& o = options_as<tflite::DepthwiseConv2DOptions>(c.op());
      const auto p = k::prepare_depthwise_conv2d(
          c.dims(c.in(0)), c.dims(c.in(1)), bias_dims(c),
          {pad(o.padding), o.stride_h, o.stride_w, o.depth_multiplier, o.dilation_h, o.dilation_w, act(o.activation)});
      c.set_output(p.output_dims);
      const int in = c.in(0), w = c.in(1), b = c.has_input(2) ? c.in(2) : -1, out = c.out();
      // Optimized (float_optimized.h, within 1e-5 of the reference): constant filter and
      // bias packed here; otherwise the reference kernel.
      if (c.constant(w) && (b < 0 || c.constant(b))) {
        return [&m, opt = k::DepthwiseConv2DFloatOptimized(p, m.f32(w), b >= 0 ? m.f32(b) : nullptr,
                                                           k::FloatPath::kAuto, m.options.num_threads),
                in, out]() mutable { opt.eval(m.f32(in), m.f32_out(out), m.pool.get()); };
      }
      return [&m, p, in, w, b, out] {
        k::eval_depthwise_conv2d(p, m.f32(in), m.f32(w), b >= 0 ? m.f32(b) : nullptr, m.f32_out(out));
      };
    }
    case Op::kFullyConnected: {
      expect_float(c, 3);
      const auto& o = options_as<tflite::FullyConnectedOptions>(c.op());
      const auto p = k::prepare_fully_connected(c.dims(c.in(0)), c.dims(c.in(1)), bias_dims(c),
                                                {act(o.activation), o.keep_num_dims});
      c.set_output(p.output_dims);
      const int in = c.in(0), w = c.in(1), b = c.has_input(2) ? c.in(2) : -1, out = c.out();
      if (c.constant(w) && (b < 0 || c.constant(b))) {
        // Weights packed here, once (float_fully_connected_optimized.h); no lazy buffers.
        auto fc = std::make_shared<const k::FullyConnectedFloatOptimized>(
            p, c.constant_data<float>(w).data(), b >= 0 ? c.constant_data<float>(b).data() : nullptr);
        return [&m, fc, in, w, out] { fc->eval(m.f32(in), m.f32(w), m.f32_out(out), m.pool.get()); };
      }
      m.warm_up = true;
      return [&m, p, in, w, b, out] {
        k::eval_fully_connected_optimized(p, m.f32(in), m.f32(w), b >= 0 ? m.f32(b) : nullptr, m.f32_out(out),
                                          m.pool.get());
      };
    }
    case Op::kMaxPool2D:
    case Op::kAveragePool2D: {
      expect_float(c, 1);
      const auto& o = options_as<tflite::Pool2DOptions>(c.op());
      const auto p = k::prepare_pool2d(c.dims(c.in(0)),
                                       {pad(o.padding), o.stride_h, o.stride_w, o.filter_height, o.filter_width, act(o.activation)},
                                       tflite::op_name(c.op().opcode));
      c.set_output(p.output_dims);
      const int in = c.in(0), out = c.out();
      // Optimized (float_ops_optimized.h): bit-identical with the reference.
      if (code == Op::kMaxPool2D)
        return [&m, p, in, out] { k::eval_max_pool2d_optimized(p, m.f32(in), m.f32_out(out), m.pool.get()); };
      return [&m, p, in, out] { k::eval_average_pool2d_optimized(p, m.f32(in), m.f32_out(out), m.pool.get()); };
    }
    case Op::kAdd:
    case Op::kMul: {
      expect_float(c, 2);
      const auto& o = options_as<tflite::ActivationOptions>(c.op());
      const auto p = code == Op::kAdd ? k::prepare_add(c.dims(c.in(0)), c.dims(c.in(1)), act(o.activation))
                                      : k::prepare_mul(c.dims(c.in(0)), c.dims(c.in(1)), act(o.activation));
      c.set_output(p.output_dims);
      const int a = c.in(0), b = c.in(1), out = c.out();
      if (code == Op::kAdd)
        return [&m, p, a, b, out] { k::eval_add_optimized(p, m.f32(a), m.f32(b), m.f32_out(out), m.pool.get()); };
      return [&m, p, a, b, out] { k::eval_mul_optimized(p, m.f32(a), m.f32(b), m.f32_out(out), m.pool.get()); };
    }
    case Op::kRelu:
    case Op::kRelu6:
    case Op::kLogistic:
    case Op::kTanh: {
      expect_float(c, 1);
      const auto p = k::prepare_unary(c.dims(c.in(0)), tflite::op_name(c.op().opcode));
      c.set_output(p.output_dims);
      const int in = c.in(0), out = c.out();
      const k::UnaryOp op = code == Op::kRelu ? k::UnaryOp::kRelu : code == Op::kRelu6 ? k::UnaryOp::kRelu6
                            : code == Op::kLogistic ? k::UnaryOp::kLogistic : k::UnaryOp::kTanh;
      return [&m, p, in, out, op] { k::eval_unary_optimized(op, p, m.f32(in), m.f32_out(out), m.pool.get()); };
    }
    case Op::kSoftmax: {
      expect_float(c, 1);
      const auto p = k::prepare_softmax(c.dims(c.in(0)), options_as<tflite::SoftmaxOptions>(c.op()).beta);
      c.set_output(p.output_dims);
      const int in = c.in(0), out = c.out();
      return [&m, p, in, out] { k::eval_softmax_optimized(p, m.f32(in), m.f32_out(out), m.pool.get()); };
    }
    case Op::kReshape: {
      expect_float(c, 1);
      k::Dims shape = options_as<tflite::ReshapeOptions>(c.op()).new_shape;
      if (c.has_input(1)) {
        c.expect(c.in(1), TensorType::kInt32, "shape");
        c.expect_constant(c.in(1), "shape");
        const auto s = c.i32(c.in(1));
        shape.assign(s.begin(), s.end());
      }
      const auto p = k::prepare_reshape(c.dims(c.in(0)), shape);
      c.set_output(p.output_dims);
      const int in = c.in(0), out = c.out();
      return [&m, p, in, out] { k::eval_reshape(p, m.f32(in), m.f32_out(out)); };
    }
    case Op::kConcatenation: {
      std::vector<k::Dims> dims;
      std::vector<int> ins;
      for (size_t i = 0; i < c.inputs(); ++i) {
        c.expect(c.in(i), TensorType::kFloat32, "input " + std::to_string(i));
        dims.push_back(c.dims(c.in(i)));
        ins.push_back(c.in(i));
      }
      c.expect(c.out(), TensorType::kFloat32, "output");
      const auto& o = options_as<tflite::ConcatenationOptions>(c.op());
      const auto p = k::prepare_concatenation(dims, o.axis, act(o.activation));
      c.set_output(p.output_dims);
      const int out = c.out();
      // The pointer array is sized here; invoke only refills it (no allocation).
      return [&m, p, ins, out, ptrs = std::vector<const float*>(ins.size())]() mutable {
        for (size_t i = 0; i < ins.size(); ++i) ptrs[i] = m.f32(ins[i]);
        k::eval_concatenation(p, ptrs, m.f32_out(out));
      };
    }
    case Op::kMean: {
      expect_float(c, 1);
      c.expect(c.in(1), TensorType::kInt32, "axes");
      c.expect_constant(c.in(1), "axes");
      const auto p = k::prepare_mean(c.dims(c.in(0)), c.i32(c.in(1)), options_as<tflite::ReducerOptions>(c.op()).keep_dims);
      c.set_output(p.output_dims);
      const int in = c.in(0), out = c.out();
      return [&m, p, in, out] { k::eval_mean_optimized(p, m.f32(in), m.f32_out(out), m.pool.get()); };
    }
    case Op::kPad: {
      expect_float(c, 1);
      c.expect(c.in(1), TensorType::kInt32, "paddings");
      c.expect_constant(c.in(1), "paddings");
      const auto p = k::prepare_pad(c.dims(c.in(0)), c.dims(c.in(1)), c.i32(c.in(1)));
      c.set_output(p.output_dims);
      const int in = c.in(0), out = c.out();
      return [&m, p, in, out] { k::eval_pad_optimized(p, m.f32(in), m.f32_out(out)); };
    }
    case Op::kDequantize: {
      c.expect(c.in(0), TensorType::kFloat16, "input");
      c.expect(c.out(), TensorType::kFloat32, "output");
      const auto p = k::prepare_unary(c.dims(c.in(0)), "DEQUANTIZE");
      c.set_output(p.output_dims);
      const int in = c.in(0), out = c.out();
      if (c.constant(in)) {
        // Constant float16 weights: dequantized once, here; the output becomes a computed
        // constant of the interpreter (interpreter_impl.h), so invoke() has nothing to do
        // and the memory planner gives it no arena space.
        const size_t bytes = static_cast<size_t>(k::flat_size(p.output_dims)) * sizeof(float);
        auto* dst = reinterpret_cast<float*>(m.computed_constant(out, bytes));
        k::eval_dequantize_float16(p, reinterpret_cast<const uint16_t*>(m.data(in)), dst);
        return [] {};
      }
      return [&m, p, in, out] {
        k::eval_dequantize_float16_optimized(p, reinterpret_cast<const uint16_t*>(m.data(in)), m.f32_out(out),
                                             m.pool.get());
      };
    }
    default:
      c.fail("not supported by litequant's interpreter");
  }
}

}  // namespace lq::runtime
