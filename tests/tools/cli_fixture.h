#pragma once
// The litequant command line run as a subprocess on a tiny IDX dataset (4 classes of 8x8
// images: a bright square in one quadrant, plus noise; 400 train, 100 test).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "litequant/core/rng.h"
#include "litequant/data/idx.h"

namespace lq::test {
namespace fs = std::filesystem;

struct Result {
  int code;
  std::string output;  // stdout + stderr
};

inline Result run(const std::string& args) {
  const std::string cmd = std::string(LQ_CLI) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lq_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "data");
    // 4 classes of 8x8 images: a bright square in one of four quadrants, plus noise.
    Rng rng(3);
    for (const char* split : {"train", "t10k"}) {
      const int64_t n = std::string(split) == "train" ? 400 : 100;
      data::IdxArray images{{n, 8, 8}, std::vector<uint8_t>(static_cast<size_t>(n * 64))};
      data::IdxArray labels{{n}, std::vector<uint8_t>(static_cast<size_t>(n))};
      for (int64_t i = 0; i < n; ++i) {
        const int c = static_cast<int>(rng.below(4));
        labels.values[static_cast<size_t>(i)] = static_cast<uint8_t>(c);
        for (int y = 0; y < 8; ++y)
          for (int x = 0; x < 8; ++x) {
            const bool on = (y / 4) == c / 2 && (x / 4) == c % 2;
            images.values[static_cast<size_t>(i * 64 + y * 8 + x)] =
                static_cast<uint8_t>((on ? 200 : 0) + rng.below(50));
          }
      }
      data::write_idx((dir_ / "data" / (std::string(split) + "-images-idx3-ubyte")).string(), images, false);
      data::write_idx((dir_ / "data" / (std::string(split) + "-labels-idx1-ubyte.gz")).string(), labels, true);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

}  // namespace lq::test
