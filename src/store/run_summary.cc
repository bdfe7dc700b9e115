// SPDX-License-Identifier: MIT
#include "store/run_summary.h"

#include <cmath>

namespace worthit::store {

Stat stat_of(const std::vector<double>& xs) {
  Stat s;
  s.n = static_cast<int64_t>(xs.size());
  if (xs.empty()) return s;
  double sum = 0;
  for (double x : xs) sum += x;
  const double mean = sum / static_cast<double>(xs.size());
  s.mean = mean;
  if (xs.size() < 2) return s;
  double sq = 0;
  for (double x : xs) sq += (x - mean) * (x - mean);
  s.stddev = std::sqrt(sq / static_cast<double>(xs.size() - 1));
  return s;
}

namespace {

/// tokens / seconds when both are known and the duration is positive.
std::optional<double> rate(std::optional<int64_t> tokens, std::optional<double> seconds) {
  if (!tokens || !seconds || *seconds <= 0) return std::nullopt;
  return static_cast<double>(*tokens) / *seconds;
}

}  // namespace

RunSummary summarize(const measure::Run& run) {
  RunSummary r;
  std::vector<double> eval, prompt, ttft;
  for (const auto& s : run.samples) {
    if (!s.ok) {
      ++r.samples_failed;
      continue;
    }
    ++r.samples_ok;
    if (auto x = rate(s.server.gen_tokens, s.server.gen_s)) eval.push_back(*x);
    if (auto x = rate(s.server.prompt_tokens, s.server.prompt_s)) prompt.push_back(*x);
    if (s.client.first_token_s) ttft.push_back(*s.client.first_token_s);
  }
  r.eval_rate_tps = stat_of(eval);
  r.prompt_eval_rate_tps = stat_of(prompt);
  r.ttft_s = stat_of(ttft);
  return r;
}

}  // namespace worthit::store
