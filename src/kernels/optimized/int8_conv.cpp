// Optimized int8 CONV_2D, one image at a time: the image is converted to u8 (x + 128)
// inside a border of zp_in + 128 (x - zp_in = 0: the reference's skipped taps). Then
//  * direct (AVX-512 VNNI path, dilation_w 1): the micro-kernel reads each output pixel's
//    window from the padded image in place (int8_gemm.h, ImplicitConv), no im2col; the
//    filter is repacked with each filter row's KW*C taps padded to a multiple of 4; with
//    fewer than 16 output channels (and VBMI) the same weights run pixel-packed
//    (SmallConv, int8_conv_small_avx512.cpp: every vector lane used);
//  * otherwise chunks of output pixels are unrolled (im2col) into u8 rows and multiplied
//    by the packed GEMM; row k order is the filter's (ky, kx, c), so the filter
//    [O, KH, KW, C] is the GEMM's W[O, K] as is.
// Both requantize in the same pass (int8_gemm.h). Threads take contiguous ranges of
// output rows (of all images; with a batch, chunks of whole images handed out as threads
// finish: run_chunks), each slot with its own padded image and im2col buffer; a range
// converts only the input rows its output rows read (int8_parallel.h). The direct path
// prefetches the range's next image (input and output) while it computes one.
//
// Copies move whole 16-byte blocks and may run up to 15 bytes past their end: reads stay
// inside the padded image's slack, writes land in bytes that are written again later
// (the next tap or row) or in the row's padding columns [K, kp), whose weights are 0,
// or in the slack after the last row.
#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "int8_gemm.h"
#include "padded_image.h"
#include "int8_parallel.h"
#include "litequant/core/cpu.h"
#include "litequant/core/error.h"
#include "litequant/kernels/int8_optimized.h"

namespace lq::kernels {
namespace {

constexpr int64_t kSlack = 64;
constexpr double kMaxPaddedBytes = double(1 << 28);  // per thread slot (padded_image.h)

inline void copy_blocks(uint8_t* dst, const uint8_t* src, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) std::memcpy(dst + i, src + i, 16);
}

int64_t round_up64(int64_t x) { return (x + 63) / 64 * 64; }

// Rows [y0, y1) of image b into the interior of the padded image (the border never
// changes).
void convert_rows(const Conv2DInt8Optimized& p, const int8_t* input, int64_t b, int64_t y0,
                  int64_t y1, uint8_t* img) {
  const Conv2DParams& cp = p.params;
  const int64_t c = cp.in_c, row = int64_t{cp.in_w} * c;
  for (int64_t y = y0; y < y1; ++y)
    int8_opt::to_u8(input + (b * cp.in_h + y) * row,
          img + ((y + cp.pad_top) * int64_t{p.padded_w} + cp.pad_left) * c, row);
}

// Rows [pixel0, pixel0 + rows) of one image's im2col matrix into a (row stride kp).
void im2col(const Conv2DInt8Optimized& p, const uint8_t* img, int64_t pixel0, int64_t rows,
            uint8_t* a, int64_t kp) {
  const Conv2DParams& cp = p.params;
  const int64_t c = cp.in_c, kw = cp.filter_w, row_taps = kw * c;
  const int64_t pw = p.padded_w;
  const int64_t y_step = cp.dilation_h * pw * c, x_step = int64_t{cp.dilation_w} * c;
  int64_t ox = pixel0 % cp.out_w, oy = pixel0 / cp.out_w;
  if (row_taps <= 16 && cp.dilation_w == 1) {
    // Few taps per filter row (e.g. 1 input channel): one 16-byte copy per filter row,
    // pixels of one output row at a time.
    const int64_t kh = cp.filter_h, x_stride = int64_t{cp.stride_w} * c;
    for (int64_t r = 0; r < rows;) {
      const int64_t run = std::min(rows - r, cp.out_w - ox);
      uint8_t* dst = a + r * kp;
      const uint8_t* src = img + (oy * cp.stride_h * pw + ox * cp.stride_w) * c;
      for (int64_t i = 0; i < run; ++i, dst += kp, src += x_stride) {
        const uint8_t* s = src;
        uint8_t* d = dst;
        for (int64_t ky = 0; ky < kh; ++ky, s += y_step, d += row_taps) std::memcpy(d, s, 16);
      }
      r += run;
      ox = 0;
      ++oy;
    }
    return;
  }
  for (int64_t r = 0; r < rows; ++r) {
    uint8_t* dst = a + r * kp;
    const uint8_t* src = img + (oy * cp.stride_h * pw + ox * cp.stride_w) * c;
    for (int64_t ky = 0; ky < cp.filter_h; ++ky, src += y_step, dst += row_taps) {
      if (cp.dilation_w == 1) {
        copy_blocks(dst, src, row_taps);
      } else {
        for (int64_t kx = 0; kx < kw; ++kx) copy_blocks(dst + kx * c, src + kx * x_step, c);
      }
    }
    if (++ox == cp.out_w) {
      ox = 0;
      ++oy;
    }
  }
}

}  // namespace

