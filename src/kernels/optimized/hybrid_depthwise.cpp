// Optimized dynamic-range DEPTHWISE_CONV_2D: per image, the input quantized (asymmetric,
// one s_b / zp_b for the image) to int16 q - zp_b, expanded to the C*M output channels,
// inside a zero border (x - zp_b = 0: the reference's skipped taps). Per output pixel the
// int32 sums over taps run along the channels (plain loops the compiler vectorizes),
// then the reference's rescale (hybrid_rows.h). Threads take contiguous output rows.
#include <algorithm>
#include <cstring>

#include "hybrid_rows.h"
#include "int8_parallel.h"
#include "litequant/kernels/hybrid_optimized.h"

namespace lq::kernels {
namespace {

hybrid_opt::RowQuant quantize_image(const DepthwiseConv2DHybridOptimized& p, const float* input,
                                    int64_t b, int16_t* img) {
  const DepthwiseConv2DHybridParams& dp = p.params;
  const int64_t c = dp.in_c, oc = dp.out_c, mult = dp.depth_multiplier;
  const int64_t row = int64_t{dp.in_w} * c, image = int64_t{dp.in_h} * row;
  const float* x = input + b * image;
  const hybrid_opt::RowQuant rq = hybrid_opt::quantize_stats(false, true, x, image);
  const int64_t plane = p.padded_h * p.padded_w * oc;
  std::fill(img, img + plane, int16_t{0});
  int16_t* row_buf = img + plane;
  for (int64_t y = 0; y < dp.in_h; ++y) {
    int16_t* dst = img + ((y + dp.pad_top) * p.padded_w + dp.pad_left) * oc;
    if (mult == 1) {
      hybrid_opt::quantize_centered_i16(rq, x + y * row, row, dst);
      continue;
    }
    hybrid_opt::quantize_centered_i16(rq, x + y * row, row, row_buf);
    for (int64_t i = 0; i < row; ++i)
      for (int64_t m = 0; m < mult; ++m) dst[i * mult + m] = row_buf[i];
  }
  return rq;
}

// sums[o] = sum over taps of w[tap, o] * img[window tap, o] for output pixel (oy, ox).
void pixel_sums(const DepthwiseConv2DHybridOptimized& p, const int16_t* img, int64_t oy, int64_t ox,
                int32_t* __restrict sums) {
  const DepthwiseConv2DHybridParams& dp = p.params;
  const int64_t oc = dp.out_c;
  std::fill(sums, sums + oc, 0);
  for (int64_t ky = 0; ky < dp.filter_h; ++ky) {
    const int16_t* row = img + ((oy * dp.stride_h + ky * dp.dilation_h) * p.padded_w + ox * dp.stride_w) * oc;
    for (int64_t kx = 0; kx < dp.filter_w; ++kx) {
      const int16_t* __restrict x = row + kx * dp.dilation_w * oc;
      const int16_t* __restrict w = p.filter.data() + (ky * dp.filter_w + kx) * oc;
      for (int64_t o = 0; o < oc; ++o) sums[o] += int32_t{w[o]} * int32_t{x[o]};
    }
  }
}

}  // namespace

DepthwiseConv2DHybridOptimized prepare_depthwise_conv2d_hybrid_optimized(
    const DepthwiseConv2DHybridParams& params, const int8_t* filter, const float* bias,
    Int8Path path, int max_threads) {
  const std::string op = "DEPTHWISE_CONV_2D";
  DepthwiseConv2DHybridOptimized p;
  p.params = params;
  p.path = hybrid_opt::resolve_path(op, path);
  const float* b = params.has_bias ? bias : nullptr;
  const int64_t taps = int64_t{params.filter_h} * params.filter_w, oc = params.out_c;
  const auto extent = [](int64_t out, int64_t stride, int64_t size, int64_t dilation) {
    return (out - 1) * stride + (size - 1) * dilation + 1;
  };
  p.padded_h = std::max<int64_t>(int64_t{params.pad_top} + params.in_h,
                                 extent(params.out_h, params.stride_h, params.filter_h, params.dilation_h));
  p.padded_w = std::max<int64_t>(int64_t{params.pad_left} + params.in_w,
                                 extent(params.out_w, params.stride_w, params.filter_w, params.dilation_w));
  // In double first: hostile extents can overflow int64.
  const double image = static_cast<double>(p.padded_h) * static_cast<double>(p.padded_w) * oc +
                       static_cast<double>(params.in_w) * params.in_c;
  p.reference = 2.0 * image + 4.0 * oc * params.out_w > static_cast<double>(kMaxHybridSlotBytes);
  if (p.reference) {
    p.reference_filter.assign(filter, filter + taps * oc);
    if (b) p.reference_bias.assign(b, b + oc);
    p.reference_scratch = hybrid_opt::reference_scratch(op, params.batch, int64_t{params.in_h} * params.in_w * params.in_c);
    return p;
  }
  p.filter.assign(filter, filter + taps * oc);
  p.channels = hybrid_opt::make_channel_constants(nullptr, oc, 0, params.weight_scales, b);
  p.image_elems = static_cast<int64_t>(image);
  p.slots = std::max(1, max_threads);
  p.images.assign(static_cast<size_t>(p.slots * p.image_elems), 0);
  p.sums.assign(static_cast<size_t>(p.slots * oc * params.out_w), 0);
  return p;
}

void eval_depthwise_conv2d_hybrid_optimized(DepthwiseConv2DHybridOptimized& p, const float* input,
                                            float* output, ThreadPool* pool) {
  const DepthwiseConv2DHybridParams& dp = p.params;
  if (p.uses_reference()) {
    eval_depthwise_conv2d_hybrid(dp, input, p.reference_filter.data(), dp.has_bias ? p.reference_bias.data() : nullptr,
                                 output, p.reference_scratch);
    return;
  }
  const int64_t oc = dp.out_c, out_w = dp.out_w;
  const bool avx512 = hybrid_opt::uses_avx512(p.path);
  hybrid_opt::Rescale rs;
  rs.order = hybrid_opt::Order::kDepthwise;
  rs.weight_scale = p.channels.weight_scale.data();
  rs.bias = dp.has_bias ? p.channels.bias.data() : nullptr;
  rs.act_lo = dp.activation.min;
  rs.act_hi = dp.activation.max;
  auto work = [&](int64_t slot, int64_t begin, int64_t end) {
    int16_t* img = p.images.data() + slot * p.image_elems;
    int32_t* sums = p.sums.data() + slot * oc * out_w;
    for (int64_t unit = begin; unit < end;) {  // unit: one output row of one image
      const int64_t b = unit / dp.out_h, image_end = std::min(end, (b + 1) * dp.out_h);
      const hybrid_opt::RowQuant rq = quantize_image(p, input, b, img);
      for (; unit < image_end; ++unit) {
        const int64_t oy = unit - b * dp.out_h;
        for (int64_t ox = 0; ox < out_w; ++ox) pixel_sums(p, img, oy, ox, sums + ox * oc);
        hybrid_opt::rescale(avx512, rs, sums, out_w, oc, rq.scale, rq.zero_point, output + unit * out_w * oc);
      }
    }
  };
  const int64_t units = int64_t{dp.batch} * dp.out_h;
  int8_opt::run_parts(pool, int8_opt::parts_for(pool, p.slots, units, out_w * oc * dp.filter_h * dp.filter_w), units,
                      work);
}

}  // namespace lq::kernels
