// Optimized int8 DEPTHWISE_CONV_2D (int8_depthwise.h): prepare (packing, exactness
// bound), the image conversion, the portable row kernel, dispatch and the thread split
// over output rows (int8_parallel.h).
#include "int8_depthwise.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "padded_image.h"
#include "int8_parallel.h"
#include "litequant/core/error.h"

namespace lq::kernels {
namespace {

using int8_opt::DepthwiseRow;
using int8_opt::PackedDepthwise;

constexpr int64_t kSlack = 64;
constexpr double kMaxPaddedBytes = double(1 << 28);  // per thread slot (padded_image.h)

int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

// Packs the weights or returns nullptr when an accumulator could leave int32.
std::shared_ptr<const PackedDepthwise> pack(Int8Path path, const DepthwiseConv2DInt8Params& p,
                                            const int8_t* filter, const int32_t* bias) {
  const int64_t taps = int64_t{p.filter_h} * p.filter_w, n = p.out_c;
  const int64_t zp_in = -int64_t{p.requant.input_offset};
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  if (taps > kMax / 2) return nullptr;
  auto d = std::make_shared<PackedDepthwise>();
  d->path = path;
  d->channels = p.out_c;
  d->cp = static_cast<int32_t>(round_up(n, 16));
  d->taps = static_cast<int32_t>(taps);
  const size_t cp = static_cast<size_t>(d->cp);
  d->offset.assign(cp, 0);
  d->multiplier.assign(cp, 0);
  d->left.assign(cp, 0);
  d->right.assign(cp, 0);
  d->mask.assign(cp, 0);
  for (int64_t oc = 0; oc < n; ++oc) {
    int64_t sum = 0, abs_sum = 0;
    for (int64_t t = 0; t < taps; ++t) {
      const int64_t w = filter[t * n + oc];
      sum += w;
      abs_sum += w < 0 ? -w : w;
    }
    const int64_t offset = (bias ? int64_t{bias[oc]} : 0) - zp_in * sum;
    if (std::llabs(offset) + 128 * abs_sum > kMax) return nullptr;
    const size_t i = static_cast<size_t>(oc);
    const int shift = p.requant.shift[i];
    d->offset[i] = static_cast<int32_t>(offset);
    d->multiplier[i] = p.requant.multiplier[i];
    d->left[i] = shift > 0 ? shift : 0;
    d->right[i] = shift > 0 ? 0 : -shift;
    d->mask[i] = static_cast<int32_t>((int64_t{1} << d->right[i]) - 1);
  }
  const bool simd = path != Int8Path::kPortable;
  d->w.assign(static_cast<size_t>(taps) * cp, 0);
  for (int64_t t = 0; t < taps; ++t)
    for (int64_t oc = 0; oc < n; ++oc) {
      const int32_t w = filter[t * n + oc];
      d->w[static_cast<size_t>(t) * cp + static_cast<size_t>(oc)] = simd ? (w & 0xFFFF) : w;
    }
  d->zp_out = p.requant.output_offset;
  d->out_lo = p.requant.activation.min - p.requant.output_offset;
  d->out_hi = p.requant.activation.max - p.requant.output_offset;
  return d;
}

inline int8_t requantize_double(const PackedDepthwise& d, int32_t acc, size_t oc) {
  const int shift = d.left[oc] > 0 ? d.left[oc] : -d.right[oc];
  const int32_t scaled = multiply_by_quantized_multiplier_double_rounding(acc, d.multiplier[oc], shift);
  return static_cast<int8_t>(std::min(std::max(scaled, d.out_lo), d.out_hi) + d.zp_out);
}

void row_portable(const PackedDepthwise& d, const DepthwiseRow& row) {
  const int64_t cp = d.cp, n = d.channels;
  int32_t acc[16];
  for (int64_t ox = 0; ox < row.out_w; ++ox) {
    for (int64_t c0 = 0; c0 < n; c0 += 16) {
      for (int64_t j = 0; j < 16; ++j) acc[j] = d.offset[static_cast<size_t>(c0 + j)];
      const int32_t* w = d.w.data() + c0;
      for (int64_t ky = 0; ky < row.filter_h; ++ky) {
        const int8_t* src =
            row.image + (row.y0 + ky * row.dilation_h) * row.row_stride + ox * row.stride_w * cp + c0;
        for (int64_t kx = 0; kx < row.filter_w; ++kx, src += row.dilation_w * cp, w += cp)
          for (int64_t j = 0; j < 16; ++j) acc[j] += w[j] * int32_t{src[j]};
      }
      const int64_t count = std::min<int64_t>(16, n - c0);
      for (int64_t j = 0; j < count; ++j)
        row.out[ox * n + c0 + j] = requantize_double(d, acc[j], static_cast<size_t>(c0 + j));
    }
  }
}

void run_row(const PackedDepthwise& d, const DepthwiseRow& row) {
  switch (d.path) {
    case Int8Path::kAvx512Vnni: int8_opt::depthwise_row_avx512(d, row); return;
    case Int8Path::kAvx2: int8_opt::depthwise_row_avx2(d, row); return;
    default: row_portable(d, row); return;
  }
}

// Input rows [y0, y1) of image b into the interior of the padded image, channels expanded.
void convert_rows(const DepthwiseConv2DInt8Optimized& p, const int8_t* input, int64_t b, int64_t y0,
                  int64_t y1, int8_t* img) {
  const DepthwiseConv2DParams& dp = p.params;
  const int64_t c = dp.in_c, mult = dp.depth_multiplier, cp = p.packed->cp;
  for (int64_t y = y0; y < y1; ++y) {
    const int8_t* src = input + ((b * dp.in_h + y) * dp.in_w) * c;
    int8_t* dst = img + ((y + dp.pad_top) * int64_t{p.padded_w} + dp.pad_left) * cp;
    if (mult == 1 && c == cp) {
      std::memcpy(dst, src, static_cast<size_t>(dp.in_w * c));
    } else if (mult == 1) {
      for (int64_t x = 0; x < dp.in_w; ++x) std::memcpy(dst + x * cp, src + x * c, static_cast<size_t>(c));
    } else {
      for (int64_t x = 0; x < dp.in_w; ++x) {
        int8_t* d = dst + x * cp;
        for (int64_t ic = 0; ic < c; ++ic)
          for (int64_t m = 0; m < mult; ++m) d[ic * mult + m] = src[x * c + ic];
      }
    }
  }
}

// Relative to scratch.data(), not to an aligned start: a copy of the prepared object
// (its own scratch, maybe aligned differently) keeps its border and padding channels.
int8_t* slot_image(DepthwiseConv2DInt8Optimized& p, int64_t slot) {
  return p.scratch.data() + slot * p.slot_bytes;
}

}  // namespace

DepthwiseConv2DInt8Optimized prepare_depthwise_conv2d_int8_optimized(
    const DepthwiseConv2DInt8Params& params, const int8_t* filter, const int32_t* bias,
    Int8Path path, int max_threads) {
  const Int8Path resolved = resolve_int8_path(path);
  if (!int8_path_available(resolved))
    throw Error(std::string("DEPTHWISE_CONV_2D: int8 kernel path ") + int8_path_name(resolved) +
                " is not available on this CPU");
  DepthwiseConv2DInt8Optimized p;
  p.params = params;
  p.path = resolved;
  const int32_t* b = params.has_bias ? bias : nullptr;
  p.packed = pack(resolved, params, filter, b);
  // The reference kernel instead (the optimized path cannot or should not run this op).
  const auto keep_reference = [&] {
    p.packed.reset();
    const size_t count = static_cast<size_t>(params.filter_h) * static_cast<size_t>(params.filter_w) *
                         static_cast<size_t>(params.out_c);
    p.reference_filter.assign(filter, filter + count);
    if (b) p.reference_bias.assign(b, b + params.out_c);
    return p;
  };
  if (!p.packed) return keep_reference();
  const int64_t ph = opt::padded_extent(params.in_h, params.pad_top, params.out_h, params.stride_h,
                                         params.filter_h, params.dilation_h);
  const int64_t pw = opt::padded_extent(params.in_w, params.pad_left, params.out_w, params.stride_w,
                                         params.filter_w, params.dilation_w);
  // A window far outside the image (huge dilation or stride with SAME padding, e.g. in a
  // hostile file): the padded copy would dwarf the input; the reference skips such taps.
  // (In double: the product of two hostile extents overflows int64.)
  // The image holds every output channel (input channels repeated depth_multiplier times),
  // so it is bounded by the input and output tensors' sizes, not by the input's alone.
  const double padded = static_cast<double>(ph) * static_cast<double>(pw) * static_cast<double>(p.packed->cp);
  const double tensors = static_cast<double>(params.in_h) * params.in_w * params.in_c +
                         static_cast<double>(params.out_h) * params.out_w * params.out_c;
  if (!opt::image_copy_fits(padded, tensors, kMaxPaddedBytes)) return keep_reference();
  p.padded_h = static_cast<int32_t>(ph);
  p.padded_w = static_cast<int32_t>(pw);
  p.slots = std::max(1, max_threads);
  const int64_t image = int64_t{p.padded_h} * p.padded_w * p.packed->cp;
  p.slot_bytes = round_up(image + kSlack, 64);
  p.scratch.assign(static_cast<size_t>(p.slots * p.slot_bytes), 0);
  // Border (and everything else) zp_in; the interior's padding channels stay 0.
  const int8_t zp_in = static_cast<int8_t>(-params.requant.input_offset);
  const int64_t cp = p.packed->cp, c = params.out_c;
  for (int64_t s = 0; s < p.slots; ++s) {
    int8_t* img = slot_image(p, s);
    std::memset(img, zp_in, static_cast<size_t>(image));
    if (c == cp) continue;
    for (int64_t y = 0; y < params.in_h; ++y)
      for (int64_t x = 0; x < params.in_w; ++x)
        std::memset(img + ((y + params.pad_top) * p.padded_w + x + params.pad_left) * cp + c, 0,
                    static_cast<size_t>(cp - c));
  }
  return p;
}

void eval_depthwise_conv2d_int8_optimized(DepthwiseConv2DInt8Optimized& p, const int8_t* input,
                                          int8_t* output, ThreadPool* pool) {
  const DepthwiseConv2DInt8Params& dp = p.params;
  if (p.uses_reference()) {
    eval_depthwise_conv2d_int8(dp, input, p.reference_filter.data(),
                               dp.has_bias ? p.reference_bias.data() : nullptr, output);
    return;
  }
  const PackedDepthwise& d = *p.packed;
  const int64_t units = int64_t{dp.batch} * dp.out_h;  // output rows of all images
  const int64_t row_macs = int64_t{dp.out_w} * dp.out_c * d.taps;
  const int64_t row_out = int64_t{dp.out_w} * dp.out_c;
  auto work = [&](int64_t slot, int64_t begin, int64_t end) {
    int8_t* img = slot_image(p, slot);
    DepthwiseRow row{img, int64_t{p.padded_w} * d.cp, 0, dp.out_w, dp.stride_w, dp.filter_h,
                     dp.filter_w, dp.dilation_h, dp.dilation_w, nullptr};
    for (int64_t u = begin; u < end;) {
      const int64_t b = u / dp.out_h, oy0 = u % dp.out_h;
      const int64_t oy1 = std::min<int64_t>(dp.out_h, oy0 + (end - u));
      // Input rows read by output rows [oy0, oy1).
      const int64_t y0 = std::max<int64_t>(0, oy0 * dp.stride_h - dp.pad_top);
      const int64_t y1 = std::min<int64_t>(
          dp.in_h, (oy1 - 1) * dp.stride_h + int64_t{dp.filter_h - 1} * dp.dilation_h - dp.pad_top + 1);
      if (y0 < y1) convert_rows(p, input, b, y0, y1, img);
      for (int64_t oy = oy0; oy < oy1; ++oy) {
        row.y0 = oy * dp.stride_h;
        row.out = output + (b * dp.out_h + oy) * row_out;
        run_row(d, row);
      }
      u += oy1 - oy0;
    }
  };
  int8_opt::run_parts(pool, int8_opt::parts_for(pool, p.slots, units, row_macs), units, work);
}

}  // namespace lq::kernels