Conv2DInt8Optimized prepare_conv2d_int8_optimized(const Conv2DInt8Params& params,
                                                  const int8_t* filter, const int32_t* bias,
                                                  Int8Path path, int max_threads) {
  const Int8Path resolved = resolve_int8_path(path);
  if (!int8_path_available(resolved))
    throw Error(std::string("CONV_2D: int8 kernel path ") + int8_path_name(resolved) +
                " is not available on this CPU");
  Conv2DInt8Optimized p;
  p.params = params;
  p.path = resolved;
  const int32_t* b = params.has_bias ? bias : nullptr;
  const int64_t depth = int64_t{params.filter_h} * params.filter_w * params.in_c;
  const int64_t row_taps = int64_t{params.filter_w} * params.in_c;
  const int64_t row_bytes = (row_taps + 3) / 4 * 4;
  p.direct = resolved == Int8Path::kAvx512Vnni && params.dilation_w == 1;
  if (p.direct && depth <= std::numeric_limits<int32_t>::max() / 4) {
    // Filter rows padded to row_bytes with zero weights (int8_gemm.h, ImplicitConv).
    const int64_t kd = params.filter_h * row_bytes;
    std::vector<int8_t> w(static_cast<size_t>(kd * params.out_c), 0);
    for (int64_t o = 0; o < params.out_c; ++o)
      for (int64_t ky = 0; ky < params.filter_h; ++ky)
        std::memcpy(w.data() + o * kd + ky * row_bytes, filter + o * depth + ky * row_taps,
                    static_cast<size_t>(row_taps));
    p.gemm = int8_opt::pack_gemm(resolved, params.requant, w.data(), params.out_c,
                                 static_cast<int32_t>(kd), b);
    if (p.gemm && cpu_features().avx512vbmi)
      p.small = int8_opt::pack_small_conv(*p.gemm, w.data(), params.filter_h, static_cast<int32_t>(row_bytes),
                                          int64_t{params.stride_w} * params.in_c);
  } else if (depth <= std::numeric_limits<int32_t>::max() / 2) {
    p.direct = false;
    p.gemm = int8_opt::pack_gemm(resolved, params.requant, filter, params.out_c,
                                 static_cast<int32_t>(depth), b);
  }
  // The reference kernel instead (the optimized path cannot or should not run this op).
  const auto keep_reference = [&] {
    p.gemm.reset();
    p.small.reset();
    p.direct = false;
    p.reference_filter.assign(filter, filter + static_cast<size_t>(depth * params.out_c));
    if (b) p.reference_bias.assign(b, b + params.out_c);
    return p;
  };
  if (!p.gemm) return keep_reference();
  // Padded extent: every window of every output pixel lies inside.
  const int64_t ph = opt::padded_extent(params.in_h, params.pad_top, params.out_h, params.stride_h,
                                         params.filter_h, params.dilation_h);
  const int64_t pw = opt::padded_extent(params.in_w, params.pad_left, params.out_w, params.stride_w,
                                         params.filter_w, params.dilation_w);
  // A window far outside the image (huge dilation or stride with SAME padding, e.g. in a
  // hostile file): the padded copy would dwarf the input; the reference skips such taps.
  // (In double: the product of two hostile extents overflows int64.)
  const double padded = static_cast<double>(ph) * static_cast<double>(pw) * params.in_c;
  const double input = static_cast<double>(params.in_h) * params.in_w * params.in_c;
  if (!opt::image_copy_fits(padded, input, kMaxPaddedBytes)) return keep_reference();
  p.padded_h = static_cast<int32_t>(ph);
  p.padded_w = static_cast<int32_t>(pw);
  const int64_t pixels = int64_t{params.out_h} * params.out_w;
  p.chunk_rows = p.direct ? pixels : int8_opt::chunk_rows_for(p.gemm->kp, pixels);
  // Relative to the slot's start (not the aligned start), so copies keep the border.
  p.image_offset = p.direct ? 64 : 64 + round_up64(p.chunk_rows * p.gemm->kp + kSlack);
  const int64_t image_bytes = int64_t{p.padded_h} * p.padded_w * params.in_c;
  p.slots = std::max(1, max_threads);
  p.slot_bytes = round_up64(p.image_offset + image_bytes + kSlack);
  p.scratch.assign(static_cast<size_t>(p.slots * p.slot_bytes), 0);
  const uint8_t pad = static_cast<uint8_t>(128 - params.requant.input_offset);  // zp_in + 128
  for (int64_t s = 0; s < p.slots; ++s)
    std::memset(p.scratch.data() + s * p.slot_bytes + p.image_offset, pad, static_cast<size_t>(image_bytes));
  return p;
}

