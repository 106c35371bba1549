#include "op_traits.h"

#include <array>

#include "fb.h"

namespace lq::tflite {
namespace {

constexpr uint8_t u(fb::BuiltinOptions t) { return static_cast<uint8_t>(t); }

struct Entry {
  Op op;
  OpTraits traits;
};

constexpr int kAny = 1 << 30;
using BO = fb::BuiltinOptions;

constexpr std::array kOps = {
    Entry{Op::kAdd, {options_index_of<ActivationOptions>, u(BO::AddOptions), 2, 2, -1, 1}},
    Entry{Op::kAveragePool2D, {options_index_of<Pool2DOptions>, u(BO::Pool2DOptions), 1, 1, -1, 1}},
    Entry{Op::kConcatenation,
          {options_index_of<ConcatenationOptions>, u(BO::ConcatenationOptions), 1, kAny, -1, 1}},
    Entry{Op::kConv2D, {options_index_of<Conv2DOptions>, u(BO::Conv2DOptions), 2, 3, -1, 1}},
    Entry{Op::kDepthwiseConv2D,
          {options_index_of<DepthwiseConv2DOptions>, u(BO::DepthwiseConv2DOptions), 2, 3, -1, 1}},
    Entry{Op::kDequantize, {0, u(BO::DequantizeOptions), 1, 1, -1, 1}},
    Entry{Op::kFullyConnected,
          {options_index_of<FullyConnectedOptions>, u(BO::FullyConnectedOptions), 2, 3, 2, 1}},
    Entry{Op::kLogistic, {0, u(BO::NONE), 1, 1, -1, 1}},
    Entry{Op::kMaxPool2D, {options_index_of<Pool2DOptions>, u(BO::Pool2DOptions), 1, 1, -1, 1}},
    Entry{Op::kMul, {options_index_of<ActivationOptions>, u(BO::MulOptions), 2, 2, -1, 1}},
    Entry{Op::kRelu, {0, u(BO::NONE), 1, 1, -1, 1}},
    Entry{Op::kRelu6, {0, u(BO::NONE), 1, 1, -1, 1}},
    Entry{Op::kReshape, {options_index_of<ReshapeOptions>, u(BO::ReshapeOptions), 1, 2, -1, 1}},
    Entry{Op::kSoftmax, {options_index_of<SoftmaxOptions>, u(BO::SoftmaxOptions), 1, 1, -1, 1}},
    Entry{Op::kTanh, {0, u(BO::NONE), 1, 1, -1, 1}},
    Entry{Op::kPad, {0, u(BO::PadOptions), 2, 2, -1, 1}},
    Entry{Op::kMean, {options_index_of<ReducerOptions>, u(BO::ReducerOptions), 2, 2, -1, 1}},
    Entry{Op::kQuantize, {0, u(BO::QuantizeOptions), 1, 1, -1, 1}},
};

}  // namespace

const OpTraits* op_traits(int32_t builtin_code) {
  for (const Entry& e : kOps)
    if (static_cast<int32_t>(e.op) == builtin_code) return &e.traits;
  return nullptr;
}

std::string options_name(size_t options_index) {
  static constexpr std::array<const char*, std::variant_size_v<Options>> kNames = {
      "no options",           "Conv2DOptions",         "DepthwiseConv2DOptions",
      "Pool2DOptions",        "FullyConnectedOptions", "ActivationOptions",
      "ConcatenationOptions", "SoftmaxOptions",        "ReshapeOptions",
      "ReducerOptions"};
  static_assert(options_index_of<ReducerOptions> == 9 && options_index_of<Conv2DOptions> == 1);
  return options_index < kNames.size() ? kNames[options_index]
                                       : "options #" + std::to_string(options_index);
}

}  // namespace lq::tflite
