// SPDX-License-Identifier: MIT
// Evaluates each candidate machine on a profile: fit and predict every workload, size every
// fine-tuning job, then hand the numbers to the verdict rules (src/advise/verdict.h).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "advise.h"
#include "core/text.h"
#include "db_option.h"
#include "advise_internal.h"
#include "advise/profile.h"
#include "advise/train_data.h"
#include "advise/seed_claims.h"
#include "advise/verdict.h"
#include "calibrate/samples.h"
#include "fit_args.h"
#include "model/recipe.h"
#include "perf/concurrency.h"
#include "perf/predict.h"

namespace worthit::app {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

}  // namespace

Result<const ModelSource*> model_of(Env& env, const std::string& model, const std::string& quant) {
  const std::string key = model + "|" + quant;
  auto it = env.models.find(key);
  if (it == env.models.end()) {
    WORTHIT_TRY(m, load_model_source(env.a.g, model, quant));
    it = env.models.emplace(key, std::move(m)).first;
  }
  return &it->second;
}

namespace {

FitArgs fit_args_for(const Env& env, const std::string& spec, const ProfileWorkload& w) {
  FitArgs fa;
  fa.g = env.a.g;
  fa.system = spec;
  fa.model = w.model;
  fa.quant = w.quant;
  fa.runtime = w.runtime.empty() ? "ollama" : w.runtime;
  if (fa.runtime == "vllm") fa.runtime = "llama.cpp";  // memory as llama.cpp; batching as vLLM
  const int64_t need = w.context_tokens + w.prompt_tokens + w.answer_tokens;
  if (w.context_window_tokens > 0) fa.ctx = w.context_window_tokens;
  else if (fa.runtime != "ollama") fa.ctx = std::max<int64_t>(need, 4096);
  if (!w.kv_cache.empty()) fa.cache_k = fa.cache_v = w.kv_cache;
  return fa;
}

nlohmann::json range_json(double lo, double hi) { return nlohmann::json::array({lo, hi}); }

nlohmann::json memory_json(const FitResult& f) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : f.pools)
    if (p.used().base() > 0)
      out.push_back({{"pool", p.id}, {"kind", p.kind}, {"used_bytes", p.used().base()},
                     {"capacity_bytes", p.capacity.base()}, {"weights_bytes", p.weights.base()},
                     {"kv_bytes", p.kv.base()}, {"other_bytes", (p.compute + p.other).base()}});
  return out;
}

/// Several users of one workload: the engine follows the runtime (ollama queues, llama.cpp is
/// llama-server's slots, "vllm" batches); fills the per-user fields of `ev`.
Result<nlohmann::json> eval_users(const Env& env, const Candidate& c, const ProfileWorkload& w,
                                  const ModelSource& m, const std::vector<TensorInfo>& tensors,
                                  const worthit::Workload& req, WorkloadEval& ev) {
  const std::string rt = w.runtime.empty() ? "ollama" : w.runtime;
  WORTHIT_TRY(engine, parse_serve_engine(rt == "llama.cpp" ? "llama-server" : rt));
  const FitArgs base = fit_args_for(env, c.spec, w);
  FitFn fit = [&](int slots, int64_t n_ctx) -> Result<FitResult> {
    FitArgs fa = base;
    fa.parallel = slots;
    if (n_ctx >= 0) fa.ctx = std::max(n_ctx, base.ctx);
    System sys;
    return fit_case(fa, env.cat, m, sys);
  };
  ConcurrencyRequest r{engine, ev.users, -1, req, std::min(base.ubatch, base.batch), env.prof.comfort_tps, 10.0};
  WORTHIT_TRY(cr, predict_concurrency(m.arch, tensors, fit, r, env.eff));
  ev.per_user_tps = cr.per_user_eval_rate_tps;
  ev.aggregate_tps = cr.aggregate_eval_rate_tps;
  ev.max_comfortable_users = cr.max_comfortable_users;
  return nlohmann::json{{"engine", serve_engine_name(engine)}, {"rule", cr.rule}, {"slots", cr.slots},
                        {"per_user_eval_rate_tps", cr.per_user_eval_rate_tps},
                        {"aggregate_eval_rate_tps", cr.aggregate_eval_rate_tps},
                        {"ttft_p50_s", cr.ttft_p50_s}, {"ttft_p90_s", cr.ttft_p90_s},
                        {"max_users_in_memory", cr.max_users_in_memory},
                        {"max_comfortable_users", cr.max_comfortable_users}};
}

