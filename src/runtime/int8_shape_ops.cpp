// Quantized (int8, uint8) MAX_POOL_2D, AVERAGE_POOL_2D, RESHAPE, CONCATENATION, PAD and
// (int8 only) MEAN.
#include "litequant/kernels/int8_optimized_ops.h"
#include "litequant/kernels/int8_shape_ops.h"
#include "node_context.h"

namespace lq::runtime {
namespace {
using tflite::Op;
using tflite::TensorType;
namespace k = kernels;

// The op's 8-bit type (input 0's); the output must have the same type.
k::QuantizedType quantized_type(const NodeContext& c) {
  const TensorType t = c.type(c.in(0));
  if (t != TensorType::kInt8 && t != TensorType::kUInt8)
    c.fail("input tensor " + std::to_string(c.in(0)) + " is " + tflite::type_name(t) + ", expected int8 or uint8");
  c.expect(c.out(), t, "output");
  return t == TensorType::kInt8 ? k::QuantizedType::kInt8 : k::QuantizedType::kUInt8;
}

// A constant int32 input (shape, axes, paddings).
std::span<const int32_t> constant_i32(const NodeContext& c, size_t i, const std::string& role) {
  c.expect(c.in(i), TensorType::kInt32, role);
  c.expect_constant(c.in(i), role);
  return c.i32(c.in(i));
}

// The optimized pools (int8_optimized_ops.h: byte-identical with the reference kernels,
// windows clipped once here).
PreparedNode pool(NodeContext& c, const k::Pool2DInt8Params& p, bool max, k::QuantizedType type) {
  Interpreter::Impl& m = c.m();
  const int in = c.in(0), out = c.out();
  auto opt = k::prepare_pool2d_int8_optimized(p, max ? k::PoolKind::kMax : k::PoolKind::kAverage, type,
                                              k::OpPath::kAuto, m.options.num_threads);
  return [&m, opt = std::move(opt), in, out]() mutable {
    k::eval_pool2d_int8_optimized(opt, m.data(in), m.mutable_data(out), m.pool.get());
  };
}
}  // namespace

PreparedNode prepare_int8_shape_op(NodeContext& c) {
  Interpreter::Impl& m = c.m();
  const k::QuantizedType type = quantized_type(c);
  const int in = c.in(0), out = c.out();
  switch (c.code()) {
    case Op::kMaxPool2D:
    case Op::kAveragePool2D: {
      const auto& o = options_as<tflite::Pool2DOptions>(c.op());
      const auto p = k::prepare_pool2d_int8(
          c.dims(in), {pad(o.padding), o.stride_h, o.stride_w, o.filter_height, o.filter_width, act(o.activation)},
          c.quant(in, "input"), c.quant(out, "output"), c.op_name(), type);
      c.set_output(p.output_dims);
      const bool max = c.code() == Op::kMaxPool2D;
      return pool(c, p, max, type);
    }
    case Op::kReshape: {
      k::Dims shape = options_as<tflite::ReshapeOptions>(c.op()).new_shape;
      if (c.has_input(1)) {
        const auto s = constant_i32(c, 1, "shape");
        shape.assign(s.begin(), s.end());
      }
      const auto p = k::prepare_reshape_int8(c.dims(in), shape, c.quant(in, "input"), c.quant(out, "output"), type);
      c.set_output(p.output_dims);
      return [&m, p, in, out] { k::eval_reshape_int8(p, m.data(in), m.mutable_data(out)); };
    }
    case Op::kConcatenation: {
      std::vector<k::Dims> dims;
      std::vector<k::QuantParams> qs;
      std::vector<int> ins;
      for (size_t i = 0; i < c.inputs(); ++i) {
        const std::string role = "input " + std::to_string(i);
        c.expect(c.in(i), c.type(in), role);
        dims.push_back(c.dims(c.in(i)));
        qs.push_back(c.quant(c.in(i), role));
        ins.push_back(c.in(i));
      }
      const auto& o = options_as<tflite::ConcatenationOptions>(c.op());
      const auto p = k::prepare_concatenation_int8(dims, qs, c.quant(out, "output"), o.axis, act(o.activation), type);
      c.set_output(p.output_dims);
      // Byte copies already (equal quantization); the pointer list is sized here so that
      // eval allocates nothing.
      return [&m, p, ins, out, ptrs = std::vector<const void*>(ins.size())]() mutable {
        for (size_t i = 0; i < ins.size(); ++i) ptrs[i] = m.data(ins[i]);
        k::eval_concatenation_int8(p, ptrs, m.mutable_data(out));
      };
    }
    case Op::kPad: {
      const auto paddings = constant_i32(c, 1, "paddings");
      const auto p = k::prepare_pad_int8(c.dims(in), c.dims(c.in(1)), paddings, c.quant(in, "input"),
                                         c.quant(out, "output"), type);
      c.set_output(p.output_dims);
      return [&m, opt = k::prepare_pad_int8_optimized(p), in, out] {
        k::eval_pad_int8_optimized(opt, m.data(in), m.mutable_data(out));
      };
    }
    case Op::kMean: {
      if (type != k::QuantizedType::kInt8) c.fail("MEAN supports int8 tensors only, not uint8");
      const auto axes = constant_i32(c, 1, "axes");
      const auto p = k::prepare_mean_int8(c.dims(in), axes, options_as<tflite::ReducerOptions>(c.op()).keep_dims,
                                          c.quant(in, "input"), c.quant(out, "output"));
      c.set_output(p.output_dims);
      return [&m, opt = k::prepare_mean_int8_optimized(p), in, out]() mutable {
        k::eval_mean_int8_optimized(opt, m.in<int8_t>(in), m.out<int8_t>(out));
      };
    }
    default:
      c.fail("not a quantized shape op");
  }
}

}  // namespace lq::runtime
