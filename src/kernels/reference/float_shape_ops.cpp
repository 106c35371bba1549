// RESHAPE, CONCATENATION and PAD (TFLite reshape.cc, reference/concatenation.h, pad.h).
#include <cstring>

#include "checks.h"
#include "index_walk.h"

namespace lq::kernels {

using detail::fail;

ReshapeParams prepare_reshape(const Dims& input, const Dims& new_shape) {
  const std::string op = "RESHAPE";
  const int64_t size = flat_size(input, op + " input");
  int stretch = -1;
  int64_t known = 1;
  for (size_t i = 0; i < new_shape.size(); ++i) {
    const int32_t d = new_shape[i];
    if (d == -1) {
      if (stretch >= 0) fail(op, "new shape " + dims_string(new_shape) + " has more than one -1");
      stretch = static_cast<int>(i);
    } else if (d < 0) {
      fail(op, "new shape " + dims_string(new_shape) + " has a negative dimension");
    } else {
      if (d != 0 && known > std::numeric_limits<int64_t>::max() / d)
        fail(op, "new shape " + dims_string(new_shape) + " has too many elements");
      known *= d;
    }
  }
  ReshapeParams p;
  p.size = size;
  p.output_dims = new_shape;
  if (stretch >= 0) {
    if (known == 0 || size % known != 0)
      fail(op, "cannot infer the -1 in " + dims_string(new_shape) + " for input " +
                   dims_string(input) + " of " + std::to_string(size) + " elements");
    p.output_dims[static_cast<size_t>(stretch)] = detail::to_dim(op, "inferred dimension", size / known);
  } else if (known != size) {
    fail(op, "new shape " + dims_string(new_shape) + " has " + std::to_string(known) +
                 " elements but input " + dims_string(input) + " has " + std::to_string(size));
  }
  return p;
}

void eval_reshape(const ReshapeParams& p, const float* input, float* output) {
  if (output != input && p.size > 0)
    std::memcpy(output, input, static_cast<size_t>(p.size) * sizeof(float));
}

ConcatenationParams prepare_concatenation(std::span<const Dims> inputs, int32_t axis,
                                          Activation activation) {
  const std::string op = "CONCATENATION";
  if (activation != Activation::kNone)
    fail(op, "fused activation " + activation_name(activation) + " is not supported (only NONE)");
  if (inputs.empty()) fail(op, "needs at least one input");
  const Dims& first = inputs[0];
  const int32_t rank = static_cast<int32_t>(first.size());
  if (axis < -rank || axis >= rank)
    fail(op, "axis " + std::to_string(axis) + " is out of range for inputs of rank " +
                 std::to_string(rank));
  ConcatenationParams p;
  p.axis = axis < 0 ? axis + rank : axis;
  const size_t ax = static_cast<size_t>(p.axis);
  int64_t axis_total = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Dims& d = inputs[i];
    flat_size(d, op + " input " + std::to_string(i));
    bool match = d.size() == first.size();
    for (size_t k = 0; match && k < d.size(); ++k) match = k == ax || d[k] == first[k];
    if (!match)
      fail(op, "input " + std::to_string(i) + " " + dims_string(d) + " does not match input 0 " +
                   dims_string(first) + " outside axis " + std::to_string(p.axis));
    axis_total += d[ax];
  }
  p.output_dims = first;
  p.output_dims[ax] = detail::to_dim(op, "output axis size", axis_total);
  flat_size(p.output_dims, op + " output");
  int64_t inner = 1;
  p.outer = 1;
  for (size_t k = 0; k < first.size(); ++k) {
    if (k < ax) p.outer *= first[k];
    if (k > ax) inner *= first[k];
  }
  for (const Dims& d : inputs) p.copy_sizes.push_back(d[ax] * inner);
  return p;
}

void eval_concatenation(const ConcatenationParams& p, std::span<const float* const> inputs,
                        float* output) {
  for (int64_t k = 0; k < p.outer; ++k) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const int64_t n = p.copy_sizes[i];
      if (n > 0) std::memcpy(output, inputs[i] + k * n, static_cast<size_t>(n) * sizeof(float));
      output += n;
    }
  }
}

PadParams prepare_pad(const Dims& input, const Dims& paddings_dims,
                      std::span<const int32_t> paddings) {
  const std::string op = "PAD";
  PadParams p;
  p.input_size = flat_size(input, op + " input");
  if (input.size() > kMaxIndexRank)
    fail(op, "input " + dims_string(input) + " has more than " + std::to_string(kMaxIndexRank) +
                 " dimensions");
  const int32_t rank = static_cast<int32_t>(input.size());
  if (paddings_dims != Dims{rank, 2})
    fail(op, "paddings must have shape [" + std::to_string(rank) + ", 2] for input " +
                 dims_string(input) + ", got " + dims_string(paddings_dims));
  if (paddings.size() != static_cast<size_t>(rank) * 2)
    fail(op, "paddings hold " + std::to_string(paddings.size()) + " values, expected " +
                 std::to_string(rank * 2));
  p.input_dims = input;
  p.output_dims = input;
  for (size_t i = 0; i < input.size(); ++i) {
    const int32_t before = paddings[2 * i], after = paddings[2 * i + 1];
    if (before < 0 || after < 0)
      fail(op, "paddings must be >= 0, got {" + std::to_string(before) + ", " +
                   std::to_string(after) + "} for dimension " + std::to_string(i));
    p.before.push_back(before);
    p.after.push_back(after);
    p.output_dims[i] = detail::to_dim(op, "padded dimension", int64_t{input[i]} + before + after);
  }
  p.output_size = flat_size(p.output_dims, op + " output");
  p.output_strides.assign(input.size(), 1);
  for (size_t k = input.size(); k-- > 1;)
    p.output_strides[k - 1] = p.output_strides[k] * p.output_dims[k];
  return p;
}

void eval_pad(const PadParams& p, const float* input, float* output) {
  for (int64_t i = 0; i < p.output_size; ++i) output[i] = 0.0f;
  detail::scatter_into_padded(p, input, output);
}

}  // namespace lq::kernels
