#include "litequant/data/idx.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "litequant/core/error.h"
#include "litequant/core/file.h"

namespace lq::data {
namespace {

constexpr uint8_t kTypeUnsignedByte = 0x08;
constexpr uint64_t kMaxElements = uint64_t{1} << 31;
// Deflate cannot expand data by more than about 1032:1; bounds what a gzip file can hold.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr size_t kInputChunk = size_t{1} << 20;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error(path + ": " + what);
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

std::string type_name(uint8_t type) {
  switch (type) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "int16";
    case 0x0C:
      return "int32";
    case 0x0D:
      return "float32";
    case 0x0E:
      return "float64";
    default:
      return "unknown";
  }
}

std::string hex(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

// The data bytes of a raw or gzip file (detected by its first two bytes). read() returns
// fewer bytes than asked only at the end of the data; I/O and gzip errors throw.
class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {
    errno = 0;
    file_.reset(std::fopen(path.c_str(), "rb"));
    if (!file_) fail(path, std::string("cannot open: ") + std::strerror(errno));
    std::error_code ec;
    file_size_ = std::filesystem::file_size(path, ec);
    if (ec) fail(path, "cannot read: " + ec.message());
    uint8_t head[2] = {0, 0};
    size_t n = read_file(head, 2);
    gzip_ = n == 2 && head[0] == 0x1f && head[1] == 0x8b;
    if (std::fseek(file_.get(), 0, SEEK_SET) != 0)
      fail(path, std::string("cannot seek: ") + std::strerror(errno));
    if (gzip_) {
      if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) fail(path, "cannot initialise zlib");
      zs_ready_ = true;
      in_.resize(kInputChunk);
    }
  }
  ~Reader() {
    if (zs_ready_) inflateEnd(&zs_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool gzip() const { return gzip_; }
  // Raw files: exactly how many bytes are left. Gzip: an upper bound.
  uint64_t max_remaining() const {
    if (!gzip_) return file_size_ > consumed_ ? file_size_ - consumed_ : 0;
    return file_size_ > UINT64_MAX / kMaxDeflateRatio ? UINT64_MAX : file_size_ * kMaxDeflateRatio;
  }

  size_t read(uint8_t* dst, size_t n) {
    size_t got = gzip_ ? inflate_into(dst, n) : read_file(dst, n);
    consumed_ += got;
    return got;
  }

 private:
  size_t read_file(uint8_t* dst, size_t n) {
    size_t got = std::fread(dst, 1, n, file_.get());
    if (got < n && std::ferror(file_.get()))
      fail(path_, std::string("read error: ") + std::strerror(errno));
    return got;
  }

  size_t inflate_into(uint8_t* dst, size_t n) {
    size_t done = 0;
    while (done < n && !finished_) {
      if (zs_.avail_in == 0) {
        zs_.next_in = in_.data();
        zs_.avail_in = static_cast<uInt>(read_file(in_.data(), in_.size()));
      }
      if (zs_.avail_in == 0) {
        if (in_member_)
          fail(path_, "corrupt gzip data: compressed stream ends early (file truncated?)");
        finished_ = true;
        break;
      }
      size_t want = std::min<size_t>(n - done, UINT_MAX);
      zs_.next_out = dst + done;
      zs_.avail_out = static_cast<uInt>(want);
      int rc = inflate(&zs_, Z_NO_FLUSH);
      done += want - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        // Another gzip member may follow (as with `cat a.gz b.gz`).
        in_member_ = false;
        ++members_;
        inflateReset(&zs_);
      } else if (rc == Z_OK || rc == Z_BUF_ERROR) {
        in_member_ = true;
      } else {
        std::string msg = zs_.msg ? zs_.msg : "zlib error " + std::to_string(rc);
        if (members_ > 0 && !in_member_)
          fail(path_, "unexpected bytes after the gzip stream (" + msg + ")");
        fail(path_, "corrupt gzip data: " + msg);
      }
    }
    return done;
  }

  std::string path_;
  FilePtr file_;
  uint64_t file_size_ = 0;
  uint64_t consumed_ = 0;
  bool gzip_ = false;
  z_stream zs_{};
  bool zs_ready_ = false;
  bool in_member_ = false;  // inside a gzip member: running out of input is an error
  bool finished_ = false;
  int members_ = 0;
  std::vector<uint8_t> in_;
};

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

std::string dims_string(const std::vector<int64_t>& dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? " x " : "") + std::to_string(dims[i]);
  return s;
}