/// The user's own measurement of this workload on this candidate: the latest stored run of the
/// same system, model and quantization with server-reported generation times (null when none).
nlohmann::json measured_json(const Env& env, const Candidate& c, const ProfileWorkload& w,
                             const std::string& quant) {
  const measure::Run* best = nullptr;
  for (const auto& r : env.measured)
    if (r.system == c.spec && r.model == w.model && r.quant == quant && (!best || r.started_utc > best->started_utc))
      best = &r;
  if (!best) return nullptr;
  double gen = 0, gen_s = 0, pp = 0, pp_s = 0;
  for (const auto& s : best->samples) {
    if (!s.ok) continue;
    if (s.server.gen_tokens && s.server.gen_s) gen += double(*s.server.gen_tokens), gen_s += *s.server.gen_s;
    if (s.server.prompt_tokens && s.server.prompt_s && !s.prompt_cache_hit)
      pp += double(*s.server.prompt_tokens), pp_s += *s.server.prompt_s;
  }
  if (gen_s <= 0 && pp_s <= 0) return nullptr;
  return {{"eval_rate_tps", gen_s > 0 ? nlohmann::json(gen / gen_s) : nlohmann::json(nullptr)},
          {"prompt_eval_rate_tps", pp_s > 0 ? nlohmann::json(pp / pp_s) : nlohmann::json(nullptr)},
          {"source", {{"kind", "measured"},
                      {"detail", fmt::format("results store run {} ({} {}, {}, test {})", best->id.value_or(0),
                                             best->server, best->server_build, best->started_utc, best->test)}}}};
}

