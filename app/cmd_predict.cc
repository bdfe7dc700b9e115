// SPDX-License-Identifier: MIT
// `worthit predict`: eval rate, prompt eval rate and TTFT for a model on a system, from the
// placement `fit` computes and the calibrated efficiencies in data/calibration.toml.
#include <fmt/format.h>

#include <iostream>

#include "calibrate/published.h"
#include "calibrate/samples.h"
#include "calibrate_local.h"
#include "common.h"
#include "fit_args.h"
#include "model/recipe.h"
#include "perf/concurrency.h"
#include "perf/predict.h"
#include "perf/seed_prompt.h"

namespace worthit::app {
namespace {

struct PredictArgs {
  FitArgs fit;
  int64_t prompt = -1, gen = -1, depth = 0;
  std::vector<std::string> tests;
  std::string workload;
  int users = 1;
  std::string engine;  ///< empty: ollama for --runtime ollama, llama-server otherwise
  double comfort_tps = 15, max_ttft_s = 10;
  bool no_overlay = false;
  std::string overlay_dir;
};

/// `predict --users N`: the concurrency block (JSON and text).
Result<nlohmann::json> concurrency_json(const PredictArgs& a, const HwCatalog& cat, const ModelSource& m,
                                        const std::vector<TensorInfo>& tensors, const Workload& w,
                                        const Efficiency& e) {
  WORTHIT_TRY(engine, parse_serve_engine(a.engine.empty() ? (a.fit.runtime == "ollama" ? "ollama" : "llama-server")
                                                          : a.engine));
  FitFn fit = [&](int slots, int64_t n_ctx) -> Result<FitResult> {
    FitArgs fa = a.fit;
    fa.parallel = slots;
    if (n_ctx >= 0) fa.ctx = std::max<int64_t>(n_ctx, 256);
    System sys;
    return fit_case(fa, cat, m, sys);
  };
  ConcurrencyRequest r{engine, a.users, a.fit.parallel, w, std::min(a.fit.ubatch, a.fit.batch),
                       a.comfort_tps, a.max_ttft_s};
  WORTHIT_TRY(c, predict_concurrency(m.arch, tensors, fit, r, e));
  return nlohmann::json{{"engine", serve_engine_name(engine)}, {"users", c.users}, {"slots", c.slots},
                        {"batch", c.batch}, {"runtime_rule", c.rule},
                        {"single_eval_rate_tps", c.single_eval_rate_tps},
                        {"per_user_eval_rate_tps", c.per_user_eval_rate_tps},
                        {"aggregate_eval_rate_tps", c.aggregate_eval_rate_tps},
                        {"ttft_p50_s", c.ttft_p50_s}, {"ttft_p90_s", c.ttft_p90_s}, {"ttft_p99_s", c.ttft_p99_s},
                        {"max_users_in_memory", c.max_users_in_memory},
                        {"max_comfortable_users", c.max_comfortable_users}, {"comfort_tps", a.comfort_tps},
                        {"max_ttft_s", a.max_ttft_s}, {"comfortable", c.comfortable},
                        {"decode_bottleneck", c.decode_bottleneck}};
}

nlohmann::json range(double v, double lo, double hi) { return nlohmann::json::array({v * lo, v * hi}); }

int run(PredictArgs& a) {
  if (a.fit.system.empty() || a.fit.model.empty())
    return report_error(Error{"--system", "--system and --model are required", ""});
  if (!a.workload.empty() && a.workload != "seed")
    return report_error(Error{"--workload", fmt::format("unknown workload '{}'", a.workload), "seed"});
  nlohmann::json overlay;
  auto eff = efficiency_for(a.fit.g, a.fit.system, !a.no_overlay, a.overlay_dir, &overlay);
  if (!eff) return report_error(eff.error());
  auto cat = load_hw_catalog(data_dir(a.fit.g));
  if (!cat) return report_error(cat.error());
  auto m = load_model_source(a.fit.g, a.fit.model, a.fit.quant);
  if (!m) return report_error(m.error());
  std::vector<BenchResult> tests;
  for (const auto& t : a.tests) {
    auto b = parse_bench_test(t);
    if (!b) return report_error(Error{"--test", b.error().what, ""});
    tests.push_back(*b);
  }
  auto seed = load_seed_prompt(data_dir(a.fit.g) + "/prompts/seed-tokyo.toml");
  if (!seed) return report_error(seed.error());
  std::string tmpl;
  const int64_t seed_prompt = seed->prompt_tokens(m->arch.id, &tmpl);
  Workload w{a.prompt >= 0 ? a.prompt : seed_prompt, a.gen >= 0 ? a.gen : seed->answer_tokens, a.depth};
  // The context must hold the request.
  int64_t need = w.depth + w.n_prompt + w.n_gen;
  for (const auto& t : tests) need = std::max(need, t.depth + t.n_prompt + t.n_gen);
  if (a.fit.ctx < 0 && a.fit.runtime != "ollama") a.fit.ctx = std::max<int64_t>(need, 4096);
  System sys;
  auto f = fit_case(a.fit, *cat, *m, sys);
  if (!f) return report_error(f.error());
  nlohmann::json j = fit_json(a.fit, *m, sys, *f);
  if (!f->fits) {
    if (a.fit.g.json) print_json("predict", j);
    else std::cout << "does not fit: " << f->reason << "\n";
    return kExitOk;
  }
  const int64_t ub = std::min(a.fit.ubatch, a.fit.batch);
  std::vector<TensorInfo> tensors = m->tensors;
  // The same tensors fit() placed: the vision tower when the options load it.
  auto opts = to_options(a.fit, m->arch);
  if (opts && opts->include_vision)
    for (auto& v : vision_tensors(m->arch)) tensors.push_back(v);
  const Efficiency& e = *eff;
  Prediction p = predict(m->arch, tensors, *f, w, ub, e);
  j["workload"] = {{"prompt_tokens", w.n_prompt}, {"gen_tokens", w.n_gen}, {"depth_tokens", w.depth}};
  if (a.prompt < 0) j["workload"]["seed_template"] = tmpl;
  j["eval_rate_tps"] = p.eval_rate_tps;
  j["eval_rate_tps_range"] = range(p.eval_rate_tps, e.range_tg_low, e.range_tg_high);
  j["prompt_eval_rate_tps"] = p.prompt_eval_rate_tps;
  j["prompt_eval_rate_tps_range"] = range(p.prompt_eval_rate_tps, e.range_pp_low, e.range_pp_high);
  j["ttft_s"] = p.ttft_s;
  j["power_w"] = p.power_w > 0 ? nlohmann::json(p.power_w) : nlohmann::json(nullptr);
  j["energy_j_per_token"] = p.power_w > 0 ? nlohmann::json(p.energy_j_per_token) : nlohmann::json(nullptr);
  j["power_scope"] = p.power_scope;
  j["power_idle_assumed"] = p.power_idle_assumed;
  for (const auto& d : f->slots)
    if (d.native_fp4 || d.native_fp8)
      j["notes"].push_back(fmt::format(
          "{} has native {} tensor units; llama.cpp and ollama run GGUF types through integer "
          "(MMQ) and FP16 tensor instructions, so the prediction uses its FP16 tensor rate: the "
          "FP4/FP8 rates matter only for runtimes that use them (TensorRT-LLM, vLLM with FP8/NVFP4)",
          d.id, d.native_fp4 ? (d.native_fp8 ? "FP4 and FP8" : "FP4") : "FP8"));
  j["total_s"] = p.total_s;
  j["bottleneck"] = {{"decode", p.decode_bottleneck}, {"prefill", p.prefill_bottleneck}};
  nlohmann::json calib = nlohmann::json::object();
  for (const auto& prm : efficiency_params()) calib[prm.name] = e.*prm.field;
  j["calibration"] = calib;
  j["calibration_overlay"] = overlay;
  nlohmann::json tj = nlohmann::json::array();
  for (const auto& t : tests) {
    const double r = bench_rate(m->arch, tensors, *f, t.n_prompt, t.n_gen, t.depth, ub, e);
    const bool tg = t.n_prompt == 0;
    tj.push_back({{"name", t.test}, {"n_prompt", t.n_prompt}, {"n_gen", t.n_gen}, {"depth", t.depth},
                  {"tokens_per_s", r},
                  {"tokens_per_s_range", range(r, tg ? e.range_tg_low : e.range_pp_low,
                                               tg ? e.range_tg_high : e.range_pp_high)}});
  }
  j["tests"] = tj;
  if (a.users > 1 || a.engine.size()) {
    auto cj = concurrency_json(a, *cat, *m, tensors, w, e);
    if (!cj) return report_error(cj.error());
    j["concurrency"] = *cj;
  }
  if (a.fit.g.json) {
    print_json("predict", j);
    return kExitOk;
  }
  std::cout << fmt::format("{} ({}) on {} with {}: {}/{} layers on GPU, context {}\n", m->arch.name,
                           m->quant, sys.name, a.fit.runtime, f->n_gpu_layers, f->n_layers_total, f->n_ctx);
  std::cout << fmt::format("eval rate        {:8.2f} t/s  (80% range {:.1f}-{:.1f}; bound by {})\n",
                           p.eval_rate_tps, p.eval_rate_tps * e.range_tg_low,
                           p.eval_rate_tps * e.range_tg_high, p.decode_bottleneck);
  std::cout << fmt::format("prompt eval rate {:8.2f} t/s  (80% range {:.1f}-{:.1f}; bound by {})\n",
                           p.prompt_eval_rate_tps, p.prompt_eval_rate_tps * e.range_pp_low,
                           p.prompt_eval_rate_tps * e.range_pp_high, p.prefill_bottleneck);
  std::cout << fmt::format("TTFT {:.3f} s, total {:.1f} s for {} prompt + {} generated tokens at depth {}\n",
                           p.ttft_s, p.total_s, w.n_prompt, w.n_gen, w.depth);
  if (p.power_w > 0)
    std::cout << fmt::format("power {:.0f} W while generating, {:.2f} J/token ({}{})\n", p.power_w,
                             p.energy_j_per_token, p.power_scope,
                             p.power_idle_assumed ? "; idle draw assumed" : "");
  if (!overlay.is_null())
    std::cout << fmt::format("calibration: this machine's overlay {} (fitted {} on its own runs)\n",
                             overlay["file"].get<std::string>(), overlay["fitted_utc"].get<std::string>());
  for (const auto& n : j["notes"]) std::cout << "note: " << n.get<std::string>() << "\n";
  for (const auto& t : tj)
    std::cout << fmt::format("{:<16} {:10.2f} t/s\n", t["name"].get<std::string>(), t["tokens_per_s"].get<double>());
  if (j.contains("concurrency")) {
    const auto& c = j["concurrency"];
    std::cout << fmt::format(
        "{} users: {}\n  per user {:.1f} t/s, all users {:.1f} t/s; TTFT p50 {:.2f} s, p90 {:.2f} s, "
        "p99 {:.2f} s\n  users in memory: up to {}; comfortable (>= {:.0f} t/s, p90 TTFT <= {:.0f} s): "
        "up to {} users\n",
        c["users"].get<int>(), c["runtime_rule"].get<std::string>(), c["per_user_eval_rate_tps"].get<double>(),
        c["aggregate_eval_rate_tps"].get<double>(), c["ttft_p50_s"].get<double>(), c["ttft_p90_s"].get<double>(),
        c["ttft_p99_s"].get<double>(), c["max_users_in_memory"].get<int>(), a.comfort_tps, a.max_ttft_s,
        c["max_comfortable_users"].get<int>());
  }
  return kExitOk;
}

}  // namespace

void register_predict(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand("predict", "Predict eval rate, prompt eval rate and TTFT (takes every fit flag)");
  add_fit_flags(cmd, a->fit);
  cmd->add_option("--prompt-tokens", a->prompt, "Prompt length in tokens (default: the seed prompt through the model's chat template)");
  cmd->add_option("--gen-tokens", a->gen, "Generated tokens (default: the seed workload's answer, 1000)");
  cmd->add_option("--depth", a->depth, "Tokens already in the cache before the prompt")->capture_default_str();
  cmd->add_option("--test", a->tests, "llama-bench test, repeatable: pp512, tg128, pp512+tg128, pp2048@d4096");
  cmd->add_option("--workload", a->workload, "seed: the seed's Tokyo prompt through the model's chat template (data/prompts/seed-tokyo.toml) and a 1000-token answer (the default)");
  cmd->add_flag("--no-overlay", a->no_overlay, "Ignore this system's calibration overlay (calibrate --from-db)");
  cmd->add_option("--overlay-dir", a->overlay_dir, "Where overlays live (default $XDG_DATA_HOME/worthit/overlays)");
  cmd->add_option("--users", a->users, "Users sending requests at once: per-user and aggregate rates, TTFT percentiles")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--engine", a->engine, "How concurrent requests are served: ollama, llama-server, vllm (default: from --runtime)");
  cmd->add_option("--comfort-tps", a->comfort_tps, "Per-user eval rate below which chat is uncomfortable")->capture_default_str();
  cmd->add_option("--max-ttft", a->max_ttft_s, "Longest acceptable 90th-percentile wait for the first token, seconds")->capture_default_str();
  add_global_options(cmd, a->fit.g);
  cmd->callback([a, &exit_code] { exit_code = run(*a); });
}

}  // namespace worthit::app
