// SPDX-License-Identifier: MIT
// `worthit calibrate --from-db` (app/calibrate_local.cc) and the overlay lookup `predict` uses.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "common.h"
#include "perf/efficiency.h"

namespace worthit::app {

struct LocalCalibrateArgs {
  GlobalOptions g;
  std::string db, system, overlay_dir;
  bool dry_run = false;
  double weight = 0.02;  ///< pull of each parameter toward its shipped value
  int max_evals = 1500;
};

int run_calibrate_local(const LocalCalibrateArgs& a);

/// The shipped calibration with the overlay of `system_spec` applied when one exists in
/// `overlay_dir` (empty: the default directory) and `use` is true. `applied` receives
/// {file, fitted_utc, runs, parameters} or null.
Result<Efficiency> efficiency_for(const GlobalOptions& g, const std::string& system_spec, bool use,
                                  const std::string& overlay_dir, nlohmann::json* applied);

}  // namespace worthit::app
