// SPDX-License-Identifier: MIT
// Pieces shared by the files of `worthit advise` (not a public interface).
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "advise.h"
#include "advise/cloud.h"
#include "advise/cost.h"
#include "advise/profile.h"
#include "advise/resident.h"
#include "advise/train_data.h"
#include "advise/verdict.h"
#include "measure/record.h"
#include "perf/efficiency.h"

namespace worthit::app {

/// What every candidate evaluation needs.
struct Env {
  const AdviseArgs& a;
  HwCatalog cat;
  Efficiency eff;
  TrainConstants train;
  Profile prof;
  std::vector<FxRate> fx;
  std::vector<CloudOffer> cloud;
  std::vector<ResidentEntry> resident_catalog;
  std::vector<measure::Run> measured;  ///< runs of the results store (empty: none)
  std::map<std::string, ModelSource> models;  ///< by "model|quant"
};

struct Candidate {
  std::string id, spec, kind;
  bool used = false;                     ///< "used:" prefix: second-hand prices
  System sys;
  std::vector<std::vector<Price>> parts;  ///< price lists of what must be bought
};

/// Price, power, electricity, cost per million tokens and the cloud comparison of one candidate
/// whose workloads are evaluated; `j` receives the `price`, `cloud`, `power` and `cost` objects.
Result<CostEval> eval_cost(const Env& env, const Candidate& c, const CandidateEval& ev, nlohmann::json& j);

/// Several models at once: the profile's [[resident]] set placed on the candidate's GPU memory;
/// `j` receives the `residents` object.
Result<ResidentsEval> eval_residents(Env& env, const Candidate& c, nlohmann::json& j);

/// The model of a catalog id (cached).
Result<const ModelSource*> model_of(Env& env, const std::string& model, const std::string& quant);

}  // namespace worthit::app
