#include "options_codec.h"

#include "litequant/core/error.h"
#include "op_traits.h"

namespace lq::tflite {
namespace {

constexpr size_t kMaxNewShape = 16;  // validate()'s rank limit

fb::Padding pad(Padding p) { return static_cast<fb::Padding>(p); }
fb::ActivationFunctionType act(Activation a) { return static_cast<fb::ActivationFunctionType>(a); }
Padding pad(fb::Padding p) { return static_cast<Padding>(p); }
Activation act(fb::ActivationFunctionType a) { return static_cast<Activation>(a); }

struct Writer {
  flatbuffers::FlatBufferBuilder& fbb;
  int32_t code;

  WrittenOptions operator()(const std::monostate&) const {
    switch (code) {
      case static_cast<int32_t>(Op::kPad):
        return {fb::BuiltinOptions::PadOptions, fb::CreatePadOptions(fbb).Union()};
      case static_cast<int32_t>(Op::kQuantize):
        return {fb::BuiltinOptions::QuantizeOptions, fb::CreateQuantizeOptions(fbb).Union()};
      case static_cast<int32_t>(Op::kDequantize):
        return {fb::BuiltinOptions::DequantizeOptions, fb::CreateDequantizeOptions(fbb).Union()};
      default: return {};
    }
  }
  WrittenOptions operator()(const Conv2DOptions& o) const {
    return {fb::BuiltinOptions::Conv2DOptions,
            fb::CreateConv2DOptions(fbb, pad(o.padding), o.stride_w, o.stride_h, act(o.activation),
                                    o.dilation_w, o.dilation_h)
                .Union()};
  }
  WrittenOptions operator()(const DepthwiseConv2DOptions& o) const {
    return {fb::BuiltinOptions::DepthwiseConv2DOptions,
            fb::CreateDepthwiseConv2DOptions(fbb, pad(o.padding), o.stride_w, o.stride_h,
                                             o.depth_multiplier, act(o.activation), o.dilation_w,
                                             o.dilation_h)
                .Union()};
  }
  WrittenOptions operator()(const Pool2DOptions& o) const {
    return {fb::BuiltinOptions::Pool2DOptions,
            fb::CreatePool2DOptions(fbb, pad(o.padding), o.stride_w, o.stride_h, o.filter_width,
                                    o.filter_height, act(o.activation))
                .Union()};
  }
  WrittenOptions operator()(const FullyConnectedOptions& o) const {
    return {fb::BuiltinOptions::FullyConnectedOptions,
            fb::CreateFullyConnectedOptions(fbb, act(o.activation),
                                            fb::FullyConnectedOptionsWeightsFormat::DEFAULT,
                                            o.keep_num_dims, o.asymmetric_quantize_inputs)
                .Union()};
  }
  WrittenOptions operator()(const ActivationOptions& o) const {
    if (code == static_cast<int32_t>(Op::kMul))
      return {fb::BuiltinOptions::MulOptions, fb::CreateMulOptions(fbb, act(o.activation)).Union()};
    return {fb::BuiltinOptions::AddOptions, fb::CreateAddOptions(fbb, act(o.activation)).Union()};
  }
  WrittenOptions operator()(const ConcatenationOptions& o) const {
    return {fb::BuiltinOptions::ConcatenationOptions,
            fb::CreateConcatenationOptions(fbb, o.axis, act(o.activation)).Union()};
  }
  WrittenOptions operator()(const SoftmaxOptions& o) const {
    return {fb::BuiltinOptions::SoftmaxOptions, fb::CreateSoftmaxOptions(fbb, o.beta).Union()};
  }
  WrittenOptions operator()(const ReshapeOptions& o) const {
    return {fb::BuiltinOptions::ReshapeOptions,
            fb::CreateReshapeOptions(fbb, fbb.CreateVector(o.new_shape)).Union()};
  }
  WrittenOptions operator()(const ReducerOptions& o) const {
    return {fb::BuiltinOptions::ReducerOptions, fb::CreateReducerOptions(fbb, o.keep_dims).Union()};
  }
};

// Schema defaults: what an options table without fields holds.
Options defaults(size_t options_index) {
  switch (options_index) {
    case options_index_of<Conv2DOptions>: return Conv2DOptions{.stride_w = 0, .stride_h = 0};
    case options_index_of<DepthwiseConv2DOptions>:
      return DepthwiseConv2DOptions{.stride_w = 0, .stride_h = 0, .depth_multiplier = 0};
    case options_index_of<Pool2DOptions>:
      return Pool2DOptions{.stride_w = 0, .stride_h = 0, .filter_width = 0, .filter_height = 0};
    case options_index_of<FullyConnectedOptions>: return FullyConnectedOptions{};
    case options_index_of<ActivationOptions>: return ActivationOptions{};
    case options_index_of<ConcatenationOptions>: return ConcatenationOptions{};
    case options_index_of<SoftmaxOptions>: return SoftmaxOptions{.beta = 0.0f};
    case options_index_of<ReshapeOptions>: return ReshapeOptions{};
    case options_index_of<ReducerOptions>: return ReducerOptions{};
    default: return std::monostate{};
  }
}

std::string union_name(fb::BuiltinOptions t) {
  const char* n = fb::EnumNameBuiltinOptions(t);
  return n && *n ? n : "BuiltinOptions #" + std::to_string(static_cast<int>(t));
}

Options parse(const fb::Operator& op, fb::BuiltinOptions type) {
  switch (type) {
    case fb::BuiltinOptions::Conv2DOptions: {
      const auto* o = op.builtin_options_as_Conv2DOptions();
      return Conv2DOptions{pad(o->padding()),      o->stride_w(),
                           o->stride_h(),          act(o->fused_activation_function()),
                           o->dilation_w_factor(), o->dilation_h_factor()};
    }
    case fb::BuiltinOptions::DepthwiseConv2DOptions: {
      const auto* o = op.builtin_options_as_DepthwiseConv2DOptions();
      return DepthwiseConv2DOptions{pad(o->padding()),
                                    o->stride_w(),
                                    o->stride_h(),
                                    o->depth_multiplier(),
                                    act(o->fused_activation_function()),
                                    o->dilation_w_factor(),
                                    o->dilation_h_factor()};
    }
    case fb::BuiltinOptions::Pool2DOptions: {
      const auto* o = op.builtin_options_as_Pool2DOptions();
      return Pool2DOptions{pad(o->padding()),  o->stride_w(),
                           o->stride_h(),      o->filter_width(),
                           o->filter_height(), act(o->fused_activation_function())};
    }
    case fb::BuiltinOptions::FullyConnectedOptions: {
      const auto* o = op.builtin_options_as_FullyConnectedOptions();
      return FullyConnectedOptions{act(o->fused_activation_function()), o->keep_num_dims(),
                                   o->asymmetric_quantize_inputs()};
    }
    case fb::BuiltinOptions::AddOptions:
      return ActivationOptions{
          act(op.builtin_options_as_AddOptions()->fused_activation_function())};
    case fb::BuiltinOptions::MulOptions:
      return ActivationOptions{
          act(op.builtin_options_as_MulOptions()->fused_activation_function())};
    case fb::BuiltinOptions::ConcatenationOptions: {
      const auto* o = op.builtin_options_as_ConcatenationOptions();
      return ConcatenationOptions{o->axis(), act(o->fused_activation_function())};
    }
    case fb::BuiltinOptions::SoftmaxOptions:
      return SoftmaxOptions{op.builtin_options_as_SoftmaxOptions()->beta()};
    case fb::BuiltinOptions::ReshapeOptions: {
      ReshapeOptions r;
      if (const auto* s = op.builtin_options_as_ReshapeOptions()->new_shape())
        r.new_shape.assign(s->begin(), s->end());
      return r;
    }
    case fb::BuiltinOptions::ReducerOptions:
      return ReducerOptions{op.builtin_options_as_ReducerOptions()->keep_dims()};
    default:  // the empty tables (PadOptions, QuantizeOptions, DequantizeOptions)
      return std::monostate{};
  }
}

}  // namespace

WrittenOptions write_options(flatbuffers::FlatBufferBuilder& fbb, const Operator& op) {
  return std::visit(Writer{fbb, op.opcode}, op.options);
}

Options read_options(const fb::Operator& op, int32_t code, const std::string& where) {
  const OpTraits* tr = op_traits(code);
  if (!tr) return std::monostate{};
  const fb::BuiltinOptions type = op.builtin_options_type();
  if (type == fb::BuiltinOptions::NONE || !op.builtin_options()) return defaults(tr->options_index);
  const auto want = static_cast<fb::BuiltinOptions>(tr->union_type);
  if (type != want)
    throw Error(where + ": options are " + union_name(type) + ", but the op takes " +
                (want == fb::BuiltinOptions::NONE ? "none" : union_name(want)));
  if (type == fb::BuiltinOptions::FullyConnectedOptions &&
      op.builtin_options_as_FullyConnectedOptions()->weights_format() !=
          fb::FullyConnectedOptionsWeightsFormat::DEFAULT)
    throw Error(where + ": weights_format " +
                std::to_string(static_cast<int>(
                    op.builtin_options_as_FullyConnectedOptions()->weights_format())) +
                " is not supported (only DEFAULT)");
  if (type == fb::BuiltinOptions::ReshapeOptions) {
    const auto* s = op.builtin_options_as_ReshapeOptions()->new_shape();
    if (s && s->size() > kMaxNewShape)  // checked before copying: the vector may be huge
      throw Error(where + ": new_shape has " + std::to_string(s->size()) + " dimensions");
  }
  return parse(op, type);
}

}  // namespace lq::tflite
