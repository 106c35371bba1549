#pragma once
// This CPU's measured single-thread multiply-add peak (litequant bench): a short
// microbenchmark of independent chains of the instruction the optimized kernels are
// built on.
#include <string>

namespace lq::cli {

struct PeakRate {
  double gmac_per_s = 0;  // 0: no SIMD instruction to measure on this CPU
  std::string instruction;  // "avx512 vpdpbusd", "avx2 vpmaddwd", "avx512 vfmadd231ps", ...
};

// int8: AVX-512 VNNI vpdpbusd (64 u8 x s8 multiply-adds per instruction), else AVX2
// vpmaddwd (16 int16 multiply-adds). Takes about 0.1 s.
PeakRate measure_int8_peak();
// float32: AVX-512 vfmadd231ps (16 FMAs), else AVX2 FMA (8). Takes about 0.1 s.
PeakRate measure_float_peak();

}  // namespace lq::cli
