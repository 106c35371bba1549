#include "chart.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "bitmap_font.h"
#include "litequant/core/error.h"
#include "litequant/core/file.h"

namespace lq::cli {
namespace {

struct Rgb {
  uint8_t r, g, b;
};

constexpr Rgb kInk{30, 30, 30};          // title, labels, values
constexpr Rgb kGreyInk{105, 105, 105};   // notes, tick labels, subheadings
constexpr Rgb kAxis{90, 90, 90};
constexpr Rgb kGrid{228, 228, 228};

// Tableau 10 without its grey (kept for text), so bars never share a colour with text.
constexpr Rgb kPalette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
                            {140, 86, 75},  {227, 119, 194}, {188, 189, 34}, {23, 190, 207}};
constexpr size_t kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

// Layout, in pixels. All text is the 5x8 font drawn at 2x: 12 px advance, 14 px cap height.
constexpr int kScale = 2;
constexpr int kCapHeight = 7 * kScale;
constexpr int kMinWidth = 900;
constexpr int kMargin = 24;
constexpr int kSwatch = 14;        // colour square before each label
constexpr int kSwatchGap = 10;
constexpr int kColumnGap = 36;     // label column | accuracy panel | size panel
constexpr int kValueGap = 8;       // bar end to its value label
constexpr int kMinBarLength = 200;  // longest possible bar
constexpr int kTitleY = 20;
constexpr int kHeadingY = 62;
constexpr int kSubheadingY = 86;
constexpr int kRowsTop = 116;
constexpr int kRowPitch = 52;
constexpr int kBarTop = 10;        // within a row
constexpr int kBarHeight = 32;
constexpr int kTickLength = 6;
constexpr size_t kMaxLabelChars = 28;
constexpr size_t kMaxRows = 100;
constexpr double kMaxSizeKb = 1e9;

class Canvas {
 public:
  Canvas(int width, int height)
      : width_(width), height_(height), pixels_(static_cast<size_t>(width) * static_cast<size_t>(height) * 3, 255) {}

  int width() const { return width_; }
  int height() const { return height_; }
  const uint8_t* data() const { return pixels_.data(); }

  // Fills the rectangle [x, x + w) x [y, y + h), clipped to the image.
  void fill(int x, int y, int w, int h, Rgb c) {
    const int x0 = std::max(x, 0), x1 = std::min(x + w, width_);
    const int y0 = std::max(y, 0), y1 = std::min(y + h, height_);
    for (int yy = y0; yy < y1; ++yy)
      for (int xx = x0; xx < x1; ++xx) {
        uint8_t* p = &pixels_[(static_cast<size_t>(yy) * static_cast<size_t>(width_) + static_cast<size_t>(xx)) * 3];
        p[0] = c.r;
        p[1] = c.g;
        p[2] = c.b;
      }
  }

  // Draws `s` with its cap-height top-left corner at (x, y); bold doubles each stroke.
  void text(int x, int y, std::string_view s, Rgb c, bool bold = false) {
    for (const char ch : s) {
      for (int gy = 0; gy < font::kGlyphHeight; ++gy)
        for (int gx = 0; gx < font::kGlyphWidth; ++gx)
          if (font::glyph_pixel(ch, gx, gy)) fill(x + gx * kScale, y + gy * kScale, kScale + (bold ? 1 : 0), kScale, c);
      x += font::kAdvance * kScale;
    }
  }

