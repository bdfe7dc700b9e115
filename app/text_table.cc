// SPDX-License-Identifier: MIT
#include "text_table.h"

#include <algorithm>

namespace worthit::app {

namespace {

/// Characters on screen: UTF-8 continuation bytes do not count ("—", "±").
size_t width(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string pad(const std::string& s, size_t w, bool right) {
  const std::string fill(w > width(s) ? w - width(s) : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void print_row(std::ostream& out, const std::vector<std::string>& cells,
               const std::vector<size_t>& w, const TextTable& t, TableStyle style) {
  for (size_t i = 0; i < cells.size(); ++i) {
    const bool right = i < t.right.size() && t.right[i];
    if (style == TableStyle::Csv)
      out << (i ? "," : "") << csv_quote(cells[i]);
    else if (style == TableStyle::Markdown)
      out << "| " << pad(cells[i], w[i], right) << " ";
    else
      out << (i ? "  " : "") << pad(cells[i], i + 1 == cells.size() && !right ? 0 : w[i], right);
  }
  out << (style == TableStyle::Markdown ? "|\n" : "\n");
}

}  // namespace

void print_table(std::ostream& out, const TextTable& t, TableStyle style) {
  std::vector<size_t> w(t.headers.size(), 0);
  for (size_t i = 0; i < t.headers.size(); ++i) w[i] = width(t.headers[i]);
  for (const auto& r : t.rows)
    for (size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  if (style == TableStyle::Markdown)
    for (auto& x : w) x = std::max<size_t>(x, 3);
  print_row(out, t.headers, w, t, style);
  if (style == TableStyle::Markdown) {
    for (size_t i = 0; i < w.size(); ++i) {
      const bool right = i < t.right.size() && t.right[i];
      out << "| " << std::string(w[i] - (right ? 1 : 0), '-') << (right ? ":" : "") << " ";
    }
    out << "|\n";
  }
  for (const auto& r : t.rows) print_row(out, r, w, t, style);
}

}  // namespace worthit::app
