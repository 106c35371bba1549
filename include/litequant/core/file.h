#pragma once
// Whole-file I/O with clear errors. Writes are atomic: data goes to a temporary file in
// the same directory, which is renamed over the target only when complete, so a crash
// or a full disk never leaves a half-written file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lq {

// Throws lq::Error("<path>: ...") when missing, unreadable or larger than max_bytes.
std::vector<uint8_t> read_file(const std::string& path, uint64_t max_bytes = uint64_t{1} << 32);

void write_file_atomic(const std::string& path, const void* data, size_t size);

}  // namespace lq
