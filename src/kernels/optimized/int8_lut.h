#pragma once
// Internals of the 256-byte table kernels (int8_lut.cpp, int8_lut_avx512.cpp).
#include <array>
#include <cstdint>

namespace lq::kernels::lut {

// False when the file was built without AVX-512 support.
bool vbmi_compiled();
// out[i] = table[in[i]], 64 bytes per step (needs AVX512_VBMI + AVX-512 BW).
void apply_vbmi(const std::array<uint8_t, 256>& table, int64_t n, const uint8_t* input, uint8_t* output);

}  // namespace lq::kernels::lut
