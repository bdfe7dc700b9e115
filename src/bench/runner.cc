// SPDX-License-Identifier: MIT
#include "bench/runner.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <thread>

#include "bench/prompt.h"

namespace worthit::bench {
namespace {

/// Everything one run shares between its repetitions.
struct RunState {
  const ServerAdapter& adapter;
  const Endpoint& endpoint;
  const RunnerOptions& opts;
  const RunnerHooks& hooks;
  PromptPlanner planner;
  measure::Run& run;
  std::optional<int64_t>
      reference_prompt_tokens;  ///< first count seen, for servers without a tokenizer
};

bool flag(const std::atomic<bool>* f) { return f && f->load(); }

uint64_t nonce_for(const RunnerOptions& o, const std::string& test, int rep, int user) {
  // splitmix64 over (seed, test, rep, user): distinct for every request of the invocation.
  uint64_t x = o.nonce_seed ^ std::hash<std::string>{}(test) ^
               (static_cast<uint64_t>(rep + 1000) << 20) ^ static_cast<uint64_t>(user);
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A prompt-cache hit: the server evaluated fewer prompt tokens than were sent (beyond the nonce's
// jitter when the count is only approximate), or says it reused more than the depth prefix. With
// exact counts any reuse counts; otherwise reuse must cover over half of the prompt, because
// prefix caches (vLLM, SGLang) legitimately keep a chat template's fixed header.
bool cache_hit(const measure::Sample& s, const PlannedRequest& p,
               std::optional<int64_t> reference) {
  const bool exact = p.prompt_tokens_sent > 0;
  if (s.server.cached_tokens) {
    const int64_t extra = *s.server.cached_tokens - p.expected_cached_tokens;
    const int64_t prompt = s.server.prompt_tokens.value_or(0);
    if (exact ? extra > 0 : extra > 0 && 2 * extra > prompt) return true;
  }
  if (!s.server.prompt_tokens) return false;
  const int64_t got = *s.server.prompt_tokens;
  if (exact) return got < p.prompt_tokens_sent - p.expected_cached_tokens;
  const int64_t approx = p.prompt_tokens_approx > 0
                             ? p.prompt_tokens_approx - p.expected_cached_tokens
                             : reference.value_or(0);
  return approx > 0 && got < approx - std::max<int64_t>(8, approx / 10);
}

measure::Sample failed(int rep, int user, const std::string& what) {
  measure::Sample s;
  s.rep = rep;
  s.user = user;
  s.ok = false;
  s.error = what;
  return s;
}

measure::Sample timed_request(RunState& st, const PlannedRequest& p, int rep, int user,
                              std::chrono::steady_clock::time_point rep_start) {
  HttpClient http(st.endpoint, st.opts.timeouts);
  const double start = seconds_since(rep_start);
  auto r = st.adapter.send(http, p.timed, st.hooks.cancel);
  if (!r) return failed(rep, user, r.error().message());
  measure::Sample s = std::move(*r);
  s.rep = rep;
  s.user = user;
  s.client.start_s = start;
  return s;
}

/// Plans and primes every user's request; a user whose preparation fails gets a failed sample.
std::vector<std::optional<PlannedRequest>> prepare_users(RunState& st, int rep,
                                                         std::vector<measure::Sample>& out) {
  std::vector<std::optional<PlannedRequest>> plans(static_cast<size_t>(st.opts.users));
  HttpClient http(st.endpoint, st.opts.timeouts);
  for (int u = 0; u < st.opts.users; ++u) {
    auto p = st.planner.plan(http, nonce_for(st.opts, st.run.test, rep, u));
    if (!p) {
      out.push_back(failed(rep, u, "prompt: " + p.error().message()));
      continue;
    }
    if (p->prime) {
      auto r = st.adapter.send(http, *p->prime, st.hooks.cancel);
      if (!r) {
        out.push_back(failed(rep, u, "priming the depth prefix: " + r.error().message()));
        continue;
      }
    }
    plans[static_cast<size_t>(u)] = std::move(*p);
  }
  return plans;
}

void run_repetition(RunState& st, int rep) {
  std::vector<measure::Sample> samples;
  auto plans = prepare_users(st, rep, samples);
  std::vector<measure::Sample> timed(plans.size());
  if (st.hooks.telemetry) st.hooks.telemetry->begin();
  const auto rep_start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (size_t u = 0; u < plans.size(); ++u) {
    if (!plans[u]) continue;
    auto work = [&, u] {
      timed[u] = timed_request(st, *plans[u], rep, static_cast<int>(u), rep_start);
    };
    if (plans.size() == 1)
      work();
    else
      threads.emplace_back(work);
  }
  for (auto& t : threads) t.join();
  std::optional<measure::Telemetry> tel;
  if (st.hooks.telemetry) tel = st.hooks.telemetry->end(st.run.notes);
  for (size_t u = 0; u < plans.size(); ++u) {
    if (!plans[u]) continue;
    measure::Sample& s = timed[u];
    if (s.ok) {
      if (!st.reference_prompt_tokens && s.server.prompt_tokens)
        st.reference_prompt_tokens = s.server.prompt_tokens;
      s.prompt_cache_hit = cache_hit(s, *plans[u], st.reference_prompt_tokens);
      if (tel) s.telemetry = *tel;
    }
    samples.push_back(std::move(s));
  }
  for (auto& s : samples) {
    if (st.hooks.on_sample) st.hooks.on_sample(s);
    st.run.samples.push_back(std::move(s));
  }
}

void warm_up(RunState& st) {
  HttpClient http(st.endpoint, st.opts.timeouts);
  for (int i = 0; i < st.opts.warmup && !flag(st.hooks.stop); ++i) {
    if (st.hooks.on_phase) st.hooks.on_phase(fmt::format("warm-up {}/{}", i + 1, st.opts.warmup));
    auto p = st.planner.plan(http, nonce_for(st.opts, st.run.test, -1 - i, 0));
    auto r = p ? st.adapter.send(http, p->timed, st.hooks.cancel)
               : Result<measure::Sample>(fail(p.error()));
    if (!r)
      st.run.notes.push_back(fmt::format("warm-up {} failed: {}", i + 1, r.error().message()));
    else if (!st.reference_prompt_tokens)
      st.reference_prompt_tokens = r->server.prompt_tokens;
  }
}

measure::Run new_run(const ServerAdapter& adapter, const Endpoint& endpoint, const Workload& w,
                     const RunnerOptions& o) {
  measure::Run run;
  run.worthit_version = WORTHIT_VERSION;
  run.source = "bench";
  run.host = o.host;
  run.system = o.system;
  run.server = std::string(adapter.name());
  run.server_url = endpoint.url();
  run.model_name = o.base.model;
  run.test = w.name;
  run.n_prompt = w.n_prompt;
  run.n_gen = w.n_gen;
  run.depth = w.depth;
  run.users = o.users;
  run.warmup = o.warmup;
  run.started_utc = utc_now_rfc3339();
  run.settings = {{"reps", o.reps},
                  {"timeout_s", o.timeouts.read_s},
                  {"seed", o.base.seed},
                  {"workload_source", w.source}};
  if (!o.base.system.empty()) run.settings["system_message"] = o.base.system;
  if (o.base.n_ctx) run.settings["n_ctx_tokens"] = *o.base.n_ctx;
  return run;
}

void finish_run(RunState& st) {
  HttpClient http(st.endpoint, st.opts.timeouts);
  auto info = st.adapter.probe(http, st.opts.base.model);
  if (!info) {
    st.run.notes.push_back("server info: " + info.error().message());
  } else {
    st.run.server_build = info->build;
    const nlohmann::json& d = info->details;
    if (!d.empty()) st.run.settings["server"] = d;
    if (d.contains("quantization_level") && d["quantization_level"].is_string())
      st.run.quant = d["quantization_level"].get<std::string>();
    // llama-server serves the model it was started with; its file names it.
    if (st.opts.base.model == kLoadedModel && d.contains("model_path") &&
        d["model_path"].is_string()) {
      const std::string path = d["model_path"].get<std::string>();
      st.run.model_name = path.substr(path.find_last_of('/') + 1);
    }
    for (auto& n : info->notes) st.run.notes.push_back(n);
  }
  for (const auto& n : st.hooks.telemetry_notes) st.run.notes.push_back(n);
  if (!st.hooks.telemetry)
    st.run.notes.push_back("telemetry: none (no readable GPU or CPU energy source)");
}

}  // namespace

std::string utc_now_rfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

measure::Run run_workload(const ServerAdapter& adapter, const Endpoint& endpoint, const Workload& w,
                          const RunnerOptions& opts, const RunnerHooks& hooks) {
  measure::Run run = new_run(adapter, endpoint, w, opts);
  RunState st{adapter, endpoint,    opts, hooks, PromptPlanner(adapter, w, opts.base),
              run,     std::nullopt};
  HttpClient http(endpoint, opts.timeouts);
  if (hooks.on_phase && !w.chat()) hooks.on_phase("sizing the prompt");
  if (auto ok = st.planner.prepare(http, run.notes); !ok) {
    for (int rep = 0; rep < opts.reps; ++rep)
      for (int u = 0; u < opts.users; ++u) {
        run.samples.push_back(failed(rep, u, "prompt: " + ok.error().message()));
        if (hooks.on_sample) hooks.on_sample(run.samples.back());
      }
    finish_run(st);
    return run;
  }
  warm_up(st);
  for (int rep = 0; rep < opts.reps; ++rep) {
    if (flag(hooks.stop)) {
      run.notes.push_back(fmt::format("interrupted: {} of {} repetitions ran", rep, opts.reps));
      break;
    }
    run_repetition(st, rep);
  }
  if (opts.users > 1 && hooks.telemetry)
    run.notes.push_back(
        "telemetry: with --users N every sample carries its whole repetition's window");
  finish_run(st);
  return run;
}

}  // namespace worthit::bench
