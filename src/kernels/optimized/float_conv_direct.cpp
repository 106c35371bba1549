// Direct float32 CONV_2D on a filter packed at prepare (Conv2DFloatDirect,
// float_optimized.h; the register tiles are in float_conv_tile.h). Threads take
// contiguous ranges of output rows (of all images), each slot with its own zero-bordered
// image copy into which a range copies only the input rows its output rows read
// (int8_parallel.h splits the work). Each output row is cut into ceil(out_w / MR) tiles
// of near-equal width, so no pixel is computed twice.
#include <algorithm>
#include <cstring>
#include <string>

#include "float_conv_tile.h"
#include "float_vec.h"
#include "int8_parallel.h"
#include "litequant/core/cpu.h"
#include "litequant/core/error.h"
#include "litequant/kernels/float_optimized.h"
#include "padded_image.h"

namespace lq::kernels {
namespace float_conv {
namespace {

const TileKernels& tiles_for(FloatPath path) {
  switch (path) {
    case FloatPath::kAvx512: return tile_kernels_avx512();
    case FloatPath::kAvx2: return tile_kernels_avx2();
    default: return tile_kernels_portable();
  }
}

constexpr double kMaxPaddedFloats = double(1 << 26);  // per thread slot (padded_image.h)

}  // namespace

const TileKernels& tile_kernels_portable() {
  static const TileKernels t = make_tile_kernels<float_vec::Portable, 4, 2>();
  return t;
}

}  // namespace float_conv

bool float_path_available(FloatPath path) {
  switch (path) {
    case FloatPath::kAvx512: return cpu_features().avx512_core();
    case FloatPath::kAvx2: return cpu_features().avx2_fma();
    default: return true;
  }
}

FloatPath resolve_float_path(FloatPath path) {
  if (path != FloatPath::kAuto) return path;
  if (float_path_available(FloatPath::kAvx512)) return FloatPath::kAvx512;
  if (float_path_available(FloatPath::kAvx2)) return FloatPath::kAvx2;
  return FloatPath::kPortable;
}

const char* float_path_name(FloatPath path) {
  switch (path) {
    case FloatPath::kAuto: return "auto";
    case FloatPath::kPortable: return "portable";
    case FloatPath::kAvx2: return "avx2";
    case FloatPath::kAvx512: return "avx512";
  }
  return "?";
}

Conv2DFloatDirect::Conv2DFloatDirect(const Conv2DParams& params, const float* filter, const float* bias,
                                     FloatPath path, int max_threads)
    : p_(params), path_(resolve_float_path(path)) {
  if (!float_path_available(path_))
    throw Error(std::string("CONV_2D: float kernel path ") + float_path_name(path_) + " is not available on this CPU");
  const Conv2DParams& cp = p_;
  const int64_t c = cp.in_c, k = int64_t{cp.filter_h} * cp.filter_w * c, oc = cp.out_c;
  const int64_t ph = opt::padded_extent(cp.in_h, cp.pad_top, cp.out_h, cp.stride_h, cp.filter_h, cp.dilation_h);
  const int64_t pw = opt::padded_extent(cp.in_w, cp.pad_left, cp.out_w, cp.stride_w, cp.filter_w, cp.dilation_w);
  padded_ = cp.pad_top > 0 || cp.pad_left > 0 || ph > cp.in_h || pw > cp.in_w;
  const double padded_floats = double(ph) * double(pw) * double(c);
  if (padded_ && !opt::image_copy_fits(padded_floats, double(cp.in_h) * cp.in_w * c, float_conv::kMaxPaddedFloats)) {
    // A window far outside the image (hostile dilation or stride with SAME padding).
    reference_filter_.assign(filter, filter + k * oc);
    if (cp.has_bias) reference_bias_.assign(bias, bias + oc);
    return;
  }
  padded_h_ = padded_ ? ph : cp.in_h;
  padded_w_ = padded_ ? pw : cp.in_w;
  const int64_t row = padded_w_ * c;
  if (cp.dilation_w == 1) {
    segment_len_ = int64_t{cp.filter_w} * c;
    for (int64_t ky = 0; ky < cp.filter_h; ++ky) segments_.push_back(ky * cp.dilation_h * row);
  } else {
    segment_len_ = c;
    for (int64_t ky = 0; ky < cp.filter_h; ++ky)
      for (int64_t kx = 0; kx < cp.filter_w; ++kx) segments_.push_back(ky * cp.dilation_h * row + kx * cp.dilation_w * c);
  }
  // Groups of up to max_blocks 16-channel blocks, packed [k][blocks * 16].
  const int max_blocks = float_conv::tiles_for(path_).max_blocks;
  int64_t packed_size = 0, bias_size = 0;
  for (int32_t first = 0; first < oc;) {
    Group g;
    g.first = first;
    g.count = static_cast<int32_t>(std::min<int64_t>(oc - first, int64_t{16} * max_blocks));
    g.blocks = (g.count + 15) / 16;
    g.weights = packed_size;
    g.bias = bias_size;
    packed_size += k * g.blocks * 16;
    bias_size += g.blocks * 16;
    groups_.push_back(g);
    first += g.count;
  }
  packed_.assign(static_cast<size_t>(packed_size), 0.0f);
  bias_.assign(static_cast<size_t>(bias_size), 0.0f);
  for (const Group& g : groups_) {
    const int64_t width = int64_t{g.blocks} * 16;
    for (int64_t o = 0; o < g.count; ++o) {
      const float* src = filter + (g.first + o) * k;
      float* dst = packed_.data() + g.weights + o;
      for (int64_t i = 0; i < k; ++i) dst[i * width] = src[i];
      if (cp.has_bias) bias_[static_cast<size_t>(g.bias + o)] = bias[g.first + o];
    }
  }
  slots_ = std::max(1, max_threads);
  slot_floats_ = padded_ ? (padded_h_ * padded_w_ * c + 15) / 16 * 16 : 0;
  scratch_.assign(static_cast<size_t>(slots_ * slot_floats_), 0.0f);
}

void Conv2DFloatDirect::run_rows(const float* input, float* output, float* image, int64_t begin,
                                 int64_t end) const {
  const Conv2DParams& cp = p_;
  const float_conv::TileKernels& tiles = float_conv::tiles_for(path_);
  const int64_t c = cp.in_c, in_image = int64_t{cp.in_h} * cp.in_w * c;
  float_conv::TileArgs args;
  args.segment = segments_.data();
  args.segments = static_cast<int64_t>(segments_.size());
  args.segment_len = segment_len_;
  args.pixel_stride = int64_t{cp.stride_w} * c;
  args.out_stride = cp.out_c;
  args.lo = cp.activation.min;
  args.hi = cp.activation.max;
  for (int64_t u = begin; u < end;) {
    const int64_t b = u / cp.out_h, oy0 = u % cp.out_h;
    const int64_t oy1 = std::min<int64_t>(cp.out_h, oy0 + (end - u));
    const float* img = input + b * in_image;
    if (padded_) {
      // Input rows read by output rows [oy0, oy1), into the copy's interior.
      const int64_t y0 = std::max<int64_t>(0, oy0 * cp.stride_h - cp.pad_top);
      const int64_t y1 = std::min<int64_t>(
          cp.in_h, (oy1 - 1) * cp.stride_h + int64_t{cp.filter_h - 1} * cp.dilation_h - cp.pad_top + 1);
      for (int64_t y = y0; y < y1; ++y)
        std::memcpy(image + ((y + cp.pad_top) * padded_w_ + cp.pad_left) * c, img + y * cp.in_w * c,
                    static_cast<size_t>(cp.in_w * c) * sizeof(float));
      img = image;
    }
    for (int64_t oy = oy0; oy < oy1; ++oy) {
      const float* in_row = img + oy * cp.stride_h * padded_w_ * c;
      float* out_row = output + ((b * cp.out_h + oy) * cp.out_w) * cp.out_c;
      for (const Group& g : groups_) {
        const int max_pixels = tiles.max_pixels[g.blocks - 1];
        const int64_t n_tiles = (cp.out_w + max_pixels - 1) / max_pixels;
        for (int64_t t = 0; t < n_tiles; ++t) {
          const int64_t x0 = cp.out_w * t / n_tiles, x1 = cp.out_w * (t + 1) / n_tiles;
          tiles.fn[g.blocks - 1][x1 - x0 - 1](args, in_row + x0 * args.pixel_stride, packed_.data() + g.weights,
                                              bias_.data() + g.bias, out_row + x0 * cp.out_c + g.first, g.count);
        }
      }
    }
    u += oy1 - oy0;
  }
}

void Conv2DFloatDirect::eval(const float* input, float* output, ThreadPool* pool) {
  const Conv2DParams& cp = p_;
  if (uses_reference()) {
    eval_conv2d(cp, input, reference_filter_.data(), cp.has_bias ? reference_bias_.data() : nullptr, output);
    return;
  }
  const int64_t units = int64_t{cp.batch} * cp.out_h;
  const int64_t row_macs = int64_t{cp.out_w} * cp.out_c * cp.filter_h * cp.filter_w * cp.in_c;
  auto work = [&](int64_t slot, int64_t begin, int64_t end) {
    run_rows(input, output, scratch_.data() + slot * slot_floats_, begin, end);
  };
  int8_opt::run_parts(pool, int8_opt::parts_for(pool, slots_, units, row_macs), units, work);
}

}  // namespace lq::kernels
