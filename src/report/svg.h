// SPDX-License-Identifier: MIT
// Small SVG charts for the self-contained HTML report: grouped bars with ranges, stacked bars
// against a capacity, a labelled scatter and line series. Text is escaped; every chart carries
// a <title> for screen readers; no fonts, scripts or external references.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace worthit::svg {

/// Escapes &, <, >, " and ' for XML text and attributes.
std::string escape(const std::string& s);

/// "Nice" axis ticks covering [0, max]: 1, 2 or 5 times a power of ten.
std::vector<double> ticks(double max, int target = 5);

struct Bar {
  std::optional<double> value;          ///< none: not available (drawn as "n/a")
  std::optional<double> low, high;      ///< range drawn as an error bar
};

/// Groups (x categories) of bars, one bar per series.
struct BarChart {
  std::string title, y_label;
  std::vector<std::string> groups, series;
  std::vector<std::vector<Bar>> bars;   ///< [group][series]
  bool log_scale = false;
};
std::string bar_chart(const BarChart& c);

/// Horizontal bars split into segments, with a capacity marker per row.
struct StackedRow {
  std::string label;
  std::vector<double> segments;  ///< in the order of StackedChart::segment_names
  double capacity = 0;
};
struct StackedChart {
  std::string title, x_label;
  std::vector<std::string> segment_names;
  std::vector<StackedRow> rows;
  double unit = 1;  ///< values are divided by this for the axis (e.g. 2^30 for GiB)
};
std::string stacked_bars(const StackedChart& c);

struct Point {
  std::string label;
  double x = 0, y = 0;
};
struct Scatter {
  std::string title, x_label, y_label;
  std::vector<Point> points;
};
std::string scatter(const Scatter& c);

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;
  bool dashed = false;
};
struct LineChart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  std::vector<Point> markers;  ///< e.g. break-even points
};
std::string line_chart(const LineChart& c);

}  // namespace worthit::svg
