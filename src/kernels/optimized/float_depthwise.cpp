// Float32 DEPTHWISE_CONV_2D on a filter packed at prepare (DepthwiseConv2DFloatOptimized,
// float_optimized.h; the register tiles are in float_depthwise_tile.h). As the direct
// conv (float_conv_direct.cpp): threads take contiguous ranges of output rows, each slot
// with its own zero-bordered image into which a range copies only the input rows it
// reads; with a depth multiplier M > 1 the copy also repeats each input channel M times,
// so that the tiles always see one image channel per output channel.
#include <algorithm>
#include <cstring>
#include <string>

#include "float_depthwise_tile.h"
#include "float_vec.h"
#include "int8_parallel.h"
#include "litequant/core/error.h"
#include "litequant/kernels/float_optimized.h"
#include "padded_image.h"

namespace lq::kernels {
namespace float_depthwise {
namespace {

const TileKernels& tiles_for(FloatPath path) {
  switch (path) {
    case FloatPath::kAvx512: return tile_kernels_avx512();
    case FloatPath::kAvx2: return tile_kernels_avx2();
    default: return tile_kernels_portable();
  }
}

constexpr double kMaxImageFloats = double(1 << 26);  // per thread slot (padded_image.h)

}  // namespace

const TileKernels& tile_kernels_portable() {
  static const TileKernels t = make_tile_kernels<float_vec::Portable>(std::make_integer_sequence<int, kMaxPixels>());
  return t;
}

}  // namespace float_depthwise

DepthwiseConv2DFloatOptimized::DepthwiseConv2DFloatOptimized(const DepthwiseConv2DParams& params,
                                                             const float* filter, const float* bias, FloatPath path,
                                                             int max_threads)
    : p_(params), path_(resolve_float_path(path)) {
  if (!float_path_available(path_))
    throw Error(std::string("DEPTHWISE_CONV_2D: float kernel path ") + float_path_name(path_) +
                " is not available on this CPU");
  const DepthwiseConv2DParams& dp = p_;
  const int64_t oc = dp.out_c, taps = int64_t{dp.filter_h} * dp.filter_w;
  const int64_t ih = opt::padded_extent(dp.in_h, dp.pad_top, dp.out_h, dp.stride_h, dp.filter_h, dp.dilation_h);
  const int64_t iw = opt::padded_extent(dp.in_w, dp.pad_left, dp.out_w, dp.stride_w, dp.filter_w, dp.dilation_w);
  const bool padded = dp.pad_top > 0 || dp.pad_left > 0 || ih > dp.in_h || iw > dp.in_w;
  copied_ = padded || dp.depth_multiplier > 1;
  image_h_ = padded ? ih : dp.in_h;
  image_w_ = padded ? iw : dp.in_w;
  const double image_floats = double(image_h_) * double(image_w_) * double(oc);
  if (copied_ && !opt::image_copy_fits(image_floats, double(dp.in_h) * dp.in_w * oc, float_depthwise::kMaxImageFloats)) {
    // A window far outside the image (hostile dilation or stride with SAME padding).
    reference_filter_.assign(filter, filter + taps * oc);
    if (dp.has_bias) reference_bias_.assign(bias, bias + oc);
    return;
  }
  const int64_t row = image_w_ * oc;
  for (int64_t ky = 0; ky < dp.filter_h; ++ky)
    for (int64_t kx = 0; kx < dp.filter_w; ++kx) taps_.push_back(ky * dp.dilation_h * row + kx * dp.dilation_w * oc);
  filter_stride_ = (oc + 15) / 16 * 16;
  packed_.assign(static_cast<size_t>(taps * filter_stride_), 0.0f);
  bias_.assign(static_cast<size_t>(filter_stride_), 0.0f);
  for (int64_t t = 0; t < taps; ++t)
    std::copy(filter + t * oc, filter + (t + 1) * oc, packed_.begin() + t * filter_stride_);
  if (dp.has_bias) std::copy(bias, bias + oc, bias_.begin());
  slots_ = std::max(1, max_threads);
  slot_floats_ = copied_ ? (image_h_ * image_w_ * oc + 15) / 16 * 16 : 0;
  scratch_.assign(static_cast<size_t>(slots_ * slot_floats_), 0.0f);
}

void DepthwiseConv2DFloatOptimized::copy_rows(const float* img, float* image, int64_t y0, int64_t y1) const {
  const DepthwiseConv2DParams& dp = p_;
  const int64_t c = dp.in_c, m = dp.depth_multiplier, oc = dp.out_c;
  for (int64_t y = y0; y < y1; ++y) {
    const float* src = img + y * dp.in_w * c;
    float* dst = image + ((y + dp.pad_top) * image_w_ + dp.pad_left) * oc;
    if (m == 1) {
      std::memcpy(dst, src, static_cast<size_t>(dp.in_w * c) * sizeof(float));
      continue;
    }
    for (int64_t i = 0; i < dp.in_w * c; ++i, dst += m) std::fill(dst, dst + m, src[i]);
  }
}

void DepthwiseConv2DFloatOptimized::run_rows(const float* input, float* output, float* image, int64_t begin,
                                             int64_t end) const {
  const DepthwiseConv2DParams& dp = p_;
  const float_depthwise::TileKernels& tiles = float_depthwise::tiles_for(path_);
  const int64_t oc = dp.out_c, in_image = int64_t{dp.in_h} * dp.in_w * dp.in_c;
  float_depthwise::TileArgs args;
  args.tap = taps_.data();
  args.taps = static_cast<int64_t>(taps_.size());
  args.pixel_stride = int64_t{dp.stride_w} * oc;
  args.filter_stride = filter_stride_;
  args.out_stride = oc;
  args.lo = dp.activation.min;
  args.hi = dp.activation.max;
  const int64_t n_tiles = (dp.out_w + float_depthwise::kMaxPixels - 1) / float_depthwise::kMaxPixels;
  for (int64_t u = begin; u < end;) {
    const int64_t b = u / dp.out_h, oy0 = u % dp.out_h;
    const int64_t oy1 = std::min<int64_t>(dp.out_h, oy0 + (end - u));
    const float* img = input + b * in_image;
    if (copied_) {
      // Input rows read by output rows [oy0, oy1), into the copy's interior.
      const int64_t y0 = std::max<int64_t>(0, oy0 * dp.stride_h - dp.pad_top);
      const int64_t y1 = std::min<int64_t>(
          dp.in_h, (oy1 - 1) * dp.stride_h + int64_t{dp.filter_h - 1} * dp.dilation_h - dp.pad_top + 1);
      copy_rows(img, image, y0, y1);
      img = image;
    }
    for (int64_t oy = oy0; oy < oy1; ++oy) {
      const float* in_row = img + oy * dp.stride_h * image_w_ * oc;
      float* out_row = output + ((b * dp.out_h + oy) * dp.out_w) * oc;
      for (int64_t t = 0; t < n_tiles; ++t) {
        const int64_t x0 = dp.out_w * t / n_tiles, x1 = dp.out_w * (t + 1) / n_tiles;
        const float_depthwise::TileFn fn = tiles.fn[x1 - x0 - 1];
        for (int64_t c = 0; c < oc; c += tiles.lanes)
          fn(args, in_row + x0 * args.pixel_stride + c, packed_.data() + c, bias_.data() + c,
             out_row + x0 * oc + c, static_cast<int>(std::min<int64_t>(oc - c, tiles.lanes)));
      }
    }
    u += oy1 - oy0;
  }
}

void DepthwiseConv2DFloatOptimized::eval(const float* input, float* output, ThreadPool* pool) {
  const DepthwiseConv2DParams& dp = p_;
  if (uses_reference()) {
    eval_depthwise_conv2d(dp, input, reference_filter_.data(), dp.has_bias ? reference_bias_.data() : nullptr,
                          output);
    return;
  }
  const int64_t units = int64_t{dp.batch} * dp.out_h;
  const int64_t row_macs = int64_t{dp.out_w} * dp.out_c * dp.filter_h * dp.filter_w;
  auto work = [&](int64_t slot, int64_t begin, int64_t end) {
    run_rows(input, output, scratch_.data() + slot * slot_floats_, begin, end);
  };
  int8_opt::run_parts(pool, int8_opt::parts_for(pool, slots_, units, row_macs), units, work);
}

}  // namespace lq::kernels