void eval_conv2d_int8_optimized(Conv2DInt8Optimized& p, const int8_t* input, int8_t* output,
                                ThreadPool* pool) {
  const Conv2DInt8Params& cp = p.params;
  if (p.uses_reference()) {
    eval_conv2d_int8(cp, input, p.reference_filter.data(),
                     cp.has_bias ? p.reference_bias.data() : nullptr, output);
    return;
  }
  const int8_opt::PackedGemm& g = *p.gemm;
  const int64_t pixels = int64_t{cp.out_h} * cp.out_w;
  const int64_t units = int64_t{cp.batch} * cp.out_h;  // output rows of all images
  const int64_t row_macs = int64_t{cp.out_w} * cp.out_c * g.k;
  const int64_t image_bytes = int64_t{cp.in_h} * cp.in_w * cp.in_c;
  int8_opt::ImplicitConv ic;
  if (p.direct) {
    const int64_t row = int64_t{p.padded_w} * cp.in_c;
    ic.out_w = cp.out_w;
    ic.row_step = cp.stride_h * row;
    ic.col_step = int64_t{cp.stride_w} * cp.in_c;
    ic.tap_row_step = cp.dilation_h * row;
    ic.kh = cp.filter_h;
    ic.row_bytes = static_cast<int32_t>((int64_t{cp.filter_w} * cp.in_c + 3) / 4 * 4);
  }
  auto work = [&](int64_t slot, int64_t begin, int64_t end) {
    uint8_t* base = p.scratch.data() + slot * p.slot_bytes;
    uint8_t* a = base + (64 - reinterpret_cast<uintptr_t>(base) % 64) % 64;
    uint8_t* img = base + p.image_offset;
    for (int64_t u = begin; u < end;) {
      const int64_t b = u / cp.out_h, oy0 = u % cp.out_h;
      const int64_t oy1 = std::min<int64_t>(cp.out_h, oy0 + (end - u));
      // Input rows read by output rows [oy0, oy1).
      const int64_t y0 = std::max<int64_t>(0, oy0 * cp.stride_h - cp.pad_top);
      const int64_t y1 = std::min<int64_t>(
          cp.in_h, (oy1 - 1) * cp.stride_h + int64_t{cp.filter_h - 1} * cp.dilation_h - cp.pad_top + 1);
      if (y0 < y1) convert_rows(p, input, b, y0, y1, img);
      int8_t* out = output + b * pixels * cp.out_c;
      const int64_t end_pixel = oy1 * cp.out_w;
      if (p.small) {
        int8_opt::conv_small_avx512(g, *p.small, ic, img, oy0, oy1, out);
        u += oy1 - oy0;
        continue;
      }
      if (p.direct) {
        const int64_t p0 = oy0 * cp.out_w;
        int8_opt::ImplicitConv step = ic;
        if (oy1 == cp.out_h && u + (oy1 - oy0) < end) {  // this part's next image follows
          step.prefetch_in = input + (b + 1) * image_bytes;
          step.prefetch_in_bytes = image_bytes;
          step.prefetch_out = output + (b + 1) * pixels * cp.out_c;
          step.prefetch_out_bytes = pixels * cp.out_c;
        }
        int8_opt::conv_avx512_vnni(g, step, img, p0, end_pixel - p0, out + p0 * cp.out_c, cp.out_c);
        u += oy1 - oy0;
        continue;
      }
      for (int64_t p0 = oy0 * cp.out_w; p0 < end_pixel; p0 += p.chunk_rows) {
        const int64_t rows = std::min(p.chunk_rows, end_pixel - p0);
        im2col(p, img, p0, rows, a, g.kp);
        int8_opt::gemm(g, a, g.kp, rows, out + p0 * cp.out_c, cp.out_c);
      }
      u += oy1 - oy0;
    }
  };
  const int64_t parts = int8_opt::parts_for(pool, p.slots, units, row_macs);
  int64_t grain = (units + parts - 1) / parts;  // one range per part
  if (cp.batch >= 2 * parts)  // whole images, about kChunksPerPart chunks per part
    grain = std::max<int64_t>(1, cp.batch / (parts * int8_opt::kChunksPerPart)) * cp.out_h;
  int8_opt::run_chunks(pool, parts, units, grain, work);
}

}  // namespace lq::kernels
