#pragma once
// Quantization-aware training layers (fake quantization, include/litequant/nn/fake_quant.h):
//
//   FakeQuantLayer      "FakeQuantWithMinMaxArgs" (fixed range), "FakeQuantWithMinMaxVars"
//                       (range tracked or trained) or "QuantizeLayer" (TFMOT's model input
//                       quantizer: the range of all values seen). Place anywhere.
//   QuantizeWrapper     "QuantizeWrapperV2": runs one layer (optionally with the
//                       BatchNormalization that follows it folded in) with fake-quantized
//                       weights and a fake-quantized output; "QuantizeAnnotate": marks a layer
//                       for quantize_apply (runs it unchanged).
//
// Range tracking (training steps only; inference uses the stored min/max):
//   kMovingAverage: batch range b = [min(min x, 0), max(max x, 0)]; the first training step
//     sets min/max = b, later ones v -= (v - b) * (1 - decay) (TFMOT's EMA, decay 0.999; TFMOT
//     starts from [-6, 6] instead, which a short fine-tune never leaves).
//   kAllValues: min = min(min, batch min), max = max(max, batch max), first step sets them.
//   kTrainable: min/max are trainable weights with TF's gradients.
//   kFixed: the configured [min, max] (no weights).
// Weights (TFMOT's LastValueQuantizer): symmetric narrow range from the current weights,
//   per output channel (last kernel axis; C*M for depthwise) or per tensor, at every forward,
//   in the multiply form (fq::Division::kMultiply). Their gradient is passed straight
//   through: the range always spans the weights.
// Folded BatchNormalization (PyTorch's ConvBn scheme): with s = gamma / sqrt(moving_var + eps)
//   the kernel W*s is fake-quantized; training: z = conv(x, fq(W*s)) / s + b, then batch
//   normalization with batch statistics (moving statistics updated); inference:
//   conv(x, fq(W*s)) + (b - moving_mean) * s + beta, exactly the folded layer the converter
//   writes. Gradients treat s as a constant.
#include <memory>
#include <string>
#include <vector>

#include "litequant/nn/fake_quant.h"
#include "litequant/nn/layer.h"

namespace lq {

class BatchNormalizationLayer;

enum class RangeMode : int8_t { kFixed, kMovingAverage, kAllValues, kTrainable };
RangeMode parse_range_mode(const std::string& name);  // "fixed", "moving_average", "all_values", "trainable"
std::string range_mode_name(RangeMode mode);

// How one tensor is fake-quantized.
struct QuantizerSpec {
  int num_bits = 8;
  bool narrow_range = false;
  bool per_channel = false;  // over the last axis (FakeQuantLayer with trained/tracked ranges)
  RangeMode range = RangeMode::kMovingAverage;
  float min = -6.0f;  // kFixed: the range; otherwise the initial min/max
  float max = 6.0f;
  float ema_decay = 0.999f;
};

// What QuantizeWrapper quantizes (TFMOT's QuantizeConfig).
struct QuantizeConfig {
  int weight_bits = 8;             // 0: weights stay float
  bool weight_per_channel = true;  // Conv2D / DepthwiseConv2D; Dense is always per tensor
  int activation_bits = 8;         // 0: the output is not fake-quantized
  RangeMode activation_range = RangeMode::kMovingAverage;
  float ema_decay = 0.999f;
  bool operator==(const QuantizeConfig&) const = default;
};

namespace detail {
// The range of one fake-quantized activation, stored in two weights of its layer.
class ActivationQuantizer {
 public:
  ActivationQuantizer() = default;
  ActivationQuantizer(QuantizerSpec spec, Weight* min, Weight* max) : spec_(spec), min_(min), max_(max) {}
  const QuantizerSpec& spec() const { return spec_; }
  void initialize();
  // y = fq(x); a training step first updates the tracked range.
  void forward(const Tensor& x, Tensor& y, bool training, bool first_step, ThreadPool* pool);
  // dx = STE(dy); trainable ranges get their gradients.
  void backward(const Tensor& x, const Tensor& dy, Tensor& dx, ThreadPool* pool) const;
  std::vector<fq::Grid> grids() const;