/// Fits and predicts one workload on one candidate; `j` receives its JSON.
Result<WorkloadEval> eval_workload(Env& env, const Candidate& c, const ProfileWorkload& w,
                                   nlohmann::json& j) {
  FitArgs fa = fit_args_for(env, c.spec, w);
  WORTHIT_TRY(m, model_of(env, w.model, w.quant));
  System sys;
  WORTHIT_TRY(f, fit_case(fa, env.cat, *m, sys));
  WorkloadEval ev;
  ev.name = w.name;
  ev.model = w.model;
  ev.quant = m->quant;
  ev.runtime = fa.runtime;
  ev.moe = m->arch.is_moe();
  ev.users = int(std::max<int64_t>(w.users, 1));
  ev.fits = f.fits;
  ev.reason = f.reason;
  j = {{"name", w.name}, {"model", w.model}, {"quant", m->quant}, {"runtime", fa.runtime},
       {"fits", f.fits}, {"reason", f.reason}, {"memory", memory_json(f)}, {"users", ev.users}};
  if (!f.fits) return ev;
  std::vector<TensorInfo> tensors = m->tensors;
  auto opts = to_options(fa, m->arch);
  if (opts && opts->include_vision)
    for (auto& v : vision_tensors(m->arch)) tensors.push_back(v);
  // Offloaded: some weights are computed from host memory (token embeddings are a lookup that
  // every runtime keeps there, so they do not count).
  for (size_t i = 0; i < tensors.size() && i < f.tensor_slot.size(); ++i)
    ev.offloaded = ev.offloaded || (tensors[i].role != TensorRole::TokenEmbd &&
                                    !f.slots[f.tensor_slot[i]].is_gpu);
  const Efficiency& e = env.eff;
  const worthit::Workload req{std::max<int64_t>(w.prompt_tokens, 1), std::max<int64_t>(w.answer_tokens, 1),
                              w.context_tokens};
  const Prediction p = predict(m->arch, tensors, f, req, std::min(fa.ubatch, fa.batch), e);
  ev.eval_tps = ev.per_user_tps = ev.aggregate_tps = p.eval_rate_tps;
  ev.hours_per_day = w.hours_per_day;
  ev.eval_low_tps = p.eval_rate_tps * e.range_tg_low;
  ev.eval_high_tps = p.eval_rate_tps * e.range_tg_high;
  ev.prompt_tps = p.prompt_eval_rate_tps;
  ev.ttft_s = p.ttft_s;
  ev.power_w = p.power_w;
  ev.energy_j_per_token = p.energy_j_per_token;
  ev.max_comfortable_users = p.eval_rate_tps >= env.prof.comfort_tps ? 1 : 0;
  if (ev.users > 1) {
    WORTHIT_TRY(cj, eval_users(env, c, w, *m, tensors, req, ev));
    j["concurrency"] = cj;
    j["per_user_eval_rate_tps"] = ev.per_user_tps;
    j["aggregate_eval_rate_tps"] = cj["aggregate_eval_rate_tps"];
    j["ttft_p90_s"] = cj["ttft_p90_s"];
    j["max_users_in_memory"] = cj["max_users_in_memory"];
  } else {
    j["per_user_eval_rate_tps"] = p.eval_rate_tps;
    j["aggregate_eval_rate_tps"] = p.eval_rate_tps;
    j["ttft_p90_s"] = p.ttft_s;
  }
  j["max_comfortable_users"] = ev.max_comfortable_users;
  j["comfortable"] = ev.max_comfortable_users >= ev.users;
  j["offloaded"] = ev.offloaded;
  j["eval_rate_tps"] = p.eval_rate_tps;
  j["eval_rate_tps_range"] = range_json(ev.eval_low_tps, ev.eval_high_tps);
  j["prompt_eval_rate_tps"] = p.prompt_eval_rate_tps;
  j["prompt_eval_rate_tps_range"] =
      range_json(p.prompt_eval_rate_tps * e.range_pp_low, p.prompt_eval_rate_tps * e.range_pp_high);
  j["ttft_s"] = p.ttft_s;
  j["decode_bottleneck"] = p.decode_bottleneck;
  j["power_w"] = p.power_w > 0 ? nlohmann::json(p.power_w) : nlohmann::json(nullptr);
  j["energy_j_per_token"] = p.power_w > 0 ? nlohmann::json(p.energy_j_per_token) : nlohmann::json(nullptr);
  j["tokens_per_joule"] = p.power_w > 0 ? nlohmann::json(1.0 / p.energy_j_per_token) : nlohmann::json(nullptr);
  j["source"] = {{"kind", "predicted"}, {"detail", "worthit performance model, data/calibration.toml"}};
  j["measured"] = measured_json(env, c, w, m->quant);
  return ev;
}

/// Sizes one fine-tuning job on one candidate.
Result<FinetuneEval> eval_finetune(Env& env, const Candidate& c, const FinetuneJob& job,
                                   nlohmann::json& j) {
  WORTHIT_TRY(m, model_of(env, job.model, "F16"));
  TrainRequest r = job.request;
  r.tokens = std::max(job.tokens_per_month, 1.0);
  WORTHIT_TRY(e, estimate_training(m->arch, c.sys, r, env.train));
  FinetuneEval ev;
  ev.name = job.name;
  ev.model = job.model;
  ev.method = train_method_name(r.method);
  ev.params_b = e.params.total / 1e9;
  ev.fits = e.fits;
  ev.devices = std::max(e.gpus_needed, 1);
  ev.memory_gib = e.memory.total().base() / kGiB;
  for (const auto& p : e.pools)
    if (p.trains && p.usable.base() / kGiB > ev.capacity_gib) {
      ev.capacity_gib = p.usable.base() / kGiB;
      if (!e.fits) ev.where = p.device;
    }
  if (e.fits) ev.where = e.placement;
  ev.hours_per_month = e.fits ? e.time_total.base() / 3600.0 : 0.0;
  j = {{"name", job.name}, {"model", job.model}, {"method", ev.method}, {"fits", e.fits},
       {"memory_bytes", e.memory.total().base()}, {"capacity_bytes", ev.capacity_gib * kGiB},
       {"placement", e.placement}, {"devices", ev.devices}, {"reason", e.reason},
       {"hours_per_month", e.fits ? nlohmann::json(ev.hours_per_month) : nlohmann::json(nullptr)},
       {"source", {{"kind", "predicted"}, {"detail", "worthit train (docs/fine-tuning.md), data/train.toml"}}}};
  return ev;
}

