// SPDX-License-Identifier: MIT
// The seed's conclusions about the DGX Spark, each checked against worthit's computed numbers:
// where they agree, and where they do not and why. Pure: works on the candidate evaluations.
#pragma once

#include <string>
#include <vector>

#include "advise/verdict.h"

namespace worthit {

struct SeedClaim {
  std::string claim;         ///< short name of the claim
  std::string seed_says;     ///< the seed's words (quoted or closely paraphrased)
  std::string worthit_says;  ///< the computed answer, with numbers
  bool agrees = false;
  bool checked = false;      ///< false: the profile has no workload that tests it
  std::string why;
};

/// Checks the seed's conclusions. `spark` indexes the DGX Spark candidate, `owned` the user's
/// machine; returns nothing when either is missing.
std::vector<SeedClaim> check_seed_claims(const std::vector<CandidateEval>& candidates, size_t owned,
                                         size_t spark, double comfort_tps);

}  // namespace worthit
