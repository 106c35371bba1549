#pragma once
// Small helpers for prepare_* validation (internal to lq_kernels).
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "litequant/core/error.h"
#include "litequant/kernels/common.h"
#include "litequant/kernels/float_reference.h"

namespace lq::kernels::detail {

[[noreturn]] inline void fail(const std::string& op, const std::string& message) {
  throw Error(op + ": " + message);
}

// Throws unless dims has exactly `rank` dimensions.
inline void require_rank(const std::string& op, const std::string& name, const Dims& dims,
                         size_t rank) {
  if (dims.size() != rank)
    fail(op, name + " must have " + std::to_string(rank) + " dimensions, got " +
                 dims_string(dims));
}

// Throws "<op>: <name> scale must be finite and > 0, got <scale>".
inline void check_scale(const std::string& op, const std::string& name, float scale) {
  if (!std::isfinite(scale) || !(scale > 0.0f))
    fail(op, name + " scale must be finite and > 0, got " + std::to_string(scale));
}

// Throws "<op>: <name> zero point <z> is outside [lo, hi]".
inline void check_zero_point(const std::string& op, const std::string& name, int64_t zero_point, int64_t lo,
                             int64_t hi) {
  if (zero_point < lo || zero_point > hi)
    fail(op, name + " zero point " + std::to_string(zero_point) + " is outside [" + std::to_string(lo) + ", " +
                 std::to_string(hi) + "]");
}

// Both, for an int8 tensor unless [lo, hi] says otherwise.
inline void check_quantization(const std::string& op, const std::string& name, float scale, int64_t zero_point,
                               int64_t lo = -128, int64_t hi = 127) {
  check_scale(op, name, scale);
  check_zero_point(op, name, zero_point, lo, hi);
}

// Narrows a value already known to be >= 0 to int32, or throws.
inline int32_t to_dim(const std::string& op, const std::string& name, int64_t value) {
  if (value < 0 || value > std::numeric_limits<int32_t>::max())
    fail(op, name + " " + std::to_string(value) + " does not fit an int32 dimension");
  return static_cast<int32_t>(value);
}

// Fills the spatial part of a Window2D for an NHWC input (rank checked here): output
// size and padding per TFLite's rule, activation range, output_dims with out_c.
struct WindowSpec {
  Padding padding = Padding::kSame;
  int32_t filter_h = 1, filter_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  Activation activation = Activation::kNone;
};
void make_window(const std::string& op, const Dims& input, const WindowSpec& spec,
                 int32_t out_c, Window2D& w);

}  // namespace lq::kernels::detail
