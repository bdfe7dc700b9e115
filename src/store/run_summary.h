// SPDX-License-Identifier: MIT
// Per-run statistics over the samples of a stored run: the numbers `worthit results` lists.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "measure/record.h"

namespace worthit::store {

/// Mean and sample standard deviation (n - 1) of a set of values.
struct Stat {
  int64_t n = 0;
  std::optional<double> mean;    ///< empty when n == 0
  std::optional<double> stddev;  ///< empty when n < 2
};

/// Mean and sample standard deviation of `xs`.
Stat stat_of(const std::vector<double>& xs);

/// What a run's successful samples say. Rates come from server-reported counts and durations;
/// a sample without both contributes nothing to that rate (never a zero).
struct RunSummary {
  int64_t samples_ok = 0;
  int64_t samples_failed = 0;
  Stat eval_rate_tps;         ///< gen_tokens / gen_s
  Stat prompt_eval_rate_tps;  ///< prompt_tokens / prompt_s
  Stat ttft_s;                ///< client-observed time to the first content token
};

/// Summarizes the samples of `run`.
RunSummary summarize(const measure::Run& run);

}  // namespace worthit::store
