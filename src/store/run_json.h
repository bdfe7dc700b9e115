// SPDX-License-Identifier: MIT
// A measured run as JSON: every field of measure::Run under the names the database uses (units
// in the names); an unset value is null, never 0.
#pragma once

#include <nlohmann/json.hpp>

#include "measure/record.h"

namespace worthit::store {

/// One sample as JSON (server, client, telemetry groups).
nlohmann::json sample_json(const measure::Sample& s);

/// A run with provenance, settings, notes and, when `with_samples`, every sample.
nlohmann::json run_json(const measure::Run& r, bool with_samples);

}  // namespace worthit::store
