// SPDX-License-Identifier: MIT
#include "probe/host.h"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <set>

#include "core/text.h"
#include "probe/proc.h"

namespace worthit::probe {
namespace {

/// Names of common Arm cores by (implementer, part), as the kernel's cputype.h lists them.
std::string arm_core_name(const std::string& implementer, const std::string& part) {
  static const std::map<std::pair<std::string, std::string>, std::string> kNames = {
      {{"0x41", "0xd03"}, "Cortex-A53"},  {{"0x41", "0xd05"}, "Cortex-A55"},
      {{"0x41", "0xd08"}, "Cortex-A72"},  {{"0x41", "0xd0b"}, "Cortex-A76"},
      {{"0x41", "0xd0c"}, "Neoverse-N1"}, {{"0x41", "0xd40"}, "Neoverse-V1"},
      {{"0x41", "0xd41"}, "Cortex-A78"},  {{"0x41", "0xd44"}, "Cortex-X1"},
      {{"0x41", "0xd49"}, "Neoverse-N2"}, {{"0x41", "0xd4f"}, "Neoverse-V2"},
      {{"0x41", "0xd85"}, "Cortex-X925"}, {{"0x41", "0xd87"}, "Cortex-A725"},
      {{"0xc0", "0xac3"}, "AmpereOne"},
  };
  auto it = kNames.find({to_lower(implementer), to_lower(part)});
  if (it != kNames.end()) return it->second;
  return fmt::format("Arm core (implementer {}, part {})", implementer, part);
}

/// "key\t: value" -> (key, value), both trimmed; key empty when the line has no colon.
std::pair<std::string, std::string> key_value(std::string_view line) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return {"", ""};
  return {std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))};
}

void add_isa(CpuInfoText& c, const std::string& flags) {
  std::set<std::string> have;
  for (const auto& f : split(flags, ' '))
    if (!f.empty()) have.insert(f);
  for (std::string_view want : kIsaOfInterest)
    if (have.count(std::string(want))) c.isa.emplace_back(want);
}

int online_cpus() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 0;
}

/// Distinct (package, core) pairs from sysfs topology; 0 when unreadable.
int sysfs_cores() {
  std::set<std::pair<std::string, std::string>> cores;
  for (int i = 0; i < 4096; ++i) {
    const std::string dir = fmt::format("/sys/devices/system/cpu/cpu{}/topology/", i);
    auto pkg = read_text_file(dir + "physical_package_id");
    auto core = read_text_file(dir + "core_id");
    if (!pkg || !core) break;
    cores.insert({std::string(trim(*pkg)), std::string(trim(*core))});
  }
  return static_cast<int>(cores.size());
}

/// Size of the largest-level data/unified cache of cpu0.
Result<Bytes> last_level_cache() {
  int best_level = 0;
  Bytes best;
  for (int i = 0; i < 8; ++i) {
    const std::string dir = fmt::format("/sys/devices/system/cpu/cpu0/cache/index{}/", i);
    auto level = read_text_file(dir + "level");
    if (!level) break;
    auto type = read_text_file(dir + "type");
    if (type && trim(*type) == "Instruction") continue;
    auto size = read_text_file(dir + "size");
    int lv = 0;
    std::string_view l = trim(*level);
    std::from_chars(l.data(), l.data() + l.size(), lv);
    if (!size || lv <= best_level) continue;
    WORTHIT_TRY(bytes, parse_cache_size(*size));
    best_level = lv;
    best = bytes;
  }
  if (best_level == 0) return fail("/sys/devices/system/cpu/cpu0/cache", "no cache listed");
  return best;
}

}  // namespace

