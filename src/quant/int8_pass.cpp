// Full-integer quantization of a float TFLite model from calibrated ranges.
#include <map>

#include "litequant/core/error.h"
#include "litequant/quant/ptq.h"
#include "model_edit.h"
#include "weights.h"

namespace lq::quant {
namespace {
using tflite::Op;
using tflite::TensorType;

bool int8_kernel_exists(Op code) {
  switch (code) {
    case Op::kFullyConnected: case Op::kConv2D: case Op::kDepthwiseConv2D: case Op::kMaxPool2D:
    case Op::kAveragePool2D: case Op::kReshape: case Op::kSoftmax: case Op::kLogistic: case Op::kTanh:
    case Op::kAdd: case Op::kMul: case Op::kConcatenation: case Op::kRelu: case Op::kRelu6: case Op::kMean:
    case Op::kPad:
      return true;
    default:
      return false;
  }
}

// Output parameters fixed by the op (TFLite int8 spec), or empty when calibrated.
tflite::Quantization fixed_output(Op code) {
  if (code == Op::kSoftmax || code == Op::kLogistic) return {{1.0f / 256.0f}, {-128}, 0};
  if (code == Op::kTanh) return {{1.0f / 128.0f}, {0}, 0};
  return {};
}

bool keeps_input_params(Op code) {
  return code == Op::kMaxPool2D || code == Op::kAveragePool2D || code == Op::kReshape || code == Op::kPad;
}

int int8_version(Op code, const tflite::Operator& op, float mul_multiplier) {
  switch (code) {
    case Op::kConv2D: case Op::kDepthwiseConv2D: return 3;
    case Op::kFullyConnected: {
      const auto* o = std::get_if<tflite::FullyConnectedOptions>(&op.options);
      return o && o->keep_num_dims ? 5 : 4;
    }
    case Op::kMul: return mul_multiplier >= 1.0f ? 3 : 2;
    case Op::kReshape: return 1;
    case Op::kPad: return 3;
    default: return 2;
  }
}

class Int8Pass {
 public:
  Int8Pass(const tflite::Model& in, const std::vector<TensorRange>& ranges, const Int8Options& options)
      : in_(in), ranges_(ranges), options_(options), out_(in) {
    out_.operators.clear();
    int8_.assign(in.tensors.size(), false);
  }

  tflite::Model run() {
    if (options_.integer_only && !options_.float_operators.empty())
      throw Error("int8-only conversion cannot keep operators in float");
    if (ranges_.size() != in_.tensors.size()) throw Error("calibration ranges do not match the model's tensors");
    prepare_inputs();
    for (size_t i = 0; i < in_.operators.size(); ++i) {
      const tflite::Operator& op = in_.operators[i];
      const Op code = static_cast<Op>(op.opcode);
      const bool quantize = int8_kernel_exists(code) && !options_.float_operators.count(i) && float_activations(op);
      if (!quantize && options_.integer_only)
        throw Error("layer '" + layer_of(in_, i) + "' (" + tflite::op_name(op.opcode) +
                    "): cannot be quantized to int8" +
                    (int8_kernel_exists(code) ? "" : ": litequant has no int8 kernel for this op") +
                    "; int8-only conversion requires every op in int8");
      if (quantize) emit_int8(op, code);
      else emit_float(op);
    }
    finish_outputs();
    detail::compact(out_);
    return std::move(out_);
  }

 private:
  bool float_activations(const tflite::Operator& op) const {
    for (int32_t t : op.inputs)
      if (t >= 0 && !detail::is_constant(in_, t) && in_.tensors[static_cast<size_t>(t)].type != TensorType::kFloat32)
        return false;
    return true;
  }
  const TensorRange& range(int t) const {
    const TensorRange& r = ranges_[static_cast<size_t>(t)];
    if (!r.seen)
      throw Error("tensor " + std::to_string(t) + " ('" + in_.tensors[static_cast<size_t>(t)].name +
                  "') has no calibrated range");
    return r;
  }
  tflite::Quantization calibrated(int t) const {
    auto it = options_.activation_params.find(t);
    if (it != options_.activation_params.end()) return it->second;
    return asymmetric_int8(range(t).min, range(t).max);
  }
  tflite::Tensor& tensor(int t) { return out_.tensors[static_cast<size_t>(t)]; }

  void emit(Op code, int version, std::vector<int32_t> ins, std::vector<int32_t> outs, tflite::Options o = {}) {
    out_.operators.push_back({static_cast<int32_t>(code), version, std::move(ins), std::move(outs), std::move(o)});
  }

