#pragma once
// A 5x8 bitmap font for printable ASCII (32..126), for text in the PNG charts. Glyphs sit
// in a 6-pixel advance; rows 0..6 run from cap height down to the baseline, row 7 holds
// descenders (g, j, p, q, y, comma, underscore).
namespace lq::cli::font {

inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 8;
inline constexpr int kAdvance = 6;  // glyph width + 1 column of spacing

// Whether pixel (x, y) of the glyph for `c` is set; 0 <= x < kGlyphWidth,
// 0 <= y < kGlyphHeight (false outside). Characters outside 32..126 draw as '?'.
bool glyph_pixel(char c, int x, int y);

}  // namespace lq::cli::font