CpuInfoText parse_cpuinfo(std::string_view text) {
  CpuInfoText c;
  std::set<std::pair<std::string, std::string>> cores;
  std::set<std::string> sockets, arm_names;
  std::string phys, core, implementer, flags;
  auto end_block = [&] {
    if (!core.empty()) cores.insert({phys, core});
    if (!phys.empty()) sockets.insert(phys);
    phys.clear();
    core.clear();
  };
  for (const auto& line : split(text, '\n')) {
    if (trim(line).empty()) {
      end_block();
      continue;
    }
    auto [key, value] = key_value(line);
    if (key == "processor") {
      ++c.logical_cpus;
    } else if ((key == "model name" || key == "Model Name") && c.model.empty()) {
      c.model = value;
    } else if (key == "physical id") {
      phys = value;
    } else if (key == "core id") {
      core = value;
    } else if ((key == "flags" || key == "Features") && flags.empty()) {
      flags = value;
      c.arch = key == "flags" ? "x86_64" : "aarch64";
    } else if (key == "CPU implementer") {
      implementer = value;
    } else if (key == "CPU part") {
      arm_names.insert(arm_core_name(implementer, value));
    }
  }
  end_block();
  add_isa(c, flags);
  if (c.model.empty() && !arm_names.empty()) {
    for (const auto& n : arm_names) c.model += (c.model.empty() ? "" : " + ") + n;
  }
  c.cores = static_cast<int>(cores.size());
  c.sockets = static_cast<int>(sockets.size());
  return c;
}

Result<MemInfo> parse_meminfo(std::string_view text) {
  MemInfo m;
  bool have_total = false;
  for (const auto& line : split(text, '\n')) {
    auto [key, value] = key_value(line);
    if (key != "MemTotal" && key != "MemAvailable") continue;
    int64_t kib_count = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), kib_count);
    if (ec != std::errc() || kib_count < 0 || trim(std::string_view(end)) != "kB")
      return fail(key, fmt::format("expected a size like \"16318412 kB\", got \"{}\"", value));
    (key == "MemTotal" ? m.total : m.available) = kib(static_cast<double>(kib_count));
    have_total = have_total || key == "MemTotal";
  }
  if (!have_total) return fail("MemTotal", "no MemTotal line");
  return m;
}

Result<Bytes> parse_cache_size(std::string_view text) {
  std::string_view t = trim(text);
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  std::string_view unit = t.substr(static_cast<size_t>(end - t.data()));
  if (ec != std::errc())
    return fail("cache size", fmt::format("expected a size like \"32768K\", got \"{}\"", t));
  const double v = static_cast<double>(n);
  if (unit.empty()) return Bytes{v};
  if (unit == "K") return kib(v);
  if (unit == "M") return mib(v);
  if (unit == "G") return gib(v);
  return fail("cache size", fmt::format("expected a size like \"32768K\", got \"{}\"", t));
}

HostInfo detect_host() {
  HostInfo h;
  utsname u{};
  h.arch = uname(&u) == 0 ? u.machine : "unknown";
  h.threads = online_cpus();
  if (auto text = read_text_file("/proc/cpuinfo")) {
    CpuInfoText c = parse_cpuinfo(*text);
    h.cpu_model = c.model;
    h.cores = c.cores;
    h.sockets = c.sockets;
    h.isa = c.isa;
  } else {
    h.notes.push_back("cpu: " + text.error().message());
  }
  if (h.cpu_model.empty()) h.cpu_model = "unknown";
  if (h.cores == 0) h.cores = sysfs_cores();
  if (h.sockets == 0 && h.cores > 0) h.sockets = 1;
  auto mem = read_text_file("/proc/meminfo");
  auto info = mem ? parse_meminfo(*mem) : Result<MemInfo>(fail(mem.error()));
  if (info) {
    h.memory_total = info->total;
    h.memory_available = info->available;
  } else {
    h.notes.push_back("memory: " + info.error().within("/proc/meminfo").message());
  }
  if (auto llc = last_level_cache()) {
    h.l3_cache = *llc;
  } else {
    h.notes.push_back("cache: " + llc.error().message());
  }
  if (auto dmi = read_dmi_memory()) {
    h.dmi = *dmi;
  } else {
    h.notes.push_back("memory type and speed: " + dmi.error().message());
  }
  return h;
}

}  // namespace worthit::probe
