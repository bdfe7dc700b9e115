// SPDX-License-Identifier: MIT
#include "report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace worthit::svg {
namespace {

constexpr double W = 800, H = 380, L = 80, R = 20, T = 44, B = 96;
const char* kColors[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                         "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

const char* color(size_t i) { return kColors[i % (sizeof(kColors) / sizeof(kColors[0]))]; }

std::string num(double v) {
  if (v != 0 && std::fabs(v) < 10) return fmt::format("{:.3g}", v);
  return fmt::format("{:.0f}", v);
}

std::string open(const std::string& title, double h = H) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "role=\"img\" font-family=\"sans-serif\" font-size=\"12\"><title>{}</title>"
      "<text x=\"{}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{}</text>",
      W, h, W, h, escape(title), L, escape(title));
}

/// Y axis with grid lines from 0 to the last tick; returns the scale's maximum.
std::string y_axis(double max, const std::string& label, double h, double* top) {
  const auto t = ticks(max);
  *top = t.back();
  std::string s;
  for (double v : t) {
    const double y = h - B - (v / *top) * (h - T - B);
    s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>"
                     "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>",
                     L, W - R, y, y, L - 6, y + 4, num(v));
  }
  s += fmt::format("<text transform=\"translate(16,{}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
                   (h - B + T) / 2, escape(label));
  return s;
}

std::string legend(const std::vector<std::string>& names, double y) {
  std::string s;
  double x = L;
  for (size_t i = 0; i < names.size(); ++i) {
    s += fmt::format("<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
                     "<text x=\"{:.0f}\" y=\"{:.0f}\">{}</text>",
                     x, y, color(i), x + 16, y + 10, escape(names[i]));
    x += 28 + 7.0 * double(names[i].size());
    if (x > W - 150 && i + 1 < names.size()) {
      x = L;
      y += 16;
    }
  }
  return s;
}

/// Category label under a bar group, wrapped on spaces into at most three lines.
std::string category(const std::string& text, double cx, double y) {
  std::vector<std::string> lines(1);
  for (char ch : text) {
    if (ch == ' ' && lines.back().size() > 14 && lines.size() < 3) lines.emplace_back();
    else lines.back() += ch;
  }
  std::string s;
  for (size_t i = 0; i < lines.size(); ++i)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", cx,
                     y + 14.0 * double(i), escape(lines[i]));
  return s;
}

}  // namespace

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<double> ticks(double max, int target) {
  if (!(max > 0) || !std::isfinite(max)) return {0, 1};
  const double raw = max / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> out;
  for (double v = 0; v < max + step * 0.999; v += step) out.push_back(v);
  if (out.back() < max) out.push_back(out.back() + step);
  return out;
}

std::string bar_chart(const BarChart& c) {
  double max = 0;
  for (const auto& g : c.bars)
    for (const auto& b : g) max = std::max({max, b.value.value_or(0), b.high.value_or(0)});
  double top = 0;
  std::string s = open(c.title) + y_axis(max, c.y_label, H, &top);
  const double gw = (W - L - R) / std::max<size_t>(c.groups.size(), 1);
  const double bw = std::min(28.0, (gw - 10) / std::max<size_t>(c.series.size(), 1));
  const double base = H - B, span = H - T - B;
  for (size_t g = 0; g < c.groups.size(); ++g) {
    const double x0 = L + g * gw + (gw - bw * c.series.size()) / 2;
    for (size_t k = 0; k < c.series.size() && g < c.bars.size() && k < c.bars[g].size(); ++k) {
      const Bar& b = c.bars[g][k];
      const double x = x0 + k * bw;
      if (!b.value) {
        s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"9\" text-anchor=\"middle\">n/a</text>",
                         x + bw / 2, base - 3);
        continue;
      }
      const double h = *b.value / top * span;
      s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
                       "<title>{}, {}: {}</title></rect>",
                       x + 1, base - h, bw - 2, h, color(k), escape(c.groups[g]), escape(c.series[k]), num(*b.value));
      if (b.low && b.high)
        s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#222\"/>"
                         "<line x1=\"{3:.1f}\" x2=\"{4:.1f}\" y1=\"{1:.1f}\" y2=\"{1:.1f}\" stroke=\"#222\"/>"
                         "<line x1=\"{3:.1f}\" x2=\"{4:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#222\"/>",
                         x + bw / 2, base - *b.low / top * span, base - *b.high / top * span, x + bw / 2 - 4,
                         x + bw / 2 + 4);
    }
    s += category(c.groups[g], L + g * gw + gw / 2, base + 16);
  }
  return s + legend(c.series, H - 34) + "</svg>";
}

