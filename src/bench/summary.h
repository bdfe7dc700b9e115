// SPDX-License-Identifier: MIT
// Metrics derived from the samples of a run (docs/metrics.md defines each one), labelled by where
// the numbers come from: "server" (the server's own counts and durations), "client" (our
// monotonic clock) or "telemetry".
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bench/stats.h"
#include "measure/record.h"

namespace worthit::bench {

/// Rates and latencies of one sample. Each is empty when its inputs are missing.
struct SampleMetrics {
  std::optional<double> eval_rate_tps;         ///< server: gen_tokens / gen_s
  std::optional<double> prompt_eval_rate_tps;  ///< server: prompt_tokens / prompt_s
  std::optional<double> ttft_s;                ///< client: first content chunk
  std::optional<double> tpot_s;                ///< client: (last - first token) / (gen_tokens - 1)
  std::optional<double> eval_rate_tps_client;  ///< client: 1 / tpot_s, token count from the server
};

/// Metrics of one successful sample.
SampleMetrics sample_metrics(const measure::Sample& s);

/// Summary of a run: statistics over its successful samples. Samples with a prompt-cache hit are
/// left out of the prompt eval rate (their prompt was not evaluated in full).
struct RunSummary {
  int64_t ok = 0, failed = 0, cache_hits = 0;
  std::optional<Stats> eval_rate_tps, prompt_eval_rate_tps;                              ///< server
  std::optional<Stats> ttft_s, tpot_s, eval_rate_tps_client, chunk_gap_s, first_byte_s;  ///< client
  std::optional<Stats> prompt_tokens, gen_tokens;  ///< server counts
  /// --users N: generated tokens of all users of a repetition / the repetition's wall time
  /// (first request sent to last response ended), one value per repetition.
  std::optional<Stats> aggregate_tps;
  std::optional<Stats> gpu_power_avg_w, gpu_energy_j;  ///< telemetry
};

RunSummary summarize_run(const measure::Run& run);

/// JSON of a Stats: {"n", "mean", "stddev", "median", "p90", "p99", "min", "max", "cv"}.
nlohmann::json stats_json(const std::optional<Stats>& s);
/// The summary as JSON grouped by source: {"server": {...}, "client": {...}, "telemetry": {...}}.
nlohmann::json summary_json(const RunSummary& s);
/// One sample as JSON, its numbers grouped as server/client/telemetry (units in every key).
nlohmann::json sample_json(const measure::Sample& s);
/// The run with provenance, notes, summary and every sample.
nlohmann::json run_json(const measure::Run& run);

}  // namespace worthit::bench
