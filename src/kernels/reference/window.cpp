#include "checks.h"
#include "litequant/kernels/float_reference.h"

namespace lq::kernels::detail {

void make_window(const std::string& op, const Dims& input, const WindowSpec& spec,
                 int32_t out_c, Window2D& w) {
  require_rank(op, "input", input, 4);
  flat_size(input, op + " input");
  const PaddedSize h = compute_padded_size(spec.padding, input[1], spec.filter_h, spec.stride_h,
                                           spec.dilation_h, op + " height");
  const PaddedSize x = compute_padded_size(spec.padding, input[2], spec.filter_w, spec.stride_w,
                                           spec.dilation_w, op + " width");
  w.batch = input[0];
  w.in_h = input[1];
  w.in_w = input[2];
  w.in_c = input[3];
  w.out_h = h.out;
  w.out_w = x.out;
  w.out_c = out_c;
  w.filter_h = spec.filter_h;
  w.filter_w = spec.filter_w;
  w.stride_h = spec.stride_h;
  w.stride_w = spec.stride_w;
  w.dilation_h = spec.dilation_h;
  w.dilation_w = spec.dilation_w;
  w.pad_top = h.pad_before;
  w.pad_bottom = h.pad_after;
  w.pad_left = x.pad_before;
  w.pad_right = x.pad_after;
  w.activation = activation_range(spec.activation, op);
  w.output_dims = {w.batch, w.out_h, w.out_w, w.out_c};
  flat_size(w.output_dims, op + " output");
}

}  // namespace lq::kernels::detail
