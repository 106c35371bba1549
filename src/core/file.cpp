#include "litequant/core/file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "litequant/core/error.h"

namespace lq {
namespace {
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;
}  // namespace

std::vector<uint8_t> read_file(const std::string& path, uint64_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error(path + ": is a directory, not a file");
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) throw Error(path + ": cannot open: " + std::strerror(errno));
  if (std::fseek(f.get(), 0, SEEK_END) != 0) throw Error(path + ": cannot seek");
  const long size = std::ftell(f.get());
  if (size < 0) throw Error(path + ": cannot determine the file size");
  if (static_cast<uint64_t>(size) > max_bytes)
    throw Error(path + ": file is too large (" + std::to_string(size) + " bytes, limit " +
                std::to_string(max_bytes) + ")");
  std::rewind(f.get());
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && std::fread(bytes.data(), 1, bytes.size(), f.get()) != bytes.size())
    throw Error(path + ": read error");
  return bytes;
}

void write_file_atomic(const std::string& path, const void* data, size_t size) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  errno = 0;
  bool ok = false;
  {
    FilePtr f(std::fopen(tmp.c_str(), "wb"));
    if (f) {
      ok = (size == 0 || std::fwrite(data, 1, size, f.get()) == size) && std::fflush(f.get()) == 0 &&
           ::fsync(::fileno(f.get())) == 0;
      ok = (std::fclose(f.release()) == 0) && ok;
    }
  }
  std::string why = errno ? std::strerror(errno) : "write failed";
  if (ok) {
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
      ok = false;
      why = ec.message();
    }
  }
  if (!ok) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw Error(path + ": cannot write: " + why);
  }
}

}  // namespace lq
