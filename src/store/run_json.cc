// SPDX-License-Identifier: MIT
#include "store/run_json.h"

#include <optional>

namespace worthit::store {

namespace {

template <class T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json sample_json(const measure::Sample& s) {
  const auto& v = s.server;
  const auto& c = s.client;
  const auto& t = s.telemetry;
  return {{"rep", s.rep},
          {"user", s.user},
          {"ok", s.ok},
          {"error", s.error},
          {"prompt_cache_hit", s.prompt_cache_hit},
          {"server",
           {{"prompt_tokens", opt(v.prompt_tokens)},
            {"prompt_s", opt(v.prompt_s)},
            {"gen_tokens", opt(v.gen_tokens)},
            {"gen_s", opt(v.gen_s)},
            {"cached_tokens", opt(v.cached_tokens)},
            {"load_s", opt(v.load_s)},
            {"total_s", opt(v.total_s)}}},
          {"client",
           {{"first_byte_s", opt(c.first_byte_s)},
            {"first_token_s", opt(c.first_token_s)},
            {"last_token_s", opt(c.last_token_s)},
            {"total_s", opt(c.total_s)},
            {"chunk_gaps_s", c.chunk_gaps_s},
            {"content_chunks", opt(c.content_chunks)}}},
          {"telemetry",
           {{"gpu_energy_j", opt(t.gpu_energy_j)},
            {"gpu_power_avg_w", opt(t.gpu_power_avg_w)},
            {"gpu_power_max_w", opt(t.gpu_power_max_w)},
            {"gpu_power_samples", opt(t.gpu_power_samples)},
            {"gpu_memory_used_bytes", opt(t.gpu_memory_used_bytes)},
            {"server_rss_bytes", opt(t.server_rss_bytes)},
            {"cpu_energy_j", opt(t.cpu_energy_j)}}}};
}

nlohmann::json run_json(const measure::Run& r, bool with_samples) {
  nlohmann::json j = {{"id", opt(r.id)},
                      {"worthit_version", r.worthit_version},
                      {"source", r.source},
                      {"host", r.host},
                      {"system", r.system},
                      {"server", r.server},
                      {"server_url", r.server_url},
                      {"server_build", r.server_build},
                      {"model", r.model},
                      {"model_name", r.model_name},
                      {"quant", r.quant},
                      {"test", r.test},
                      {"n_prompt_tokens", r.n_prompt},
                      {"n_gen_tokens", r.n_gen},
                      {"depth_tokens", r.depth},
                      {"users", r.users},
                      {"warmup_reps", r.warmup},
                      {"started_utc", r.started_utc},
                      {"settings", r.settings},
                      {"notes", r.notes}};
  if (!with_samples) return j;
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& s : r.samples) samples.push_back(sample_json(s));
  j["samples"] = std::move(samples);
  return j;
}

}  // namespace worthit::store
