// The PNG comparison chart: written atomically, readable by libpng, bars proportional to
// their values, clear errors for bad input.
#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "chart.h"
#include "litequant/core/error.h"
#include "litequant/core/file.h"

namespace lq::cli {
namespace {
namespace fs = std::filesystem;

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;

  std::array<uint8_t, 3> at(int x, int y) const {
    const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * 3;
    return {rgb[i], rgb[i + 1], rgb[i + 2]};
  }
};

Image read_png(const std::string& path) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str())) {
    ADD_FAILURE() << path << ": " << image.message;
    return {};
  }
  image.format = PNG_FORMAT_RGB;
  Image out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) {
    ADD_FAILURE() << path << ": " << image.message;
    return {};
  }
  return out;
}

// Horizontal runs of exactly `colour`, keyed by their start x, longest run per start.
std::map<int, int> runs_by_start(const Image& im, const std::array<uint8_t, 3>& colour) {
  std::map<int, int> runs;
  for (int y = 0; y < im.height; ++y) {
    int x = 0;
    while (x < im.width) {
      if (im.at(x, y) != colour) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < im.width && im.at(x, y) == colour) ++x;
      runs[start] = std::max(runs[start], x - start);
    }
  }
  return runs;
}

// The lengths of row `row`'s accuracy bar and size bar: the two runs of its colour that
// start furthest right (the third, leftmost, is its swatch in the label column).
std::pair<int, int> bar_lengths(const Image& im, size_t row) {
  const std::map<int, int> runs = runs_by_start(im, chart_bar_colour(row));
  EXPECT_EQ(runs.size(), 3u) << "row " << row;
  if (runs.size() < 2) return {0, 0};
  auto last = runs.rbegin();
  const int size = last->second;
  const int accuracy = (++last)->second;
  return {accuracy, size};
}

class Chart : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lq_chart_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // Files in the test directory (a failed write must not leave a temporary behind).
  std::set<std::string> files() const {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.insert(e.path().filename().string());
    return names;
  }
  fs::path dir_;
};

const std::vector<ChartRow> kRows = {
    {"float32", 89.31, 321.6, "I/O: float32"},
    {"float16", 89.30, 161.2, "I/O: float32"},
    {"dynamic range", 89.12, 84.7, "I/O: float32"},
    {"int8 (float fallback)", 89.05, 86.9, "I/O: float32"},
    {"int8 only (uint8 I/O)", 89.00, 86.3, "I/O: uint8"},
};

TEST_F(Chart, WritesAReadablePngWithProportionalBars) {
  const std::string file = path("compare.png");
  write_comparison_chart_png(file, "Fashion-MNIST CNN, seed 001: one model, five conversions", kRows);
  EXPECT_EQ(files(), std::set<std::string>{"compare.png"});

  const Image im = read_png(file);
  ASSERT_GE(im.width, 900);
  EXPECT_LE(im.width, 1000);
  EXPECT_GE(im.height, 350);
  EXPECT_LE(im.height, 550);

  // Not blank: a good share of the pixels are ink, and every row's colour appears.
  size_t non_white = 0;
  for (int y = 0; y < im.height; ++y)
    for (int x = 0; x < im.width; ++x) non_white += im.at(x, y) != std::array<uint8_t, 3>{255, 255, 255};
  EXPECT_GT(non_white, static_cast<size_t>(im.width * im.height) / 20);

  std::vector<int> acc(kRows.size()), size(kRows.size());
  for (size_t i = 0; i < kRows.size(); ++i) std::tie(acc[i], size[i]) = bar_lengths(im, i);

  // Size bars start at 0: lengths proportional to the sizes (within 2 px).
  const double px_per_kb = size[0] / kRows[0].size_kb;
  EXPECT_GT(size[0], 150);
  for (size_t i = 0; i < kRows.size(); ++i)
    EXPECT_NEAR(size[i], kRows[i].size_kb * px_per_kb, 2.0) << kRows[i].label;

  // Accuracy bars start below the lowest accuracy: lengths are affine in the accuracy
  // (within 2 px), and 89.00% vs 89.31% differ by tens of pixels, not a sliver.
  const double px_per_point = (acc[0] - acc[4]) / (kRows[0].accuracy_percent - kRows[4].accuracy_percent);
  EXPECT_GE(acc[0] - acc[4], 20);
  EXPECT_GT(acc[4], 20);  // the lowest still has a visible bar
  for (size_t i = 0; i < kRows.size(); ++i)
    EXPECT_NEAR(acc[i], acc[4] + (kRows[i].accuracy_percent - kRows[4].accuracy_percent) * px_per_point, 2.0)
        << kRows[i].label;
  // The axis start implied by the bars is a whole number below 89.
  const double axis_start = kRows[4].accuracy_percent - acc[4] / px_per_point;
  EXPECT_GT(axis_start, 80.5);
  EXPECT_LE(axis_start, 88.05);
}