 private:
  int width_, height_;
  std::vector<uint8_t> pixels_;  // RGB, row-major
};

int text_width(std::string_view s) {
  return s.empty() ? 0 : (static_cast<int>(s.size()) * font::kAdvance - 1) * kScale;
}

// `s` as the font can draw it: one '?' per non-ASCII (UTF-8) character or control
// character, shortened to `max_chars` with a trailing "..".
std::string drawable(const std::string& s, size_t max_chars) {
  std::string out;
  for (const char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if ((b & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
    out += (b >= 32 && b <= 126) ? ch : '?';
  }
  if (out.size() > max_chars) out = out.substr(0, max_chars >= 2 ? max_chars - 2 : 0) + "..";
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void validate(const std::vector<ChartRow>& rows) {
  if (rows.empty()) throw Error("no rows to draw");
  if (rows.size() > kMaxRows)
    throw Error("too many rows (" + std::to_string(rows.size()) + ", at most " + std::to_string(kMaxRows) + ")");
  for (size_t i = 0; i < rows.size(); ++i) {
    const ChartRow& r = rows[i];
    const std::string who = "row " + std::to_string(i + 1) + " (\"" + r.label + "\")";
    if (!std::isfinite(r.accuracy_percent)) throw Error(who + ": accuracy is " + number(r.accuracy_percent));
    if (r.accuracy_percent < 0 || r.accuracy_percent > 100)
      throw Error(who + ": accuracy " + number(r.accuracy_percent) + "% is outside [0, 100]");
    if (!std::isfinite(r.size_kb)) throw Error(who + ": file size is " + number(r.size_kb));
    if (r.size_kb < 0) throw Error(who + ": negative file size (" + number(r.size_kb) + " KB)");
    if (r.size_kb > kMaxSizeKb) throw Error(who + ": file size " + number(r.size_kb) + " KB is implausibly large");
  }
}

// A value axis [lo, hi] with ticks every `step`, printed with `decimals` decimals.
struct Axis {
  double lo = 0, hi = 1, step = 1;
  int decimals = 0;

  int ticks() const { return static_cast<int>(std::lround((hi - lo) / step)); }
  std::string tick_label(int k) const { return fixed(lo + k * step, decimals); }
  // Pixel offset of `v` along an axis `length` pixels long.
  int offset(double v, int length) const {
    const double t = std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
    return static_cast<int>(std::lround(t * length));
  }
};

// The finest 1-2-5 step whose tick labels fit side by side along `length` pixels (at
// most 10 intervals); the axis is widened from [lo0, hi0] (lo0 < hi0) to whole steps.
Axis choose_axis(double lo0, double hi0, int length) {
  const double base = std::pow(10.0, std::floor(std::log10((hi0 - lo0) / 10)));
  constexpr double kMantissas[] = {1, 2, 5};
  Axis a;
  for (int i = 0; i < 36; ++i) {
    a.step = base * kMantissas[i % 3] * std::pow(10.0, i / 3);
    a.decimals = a.step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(a.step) - 1e-9));
    a.lo = std::floor(lo0 / a.step + 1e-9) * a.step;
    a.hi = std::ceil(hi0 / a.step - 1e-9) * a.step;
    const int n = std::max(a.ticks(), 1);
    int widest = 0;
    for (int k = 0; k <= n; ++k) widest = std::max(widest, text_width(a.tick_label(k)));
    if (n <= 10 && length / n >= widest + 16) break;
  }
  return a;
}

// One panel of horizontal bars, one per row, starting at x.
struct Panel {
  std::string heading, subheading;
  Axis axis;
  std::vector<double> values;
  std::vector<std::string> value_labels;
  int x = 0, bar_length = 0;
};

void draw_panel(Canvas& c, const Panel& p, int rows_bottom) {
  c.text(p.x, kHeadingY, p.heading, kInk, true);
  c.text(p.x, kSubheadingY, p.subheading, kGreyInk);
  const int n = std::max(p.axis.ticks(), 1);
  for (int k = 0; k <= n; ++k) {
    const int tx = p.x + p.axis.offset(p.axis.lo + k * p.axis.step, p.bar_length);
    if (k > 0) c.fill(tx, kRowsTop - 4, 1, rows_bottom - kRowsTop + 4, kGrid);
    c.fill(tx, rows_bottom, 1, 2 + kTickLength, kAxis);
    const std::string label = p.axis.tick_label(k);
    c.text(tx - text_width(label) / 2, rows_bottom + 2 + kTickLength + 6, label, kGreyInk);
  }
  for (size_t i = 0; i < p.values.size(); ++i) {
    const int y = kRowsTop + static_cast<int>(i) * kRowPitch + kBarTop;
    const int length = p.axis.offset(p.values[i], p.bar_length);
    const std::array<uint8_t, 3> rgb = chart_bar_colour(i);
    c.fill(p.x, y, length, kBarHeight, Rgb{rgb[0], rgb[1], rgb[2]});
    c.text(p.x + length + kValueGap, y + (kBarHeight - kCapHeight) / 2, p.value_labels[i], kInk);
  }
  c.fill(p.x, rows_bottom, p.bar_length + 1, 2, kAxis);       // value axis
  c.fill(p.x - 2, kRowsTop - 4, 2, rows_bottom - kRowsTop + 6, kAxis);  // bar baseline
}

std::vector<uint8_t> encode_png(const Canvas& c) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(c.width());
  image.height = static_cast<png_uint_32>(c.height());
  image.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, c.data(), 0, nullptr))
    throw Error(std::string("PNG encoding failed: ") + image.message);
  std::vector<uint8_t> png(size);
  if (!png_image_write_to_memory(&image, png.data(), &size, 0, c.data(), 0, nullptr))
    throw Error(std::string("PNG encoding failed: ") + image.message);
  png.resize(size);
  png_image_free(&image);
  return png;
}

