#include "litequant/data/idx.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "litequant/core/error.h"

namespace lq::data {
namespace {

using Bytes = std::vector<uint8_t>;

// gzip-compresses `data` in memory (one member).
Bytes gzip_bytes(const Bytes& data) {
  z_stream zs{};
  EXPECT_EQ(
      deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  Bytes out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = const_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

long max_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

class Idx : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("lq_idx_test_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const Bytes& bytes) const {
    std::ofstream(path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path(name);
  }
  Bytes read(const std::string& name) const {
    std::ifstream in(path(name), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  // The message of the lq::Error read_idx(file) throws; checks it starts with the path.
  std::string error_of(const std::string& file) const {
    try {
      read_idx(file);
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_EQ(msg.rfind(file + ": ", 0), 0u) << msg;
      return msg;
    }
    ADD_FAILURE() << "no error reading " << file;
    return "";
  }

  std::filesystem::path dir_;
};

// 2 x 3 bytes 1..6, hand-built.
const Bytes kSmall = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6};

TEST_F(Idx, ReadsHandBuiltRawAndGzip) {
  for (const auto& [name, bytes] :
       {std::pair{"raw", kSmall}, std::pair{"gz", gzip_bytes(kSmall)}}) {
    IdxArray a = read_idx(write(name, bytes));
    EXPECT_EQ(a.dims, (std::vector<int64_t>{2, 3})) << name;
    EXPECT_EQ(a.values, (Bytes{1, 2, 3, 4, 5, 6})) << name;
  }
}

TEST_F(Idx, RoundTripRawIsByteExact) {
  write_idx(path("a"), IdxArray{{2, 3}, {1, 2, 3, 4, 5, 6}}, false);
  EXPECT_EQ(read("a"), kSmall);
  EXPECT_FALSE(std::filesystem::exists(path("a") + ".tmp." + std::to_string(::getpid())));
}

TEST_F(Idx, RoundTripGzip) {
  IdxArray a{{3, 2, 2, 5}, {}};
  for (int i = 0; i < 60; ++i) a.values.push_back(static_cast<uint8_t>(i * 37));
  write_idx(path("a.gz"), a, true);
  Bytes file = read("a.gz");
  ASSERT_GE(file.size(), 2u);
  EXPECT_EQ(file[0], 0x1f);
  EXPECT_EQ(file[1], 0x8b);
  IdxArray b = read_idx(path("a.gz"));
  EXPECT_EQ(b.dims, a.dims);
  EXPECT_EQ(b.values, a.values);
}

TEST_F(Idx, GzipDetectedByContentNotName) {
  write_idx(path("compressed.idx"), IdxArray{{2, 3}, {1, 2, 3, 4, 5, 6}}, true);
  write_idx(path("plain.gz"), IdxArray{{2, 3}, {1, 2, 3, 4, 5, 6}}, false);
  EXPECT_EQ(read_idx(path("compressed.idx")).values, (Bytes{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(read_idx(path("plain.gz")).values, (Bytes{1, 2, 3, 4, 5, 6}));
}

TEST_F(Idx, WriteOverwritesAndRejectsBadArrays) {
  write_idx(path("a"), IdxArray{{1}, {7}}, false);
  write_idx(path("a"), IdxArray{{2}, {8, 9}}, false);
  EXPECT_EQ(read_idx(path("a")).values, (Bytes{8, 9}));
  EXPECT_THROW(write_idx(path("b"), IdxArray{{2, 2}, {1, 2, 3}}, false), Error);
  EXPECT_THROW(write_idx(path("b"), IdxArray{{}, {}}, false), Error);
  EXPECT_THROW(write_idx(path("b"), IdxArray{{0}, {}}, true), Error);
  EXPECT_THROW(write_idx(path("no/such/dir/b"), IdxArray{{1}, {1}}, false), Error);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);  // only "a"
}

TEST_F(Idx, MissingFileAndDirectory) {
  EXPECT_NE(error_of(path("nope")).find("cannot open"), std::string::npos);
  error_of(dir_.string());
}

TEST_F(Idx, WrongMagic) {
  Bytes b = kSmall;
  b[0] = 0x50;
  EXPECT_NE(error_of(write("a", b)).find("bad magic 0x50 0x00"), std::string::npos);
}

TEST_F(Idx, UnsupportedType) {
  Bytes b = kSmall;
  b[2] = 0x0D;
  EXPECT_NE(error_of(write("a", b)).find("unsupported element type 0x0D (float32)"),
            std::string::npos);
}

TEST_F(Idx, UnsupportedRank) {
  EXPECT_NE(error_of(write("r0", {0, 0, 8, 0})).find("unsupported rank 0"), std::string::npos);
  Bytes r5 = {0, 0, 8, 5};
  for (int i = 0; i < 5; ++i) r5.insert(r5.end(), {0, 0, 0, 1});
  r5.push_back(42);
  EXPECT_NE(error_of(write("r5", r5)).find("unsupported rank 5"), std::string::npos);
}

TEST_F(Idx, ZeroDimension) {
  EXPECT_NE(error_of(write("a", {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 0})).find("dimension 1 is 0"),
            std::string::npos);
}

TEST_F(Idx, TruncatedHeader) {
  for (const Bytes& b : {Bytes{}, Bytes{0, 0, 8}, Bytes{0, 0, 8, 2, 0, 0, 0, 2, 0, 0}}) {
    std::string f = write("a", b);
    EXPECT_NE(error_of(f).find("truncated header"), std::string::npos);
    write("a.gz", gzip_bytes(b));
    EXPECT_NE(error_of(path("a.gz")).find("truncated header"), std::string::npos);
  }
}

TEST_F(Idx, TruncatedData) {
  Bytes b(kSmall.begin(), kSmall.end() - 2);
  const std::string want = ": truncated: expected 6 bytes of data, found 4";
  EXPECT_EQ(error_of(write("a", b)), path("a") + want);
  EXPECT_EQ(error_of(write("a.gz", gzip_bytes(b))), path("a.gz") + want);
}

TEST_F(Idx, TrailingData) {
  Bytes b = cat(kSmall, {7, 8});
  const std::string want = ": trailing data: expected 6 bytes of data, found 8";
  EXPECT_EQ(error_of(write("a", b)), path("a") + want);
  EXPECT_EQ(error_of(write("a.gz", gzip_bytes(b))), path("a.gz") + want);
}

TEST_F(Idx, ConcatenatedGzipMembers) {
  Bytes head(kSmall.begin(), kSmall.begin() + 14);
  Bytes tail(kSmall.begin() + 14, kSmall.end());
  EXPECT_EQ(read_idx(write("a.gz", cat(gzip_bytes(head), gzip_bytes(tail)))).values,
            (Bytes{1, 2, 3, 4, 5, 6}));
}

TEST_F(Idx, CorruptGzip) {
  // A valid 10-byte gzip header, then garbage.
  Bytes garbage = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xfe, 0xfd, 0x13, 0x37, 0x00, 0x42};
  EXPECT_NE(error_of(write("garbage.gz", garbage)).find("corrupt gzip data"), std::string::npos);

  Bytes good = gzip_bytes(kSmall);
  Bytes cut(good.begin(), good.begin() + static_cast<long>(good.size() / 2));
  EXPECT_NE(error_of(write("cut.gz", cut)).find("corrupt gzip data"), std::string::npos);

  Bytes bad_crc = good;
  bad_crc[bad_crc.size() - 6] ^= 0x55;  // inside the CRC-32 trailer
  EXPECT_NE(error_of(write("crc.gz", bad_crc)).find("corrupt gzip data"), std::string::npos);

  EXPECT_NE(
      error_of(write("junk.gz", cat(good, {'j', 'u', 'n', 'k'}))).find("after the gzip stream"),
      std::string::npos);
}

TEST_F(Idx, AbsurdDimensionsRejectedWithoutAllocating) {
  long before = max_rss_kb();
  // 2^31 x 2^31 elements claimed by an 18-byte file.
  Bytes huge = {0, 0, 8, 2, 0x80, 0, 0, 0, 0x80, 0, 0, 0, 1, 2, 3, 4, 5, 6};
  EXPECT_NE(error_of(write("huge", huge)).find("exceed the limit of 2^31 elements"),
            std::string::npos);
  EXPECT_NE(error_of(write("huge.gz", gzip_bytes(huge))).find("exceed the limit"),
            std::string::npos);
  // Four dimensions of 2^32 - 1 each (the product overflows 64 bits).
  Bytes overflow = {0, 0, 8, 4};
  for (int i = 0; i < 16; ++i) overflow.push_back(0xff);
  EXPECT_NE(error_of(write("overflow", overflow)).find("exceed the limit"), std::string::npos);

  // Exactly 2^31 elements is allowed by the header, but the data is not there.
  Bytes big = {0, 0, 8, 1, 0x80, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(error_of(write("big", big)),
            path("big") + ": truncated: expected 2147483648 bytes of data, found 10");
  EXPECT_EQ(error_of(write("big.gz", gzip_bytes(big))),
            path("big.gz") + ": truncated: expected 2147483648 bytes of data, found 10");
  // Reading must not have touched anything near 2 GiB.
  EXPECT_LT(max_rss_kb() - before, 100 * 1024);
}

}  // namespace
}  // namespace lq::data
