// SPDX-License-Identifier: MIT
// JSON of a measured run: provenance, notes, the summary and every sample, each number named
// with its unit and grouped by its source (server / client / telemetry).
#include "bench/summary.h"

namespace worthit::bench {
namespace {

template <class T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json server_json(const measure::ServerReported& s) {
  return {{"prompt_tokens", opt(s.prompt_tokens)},
          {"prompt_s", opt(s.prompt_s)},
          {"gen_tokens", opt(s.gen_tokens)},
          {"gen_s", opt(s.gen_s)},
          {"cached_tokens", opt(s.cached_tokens)},
          {"load_s", opt(s.load_s)},
          {"total_s", opt(s.total_s)}};
}

nlohmann::json client_json(const measure::ClientObserved& c) {
  return {{"start_s", opt(c.start_s)},
          {"first_byte_s", opt(c.first_byte_s)},
          {"first_token_s", opt(c.first_token_s)},
          {"last_token_s", opt(c.last_token_s)},
          {"total_s", opt(c.total_s)},
          {"content_chunks", opt(c.content_chunks)},
          {"chunk_gaps_s", c.chunk_gaps_s}};
}

nlohmann::json telemetry_json(const measure::Telemetry& t) {
  return {{"gpu_energy_j", opt(t.gpu_energy_j)},
          {"gpu_power_avg_w", opt(t.gpu_power_avg_w)},
          {"gpu_power_max_w", opt(t.gpu_power_max_w)},
          {"gpu_power_samples", opt(t.gpu_power_samples)},
          {"gpu_memory_used_bytes", opt(t.gpu_memory_used_bytes)},
          {"server_rss_bytes", opt(t.server_rss_bytes)},
          {"cpu_energy_j", opt(t.cpu_energy_j)}};
}

}  // namespace

nlohmann::json sample_json(const measure::Sample& s) {
  const SampleMetrics m = sample_metrics(s);
  nlohmann::json j = {{"rep", s.rep}, {"user", s.user}, {"ok", s.ok}};
  if (!s.ok) j["error"] = s.error;
  j["prompt_cache_hit"] = s.prompt_cache_hit;
  j["server"] = server_json(s.server);
  j["server"]["eval_rate_tps"] = opt(m.eval_rate_tps);
  j["server"]["prompt_eval_rate_tps"] = opt(m.prompt_eval_rate_tps);
  j["client"] = client_json(s.client);
  j["client"]["ttft_s"] = opt(m.ttft_s);
  j["client"]["tpot_s"] = opt(m.tpot_s);
  j["client"]["eval_rate_tps"] = opt(m.eval_rate_tps_client);
  j["telemetry"] = telemetry_json(s.telemetry);
  return j;
}

nlohmann::json run_json(const measure::Run& run) {
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& s : run.samples) samples.push_back(sample_json(s));
  return {{"id", opt(run.id)},
          {"worthit_version", run.worthit_version},
          {"source", run.source},
          {"host", run.host},
          {"system", run.system},
          {"server", run.server},
          {"server_url", run.server_url},
          {"server_build", run.server_build},
          {"model", run.model},
          {"model_name", run.model_name},
          {"quant", run.quant},
          {"test", run.test},
          {"n_prompt_tokens", run.n_prompt},
          {"n_gen_tokens", run.n_gen},
          {"depth_tokens", run.depth},
          {"users", run.users},
          {"warmup", run.warmup},
          {"started_utc", run.started_utc},
          {"settings", run.settings},
          {"notes", run.notes},
          {"summary", summary_json(summarize_run(run))},
          {"samples", samples}};
}

}  // namespace worthit::bench