TEST_F(Chart, RenderMatchesTheWrittenFile) {
  const std::string file = path("c.png");
  write_comparison_chart_png(file, "t", kRows);
  EXPECT_EQ(read_file(file), render_comparison_chart_png("t", kRows));
}

TEST_F(Chart, OddInputsStillDraw) {
  // One row, zero size, 0% and 100%, a long UTF-8 label, an over-long title, many rows.
  std::vector<ChartRow> rows = {{"only", 100.0, 0.0, ""}};
  EXPECT_NO_THROW(write_comparison_chart_png(path("a.png"), "", rows));
  rows.push_back({"r\xc3\xa9sum\xc3\xa9 with a label that is far too long to fit", 0.0, 12.5, "\tnote"});
  EXPECT_NO_THROW(write_comparison_chart_png(path("b.png"), std::string(500, 'T'), rows));
  const Image b = read_png(path("b.png"));
  EXPECT_GT(b.width, 900);  // wider for the longer (shortened) label
  EXPECT_LE(b.width, 1160);
  const std::vector<ChartRow> many(40, ChartRow{"x", 50.0, 1.0, "n"});
  write_comparison_chart_png(path("c.png"), "many", many);
  EXPECT_GT(read_png(path("c.png")).height, 40 * 50);
  // Equal accuracies still give a non-degenerate axis.
  const std::vector<ChartRow> equal(3, ChartRow{"same", 91.5, 10.0, ""});
  EXPECT_NO_THROW(render_comparison_chart_png("equal", equal));
}

void expect_error(const std::function<void()>& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no lq::Error; expected one mentioning \"" << fragment << "\"";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST_F(Chart, BadRowsThrowAndLeaveNoFile) {
  const std::string file = path("bad.png");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  expect_error([&] { write_comparison_chart_png(file, "t", {}); }, "no rows");
  expect_error([&] { write_comparison_chart_png(file, "t", {{"a", nan, 1, ""}}); }, "accuracy is NaN");
  expect_error([&] { write_comparison_chart_png(file, "t", {{"a", 90, inf, ""}}); }, "file size is +Inf");
  expect_error([&] { write_comparison_chart_png(file, "t", {{"a", 90, 1, ""}, {"b", 90, -3, ""}}); },
               "row 2 (\"b\"): negative file size");
  expect_error([&] { write_comparison_chart_png(file, "t", {{"a", 101, 1, ""}}); }, "outside [0, 100]");
  expect_error([&] { render_comparison_chart_png("t", {}); }, "comparison chart: no rows");
  expect_error([&] { render_comparison_chart_png("t", std::vector<ChartRow>(101, ChartRow{"x", 1, 1, ""})); },
               "too many rows");
  EXPECT_TRUE(files().empty());
}

TEST_F(Chart, FailedWriteKeepsTheOldFile) {
  const std::string file = path("keep.png");
  write_comparison_chart_png(file, "first", kRows);
  const std::vector<uint8_t> before = read_file(file);
  expect_error([&] { write_comparison_chart_png(file, "second", {{"a", -std::numeric_limits<double>::infinity(), 1, ""}}); },
               file + ": cannot draw the chart: row 1 (\"a\"): accuracy is -Inf");
  EXPECT_EQ(read_file(file), before);
  EXPECT_EQ(files(), std::set<std::string>{"keep.png"});
}

TEST_F(Chart, UnwritablePathThrows) {
  const std::string missing_dir = path("no/such/dir/chart.png");
  expect_error([&] { write_comparison_chart_png(missing_dir, "t", kRows); }, missing_dir);
  fs::create_directories(dir_ / "a_directory");
  expect_error([&] { write_comparison_chart_png(path("a_directory"), "t", kRows); }, "a_directory");
  EXPECT_EQ(files(), std::set<std::string>{"a_directory"});
  EXPECT_TRUE(fs::is_empty(dir_ / "a_directory"));
}

}  // namespace
}  // namespace lq::cli
