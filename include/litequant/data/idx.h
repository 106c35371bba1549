#pragma once
// IDX files (the MNIST format): big-endian header {0, 0, type, rank}, rank big-endian
// uint32 dimensions, then the data. Read raw or gzip-compressed (detected by content,
// not by file name). Every size is checked against the file before use.
#include <cstdint>
#include <string>
#include <vector>

#include "litequant/core/tensor.h"

namespace lq::data {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> values;  // only unsigned-byte IDX (type 0x08) is supported
};

// Throws lq::Error whose message starts with `path` on: missing/unreadable file, corrupt
// gzip, wrong magic, unsupported element type, rank outside 1..4, a zero dimension, more
// than 2^31 elements, truncated header or data, trailing bytes after the data.
IdxArray read_idx(const std::string& path);

// Writes an unsigned-byte IDX file (raw, or gzip when `gzip` is true). For tests and tools.
// Atomic: writes `path + ".tmp.<pid>"`, then renames it over `path`.
void write_idx(const std::string& path, const IdxArray& array, bool gzip);

}  // namespace lq::data
