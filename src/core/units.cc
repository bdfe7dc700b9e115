// SPDX-License-Identifier: MIT
#include "core/units.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include "core/text.h"

namespace worthit {
namespace {

struct NumberAndUnit {
  double value = 0;
  std::string unit;
};

/// Splits "273 GB/s" into 273 and "GB/s". The unit must be present.
Result<NumberAndUnit> split_number(std::string_view text, std::string_view example) {
  std::string_view s = trim(text);
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' ||
                          s[i] == '-' || s[i] == '+' || s[i] == 'e' || s[i] == 'E')) {
    // An 'e' that starts a unit ("10 EB") is not an exponent: require a digit after it.
    if ((s[i] == 'e' || s[i] == 'E') &&
        (i + 1 >= s.size() || !(std::isdigit(static_cast<unsigned char>(s[i + 1])) ||
                                s[i + 1] == '-' || s[i + 1] == '+')))
      break;
    ++i;
  }
  NumberAndUnit out;
  std::string num(s.substr(0, i));
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), out.value);
  if (num.empty() || ec != std::errc() || ptr != num.data() + num.size() ||
      !std::isfinite(out.value)) {
    return fail("", fmt::format("expected a number with a unit like \"{}\", got \"{}\"", example,
                                std::string(text)));
  }
  out.unit = std::string(trim(s.substr(i)));
  if (out.unit.empty()) {
    return fail("", fmt::format("missing unit in \"{}\" (write it like \"{}\")", std::string(text),
                                example));
  }
  if (out.value < 0) {
    return fail("", fmt::format("negative value \"{}\"", std::string(text)));
  }
  return out;
}

/// Looks `unit` up in a table of (spelling, factor); exact (case-sensitive) match first.
Result<double> unit_factor(const std::string& unit,
                           const std::vector<std::pair<const char*, double>>& table,
                           std::string_view what, std::string_view text) {
  for (const auto& [name, f] : table)
    if (unit == name) return f;
  std::vector<std::string> names;
  for (const auto& [name, f] : table) names.emplace_back(name);
  return fail("", fmt::format("unknown {} unit \"{}\" in \"{}\"", what, unit, std::string(text)),
              did_you_mean(unit, names));
}

const std::vector<std::pair<const char*, double>>& size_units() {
  static const std::vector<std::pair<const char*, double>> t = {
      {"B", 1.0},          {"kB", 1e3},         {"KB", 1e3},         {"MB", 1e6},
      {"GB", 1e9},         {"TB", 1e12},        {"KiB", 1024.0},     {"MiB", 1048576.0},
      {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}};
  return t;
}

template <class Q>
Result<Q> parse_with(std::string_view text, std::string_view example, std::string_view what,
                     const std::vector<std::pair<const char*, double>>& table) {
  auto nu = split_number(text, example);
  if (!nu) return fail(nu.error());
  auto f = unit_factor(nu->unit, table, what, text);
  if (!f) return fail(f.error());
  return Q{nu->value * *f};
}

}  // namespace

Result<Bytes> parse_bytes(std::string_view text) {
  return parse_with<Bytes>(text, "24 GiB", "size", size_units());
}

Result<BytesPerSec> parse_bandwidth(std::string_view text) {
  static const std::vector<std::pair<const char*, double>> t = [] {
    std::vector<std::pair<const char*, double>> v = {
        {"B/s", 1.0},       {"kB/s", 1e3},        {"KB/s", 1e3},          {"MB/s", 1e6},
        {"GB/s", 1e9},      {"TB/s", 1e12},       {"KiB/s", 1024.0},      {"MiB/s", 1048576.0},
        {"GiB/s", 1073741824.0}, {"Mb/s", 1e6 / 8}, {"Gb/s", 1e9 / 8},      {"Tb/s", 1e12 / 8},
        {"Gbps", 1e9 / 8},  {"GbE", 1e9 / 8}};
    return v;
  }();
  return parse_with<BytesPerSec>(text, "273 GB/s", "bandwidth", t);
}

Result<FlopsPerSec> parse_flop_rate(std::string_view text) {
  static const std::vector<std::pair<const char*, double>> t = {
      {"FLOP/s", 1.0},     {"GFLOP/s", 1e9},  {"TFLOP/s", 1e12}, {"PFLOP/s", 1e15},
      {"GFLOPS", 1e9},     {"TFLOPS", 1e12},  {"PFLOPS", 1e15},  {"GOPS", 1e9},
      {"TOPS", 1e12},      {"POPS", 1e15},    {"GOP/s", 1e9},    {"TOP/s", 1e12}};
  return parse_with<FlopsPerSec>(text, "209 TFLOP/s", "compute rate", t);
}

Result<Watts> parse_watts(std::string_view text) {
  static const std::vector<std::pair<const char*, double>> t = {{"W", 1.0}, {"kW", 1e3}};
  return parse_with<Watts>(text, "450 W", "power", t);
}

Result<Seconds> parse_seconds(std::string_view text) {
  static const std::vector<std::pair<const char*, double>> t = {
      {"s", 1.0}, {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}, {"min", 60.0}, {"h", 3600.0}};
  return parse_with<Seconds>(text, "30 s", "duration", t);
}

std::string format_bytes(Bytes b) {
  return fmt::format("{:.2f} GB ({:.2f} GiB)", to_gb(b), to_gib(b));
}

std::string format_mib(Bytes b) { return fmt::format("{:.0f} MiB", to_mib(b)); }

std::string format_bandwidth(BytesPerSec r) { return fmt::format("{:.4g} GB/s", to_gbs(r)); }

std::string format_flop_rate(FlopsPerSec r) { return fmt::format("{:.4g} TFLOP/s", to_tflops(r)); }

}  // namespace worthit
