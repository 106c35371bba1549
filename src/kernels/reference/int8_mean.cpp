// int8 MEAN: TFLite's three reference paths (reduce.cc EvalMeanReferenceOps,
// reference/integer_ops/mean.h, reference/reduce.h Mean and QuantizedMeanOrSum).
#include <algorithm>
#include <cmath>

#include "checks.h"
#include "litequant/kernels/int8_shape_ops.h"

namespace lq::kernels {

MeanInt8Params prepare_mean_int8(const Dims& input, std::span<const int32_t> axes,
                                 bool keep_dims, QuantParams input_q, QuantParams output_q) {
  const std::string op = "MEAN";
  check_quant_params(op, "input", input_q, QuantizedType::kInt8);
  check_quant_params(op, "output", output_q, QuantizedType::kInt8);
  const MeanParams shape = prepare_mean(input, axes, keep_dims);
  MeanInt8Params p;
  p.reduce_count = shape.reduce_count;
  p.output_size = shape.output_size;
  p.output_dims = shape.output_dims;
  p.output_zero_point = output_q.zero_point;

  // Input strides of the kept dimensions (output order) and of the reduced ones.
  int64_t stride = 1;
  std::vector<int64_t> in_stride(input.size());
  for (size_t k = input.size(); k-- > 0;) {
    in_stride[k] = stride;
    stride *= input[k];
  }
  std::vector<bool> reduced(input.size(), false);
  const int32_t rank = static_cast<int32_t>(input.size());
  for (int32_t a : axes) reduced[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
  for (size_t k = 0; k < input.size(); ++k) {
    if (reduced[k]) {
      p.reduced_size[p.reduced_rank] = input[k];
      p.reduced_stride[p.reduced_rank++] = in_stride[k];
    } else {
      p.kept_size[p.kept_rank] = input[k];
      p.kept_stride[p.kept_rank++] = in_stride[k];
    }
  }

  // The sums are int32 in TFLite: refuse reductions whose sum could overflow.
  if (p.reduce_count > (int64_t{1} << 23))
    detail::fail(op, "reduces " + std::to_string(p.reduce_count) +
                         " elements per output; at most 2^23 are supported (int32 sums)");

  const bool spatial = keep_dims && input.size() == 4 && axes.size() == 2 &&
                       ((axes[0] == 1 && axes[1] == 2) || (axes[0] == 2 && axes[1] == 1));
  if (spatial) {
    // TFLite's optimized int8 Mean4D: the 1/n folds into the multiplier (float math),
    // the input zero point becomes an integer bias rounded half away from zero.
    p.path = MeanInt8Path::kSpatial;
    const float n = static_cast<float>(p.reduce_count);
    const float real_scale = input_q.scale / (n * output_q.scale);
    p.multiplier = quantize_multiplier(static_cast<double>(real_scale));
    float shifted_zp = static_cast<float>(input_q.zero_point) * input_q.scale / output_q.scale;
    shifted_zp = shifted_zp > 0.0f ? shifted_zp + 0.5f : shifted_zp - 0.5f;
    p.spatial_bias = output_q.zero_point - static_cast<int32_t>(shifted_zp);
  } else if (input_q.zero_point == output_q.zero_point && input_q.scale == output_q.scale) {
    p.path = MeanInt8Path::kSameParams;
  } else {
    p.path = MeanInt8Path::kFloatRescale;
    p.scale = input_q.scale / output_q.scale;
    p.bias = static_cast<float>(-input_q.zero_point) * p.scale;
  }
  return p;
}

namespace {

// Calls fn(o, base) for every output element o (row-major over the kept dimensions) with
// the input offset of its first reduced element.
template <typename Fn>
void for_each_output(const MeanInt8Params& p, Fn&& fn) {
  int64_t index[kMaxIndexRank] = {};
  int64_t base = 0;
  for (int64_t o = 0; o < p.output_size; ++o) {
    fn(o, base);
    for (int32_t k = p.kept_rank; k-- > 0;) {  // advance the odometer over kept dims
      base += p.kept_stride[k];
      if (++index[k] < p.kept_size[k]) break;
      base -= index[k] * p.kept_stride[k];
      index[k] = 0;
    }
  }
}

// Sum of (x + offset) over the reduced elements of the output whose first input is base.
int32_t reduced_sum(const MeanInt8Params& p, const int8_t* input, int64_t base, int32_t offset) {
  int64_t index[kMaxIndexRank] = {};
  int32_t sum = 0;
  int64_t at = base;
  for (int64_t i = 0; i < p.reduce_count; ++i) {
    sum += int32_t{input[at]} + offset;
    for (int32_t k = p.reduced_rank; k-- > 0;) {
      at += p.reduced_stride[k];
      if (++index[k] < p.reduced_size[k]) break;
      at -= index[k] * p.reduced_stride[k];
      index[k] = 0;
    }
  }
  return sum;
}

int8_t saturate_int8(int32_t v) { return static_cast<int8_t>(std::min(std::max(v, -128), 127)); }

}  // namespace

int8_t finish_mean_int8(const MeanInt8Params& p, int32_t sum) {
  const int32_t n = static_cast<int32_t>(p.reduce_count);  // <= 2^23 (prepare)
  switch (p.path) {
    case MeanInt8Path::kSpatial: {
      const int32_t acc =
          multiply_by_quantized_multiplier_double_rounding(sum, p.multiplier.multiplier, p.multiplier.shift);
      return saturate_int8(acc + p.spatial_bias);
    }
    case MeanInt8Path::kSameParams:
      return static_cast<int8_t>(sum / n);
    case MeanInt8Path::kFloatRescale:
      break;
  }
  const float mean = static_cast<float>(sum) / static_cast<float>(n);
  const float scaled = mean * p.scale;
  const float shifted = scaled + p.bias;
  float result = std::round(shifted) + static_cast<float>(p.output_zero_point);
  result = std::min(std::max(result, -128.0f), 127.0f);
  return static_cast<int8_t>(result);
}

void eval_mean_int8(const MeanInt8Params& p, const int8_t* input, int8_t* output) {
  if (p.reduce_count == 0) {
    for (int64_t o = 0; o < p.output_size; ++o) output[o] = 0;
    return;
  }
  for_each_output(p, [&](int64_t o, int64_t base) { output[o] = finish_mean_int8(p, reduced_sum(p, input, base, 0)); });
}

}  // namespace lq::kernels