 private:
  // The grids of the current range, rebuilt in a buffer kept between calls.
  const std::vector<fq::Grid>& current_grids() const;
  void track(const Tensor& x, bool first_step, ThreadPool* pool);
  QuantizerSpec spec_;
  Weight* min_ = nullptr;  // null for kFixed
  Weight* max_ = nullptr;
  mutable std::vector<fq::Grid> grids_;
};
}  // namespace detail

class FakeQuantLayer final : public Layer {
 public:
  // keras_type: "FakeQuantWithMinMaxArgs" (spec.range must be kFixed),
  // "FakeQuantWithMinMaxVars" or "QuantizeLayer" (any other range mode).
  FakeQuantLayer(std::string keras_type, QuantizerSpec spec, std::string name);
  std::string type() const override { return keras_type_; }
  const QuantizerSpec& spec() const { return spec_; }
  std::vector<fq::Grid> grids() const { return quantizer_.grids(); }
  void initialize(Rng& rng) override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  std::string keras_type_;
  QuantizerSpec spec_;
  Weight* step_ = nullptr;
  detail::ActivationQuantizer quantizer_;
};

class QuantizeWrapper final : public Layer {
 public:
  // annotate_only: "QuantizeAnnotate" (runs `inner` unchanged until quantize_apply).
  // batch_norm: a BatchNormalization folded into a Conv2D / DepthwiseConv2D / Dense
  // without activation.
  QuantizeWrapper(std::shared_ptr<Layer> inner, QuantizeConfig config, std::string name,
                  bool annotate_only = false, std::shared_ptr<BatchNormalizationLayer> batch_norm = nullptr);
  ~QuantizeWrapper() override;
  std::string type() const override { return annotate_only_ ? "QuantizeAnnotate" : "QuantizeWrapperV2"; }
  Layer& layer() const { return *inner_; }
  const std::shared_ptr<Layer>& layer_ptr() const { return inner_; }
  BatchNormalizationLayer* batch_norm() const { return batch_norm_.get(); }
  const QuantizeConfig& config() const { return config_; }
  bool annotate_only() const { return annotate_only_; }
  // The output's fake quantization (empty when the output is not quantized).
  std::vector<fq::Grid> output_grids() const;
  bool quantizes_output() const { return output_bits_ > 0; }
  int output_bits() const { return output_bits_; }
  bool quantizes_weights() const { return kernel_ != nullptr && config_.weight_bits > 0; }
  void initialize(Rng& rng) override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& grad_out,
                const std::vector<Tensor*>& grad_in, RunContext& ctx) override;

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override;
  void add_config(nlohmann::json& c) const override;

 private:
  struct Folding;
  void quantize_kernel(ThreadPool* pool);
  void fold_forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx);
  void fold_backward(const std::vector<const Tensor*>& in, const Tensor& grad_out,
                     const std::vector<Tensor*>& grad_in, RunContext& ctx);

  std::shared_ptr<Layer> inner_;
  QuantizeConfig config_;
  bool annotate_only_;
  std::shared_ptr<BatchNormalizationLayer> batch_norm_;
  int output_bits_ = 0;
  QuantizerSpec output_spec_;
  Weight* step_ = nullptr;
  Weight* kernel_ = nullptr;  // the inner layer's kernel (weights quantized)
  int64_t kernel_channels_ = 1;
  Weight* kernel_min_ = nullptr;
  Weight* kernel_max_ = nullptr;
  std::vector<fq::Grid> kernel_grids_;
  Tensor quantized_kernel_;  // swapped with kernel_->value while the inner layer runs
  detail::ActivationQuantizer output_;
  Tensor pre_;       // the inner layer's output, before the output's fake quantization
  Tensor grad_pre_;
  std::unique_ptr<Folding> fold_;
};

}  // namespace lq
