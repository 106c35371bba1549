#pragma once
// A tiny, schema-free flatbuffers reader for the tests: finds fields by id (vtable
// offset 4 + 2*id) exactly as the flatbuffers format defines them, so checks written
// with it do not depend on our schema file or on flatc.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace lq::tflite::test {

class Peek {
 public:
  explicit Peek(const std::vector<uint8_t>& b) : b_(b) {}

  template <class T>
  T at(size_t pos) const {
    T v;
    std::memcpy(&v, b_.data() + pos, sizeof(T));  // little-endian host (x86-64)
    return v;
  }
  size_t root() const { return at<uint32_t>(0); }
  std::string identifier() const { return std::string(b_.begin() + 4, b_.begin() + 8); }

  // Absolute position of field `id` of the table at `table`, or 0 when absent.
  size_t field(size_t table, int id) const {
    const size_t vt = table - at<int32_t>(table);
    const uint16_t vt_size = at<uint16_t>(vt);
    const size_t slot = 4 + 2 * static_cast<size_t>(id);
    if (slot + 2 > vt_size) return 0;
    const uint16_t off = at<uint16_t>(vt + slot);
    return off ? table + off : 0;
  }
  template <class T>
  T scalar(size_t table, int id, T def) const {
    const size_t p = field(table, id);
    return p ? at<T>(p) : def;
  }
  // Target of an offset field (table, vector, string), or 0 when absent.
  size_t ref(size_t table, int id) const {
    const size_t p = field(table, id);
    return p ? p + at<uint32_t>(p) : 0;
  }
  uint32_t length(size_t vec) const { return at<uint32_t>(vec); }
  size_t element(size_t vec, size_t i, size_t width) const { return vec + 4 + i * width; }
  size_t table_in(size_t vec, size_t i) const {
    const size_t p = element(vec, i, 4);
    return p + at<uint32_t>(p);
  }
  std::string str(size_t table, int id) const {
    const size_t s = ref(table, id);
    return s ? std::string(b_.begin() + s + 4, b_.begin() + s + 4 + length(s)) : "";
  }

 private:
  const std::vector<uint8_t>& b_;
};

}  // namespace lq::tflite::test
