#include "litequant/kernels/common.h"

#include "checks.h"

namespace lq::kernels {

int64_t flat_size(const Dims& dims, const std::string& what) {
  int64_t n = 1;
  for (int32_t d : dims) {
    if (d < 0) detail::fail(what, "dimensions " + dims_string(dims) + " contain a negative value");
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      detail::fail(what, "dimensions " + dims_string(dims) + " have too many elements");
    n *= d;
  }
  return n;
}

std::string dims_string(const Dims& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

std::string activation_name(Activation activation) {
  switch (activation) {
    case Activation::kNone: return "NONE";
    case Activation::kRelu: return "RELU";
    case Activation::kReluN1To1: return "RELU_N1_TO_1";
    case Activation::kRelu6: return "RELU6";
    case Activation::kTanh: return "TANH";
  }
  return std::to_string(static_cast<int>(activation));
}

ActivationRange activation_range(Activation activation, const std::string& op) {
  constexpr float kMax = std::numeric_limits<float>::max();
  switch (activation) {
    case Activation::kNone: return {};
    case Activation::kRelu: return {0.0f, kMax};
    case Activation::kReluN1To1: return {-1.0f, 1.0f};
    case Activation::kRelu6: return {0.0f, 6.0f};
    case Activation::kTanh: detail::fail(op, "fused activation TANH is not supported");
  }
  detail::fail(op, "unknown fused activation " + activation_name(activation));
}

PaddedSize compute_padded_size(Padding padding, int32_t in, int32_t filter, int32_t stride,
                               int32_t dilation, const std::string& what) {
  using detail::fail;
  if (in < 1) fail(what, "input size must be >= 1, got " + std::to_string(in));
  if (filter < 1) fail(what, "filter size must be >= 1, got " + std::to_string(filter));
  if (stride < 1) fail(what, "stride must be >= 1, got " + std::to_string(stride));
  if (dilation < 1) fail(what, "dilation must be >= 1, got " + std::to_string(dilation));
  const int64_t eff = (int64_t{filter} - 1) * dilation + 1;
  int64_t out = 0;
  if (padding == Padding::kSame) {
    out = (int64_t{in} + stride - 1) / stride;
  } else if (padding == Padding::kValid) {
    if (eff > in)
      fail(what, "VALID padding needs the filter (" + std::to_string(eff) +
                     " with dilation) to fit in the input (" + std::to_string(in) + ")");
    out = (in - eff) / stride + 1;
  } else {
    fail(what, "unknown padding " + std::to_string(static_cast<int>(padding)));
  }
  const int64_t total = std::max<int64_t>((out - 1) * stride + eff - in, 0);
  PaddedSize r;
  r.out = static_cast<int32_t>(out);  // out <= in
  r.pad_before = detail::to_dim(what, "padding", total / 2);
  r.pad_after = detail::to_dim(what, "padding", total - total / 2);
  return r;
}

}  // namespace lq::kernels
