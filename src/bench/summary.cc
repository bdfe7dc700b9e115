// SPDX-License-Identifier: MIT
#include "bench/summary.h"

#include <algorithm>
#include <map>

namespace worthit::bench {

SampleMetrics sample_metrics(const measure::Sample& s) {
  SampleMetrics m;
  const auto& sv = s.server;
  const auto& c = s.client;
  if (sv.gen_tokens && sv.gen_s && *sv.gen_s > 0)
    m.eval_rate_tps = static_cast<double>(*sv.gen_tokens) / *sv.gen_s;
  if (sv.prompt_tokens && sv.prompt_s && *sv.prompt_s > 0)
    m.prompt_eval_rate_tps = static_cast<double>(*sv.prompt_tokens) / *sv.prompt_s;
  m.ttft_s = c.first_token_s;
  // The first token ends the prefill; the remaining gen_tokens - 1 are decode steps.
  if (sv.gen_tokens && *sv.gen_tokens > 1 && c.first_token_s && c.last_token_s &&
      *c.last_token_s > *c.first_token_s) {
    m.tpot_s = (*c.last_token_s - *c.first_token_s) / static_cast<double>(*sv.gen_tokens - 1);
    m.eval_rate_tps_client = 1.0 / *m.tpot_s;
  }
  return m;
}

namespace {

void push(std::vector<double>& v, const std::optional<double>& x) {
  if (x) v.push_back(*x);
}

std::optional<double> as_double(const std::optional<int64_t>& x) {
  return x ? std::optional<double>(static_cast<double>(*x)) : std::nullopt;
}

std::vector<double> aggregate_rates(const measure::Run& run) {
  struct Window {
    double begin = 1e300, end = -1e300;
    int64_t tokens = 0;
    bool complete = true;
  };
  std::map<int, Window> reps;
  for (const auto& s : run.samples) {
    Window& w = reps[s.rep];
    if (!s.ok || !s.server.gen_tokens || !s.client.start_s || !s.client.total_s) {
      w.complete = false;  // a failed user makes the repetition's aggregate meaningless
      continue;
    }
    w.begin = std::min(w.begin, *s.client.start_s);
    w.end = std::max(w.end, *s.client.start_s + *s.client.total_s);
    w.tokens += *s.server.gen_tokens;
  }
  std::vector<double> out;
  for (const auto& [rep, w] : reps)
    if (w.complete && w.end > w.begin)
      out.push_back(static_cast<double>(w.tokens) / (w.end - w.begin));
  return out;
}

}  // namespace

RunSummary summarize_run(const measure::Run& run) {
  RunSummary r;
  std::vector<double> eval, prompt, ttft, tpot, evalc, gaps, fb, pt, gt, power, energy;
  for (const auto& s : run.samples) {
    if (!s.ok) {
      ++r.failed;
      continue;
    }
    ++r.ok;
    if (s.prompt_cache_hit) ++r.cache_hits;
    const SampleMetrics m = sample_metrics(s);
    push(eval, m.eval_rate_tps);
    if (!s.prompt_cache_hit) push(prompt, m.prompt_eval_rate_tps);
    push(ttft, m.ttft_s);
    push(tpot, m.tpot_s);
    push(evalc, m.eval_rate_tps_client);
    push(fb, s.client.first_byte_s);
    push(pt, as_double(s.server.prompt_tokens));
    push(gt, as_double(s.server.gen_tokens));
    push(power, s.telemetry.gpu_power_avg_w);
    push(energy, s.telemetry.gpu_energy_j);
    gaps.insert(gaps.end(), s.client.chunk_gaps_s.begin(), s.client.chunk_gaps_s.end());
  }
  r.eval_rate_tps = summarize(eval);
  r.prompt_eval_rate_tps = summarize(prompt);
  r.ttft_s = summarize(ttft);
  r.tpot_s = summarize(tpot);
  r.eval_rate_tps_client = summarize(evalc);
  r.chunk_gap_s = summarize(gaps);
  r.first_byte_s = summarize(fb);
  r.prompt_tokens = summarize(pt);
  r.gen_tokens = summarize(gt);
  if (run.users > 1) r.aggregate_tps = summarize(aggregate_rates(run));
  r.gpu_power_avg_w = summarize(power);
  r.gpu_energy_j = summarize(energy);
  return r;
}

nlohmann::json stats_json(const std::optional<Stats>& s) {
  if (!s) return nullptr;
  auto opt = [](const std::optional<double>& v) -> nlohmann::json {
    return v ? nlohmann::json(*v) : nullptr;
  };
  return {{"n", s->n},           {"mean", s->mean}, {"stddev", opt(s->stddev)},
          {"median", s->median}, {"p90", s->p90},   {"p99", s->p99},
          {"min", s->min},       {"max", s->max},   {"cv", opt(s->cv)}};
}

nlohmann::json summary_json(const RunSummary& s) {
  return {{"samples_ok", s.ok},
          {"samples_failed", s.failed},
          {"prompt_cache_hits", s.cache_hits},
          {"server",
           {{"eval_rate_tps", stats_json(s.eval_rate_tps)},
            {"prompt_eval_rate_tps", stats_json(s.prompt_eval_rate_tps)},
            {"prompt_tokens", stats_json(s.prompt_tokens)},
            {"gen_tokens", stats_json(s.gen_tokens)}}},
          {"client",
           {{"ttft_s", stats_json(s.ttft_s)},
            {"tpot_s", stats_json(s.tpot_s)},
            {"eval_rate_tps", stats_json(s.eval_rate_tps_client)},
            {"inter_chunk_s", stats_json(s.chunk_gap_s)},
            {"first_byte_s", stats_json(s.first_byte_s)},
            {"aggregate_eval_rate_tps", stats_json(s.aggregate_tps)}}},
          {"telemetry",
           {{"gpu_power_avg_w", stats_json(s.gpu_power_avg_w)},
            {"gpu_energy_j", stats_json(s.gpu_energy_j)}}}};
}

}  // namespace worthit::bench
