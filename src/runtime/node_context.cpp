#include "node_context.h"

#include "litequant/kernels/int8_reference.h"

namespace lq::runtime {

void NodeContext::fail(const std::string& what) const { throw Error(label_ + ": " + what); }

void NodeContext::expect(int t, tflite::TensorType want, const std::string& role) const {
  if (type(t) != want)
    fail(role + " tensor " + std::to_string(t) + " is " + tflite::type_name(type(t)) + ", expected " +
         tflite::type_name(want));
}

void NodeContext::expect_constant(int t, const std::string& role) const {
  if (!constant(t)) fail(role + " tensor " + std::to_string(t) + " must be a constant");
}

kernels::QuantParams NodeContext::quant(int t, const std::string& role) const {
  const tflite::Quantization& q = quantization(t);
  const std::string name = role + " tensor " + std::to_string(t);
  if (q.scale.size() != 1)
    fail(name + " needs one quantization scale, has " + std::to_string(q.scale.size()));
  if (q.zero_point.size() > 1)
    fail(name + " needs one zero point, has " + std::to_string(q.zero_point.size()));
  const int64_t zp = q.zero_point.empty() ? 0 : q.zero_point[0];
  if (zp < -32768 || zp > 65535) fail(name + " zero point " + std::to_string(zp) + " is out of range");
  return {q.scale[0], static_cast<int32_t>(zp)};
}

std::span<const float> NodeContext::weight_scales(int t, int channel_dim, const std::string& role) const {
  const tflite::Quantization& q = quantization(t);
  const std::string name = role + " tensor " + std::to_string(t);
  if (q.scale.empty()) fail(name + " has no quantization scale");
  for (int64_t zp : q.zero_point)
    if (zp != 0) fail(name + " must be symmetric (zero point 0), has zero point " + std::to_string(zp));
  if (q.scale.size() > 1) {
    const auto& d = dims(t);
    if (q.quantized_dimension != channel_dim)
      fail(name + " is quantized along dimension " + std::to_string(q.quantized_dimension) + ", expected " +
           std::to_string(channel_dim));
    if (channel_dim >= static_cast<int>(d.size()) || static_cast<int64_t>(q.scale.size()) != d[static_cast<size_t>(channel_dim)])
      fail(name + " has " + std::to_string(q.scale.size()) + " scales for shape " + kernels::dims_string(d));
  }
  return q.scale;
}

std::optional<kernels::Dims> bias_dims(const NodeContext& c) {
  if (!c.has_input(2)) return std::nullopt;
  return c.dims(c.in(2));
}

}  // namespace lq::runtime