std::string stacked_bars(const StackedChart& c) {
  const double row_h = 26, h = T + 40 + row_h * double(c.rows.size()) + 50, lw = 230;
  double max = 0;
  for (const auto& r : c.rows) {
    double sum = 0;
    for (double v : r.segments) sum += v;
    max = std::max({max, sum / c.unit, r.capacity / c.unit});
  }
  const auto t = ticks(max);
  const double top = t.back(), x0 = lw, span = W - R - lw;
  std::string s = open(c.title, h);
  const double axis_y = T + 20 + row_h * double(c.rows.size());
  for (double v : t)
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
                     "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>",
                     x0 + v / top * span, T + 14, axis_y, axis_y + 14, num(v));
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", x0 + span / 2,
                   axis_y + 30, escape(c.x_label));
  for (size_t i = 0; i < c.rows.size(); ++i) {
    const auto& r = c.rows[i];
    const double y = T + 20 + row_h * double(i);
    s += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>", lw - 6, y + 15,
                     escape(r.label.size() > 36 ? r.label.substr(0, 35) + "…" : r.label));
    double x = x0;
    for (size_t k = 0; k < r.segments.size(); ++k) {
      const double w = r.segments[k] / c.unit / top * span;
      s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"18\" fill=\"{}\">"
                       "<title>{}: {} {}</title></rect>",
                       x, y + 2, std::max(w, 0.0), color(k), escape(r.label),
                       escape(k < c.segment_names.size() ? c.segment_names[k] : ""), num(r.segments[k] / c.unit));
      x += w;
    }
    const double cx = x0 + r.capacity / c.unit / top * span;
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#000\" "
                     "stroke-width=\"2\"><title>capacity {3}</title></line>",
                     cx, y - 1, y + 23, num(r.capacity / c.unit));
  }
  return s + legend(c.segment_names, h - 22) +
         fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\">black line: capacity</text>", W - R - 130, h - 12) + "</svg>";
}

std::string scatter(const Scatter& c) {
  double xmax = 0, ymax = 0;
  for (const auto& p : c.points) {
    xmax = std::max(xmax, p.x);
    ymax = std::max(ymax, p.y);
  }
  double ytop = 0;
  std::string s = open(c.title) + y_axis(ymax, c.y_label, H, &ytop);
  const auto tx = ticks(xmax);
  const double xtop = tx.back(), base = H - B, span = H - T - B, xs = W - L - R;
  for (double v : tx)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", L + v / xtop * xs,
                     base + 16, num(v));
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", L + xs / 2, base + 36,
                   escape(c.x_label));
  for (size_t i = 0; i < c.points.size(); ++i) {
    const auto& p = c.points[i];
    const double x = L + p.x / xtop * xs, y = base - p.y / ytop * span;
    s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"6\" fill=\"{}\"><title>{}: {}, {}</title></circle>"
                     "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">{}</text>",
                     x, y, color(i), escape(p.label), num(p.x), num(p.y), x + 8, y - 6, escape(p.label));
  }
  return s + "</svg>";
}

std::string line_chart(const LineChart& c) {
  double xmax = 0, ymax = 0;
  for (const auto& sr : c.series)
    for (const auto& [x, y] : sr.points) {
      xmax = std::max(xmax, x);
      ymax = std::max(ymax, y);
    }
  double ytop = 0;
  std::string s = open(c.title) + y_axis(ymax, c.y_label, H, &ytop);
  const auto tx = ticks(xmax);
  const double xtop = tx.back(), base = H - B, span = H - T - B, xs = W - L - R;
  for (double v : tx)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", L + v / xtop * xs,
                     base + 16, num(v));
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", L + xs / 2, base + 34,
                   escape(c.x_label));
  std::vector<std::string> names;
  for (size_t i = 0; i < c.series.size(); ++i) {
    std::string pts;
    for (const auto& [x, y] : c.series[i].points)
      pts += fmt::format("{:.1f},{:.1f} ", L + x / xtop * xs, base - y / ytop * span);
    s += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}><title>{}</title></polyline>",
                     pts, color(i), c.series[i].dashed ? " stroke-dasharray=\"6 4\"" : "", escape(c.series[i].name));
    names.push_back(c.series[i].name);
  }
  for (const auto& m : c.markers)
    s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"#000\"><title>{}</title></circle>",
                     L + m.x / xtop * xs, base - m.y / ytop * span, escape(m.label));
  return s + legend(names, H - 40) + "</svg>";
}

}  // namespace worthit::svg
