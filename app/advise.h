// SPDX-License-Identifier: MIT
// `worthit advise`: every candidate machine evaluated on a profile's workloads, with verdicts,
// the seed's decision tree and where worthit agrees with the seed. The document it builds is the
// one `worthit report` renders (docs/advise-json.md).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "common.h"

namespace worthit::app {

struct AdviseArgs {
  GlobalOptions g;
  std::string profile;  ///< a profile file
  std::string preset;   ///< data/profiles/<preset>.toml
  std::vector<std::string> sets;        ///< --set overrides of the profile
  std::vector<std::string> candidates;  ///< empty: the default list
  std::string db;  ///< results store whose runs are shown as measurements (empty: the default, if it exists)
};

/// The candidates compared when --candidates is not given: the user's machine ("owned"), the
/// seed's devices, the alternatives the seed weighs, and a cloud GPU.
std::vector<std::string> default_candidates();

/// Adds --profile, --preset, --set and --db to a command.
void add_profile_options(CLI::App* cmd, AdviseArgs& a);

/// Builds the advise document (docs/advise-json.md).
Result<nlohmann::json> build_advise(const AdviseArgs& a);

}  // namespace worthit::app
