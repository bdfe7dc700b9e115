// SPDX-License-Identifier: MIT
// Per-process figures from /proc: the resident set of a server process.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "core/units.h"

namespace worthit::probe {

/// The VmRSS line of a /proc/<pid>/status text ("VmRSS:   123456 kB"; kB there means KiB).
Result<Bytes> parse_vmrss(std::string_view status_text);

/// Resident set size of process `pid` from /proc/<pid>/status; 0 means this process.
Result<Bytes> process_rss(int pid = 0);

/// Reads a whole small file (/proc, /sys); fails naming the path.
Result<std::string> read_text_file(const std::string& path);

}  // namespace worthit::probe
