// Optimized dynamic-range CONV_2D: per image, the input quantized (one s_b / zp_b for the
// whole image) straight into a u8 image (q + 128) inside a border of zp_b + 128; chunks
// of output pixels unrolled (im2col, row k order = the filter's (ky, kx, c)), one int8
// GEMM with int32 out (int8_gemm.h) gives sum w * q_padded, and the rescale subtracts
// zp_b * sum w (hybrid_rows.h). Threads take contiguous ranges of output pixels.
#include <algorithm>
#include <cstring>

#include "hybrid_rows.h"
#include "int8_gemm.h"
#include "int8_parallel.h"
#include "litequant/kernels/hybrid_optimized.h"

namespace lq::kernels {
namespace {

int64_t round_up64(int64_t x) { return (x + 63) / 64 * 64; }

// Quantizes image b of the input into the padded u8 image; returns its row quantization.
hybrid_opt::RowQuant quantize_image(const Conv2DHybridOptimized& p, bool avx512, const float* input,
                                    int64_t b, uint8_t* img) {
  const Conv2DHybridParams& cp = p.params;
  const int64_t c = cp.in_c, row = int64_t{cp.in_w} * c, image = int64_t{cp.in_h} * row;
  const float* x = input + b * image;
  const hybrid_opt::RowQuant rq = hybrid_opt::quantize_stats(avx512, cp.per_channel, x, image);
  const int64_t border = rq.all_zero ? 128 : rq.zero_point + 128;
  std::memset(img, static_cast<int>(border), static_cast<size_t>(p.padded_h * p.padded_w * c));
  for (int64_t y = 0; y < cp.in_h; ++y)
    hybrid_opt::quantize_u8(avx512, rq, cp.per_channel, x + y * row,  row,
                            img + ((y + cp.pad_top) * p.padded_w + cp.pad_left) * c);
  return rq;
}

// Output pixels [pixel0, pixel0 + rows) of one image as im2col rows (stride kp).
void im2col(const Conv2DHybridOptimized& p, const uint8_t* img, int64_t pixel0, int64_t rows,
            uint8_t* a, int64_t kp) {
  const Conv2DHybridParams& cp = p.params;
  const int64_t c = cp.in_c, pw = p.padded_w, row_taps = int64_t{cp.filter_w} * c;
  // A filter row's taps are contiguous when dilation_w is 1: one copy per filter row, a
  // plain byte loop when short (few input channels: a memcpy call per row costs more).
  const bool contiguous = cp.dilation_w == 1;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t oy = (pixel0 + r) / cp.out_w, ox = (pixel0 + r) % cp.out_w;
    uint8_t* dst = a + r * kp;
    for (int64_t ky = 0; ky < cp.filter_h; ++ky) {
      const uint8_t* src = img + ((oy * cp.stride_h + ky * cp.dilation_h) * pw + ox * cp.stride_w) * c;
      if (contiguous && row_taps <= 32) {
        for (int64_t j = 0; j < row_taps; ++j) dst[j] = src[j];
        dst += row_taps;
      } else if (contiguous) {
        std::memcpy(dst, src, static_cast<size_t>(row_taps));
        dst += row_taps;
      } else {
        for (int64_t kx = 0; kx < cp.filter_w; ++kx, dst += c)
          std::memcpy(dst, src + kx * cp.dilation_w * c, static_cast<size_t>(c));
      }
    }
  }
}

}  // namespace

