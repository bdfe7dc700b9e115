// SPDX-License-Identifier: MIT
// Offsets follow the DMTF SMBIOS specification (3.x), section "Memory Device (Type 17)".
#include "probe/dmi.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "probe/proc.h"

namespace worthit::probe {
namespace {

constexpr uint8_t kType17 = 17;
constexpr size_t kMinLength = 0x15;  // SMBIOS 2.1 fields up to memory type detail

uint32_t le(std::string_view raw, size_t off, size_t n) {
  uint32_t v = 0;
  for (size_t k = 0; k < n; ++k)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(raw[off + k])) << (8 * k);
  return v;
}

/// The `index`-th (1-based) string of the set after the formatted area; "" for 0 or missing.
std::string dmi_string(std::string_view raw, size_t formatted_len, unsigned index) {
  if (index == 0) return "";
  size_t pos = formatted_len;
  for (unsigned k = 1; pos < raw.size(); ++k) {
    size_t end = raw.find('\0', pos);
    if (end == std::string_view::npos) end = raw.size();
    if (end == pos) return "";  // the double NUL ending the set
    if (k == index) return std::string(raw.substr(pos, end - pos));
    pos = end + 1;
  }
  return "";
}

std::string type_name(unsigned code) {
  switch (code) {
    case 0x12: return "DDR";
    case 0x13: return "DDR2";
    case 0x18: return "DDR3";
    case 0x1A: return "DDR4";
    case 0x1B: return "LPDDR";
    case 0x1C: return "LPDDR2";
    case 0x1D: return "LPDDR3";
    case 0x1E: return "LPDDR4";
    case 0x20: return "HBM";
    case 0x21: return "HBM2";
    case 0x22: return "DDR5";
    case 0x23: return "LPDDR5";
    case 0x24: return "HBM3";
    default: return "";
  }
}

/// Size field at 0x0C: 0 empty, 0xFFFF unknown, 0x7FFF "see extended size", bit 15 = KiB units.
Bytes module_size(std::string_view raw, size_t len) {
  const uint32_t s = le(raw, 0x0C, 2);
  if (s == 0 || s == 0xFFFF) return Bytes{};
  if (s == 0x7FFF) return len >= 0x20 ? mib(le(raw, 0x1C, 4) & 0x7FFFFFFF) : Bytes{};
  return (s & 0x8000) ? kib(s & 0x7FFF) : mib(s);
}

/// A WORD speed field with its DWORD extension (used when the WORD reads 0xFFFF).
int speed(std::string_view raw, size_t len, size_t off, size_t ext_off) {
  if (len < off + 2) return 0;
  uint32_t v = le(raw, off, 2);
  if (v == 0xFFFF) v = len >= ext_off + 4 ? le(raw, ext_off, 4) & 0x7FFFFFFF : 0;
  return static_cast<int>(v);
}

}  // namespace

Result<DmiModule> parse_dmi_type17(std::string_view raw) {
  if (raw.size() < 2 || static_cast<uint8_t>(raw[0]) != kType17)
    return fail("smbios", "not a type 17 (Memory Device) structure");
  const size_t len = static_cast<unsigned char>(raw[1]);
  if (len < kMinLength || raw.size() < len)
    return fail("smbios", fmt::format("type 17 structure too short ({} bytes)", raw.size()));
  DmiModule m;
  m.size = module_size(raw, len);
  const uint32_t width = le(raw, 0x0A, 2);
  m.data_width_bits = width == 0xFFFF ? 0 : static_cast<int>(width);
  m.locator = dmi_string(raw, len, static_cast<unsigned char>(raw[0x10]));
  m.bank = dmi_string(raw, len, static_cast<unsigned char>(raw[0x11]));
  m.type = type_name(static_cast<unsigned char>(raw[0x12]));
  m.speed_mts = speed(raw, len, 0x15, 0x54);
  m.configured_mts = speed(raw, len, 0x20, 0x58);
  return m;
}

std::string DmiMemory::memory_type() const {
  if (modules.empty() || modules[0].type.empty()) return "";
  const int mts = modules[0].configured_mts ? modules[0].configured_mts : modules[0].speed_mts;
  return mts ? fmt::format("{}-{}", modules[0].type, mts) : modules[0].type;
}

int DmiMemory::channels() const {
  std::set<std::string> banks;
  for (const auto& m : modules)
    if (!m.bank.empty()) banks.insert(m.bank);
  // Distinct bank names identify channels on most desktop boards ("P0 CHANNEL A"); when they
  // are all alike or absent, assume one module per channel.
  if (banks.size() > 1) return static_cast<int>(banks.size());
  return static_cast<int>(modules.size());
}

BytesPerSec DmiMemory::peak_bandwidth() const {
  if (modules.empty()) return BytesPerSec{};
  const DmiModule& m = modules[0];
  const int mts = m.configured_mts ? m.configured_mts : m.speed_mts;
  if (mts == 0 || m.data_width_bits == 0) return BytesPerSec{};
  return BytesPerSec{mts * 1e6 * (m.data_width_bits / 8.0) * channels()};
}

Result<DmiMemory> read_dmi_memory(const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("17-", 0) == 0) files.push_back((it->path() / "raw").string());
  }
  if (files.empty())
    return fail(root, ec ? "cannot read: " + ec.message() : "no type 17 (memory device) entry",
                "memory type and speed need SMBIOS tables (usually readable by root only)");
  std::sort(files.begin(), files.end());
  DmiMemory out;
  Error first_error;
  for (const auto& f : files) {
    auto text = read_text_file(f);
    if (!text) {
      if (first_error.what.empty()) first_error = text.error();
      continue;
    }
    auto m = parse_dmi_type17(*text);
    if (!m) return fail(m.error().within(f));
    out.readable = true;
    if (m->size.base() > 0) out.modules.push_back(*m);
  }
  if (!out.readable) return fail(first_error);
  return out;
}

}  // namespace worthit::probe
