// SPDX-License-Identifier: MIT
// Memory modules from SMBIOS type 17 ("Memory Device") entries, as Linux exposes them in
// /sys/firmware/dmi/entries/17-N/raw. Those files are usually readable by root only; without
// them the memory type, speed and channel count stay unknown.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/units.h"

namespace worthit::probe {

/// One populated memory slot.
struct DmiModule {
  Bytes size;
  std::string type;         ///< "DDR4", "DDR5", "LPDDR5", ...; "" when the code is not known
  int speed_mts = 0;        ///< rated speed, MT/s (0: unknown)
  int configured_mts = 0;   ///< speed the firmware set, MT/s (0: unknown)
  int data_width_bits = 0;  ///< 64 for a DIMM (0: unknown)
  std::string locator;      ///< "DIMM_A1"
  std::string bank;         ///< "P0 CHANNEL A"
};

/// The host's memory as SMBIOS describes it.
struct DmiMemory {
  std::vector<DmiModule> modules;  ///< populated slots only
  bool readable = false;           ///< false: no entries could be read (then all is unknown)

  /// "DDR5-5600" from the first module, "" when unknown.
  std::string memory_type() const;
  /// Channels, estimated as the distinct bank locators of populated modules, else one per
  /// module; 0 when nothing was readable.
  int channels() const;
  /// Theoretical peak: configured (else rated) MT/s x data width / 8 x channels; 0 unknown.
  BytesPerSec peak_bandwidth() const;
};

/// Decodes one raw type-17 structure (formatted area plus its string set). Returns a module
/// with size 0 for an empty slot; fails on a structure too short or of another type.
Result<DmiModule> parse_dmi_type17(std::string_view raw);

/// Reads every /sys/firmware/dmi/entries/17-*/raw under `root`; fails naming the path when none
/// can be read.
Result<DmiMemory> read_dmi_memory(const std::string& root = "/sys/firmware/dmi/entries");

}  // namespace worthit::probe