  // Model inputs: float32 (a QUANTIZE follows where an int8 op reads them), int8 (the
  // tensor itself) or uint8 (a new uint8 input and a QUANTIZE to the int8 tensor).
  void prepare_inputs() {
    if (options_.input == IoType::kFloat32) return;
    for (int32_t& input : out_.inputs) {
      const int t = input;
      tensor(t).type = TensorType::kInt8;
      tensor(t).quantization = calibrated(t);
      int8_[static_cast<size_t>(t)] = true;
      if (options_.input == IoType::kUInt8) {
        tflite::Tensor u = tensor(t);
        u.type = TensorType::kUInt8;
        u.quantization.zero_point[0] += 128;
        tensor(t).name += "/int8";
        input = detail::add_tensor(out_, u);
        emit(Op::kQuantize, 1, {input}, {t});
      }
    }
  }

  // The int8 version of activation tensor t (a QUANTIZE of a float tensor, made once).
  int as_int8(int t) {
    if (int8_[static_cast<size_t>(t)]) return t;
    auto it = int8_copy_.find(t);
    if (it != int8_copy_.end()) return it->second;
    tflite::Tensor q = tensor(t);
    q.name += "/quantized";
    q.type = TensorType::kInt8;
    q.quantization = calibrated(t);
    q.buffer = 0;
    const int qt = detail::add_tensor(out_, q);
    emit(Op::kQuantize, 1, {t}, {qt});
    return int8_copy_[t] = qt;
  }
  // The float32 version of activation tensor t (a DEQUANTIZE of an int8 tensor).
  int as_float(int t) {
    if (!int8_[static_cast<size_t>(t)]) return t;
    auto it = float_copy_.find(t);
    if (it != float_copy_.end()) return it->second;
    tflite::Tensor f = tensor(t);
    f.name += "/dequantized";
    f.type = TensorType::kFloat32;
    f.quantization = {};
    const int ft = detail::add_tensor(out_, f);
    emit(Op::kDequantize, 2, {t}, {ft});
    return float_copy_[t] = ft;
  }
  // t requantized to parameters q (an int8 -> int8 QUANTIZE) unless it has them.
  int with_params(int t, const tflite::Quantization& q) {
    if (tensor(t).quantization == q) return t;
    tflite::Tensor r = tensor(t);
    r.name += "/requantized";
    r.quantization = q;
    const int rt = detail::add_tensor(out_, r);
    emit(Op::kQuantize, 1, {t}, {rt});
    return rt;
  }

  void emit_float(const tflite::Operator& op) {
    std::vector<int32_t> ins = op.inputs;
    for (int32_t& t : ins)
      if (t >= 0 && !detail::is_constant(in_, t)) t = as_float(t);
    emit(static_cast<Op>(op.opcode), op.version, ins, op.outputs, op.options);
  }

  // An int8 constant for a float constant read by an int8 op (not weights or bias).
  int constant_int8(int t) {
    if (in_.tensors[static_cast<size_t>(t)].type != TensorType::kFloat32) return t;
    const auto values = detail::float_values(in_, t);
    float lo = 0, hi = 0;
    for (float v : values) lo = std::min(lo, v), hi = std::max(hi, v);
    const auto q = asymmetric_int8(lo, hi);
    const auto& src = in_.tensors[static_cast<size_t>(t)];
    return detail::add_constant(out_, src.name, src.shape, TensorType::kInt8,
                                detail::quantize_asymmetric(values, q.scale[0], q.zero_point[0]), q);
  }

  void emit_int8(const tflite::Operator& op, Op code) {
    std::vector<int32_t> ins = op.inputs;
    const bool weighted = code == Op::kFullyConnected || code == Op::kConv2D || code == Op::kDepthwiseConv2D;
    for (size_t j = 0; j < ins.size(); ++j) {
      const int t = ins[j];
      if (t < 0) continue;
      if (!detail::is_constant(in_, t)) ins[j] = as_int8(t);
      else if (!weighted) ins[j] = constant_int8(t);
    }
    if (weighted) quantize_weights(code, ins);
    const int out = op.outputs.at(0);
    tflite::Quantization q = fixed_output(code);
    if (!q.empty()) {
      // SOFTMAX, LOGISTIC, TANH: fixed by the spec.
    } else if (keeps_input_params(code) && options_.activation_params.count(out)) {
      // A learned range on the output: the input is requantized to it (the op keeps them equal).
      q = options_.activation_params.at(out);
      ins[0] = with_params(ins[0], q);
    } else if (keeps_input_params(code)) {
      q = tensor(ins[0]).quantization;
    } else if (code == Op::kConcatenation && options_.activation_params.count(out)) {
      q = options_.activation_params.at(out);
      for (int32_t& t : ins) t = with_params(t, q);
    } else if (code == Op::kConcatenation) {
      TensorRange all = range(out);
      for (int32_t t : op.inputs) all.min = std::min(all.min, range(t).min), all.max = std::max(all.max, range(t).max);
      q = asymmetric_int8(all.min, all.max);
      for (int32_t& t : ins) t = with_params(t, q);
    } else {
      q = calibrated(out);
    }
    tensor(out).type = TensorType::kInt8;
    tensor(out).quantization = q;
    int8_[static_cast<size_t>(out)] = true;
    float mul_multiplier = 0.0f;
    if (code == Op::kMul)
      mul_multiplier = tensor(ins[0]).quantization.scale[0] * tensor(ins[1]).quantization.scale[0] / q.scale[0];
    int version = int8_version(code, op, mul_multiplier);
    if (weighted && tensor(ins[1]).type == TensorType::kInt4) version = code == Op::kFullyConnected ? 10 : 7;
    emit(code, version, ins, op.outputs, op.options);
  }

