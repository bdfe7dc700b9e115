// SPDX-License-Identifier: MIT
// Output of `worthit bench`: a text table, markdown, CSV (one row per sample) and JSON. The
// summary columns and the sample columns are each defined once and feed every format.
#pragma once

#include <ostream>
#include <vector>

#include "measure/record.h"

namespace worthit::app {

enum class BenchFormat { Text, Markdown, Csv, Json };

/// Prints the runs in `format` to `out` (JSON through print_json with schema_version).
void print_bench(const std::vector<measure::Run>& runs, BenchFormat format, std::ostream& out);

}  // namespace worthit::app