Result<Candidate> resolve_candidate(const Env& env, const std::string& id) {
  Candidate c;
  c.id = id;
  c.kind = "buy";
  c.spec = id;
  if (id == "owned") {
    c.kind = "owned";
    c.spec = env.prof.system;
  } else if (id.rfind("owned+", 0) == 0) {
    c.kind = "upgrade";
    c.spec = env.prof.system + id.substr(5);
  } else if (id.rfind("cloud:", 0) == 0) {
    c.kind = "cloud";
    c.spec = id.substr(6);
  } else if (id.rfind("used:", 0) == 0) {
    c.used = true;
    c.spec = id.substr(5);
  }
  WORTHIT_TRY(sys, resolve_system(env.cat, c.spec));
  c.sys = sys;
  if (c.kind == "upgrade") {
    for (const auto& d : split(id.substr(6), '+')) {
      WORTHIT_TRY(dev, find_device(env.cat, std::string(trim(d))));
      c.parts.push_back(dev.prices);
    }
  } else if (c.kind == "buy" && !sys.prices.empty()) {
    c.parts.push_back(sys.prices);
  } else if (c.kind == "buy") {
    for (const auto& n : sys.nodes) {
      if (n.soc) c.parts.push_back(n.soc->prices);
      for (const auto& g : n.gpus) c.parts.push_back(g.device.prices);
    }
  }
  return c;
}

nlohmann::json pools_json(const System& s) {
  nlohmann::json out = nlohmann::json::array();
  auto pool = [&](const std::string& id, const char* kind, Bytes cap, BytesPerSec bw) {
    out.push_back({{"id", id}, {"kind", kind}, {"capacity_bytes", cap.base()}, {"bandwidth_gbs", to_gbs(bw)}});
  };
  for (const auto& n : s.nodes) {
    for (const auto& g : n.gpus)
      pool(g.device.name, "vram", g.device.memory_capacity, g.device.memory_bandwidth);
    if (n.soc) pool(n.soc->name, "unified", n.soc->memory_capacity, n.soc->memory_bandwidth);
    if (n.host) pool(n.host->cpu, "host", n.host->memory_capacity, n.host->memory_bandwidth);
  }
  return out;
}

Result<CandidateEval> eval_candidate(Env& env, const Candidate& c, nlohmann::json& j) {
  CandidateEval ev;
  ev.id = c.id;
  ev.name = c.kind == "owned" ? "your machine (" + c.sys.name + ")" : c.sys.name;
  ev.kind = c.kind;
  j = {{"id", c.id}, {"name", ev.name}, {"kind", c.kind}, {"system_spec", c.spec},
       {"pools", pools_json(c.sys)}, {"notes", nlohmann::json::array()}, {"workloads", nlohmann::json::array()},
       {"finetune", nlohmann::json::array()}};
  for (const auto& w : env.prof.workloads) {
    nlohmann::json wj;
    WORTHIT_TRY(we, eval_workload(env, c, w, wj));
    ev.workloads.push_back(we);
    j["workloads"].push_back(wj);
  }
  for (const auto& job : env.prof.finetune) {
    nlohmann::json fj;
    WORTHIT_TRY(fe, eval_finetune(env, c, job, fj));
    ev.finetune.push_back(fe);
    j["finetune"].push_back(fj);
  }
  WORTHIT_TRY(res, eval_residents(env, c, j));
  ev.residents = res;
  WORTHIT_TRY(cost, eval_cost(env, c, ev, j));
  ev.cost = cost;
  return ev;
}

nlohmann::json reasons_json(const std::vector<Reason>& rs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rs) out.push_back({{"workload", r.topic}, {"text", r.text}});
  return out;
}

