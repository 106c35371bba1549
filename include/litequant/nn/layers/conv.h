#pragma once
// Convolutions over NHWC images, TensorFlow padding rules:
//   valid: out = ceil((in - (k-1)*dilation) / stride)
//   same:  out = ceil(in / stride), pad_total = max((out-1)*stride + (k-1)*dilation + 1 - in, 0),
//          pad_before = pad_total / 2 (the extra row/column goes after).
#include <array>

#include "litequant/nn/activation.h"
#include "litequant/nn/layer.h"

namespace lq {

enum class Padding { kValid, kSame };
Padding parse_padding(const std::string& name);  // "valid" | "same"
std::string padding_name(Padding p);

struct Window2D {
  std::array<int64_t, 2> kernel{1, 1};
  std::array<int64_t, 2> strides{1, 1};
  std::array<int64_t, 2> dilation{1, 1};
  Padding padding = Padding::kValid;
};

struct ConvGeometry {
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0, pad_top = 0, pad_left = 0;
};
// Throws lq::Error (prefixed by `where`) when the output would be empty.
ConvGeometry conv_geometry(int64_t in_h, int64_t in_w, const Window2D& w, const std::string& where);

// kernel: [kh, kw, in_channels, filters] (Keras HWIO); bias: [filters].
class Conv2DLayer final : public Layer {
 public:
  Conv2DLayer(int64_t filters, Window2D window, Activation activation, bool use_bias,
              std::string name);
  std::string type() const override { return "Conv2D"; }
  int64_t filters() const { return filters_; }
  const Window2D& window() const { return window_; }
  Activation activation() const { return activation_; }
  bool use_bias() const { return use_bias_; }
  Weight& kernel() { return *kernel_; }
  Weight* bias() { return bias_; }
  void initialize(Rng& rng) override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  int64_t images_per_chunk() const;
  // Few input channels: cols_ holds the transposed im2col matrix (see ops::im2col_transposed).
  bool cols_transposed() const { return channels_ < 8; }
  // im2col of images [first, first + count) of x into cols_, reused when already there.
  const float* im2col_chunk(const Tensor& x, int64_t first, int64_t count, ThreadPool* pool);

  int64_t filters_;
  Window2D window_;
  Activation activation_;
  bool use_bias_;
  ConvGeometry geo_;
  int64_t channels_ = 0;
  Weight* kernel_ = nullptr;
  Weight* bias_ = nullptr;
  Tensor cols_;       // im2col scratch for one chunk of images
  // Which chunk cols_ holds (input data and first image), so backward can reuse the
  // im2col of the forward pass.
  const float* cols_source_ = nullptr;
  int64_t cols_first_image_ = -1;
  Tensor grad_cols_;  // its gradient
  Tensor grad_pre_;   // gradient before the activation
};

// kernel: [kh, kw, in_channels, depth_multiplier] (Keras layout); output channel
// c*depth_multiplier + m reads input channel c. bias: [in_channels * depth_multiplier].
class DepthwiseConv2DLayer final : public Layer {
 public:
  DepthwiseConv2DLayer(Window2D window, int64_t depth_multiplier, Activation activation,
                       bool use_bias, std::string name);
  std::string type() const override { return "DepthwiseConv2D"; }
  int64_t depth_multiplier() const { return multiplier_; }
  const Window2D& window() const { return window_; }
  Activation activation() const { return activation_; }
  bool use_bias() const { return use_bias_; }
  Weight& kernel() { return *kernel_; }
  Weight* bias() { return bias_; }
  void initialize(Rng& rng) override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  Window2D window_;
  int64_t multiplier_;
  Activation activation_;
  bool use_bias_;
  ConvGeometry geo_;
  int64_t channels_ = 0;
  Weight* kernel_ = nullptr;
  Weight* bias_ = nullptr;
  Tensor grad_pre_;
};

}  // namespace lq
