#pragma once
// PNG bar chart of one model converted several ways (`litequant compare`): a column of
// technique labels, then an "Accuracy (%)" panel and a "File size (KB)" panel side by
// side, one horizontal bar per technique in each, each bar labelled with its value. The
// accuracy axis starts just below the lowest accuracy (printed on the chart) so that
// differences of a few tenths of a percent stay visible; the size axis starts at 0.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lq::cli {

struct ChartRow {
  std::string label;             // technique, e.g. "int8 (float fallback)"
  double accuracy_percent = 0;   // in [0, 100]
  double size_kb = 0;            // file size, >= 0
  std::string note;              // optional grey line under the label, e.g. "I/O: uint8 -> uint8"
};

// The chart as an encoded PNG: 430 pixels tall for 5 rows (52 more per row), 900 to 1160
// wide depending on the longest label and value. Labels and notes longer than 28
// characters are shortened with "..", characters outside printable ASCII are drawn as
// '?'. Throws lq::Error when `rows` is empty or has more than 100 entries, or a value is
// NaN, infinite or out of range.
std::vector<uint8_t> render_comparison_chart_png(const std::string& title, const std::vector<ChartRow>& rows);

// Renders the chart and writes it to `path` atomically (temporary file + rename): on any
// error an lq::Error naming `path` is thrown and an existing file there is left as it was.
void write_comparison_chart_png(const std::string& path, const std::string& title, const std::vector<ChartRow>& rows);

// The RGB colour of row `row`'s swatch and bars (a palette of 9, repeating).
std::array<uint8_t, 3> chart_bar_colour(size_t row);

}  // namespace lq::cli