/// The seed's conclusions checked, when the candidates include the DGX Spark.
nlohmann::json seed_json(const std::vector<CandidateEval>& evals, size_t owned, double comfort) {
  nlohmann::json out = nlohmann::json::array();
  size_t spark = evals.size();
  for (size_t i = 0; i < evals.size(); ++i)
    if (evals[i].id == "dgx-spark") spark = i;
  for (const auto& c : check_seed_claims(evals, owned, spark, comfort))
    out.push_back({{"claim", c.claim}, {"seed_says", c.seed_says}, {"worthit_says", c.worthit_says},
                   {"agrees", c.agrees}, {"why", c.why}});
  return out;
}

/// Where a seed measurement comes from: the author's own desktop runs, or the video he cites.
nlohmann::json seed_source(const PublishedCase& c) {
  const bool own = c.system == "seed-desktop";
  return {{"kind", "measured"},
          {"detail", fmt::format("seed, {} ({})", c.test, own ? "the author's own run" : "from the video the seed cites")},
          {"url", own ? "../shared/seed/000_a3c5d03b8adbf940.txt" : "https://youtu.be/PhJnZnQuuT0"}};
}

/// The seed's result tables: each measurement beside worthit's prediction with the shipped
/// calibration (fitted on these rows among 470 others; `worthit compare --seed` holds them out).
Result<nlohmann::json> seed_tables_json(const Env& env) {
  const std::string dir = data_dir(env.a.g);
  WORTHIT_TRY(cases, load_published(dir + "/published/seed.toml"));
  std::vector<UnfitCase> unfit;
  WORTHIT_TRY(samples, build_samples(dir, nullptr, &unfit));
  const Efficiency& e = env.eff;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : cases) {
    auto add = [&](const std::string& metric, const char* unit, nlohmann::json measured, nlohmann::json predicted,
                   nlohmann::json range) {
      nlohmann::json r = {{"case", c.id}, {"test", c.test}, {"device", c.system}, {"metric", metric},
                          {"unit", unit}, {"measured", measured}, {"predicted", predicted},
                          {"predicted_range", range}, {"source", seed_source(c)}};
      if (measured.is_number() && predicted.is_number())
        r["error_pct"] = 100.0 * (predicted.get<double>() / measured.get<double>() - 1.0);
      rows.push_back(r);
    };
    for (const auto& u : unfit)
      if (u.case_id == c.id) add("fits", "", false, false, nullptr);
    for (const auto& smp : samples) {
      if (smp.case_id != c.id || std::filesystem::path(smp.file).filename() != "seed.toml") continue;
      const double p = predict_sample(smp, e);
      const bool tg = smp.decode;
      add(tg ? "eval_rate_tps" : "prompt_eval_rate_tps", "t/s", smp.measured_tps, p,
          range_json(p * (tg ? e.range_tg_low : e.range_pp_low), p * (tg ? e.range_tg_high : e.range_pp_high)));
      if (tg && smp.measured_power_w > 0) {
        const double w = predict_power(smp, e);  // 0: no power figure for the device
        add("power_w", "W", smp.measured_power_w, w > 0 ? nlohmann::json(w) : nlohmann::json(nullptr), nullptr);
      }
    }
  }
  return rows;
}