Conv2DHybridOptimized prepare_conv2d_hybrid_optimized(const Conv2DHybridParams& params,
                                                      const int8_t* filter, const float* bias,
                                                      Int8Path path, int max_threads) {
  const std::string op = "CONV_2D";
  Conv2DHybridOptimized p;
  p.params = params;
  p.path = hybrid_opt::resolve_path(op, path);
  const float* b = params.has_bias ? bias : nullptr;
  const int64_t depth = int64_t{params.filter_h} * params.filter_w * params.in_c;
  const int64_t kp = (std::max<int64_t>(depth, 1) + 3) / 4 * 4;
  const auto extent = [](int64_t out, int64_t stride, int64_t size, int64_t dilation) {
    return (out - 1) * stride + (size - 1) * dilation + 1;
  };
  p.padded_h = std::max<int64_t>(int64_t{params.pad_top} + params.in_h,
                                 extent(params.out_h, params.stride_h, params.filter_h, params.dilation_h));
  p.padded_w = std::max<int64_t>(int64_t{params.pad_left} + params.in_w,
                                 extent(params.out_w, params.stride_w, params.filter_w, params.dilation_w));
  const int64_t pixels = int64_t{params.out_h} * params.out_w;
  p.chunk_rows = int8_opt::chunk_rows_for(static_cast<int32_t>(std::min<int64_t>(kp, 1 << 30)), pixels);
  // In double first: hostile extents can overflow int64.
  const double image = static_cast<double>(p.padded_h) * static_cast<double>(p.padded_w) * params.in_c;
  const double slot = image + 128.0 + static_cast<double>(p.chunk_rows) * (static_cast<double>(kp) + 4.0 * params.out_c);
  if (slot <= static_cast<double>(kMaxHybridSlotBytes) && pixels > 0) {
    p.image_bytes = round_up64(static_cast<int64_t>(image) + 64);
    p.cols_bytes = round_up64(p.chunk_rows * kp);
    p.slot_bytes = p.image_bytes + p.cols_bytes + p.chunk_rows * params.out_c * 4 + 64;
    p.gemm = int8_opt::pack_gemm_raw(p.path, filter, params.out_c, static_cast<int32_t>(depth));
  }
  if (!p.gemm) {
    p.reference_filter.assign(filter, filter + depth * params.out_c);
    if (b) p.reference_bias.assign(b, b + params.out_c);
    p.reference_scratch = hybrid_opt::reference_scratch(op, params.batch, int64_t{params.in_h} * params.in_w * params.in_c);
    return p;
  }
  p.channels = hybrid_opt::make_channel_constants(filter, params.out_c, depth, params.weight_scales, b);
  p.slots = std::max(1, max_threads);
  p.scratch.assign(static_cast<size_t>(p.slots * p.slot_bytes), 0);
  return p;
}

void eval_conv2d_hybrid_optimized(Conv2DHybridOptimized& p, const float* input, float* output,
                                  ThreadPool* pool) {
  const Conv2DHybridParams& cp = p.params;
  if (p.uses_reference()) {
    eval_conv2d_hybrid(cp, input, p.reference_filter.data(), cp.has_bias ? p.reference_bias.data() : nullptr,
                       output, p.reference_scratch);
    return;
  }
  const int8_opt::PackedGemm& g = *p.gemm;
  const int64_t kp = g.kp, oc = cp.out_c, pixels = int64_t{cp.out_h} * cp.out_w;
  const bool avx512 = hybrid_opt::uses_avx512(p.path);
  hybrid_opt::Rescale rs;
  rs.order = hybrid_opt::Order::kConv;
  rs.weight_scale = p.channels.weight_scale.data();
  rs.bias = cp.has_bias ? p.channels.bias.data() : nullptr;
  rs.row_sum = cp.per_channel ? p.channels.row_sum.data() : nullptr;
  rs.act_lo = cp.activation.min;
  rs.act_hi = cp.activation.max;
  auto work = [&](int64_t slot, int64_t begin, int64_t end) {
    uint8_t* img = p.scratch.data() + slot * p.slot_bytes;
    img += (64 - reinterpret_cast<uintptr_t>(img) % 64) % 64;
    uint8_t* a = img + p.image_bytes;
    auto* dots = reinterpret_cast<int32_t*>(a + p.cols_bytes);
    for (int64_t unit = begin; unit < end;) {
      const int64_t b = unit / pixels, image_end = std::min(end, (b + 1) * pixels);
      const hybrid_opt::RowQuant rq = quantize_image(p, avx512, input, b, img);
      const int32_t zp = rq.all_zero ? 0 : rq.zero_point;
      for (int64_t rows = 0; unit < image_end; unit += rows) {
        rows = std::min(p.chunk_rows, image_end - unit);
        im2col(p, img, unit - b * pixels, rows, a, kp);
        int8_opt::gemm_int32(g, a, kp, rows, dots, oc);
        hybrid_opt::rescale(avx512, rs, dots, rows, oc, rq.scale, zp, output + unit * oc);
      }
    }
  };
  const int64_t units = int64_t{cp.batch} * pixels;
  int8_opt::run_parts(pool, int8_opt::parts_for(pool, p.slots, units, kp * oc), units, work);
}

}  // namespace lq::kernels
