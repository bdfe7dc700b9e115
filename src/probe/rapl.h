// SPDX-License-Identifier: MIT
// CPU package energy from Linux's powercap interface (RAPL, Intel and recent AMD):
// /sys/class/powercap/intel-rapl:N/energy_uj, a counter in microjoules that wraps at
// max_energy_range_uj. Since Linux 5.10 the counter is readable by root only, and containers
// rarely expose it: every failure names the path it could not read.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

namespace worthit::probe {

/// One top-level RAPL zone (a CPU package) at one moment.
struct RaplReading {
  std::string path;        ///< "/sys/class/powercap/intel-rapl:0"
  std::string name;        ///< "package-0" (the zone's `name` file), or empty
  double energy_j = 0;     ///< counter value, joules
  double max_range_j = 0;  ///< where the counter wraps, joules (0 when unknown)
};

/// Reads every package zone (`intel-rapl:N`, not the sub-zones `intel-rapl:N:M`, which are
/// parts of the package) under `root`. Fails naming the path when there is no zone or one
/// cannot be read.
Result<std::vector<RaplReading>> read_rapl(const std::string& root = "/sys/class/powercap");

/// Energy used between two readings of the same zones, joules, allowing each counter to wrap
/// once. Fails when the zones differ.
Result<double> rapl_energy_between(const std::vector<RaplReading>& before,
                                   const std::vector<RaplReading>& after);

}  // namespace worthit::probe