Result<Env> load_env(const AdviseArgs& a) {
  if (a.profile.empty() == a.preset.empty())
    return fail("--profile", "pass exactly one of --profile FILE and --preset NAME", "--preset seed-author");
  const std::string dir = data_dir(a.g);
  const std::string path = a.preset.empty() ? a.profile : dir + "/profiles/" + a.preset + ".toml";
  if (!a.preset.empty() && !std::filesystem::exists(path))
    return fail("--preset", fmt::format("no preset '{}' ({} does not exist)", a.preset, path),
                "seed-author");
  WORTHIT_TRY(prof, load_profile(path, a.sets));
  WORTHIT_TRY(cat, load_hw_catalog(dir));
  WORTHIT_TRY(eff, load_efficiency(dir + "/calibration.toml"));
  WORTHIT_TRY(train, load_train_constants(dir + "/train.toml"));
  WORTHIT_TRY(fx, load_fx(dir + "/fx.toml"));
  WORTHIT_TRY(cloud, load_cloud_catalog(dir + "/cloud"));
  WORTHIT_TRY(residents, load_resident_catalog(dir + "/resident"));
  if (auto s = resolve_residents(prof, residents); !s) return fail(s.error());
  // Measurements of the user's own runs, when a results store exists.
  std::vector<measure::Run> measured;
  const std::string db_path = a.db.empty() ? store::default_db_path() : a.db;
  if (!a.db.empty() || std::filesystem::exists(db_path)) {
    WORTHIT_TRY(db, open_db(a.db));
    WORTHIT_TRY(runs, db.runs(store::RunFilter{}));
    measured = std::move(runs);
  }
  return Env{a, std::move(cat), eff, train, std::move(prof), std::move(fx), std::move(cloud),
             std::move(residents), std::move(measured), {}};
}

}  // namespace

std::vector<std::string> default_candidates() {
  return {"owned", "dgx-spark", "jetson-agx-thor", "mac-mini-m4-pro-64gb", "mac-studio-m3-ultra-96gb",
          "strix-halo-128gb", "owned+rtx-5090", "used:a100-80gb-pcie", "cloud:h100-sxm"};
}

void add_profile_options(CLI::App* cmd, AdviseArgs& a) {
  add_db_option(cmd, a.db);
  cmd->add_option("--profile", a.profile, "Workload profile file (docs/profiles.md)");
  cmd->add_option("--preset", a.preset, "A profile shipped in data/profiles: seed-author");
  cmd->add_option("--set", a.sets, "Override a profile value: --set workload.0.users=4 (repeatable)");
}

Result<nlohmann::json> build_advise(const AdviseArgs& a) {
  WORTHIT_TRY(env, load_env(a));
  const std::vector<std::string> ids = a.candidates.empty() ? default_candidates() : a.candidates;
  if (std::find(ids.begin(), ids.end(), "owned") == ids.end())
    return fail("--candidates", "the list must include 'owned' (the machine of the profile)");
  std::vector<CandidateEval> evals;
  nlohmann::json doc = {{"profile", {{"id", env.prof.id}, {"name", env.prof.name},
                                     {"system", env.prof.system}, {"comfort_tps", env.prof.comfort_tps}}},
                        {"candidates", nlohmann::json::array()}, {"notes", nlohmann::json::array()}};
  size_t owned = 0;
  for (const auto& id : ids) {
    auto c = resolve_candidate(env, id);
    if (!c) return fail("--candidates", fmt::format("candidate '{}': {}", id, c.error().what), c.error().hint);
    nlohmann::json cj;
    WORTHIT_TRY(ev, eval_candidate(env, *c, cj));
    if (c->kind == "owned") owned = evals.size();
    evals.push_back(std::move(ev));
    doc["candidates"].push_back(std::move(cj));
  }
  std::optional<double> budget;
  if (env.prof.budget) budget = env.prof.budget->amount;
  for (size_t i = 0; i < evals.size(); ++i) {
    const Verdict v = judge(evals[i], evals[owned], env.prof.comfort_tps, budget);
    doc["candidates"][i]["verdict"] = {{"worth_it_for", reasons_json(v.worth_it_for)},
                                       {"not_worth_it_for", reasons_json(v.not_worth_it_for)},
                                       {"summary", v.summary}};
  }
  nlohmann::json tree = nlohmann::json::array();
  for (const auto& t : decision_tree(evals, owned, env.prof.comfort_tps))
    tree.push_back({{"question", t.question}, {"answer", t.answer}, {"because", t.because}});
  doc["decision_tree"] = tree;
  doc["seed_agreement"] = seed_json(evals, owned, env.prof.comfort_tps);
  WORTHIT_TRY(tables, seed_tables_json(env));
  doc["seed_tables"] = tables;
  doc["notes"].push_back(
      "seed_tables: predictions use the shipped calibration, which was fitted on 472 published "
      "rates including these; `worthit compare --seed` predicts each one with it held out");
  return doc;
}

}  // namespace worthit::app