// Reads and validates magic and dimensions; returns the element count.
uint64_t read_header(Reader& in, const std::string& path, std::vector<int64_t>& dims) {
  uint8_t magic[4];
  size_t got = in.read(magic, 4);
  if (got < 4)
    fail(path, "truncated header: expected 4 bytes of magic number, found " + std::to_string(got));
  if (magic[0] != 0 || magic[1] != 0)
    fail(path, "not an IDX file: bad magic " + hex(magic[0]) + " " + hex(magic[1]) +
                   " (expected 0x00 0x00)");
  if (magic[2] != kTypeUnsignedByte)
    fail(path, "unsupported element type " + hex(magic[2]) + " (" + type_name(magic[2]) +
                   "); only unsigned byte (0x08) is supported");
  int rank = magic[3];
  if (rank < 1 || rank > 4)
    fail(path, "unsupported rank " + std::to_string(rank) + " (expected 1 to 4)");

  uint8_t raw_dims[16];
  size_t want = 4 * static_cast<size_t>(rank);
  got = in.read(raw_dims, want);
  if (got < want)
    fail(path, "truncated header: expected " + std::to_string(want) +
                   " bytes of dimensions, found " + std::to_string(got));
  uint64_t total = 1;
  for (int i = 0; i < rank; ++i) {
    uint32_t d = be32(raw_dims + 4 * i);
    dims.push_back(d);
    if (d == 0) fail(path, "dimension " + std::to_string(i) + " is 0");
    total *= d;  // cannot overflow: total <= 2^31 before, d < 2^32
    if (total > kMaxElements) {
      for (int j = i + 1; j < rank; ++j) dims.push_back(be32(raw_dims + 4 * j));
      fail(path, "dimensions " + dims_string(dims) + " exceed the limit of 2^31 elements");
    }
  }
  return total;
}

// Counts bytes left after the data, stopping at `cap`.
uint64_t count_trailing(Reader& in, uint64_t cap) {
  uint8_t buf[4096];
  uint64_t extra = 0;
  while (extra < cap) {
    size_t got = in.read(buf, sizeof buf);
    if (got == 0) break;
    extra += got;
  }
  return extra;
}

std::string data_mismatch(const char* what, uint64_t expected, const std::string& found) {
  return std::string(what) + ": expected " + std::to_string(expected) + " bytes of data, found " +
         found;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  Reader in(path);
  IdxArray out;
  const uint64_t total = read_header(in, path, out.dims);

  // Never size a buffer from the header alone: raw files are checked against their
  // size, gzip data grows chunk by chunk and is bounded by the compressed size.
  if (!in.gzip() && in.max_remaining() != total) {
    const char* what = in.max_remaining() < total ? "truncated" : "trailing data";
    fail(path, data_mismatch(what, total, std::to_string(in.max_remaining())));
  }
  out.values.reserve(static_cast<size_t>(std::min(total, in.max_remaining())));
  uint64_t filled = 0;
  while (filled < total) {
    uint64_t next = std::min(total, filled + (uint64_t{16} << 20));
    out.values.resize(static_cast<size_t>(next));
    size_t got = in.read(out.values.data() + filled, static_cast<size_t>(next - filled));
    filled += got;
    if (filled < next) fail(path, data_mismatch("truncated", total, std::to_string(filled)));
  }

  const uint64_t cap = uint64_t{1} << 20;
  if (uint64_t extra = count_trailing(in, cap); extra > 0) {
    std::string found = (extra >= cap ? "more than " : "") + std::to_string(total + extra);
    fail(path, data_mismatch("trailing data", total, found));
  }
  return out;
}

namespace {
// The gzip (RFC 1952) stream of `raw`.
std::vector<uint8_t> gzip_bytes(const std::vector<uint8_t>& raw, const std::string& path) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    fail(path, "cannot start gzip compression");
  std::vector<uint8_t> out(deflateBound(&z, static_cast<uLong>(raw.size())) + 32);
  z.next_in = const_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) fail(path, "gzip compression failed");
  return out;
}
}  // namespace

void write_idx(const std::string& path, const IdxArray& array, bool gzip) {
  const size_t rank = array.dims.size();
  if (rank < 1 || rank > 4) fail(path, "cannot write IDX of rank " + std::to_string(rank));
  std::vector<uint8_t> header = {0, 0, kTypeUnsignedByte, static_cast<uint8_t>(rank)};
  uint64_t total = 1;
  for (int64_t d : array.dims) {
    if (d <= 0 || d > int64_t{UINT32_MAX})
      fail(path, "cannot write IDX dimension " + std::to_string(d));
    total = total > kMaxElements ? total : total * static_cast<uint64_t>(d);
    for (int shift = 24; shift >= 0; shift -= 8) header.push_back(static_cast<uint8_t>(d >> shift));
  }
  if (total != array.values.size())
    fail(path, "dimensions " + dims_string(array.dims) + " do not match " +
                   std::to_string(array.values.size()) + " values");

  std::vector<uint8_t> bytes = header;
  bytes.insert(bytes.end(), array.values.begin(), array.values.end());
  if (gzip) bytes = gzip_bytes(bytes, path);
  write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace lq::data