std::vector<uint8_t> render(const std::string& title_text, const std::vector<ChartRow>& rows) {
  validate(rows);
  const int n = static_cast<int>(rows.size());

  std::vector<std::string> labels, notes;
  int label_text_width = 0;
  for (const ChartRow& r : rows) {
    labels.push_back(drawable(r.label, kMaxLabelChars));
    notes.push_back(drawable(r.note, kMaxLabelChars));
    label_text_width = std::max({label_text_width, text_width(labels.back()), text_width(notes.back())});
  }
  const int label_column = kSwatch + kSwatchGap + label_text_width;

  double acc_min = 100, acc_max = 0, size_max = 0;
  Panel acc, size;
  acc.heading = "Accuracy (%)";
  size.heading = "File size (KB)";
  size.subheading = "axis starts at 0";
  for (const ChartRow& r : rows) {
    acc_min = std::min(acc_min, r.accuracy_percent);
    acc_max = std::max(acc_max, r.accuracy_percent);
    size_max = std::max(size_max, r.size_kb);
    acc.values.push_back(r.accuracy_percent);
    acc.value_labels.push_back(fixed(r.accuracy_percent, 2) + "%");
    size.values.push_back(r.size_kb);
    size.value_labels.push_back(fixed(r.size_kb, 1) + " KB");
  }

  // Widths: each panel is its bars plus room for the longest value label; bars share
  // what the minimum width leaves over, and never get shorter than kMinBarLength.
  int acc_value_room = 0, size_value_room = 0;
  for (const std::string& s : acc.value_labels) acc_value_room = std::max(acc_value_room, kValueGap + text_width(s));
  for (const std::string& s : size.value_labels) size_value_room = std::max(size_value_room, kValueGap + text_width(s));
  const int acc_heading = std::max(text_width(acc.heading), text_width("axis starts at 100.00%"));
  const int size_heading = std::max(text_width(size.heading), text_width(size.subheading));
  const int fixed_width = 2 * kMargin + label_column + 2 * kColumnGap + acc_value_room + size_value_room;
  const int min_bar = std::max({kMinBarLength, acc_heading - acc_value_room, size_heading - size_value_room});
  const int width = std::max(kMinWidth, fixed_width + 2 * min_bar);
  const int bar_length = (width - fixed_width) / 2;
  acc.bar_length = size.bar_length = bar_length;
  acc.x = kMargin + label_column + kColumnGap;
  size.x = acc.x + bar_length + acc_value_room + kColumnGap;

  // Accuracy starts just below the lowest value so a 0.3% gap is tens of pixels; the
  // start is printed under the heading and as the first tick.
  const double acc_lo = std::max(0.0, std::floor(acc_min - 1));
  const double acc_hi = std::min(100.0, std::ceil(acc_max + 0.5));
  acc.axis = choose_axis(acc_lo, acc_hi, bar_length);
  acc.subheading = "axis starts at " + acc.axis.tick_label(0) + "%";
  size.axis = choose_axis(0, size_max > 0 ? size_max : 1, bar_length);

  const int rows_bottom = kRowsTop + n * kRowPitch;
  const int height = rows_bottom + 2 + kTickLength + 6 + 8 * kScale + kMargin;
  Canvas c(width, height);

  const std::string title = drawable(title_text, static_cast<size_t>((width - 2 * kMargin) / (font::kAdvance * kScale)));
  c.text((width - text_width(title)) / 2, kTitleY, title, kInk, true);

  for (int i = 0; i < n; ++i) {
    const int row_y = kRowsTop + i * kRowPitch;
    const int centre = row_y + kBarTop + kBarHeight / 2;
    const size_t k = static_cast<size_t>(i);
    const int label_y = notes[k].empty() ? centre - kCapHeight / 2 : centre - kCapHeight - 4;
    const std::array<uint8_t, 3> rgb = chart_bar_colour(k);
    c.fill(kMargin, label_y, kSwatch, kSwatch, Rgb{rgb[0], rgb[1], rgb[2]});
    c.text(kMargin + kSwatch + kSwatchGap, label_y, labels[k], kInk);
    if (!notes[k].empty()) c.text(kMargin + kSwatch + kSwatchGap, centre + 4, notes[k], kGreyInk);
  }
  draw_panel(c, acc, rows_bottom);
  draw_panel(c, size, rows_bottom);
  return encode_png(c);
}

}  // namespace

std::array<uint8_t, 3> chart_bar_colour(size_t row) {
  const Rgb c = kPalette[row % kPaletteSize];
  return {c.r, c.g, c.b};
}

std::vector<uint8_t> render_comparison_chart_png(const std::string& title, const std::vector<ChartRow>& rows) {
  try {
    return render(title, rows);
  } catch (const Error& e) {
    throw Error(std::string("comparison chart: ") + e.what());
  }
}

void write_comparison_chart_png(const std::string& path, const std::string& title, const std::vector<ChartRow>& rows) {
  std::vector<uint8_t> png;
  try {
    png = render(title, rows);
  } catch (const Error& e) {
    throw Error(path + ": cannot draw the chart: " + e.what());
  }
  write_file_atomic(path, png.data(), png.size());
}

}  // namespace lq::cli