  // Replaces the float weights and bias of FC / CONV_2D / DEPTHWISE_CONV_2D (inputs 1, 2).
  void quantize_weights(Op code, std::vector<int32_t>& ins) {
    const int w = ins.at(1);
    const auto& wt = in_.tensors[static_cast<size_t>(w)];
    const int channel_dim = code == Op::kDepthwiseConv2D ? 3 : 0;
    const std::string layer = wt.name.substr(0, wt.name.find('/'));
    const bool per_channel =
        code != Op::kFullyConnected && options_.per_channel && !options_.per_tensor_layers.count(layer);
    const auto bits = options_.weight_bits.find(layer);
    const auto qw = detail::quantize_symmetric(detail::float_values(in_, w), wt.shape, per_channel ? channel_dim : -1,
                                               bits == options_.weight_bits.end() ? 8 : bits->second);
    tflite::Quantization wq{qw.scales, std::vector<int64_t>(qw.scales.size(), 0), per_channel ? channel_dim : 0};
    if (options_.pack_int4 && bits != options_.weight_bits.end() && bits->second <= 4) {
      ins[1] = detail::add_constant(out_, wt.name, wt.shape, TensorType::kInt4, tflite::pack_int4(qw.values), wq);
    } else {
      ins[1] = detail::add_constant(out_, wt.name, wt.shape, TensorType::kInt8, qw.values, wq);
    }
    if (ins.size() > 2 && ins[2] >= 0) {
      const auto& bt = in_.tensors[static_cast<size_t>(ins[2])];
      const float s_in = tensor(ins[0]).quantization.scale[0];
      const auto qb = detail::quantize_bias(detail::float_values(in_, ins[2]), s_in, qw.scales);
      tflite::Quantization bq;
      for (size_t c = 0; c < qb.size(); ++c) bq.scale.push_back(s_in * qw.scales[qw.scales.size() == 1 ? 0 : c]);
      if (qw.scales.size() == 1) bq.scale.resize(1);
      bq.zero_point.assign(bq.scale.size(), 0);
      ins[2] = detail::add_constant(out_, bt.name, bt.shape, TensorType::kInt32, qb, bq);
    }
  }

  // Model outputs in the requested type.
  void finish_outputs() {
    for (int32_t& output : out_.outputs) {
      const int t = output;
      const bool is_int8 = int8_[static_cast<size_t>(t)];
      if (options_.output == IoType::kFloat32) {
        if (!is_int8) continue;
        output = as_float(t);
      } else if (options_.output == IoType::kInt8) {
        output = as_int8(t);
      } else {
        const int q = as_int8(t);
        tflite::Tensor u = tensor(q);
        u.type = TensorType::kUInt8;
        u.quantization.zero_point[0] += 128;
        output = detail::add_tensor(out_, u);
        emit(Op::kQuantize, 1, {q}, {output});
      }
      // The model's output keeps the layer's name; the internal tensor gets a suffix.
      if (output != t) {
        std::swap(tensor(output).name, tensor(t).name);
        tensor(t).name = tensor(output).name + (is_int8 ? "/int8" : "/float");
      }
    }
  }

  const tflite::Model& in_;
  const std::vector<TensorRange>& ranges_;
  const Int8Options& options_;
  tflite::Model out_;
  std::vector<bool> int8_;  // activation tensor is int8 in out_
  std::map<int, int> int8_copy_, float_copy_;
};

}  // namespace

tflite::Model quantize_int8(const tflite::Model& float_model, const std::vector<TensorRange>& ranges,
                            const Int8Options& options) {
  return Int8Pass(float_model, ranges, options).run();
}

std::string layer_of(const tflite::Model& model, size_t op_index) {
  const auto& op = model.operators.at(op_index);
  if (op.outputs.empty() || op.outputs[0] < 0) return "?";
  const std::string& name = model.tensors[static_cast<size_t>(op.outputs[0])].name;
  return name.substr(0, name.find('/'));
}

}  // namespace lq::quant
