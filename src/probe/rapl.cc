// SPDX-License-Identifier: MIT
#include "probe/rapl.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <regex>

#include "core/text.h"
#include "probe/proc.h"

namespace worthit::probe {
namespace {

/// A counter file holding one unsigned integer, in microjoules.
Result<double> read_uj(const std::string& path) {
  WORTHIT_TRY(text, read_text_file(path));
  std::string_view t = trim(text);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size())
    return fail(path, fmt::format("expected a number of microjoules, got \"{}\"", t));
  return static_cast<double>(v) * 1e-6;
}

}  // namespace

Result<std::vector<RaplReading>> read_rapl(const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> zones;
  static const std::regex kPackage("intel-rapl:[0-9]+");
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (std::regex_match(name, kPackage)) zones.push_back(it->path().string());
  }
  if (zones.empty())
    return fail(root, ec ? "cannot read: " + ec.message() : "no intel-rapl package zone",
                "CPU package energy needs RAPL (powercap) exposed to this process");
  std::sort(zones.begin(), zones.end());
  std::vector<RaplReading> out;
  for (const auto& z : zones) {
    RaplReading r;
    r.path = z;
    WORTHIT_TRY(e, read_uj(z + "/energy_uj"));
    r.energy_j = e;
    if (auto m = read_uj(z + "/max_energy_range_uj")) r.max_range_j = *m;
    if (auto n = read_text_file(z + "/name")) r.name = std::string(trim(*n));
    out.push_back(std::move(r));
  }
  return out;
}

Result<double> rapl_energy_between(const std::vector<RaplReading>& before,
                                   const std::vector<RaplReading>& after) {
  if (before.size() != after.size())
    return fail("rapl", "the zones changed between the two readings");
  double total = 0;
  for (size_t k = 0; k < before.size(); ++k) {
    if (before[k].path != after[k].path)
      return fail("rapl", "the zones changed between the two readings");
    double d = after[k].energy_j - before[k].energy_j;
    if (d < 0) {
      if (before[k].max_range_j <= 0)
        return fail(before[k].path, "energy counter went back and its wrap range is unknown");
      d += before[k].max_range_j;  // wrapped once
    }
    total += d;
  }
  return total;
}

}  // namespace worthit::probe
