// ActivationQuantizer (range tracking + fake quantization of one tensor) and FakeQuantLayer.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "litequant/core/error.h"
#include "litequant/nn/layers/quantization.h"

namespace lq {

RangeMode parse_range_mode(const std::string& name) {
  if (name == "fixed") return RangeMode::kFixed;
  if (name == "moving_average") return RangeMode::kMovingAverage;
  if (name == "all_values") return RangeMode::kAllValues;
  if (name == "trainable") return RangeMode::kTrainable;
  throw Error("unknown range mode '" + name + "' (known: fixed, moving_average, all_values, trainable)");
}

std::string range_mode_name(RangeMode mode) {
  switch (mode) {
    case RangeMode::kFixed: return "fixed";
    case RangeMode::kMovingAverage: return "moving_average";
    case RangeMode::kAllValues: return "all_values";
    case RangeMode::kTrainable: return "trainable";
  }
  return "?";
}

namespace detail {

void ActivationQuantizer::initialize() {
  if (!min_) return;
  min_->value.fill(spec_.min);
  max_->value.fill(spec_.max);
}

std::vector<fq::Grid> ActivationQuantizer::grids() const { return current_grids(); }

const std::vector<fq::Grid>& ActivationQuantizer::current_grids() const {
  const fq::Division division = spec_.per_channel || spec_.range == RangeMode::kFixed ? fq::Division::kMultiply
                                                                                      : fq::Division::kDivide;
  grids_.clear();
  if (!min_) {
    grids_.push_back(fq::nudge(spec_.min, spec_.max, spec_.num_bits, spec_.narrow_range, division));
    return grids_;
  }
  for (int64_t c = 0; c < min_->value.size(); ++c) {
    // A trained range may cross over; an empty one is widened to include 0.
    float lo = std::min(min_->value[c], max_->value[c]), hi = std::max(min_->value[c], max_->value[c]);
    if (lo == hi) lo = std::min(lo, 0.0f), hi = std::max(hi, 0.0f);
    grids_.push_back(fq::nudge(lo, hi, spec_.num_bits, spec_.narrow_range, division));
  }
  return grids_;
}

void ActivationQuantizer::track(const Tensor& x, bool first_step, ThreadPool* pool) {
  const int64_t channels = min_->value.size(), n = x.size();
  std::vector<float> lo(static_cast<size_t>(channels), 0.0f), hi(static_cast<size_t>(channels), 0.0f);
  if (n >= channels) fq::min_max_per_channel(x.data(), n, channels, lo.data(), hi.data(), pool);
  for (int64_t c = 0; c < channels; ++c) {
    lo[static_cast<size_t>(c)] = std::min(lo[static_cast<size_t>(c)], 0.0f);
    hi[static_cast<size_t>(c)] = std::max(hi[static_cast<size_t>(c)], 0.0f);
  }
  for (int64_t c = 0; c < channels; ++c) {
    float& mn = min_->value[c];
    float& mx = max_->value[c];
    if (first_step) {
      mn = lo[c], mx = hi[c];
    } else if (spec_.range == RangeMode::kAllValues) {
      mn = std::min(mn, lo[c]), mx = std::max(mx, hi[c]);
    } else {
      mn -= (mn - lo[c]) * (1.0f - spec_.ema_decay);
      mx -= (mx - hi[c]) * (1.0f - spec_.ema_decay);
    }
  }
}

void ActivationQuantizer::forward(const Tensor& x, Tensor& y, bool training, bool first_step, ThreadPool* pool) {
  if (training && (spec_.range == RangeMode::kMovingAverage || spec_.range == RangeMode::kAllValues))
    track(x, first_step, pool);
  const auto& g = current_grids();
  y.resize(x.shape());
  fq::fake_quant_per_channel(x.data(), y.data(), x.size(), g.data(), static_cast<int64_t>(g.size()), pool);
}

void ActivationQuantizer::backward(const Tensor& x, const Tensor& dy, Tensor& dx, ThreadPool* pool) const {
  const auto& g = current_grids();
  const bool trainable = spec_.range == RangeMode::kTrainable;
  float* dmin = trainable ? min_->grad.data() : nullptr;
  float* dmax = trainable ? max_->grad.data() : nullptr;
  if (trainable) min_->grad.zero(), max_->grad.zero();
  dx.resize(x.shape());
  if (g.size() == 1) fq::fake_quant_backward(x.data(), dy.data(), dx.data(), x.size(), g[0], dmin, dmax, pool);
  else
    fq::fake_quant_backward_per_channel(x.data(), dy.data(), dx.data(), x.size(), g.data(),
                                        static_cast<int64_t>(g.size()), dmin, dmax);
}

}  // namespace detail

FakeQuantLayer::FakeQuantLayer(std::string keras_type, QuantizerSpec spec, std::string name)
    : Layer(std::move(name)), keras_type_(std::move(keras_type)), spec_(spec) {
  if (keras_type_ != "FakeQuantWithMinMaxArgs" && keras_type_ != "FakeQuantWithMinMaxVars" &&
      keras_type_ != "QuantizeLayer")
    throw Error(where() + "unknown fake-quant layer type");
  fq::check_num_bits(spec.num_bits, where());
  if ((spec.range == RangeMode::kFixed) != (keras_type_ == "FakeQuantWithMinMaxArgs"))
    throw Error(where() + (spec.range == RangeMode::kFixed ? "a fixed range needs FakeQuantWithMinMaxArgs"
                                                           : "FakeQuantWithMinMaxArgs needs a fixed range"));
  if (spec.range == RangeMode::kFixed && spec.per_channel)
    throw Error(where() + "a fixed range is per tensor");
  if (!(spec.ema_decay >= 0.0f && spec.ema_decay < 1.0f)) throw Error(where() + "ema_decay must be in [0, 1)");
  fq::nudge(spec.min, spec.max, spec.num_bits, spec.narrow_range, fq::Division::kMultiply, where());
}

Shape FakeQuantLayer::do_build(const std::vector<Shape>& inputs) {
  expect_inputs(inputs, 1);
  if (spec_.range == RangeMode::kFixed) {
    quantizer_ = detail::ActivationQuantizer(spec_, nullptr, nullptr);
    return inputs[0];
  }
  if (spec_.per_channel && inputs[0].empty()) throw Error(where() + "per-channel needs an input with a channel axis");
  const int64_t channels = spec_.per_channel ? inputs[0].back() : 1;
  const bool trainable = spec_.range == RangeMode::kTrainable;
  Weight& mn = add_weight("min", {channels}, trainable);
  Weight& mx = add_weight("max", {channels}, trainable);
  step_ = &add_weight("optimizer_step", {1}, false);
  quantizer_ = detail::ActivationQuantizer(spec_, &mn, &mx);
  quantizer_.initialize();
  return inputs[0];
}

void FakeQuantLayer::initialize(Rng&) {
  quantizer_.initialize();
  if (step_) step_->value.zero();
}

void FakeQuantLayer::forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext& ctx) {
  const bool first = step_ && step_->value[0] == 0.0f;
  quantizer_.forward(*in[0], out, ctx.training, first, ctx.pool);
  if (ctx.training && step_) step_->value[0] += 1.0f;
}

void FakeQuantLayer::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& grad_out,
                              const std::vector<Tensor*>& grad_in, RunContext& ctx) {
  Tensor scratch;
  quantizer_.backward(*in[0], grad_out, grad_in[0] ? *grad_in[0] : scratch, ctx.pool);
}

void FakeQuantLayer::add_config(nlohmann::json& c) const {
  c["num_bits"] = spec_.num_bits;
  c["narrow_range"] = spec_.narrow_range;
  c["min"] = spec_.min;
  c["max"] = spec_.max;
  if (spec_.range != RangeMode::kFixed) {
    c["range"] = range_mode_name(spec_.range);
    c["per_channel"] = spec_.per_channel;
    c["ema_decay"] = spec_.ema_decay;
  }
}

}  // namespace lq
