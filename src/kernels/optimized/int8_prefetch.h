#pragma once
// Software prefetch spread over a kernel's tiles (the direct CONV_2D pulls the next
// image's input and output toward L2 while it computes one: ImplicitConv in
// int8_gemm.h). Hints only: nothing is read or written as data.
#include <cstdint>

namespace lq::kernels::int8_opt {

// One prefetch range of ImplicitConv spread over the tiles of a call: `per_tile` lines
// before each tile (tiles counted low, so the range is done before the call ends).
struct PrefetchStream {
  const char* next = nullptr;
  const char* end = nullptr;
  int64_t per_tile = 0;
  PrefetchStream() = default;
  PrefetchStream(const void* p, int64_t bytes, int64_t tiles)
      : next(static_cast<const char*>(p)), end(next + bytes), per_tile(((bytes + 63) / 64 + tiles - 1) / tiles) {}
  template <int Write>
  void step() {
    for (int64_t i = 0; i < per_tile && next < end; ++i, next += 64) __builtin_prefetch(next, Write, 2);
  }
};
struct Prefetch {
  PrefetchStream in, out;
  void step() {
    in.step<0>();
    out.step<1>();
  }
};

}  // namespace lq::kernels::int8_opt
