#pragma once
// Runtime CPU feature detection, read once (the answer never changes in a process).
namespace lq {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512dq = false;
  bool avx512vnni = false;
  bool avx512vbmi = false;  // byte permutes (vpermi2b): int8 table lookups
  // avx512f+bw+vl+dq: what litequant's *_avx512.cpp files are compiled for.
  bool avx512_core() const { return avx512f && avx512bw && avx512vl && avx512dq && avx2 && fma; }
  bool avx2_fma() const { return avx2 && fma && f16c; }
};

const CpuFeatures& cpu_features();

}  // namespace lq
