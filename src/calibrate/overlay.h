// SPDX-License-Identifier: MIT
// A per-system calibration overlay: the few efficiency parameters that belong to one machine,
// fitted by `worthit calibrate --from-db` from that machine's stored runs, and applied by
// `predict` whenever the same system is named. Format and rules: docs/calibrate-local.md.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "calibrate/published.h"
#include "core/error.h"
#include "measure/record.h"
#include "perf/efficiency.h"

namespace worthit {

struct Overlay {
  std::string system;      ///< the system spec it was fitted for
  std::string fitted_utc;  ///< when
  std::string db;          ///< the results store it was fitted from
  std::vector<int64_t> runs;  ///< run ids fitted on
  std::vector<std::pair<std::string, double>> params;  ///< name -> value
  std::string file;        ///< where it was read
};

/// Reads an overlay; unknown parameter names and values outside the parameter's physical bounds
/// are errors naming file:line.
Result<Overlay> load_overlay(const std::string& path);
/// The TOML text of an overlay.
std::string overlay_toml(const Overlay& o);
/// `base` with the overlay's parameters.
Efficiency apply_overlay(const Efficiency& base, const Overlay& o);

/// $XDG_DATA_HOME/worthit/overlays (or ~/.local/share/worthit/overlays).
std::string default_overlay_dir();
/// The overlay file of a system spec: the spec with characters other than letters, digits and
/// "._+-" replaced by '_', then ".toml".
std::string overlay_file_name(const std::string& system_spec);

/// Stored runs turned into cases the calibration can predict: one case per run, a `tg` and/or
/// `pp` result from the server-reported counts and times of its successful samples. Runs that
/// cannot be used (no catalog model or system, no server timings) are listed in `skipped` with
/// the reason.
std::vector<PublishedCase> cases_from_runs(const std::vector<measure::Run>& runs,
                                           std::vector<std::string>* skipped);

}  // namespace worthit
