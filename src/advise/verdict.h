// SPDX-License-Identifier: MIT
// Verdicts: is a candidate machine worth it for a profile's workloads, compared with the machine
// the user already has? Pure: it judges numbers computed elsewhere (fit, predict, train,
// residency, cost) and says why, with the numbers in the text. Rules: docs/advise.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace worthit {

/// One LLM workload on one candidate.
struct WorkloadEval {
  std::string name, model, quant, runtime;
  bool moe = false;
  bool fits = false;
  std::string reason;         ///< why it does not fit
  bool offloaded = false;     ///< part of the model runs from host memory (CPU offload)
  double eval_tps = 0, eval_low_tps = 0, eval_high_tps = 0;
  double prompt_tps = 0, ttft_s = 0;
  int users = 1;
  double per_user_tps = 0;    ///< eval rate each user sees with `users` at once
  double aggregate_tps = 0;   ///< all users together
  double hours_per_day = 0;   ///< hours a day the workload generates (profile)
  int max_comfortable_users = 0;  ///< most users at once whose rate stays >= comfort
  double power_w = 0, energy_j_per_token = 0;
};

/// One fine-tuning job on one candidate.
struct FinetuneEval {
  std::string name, model, method;
  double params_b = 0;     ///< billions of parameters of the base model
  bool fits = false;
  int devices = 1;         ///< >1: fits only sharded over that many GPUs (FSDP / ZeRO-3)
  double memory_gib = 0, capacity_gib = 0;
  double hours_per_month = 0;  ///< at the job's tokens per month
  std::string where;       ///< the pool it fits on
};

/// Several models resident at once on one candidate.
struct ResidentsEval {
  bool known = false;       ///< false: the profile has none, or they could not be sized
  bool fits = false;
  double total_gib = 0, capacity_gib = 0;
  double swap_s_per_hour = 0;  ///< model loading time per hour of use when they do not fit
};

/// Money and power of one candidate.
struct CostEval {
  bool known = false;
  std::string currency;
  double purchase = 0;       ///< 0 for the machine already owned
  double cost_per_year = 0;  ///< amortised purchase plus electricity
  double cost_per_mtok = 0;  ///< per million generated tokens
  double idle_w = 0, load_w = 0;
  std::string power_scope;   ///< what the watts cover ("GPU boards", "wall")
};

/// Everything computed for one candidate.
struct CandidateEval {
  std::string id, name;
  std::string kind;  ///< "owned", "buy", "upgrade", "cloud"
  double memory_gib = 0;  ///< memory models can use (GPU + unified pools)
  std::vector<WorkloadEval> workloads;   ///< in the profile's order
  std::vector<FinetuneEval> finetune;    ///< in the profile's order
  ResidentsEval residents;
  CostEval cost;
};

/// One reason, tied to a workload (or "fine-tuning", "several models", "cost").
struct Reason {
  std::string topic, text;
};

struct Verdict {
  std::vector<Reason> worth_it_for, not_worth_it_for;
  std::string summary;
};

/// How much faster a candidate must be to be worth buying for a workload the user already runs
/// comfortably (the seed: 19.7 -> 52.8 t/s is "the Spark's strongest argument").
constexpr double kClearSpeedup = 1.5;

/// Judges `c` against the machine the user has. `budget` in c.cost.currency (none: no limit).
Verdict judge(const CandidateEval& c, const CandidateEval& owned, double comfort_tps,
              std::optional<double> budget);

/// A node of the seed's decision tree, answered from the numbers.
struct TreeAnswer {
  std::string question, answer, because;
};

/// The seed's decision tree, each branch answered for this profile and these candidates.
/// candidates[owned] is the user's machine.
std::vector<TreeAnswer> decision_tree(const std::vector<CandidateEval>& candidates, size_t owned,
                                      double comfort_tps);

}  // namespace worthit
