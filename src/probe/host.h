// SPDX-License-Identifier: MIT
// What this host is: CPU model, cores, threads, ISA extensions, memory size, caches. The parsers
// take file text, so they are tested on fixtures from other machines; detect_host() reads the
// real files and turns anything it cannot read or understand into "unknown" (empty/0) plus a note.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/units.h"
#include "probe/dmi.h"

namespace worthit::probe {

/// What /proc/cpuinfo says.
struct CpuInfoText {
  std::string model;              ///< "AMD Ryzen 7 5800X3D 8-Core Processor"; "" when absent
  std::string arch;               ///< "x86_64" or "aarch64", from the fields present
  int logical_cpus = 0;           ///< "processor" entries
  int cores = 0;                  ///< distinct (physical id, core id) pairs; 0 when not listed
  int sockets = 0;                ///< distinct physical ids; 0 when not listed
  std::vector<std::string> isa;   ///< the extensions of interest present, in kIsaOfInterest order
};

/// Extensions worthit reports (x86 flags and aarch64 Features use these spellings).
inline constexpr std::string_view kIsaOfInterest[] = {
    "avx", "f16c", "fma", "avx2", "avx_vnni", "avx512f", "avx512_vnni", "avx512_bf16",
    "amx_tile", "amx_bf16", "amx_int8", "asimd", "asimddp", "i8mm", "bf16", "sve", "sve2", "sme"};

/// Parses /proc/cpuinfo text from x86 ("model name", "flags") or aarch64 ("Features",
/// "CPU implementer"/"CPU part", named for common Arm cores). Never fails: missing fields stay
/// empty or 0.
CpuInfoText parse_cpuinfo(std::string_view text);

/// Figures from /proc/meminfo.
struct MemInfo {
  Bytes total;      ///< MemTotal
  Bytes available;  ///< MemAvailable (0 when the kernel does not report it)
};

/// Parses /proc/meminfo text; fails when MemTotal is missing or malformed.
Result<MemInfo> parse_meminfo(std::string_view text);

/// Parses a sysfs cache size ("32768K", "1M", "512"), bytes (binary K/M/G).
Result<Bytes> parse_cache_size(std::string_view text);

/// Everything detected about the host. Empty strings and 0 mean "unknown"; `notes` says why.
struct HostInfo {
  std::string cpu_model;          ///< "unknown" when not found
  std::string arch;               ///< uname machine: "x86_64", "aarch64"
  int cores = 0;                  ///< physical cores (0: unknown)
  int threads = 0;                ///< logical CPUs online
  int sockets = 0;
  std::vector<std::string> isa;
  Bytes memory_total;
  Bytes memory_available;
  Bytes l3_cache;                 ///< last-level cache of cpu0 (0: unknown)
  DmiMemory dmi;                  ///< modules, type and speed where SMBIOS is readable
  std::vector<std::string> notes; ///< "memory speed: /sys/firmware/dmi/entries: cannot read ..."
};

/// Reads /proc/cpuinfo, /proc/meminfo, /sys/devices/system/cpu and SMBIOS type 17 entries.
HostInfo detect_host();

}  // namespace worthit::probe
