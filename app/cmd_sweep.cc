// SPDX-License-Identifier: MIT
// `worthit sweep`: every catalog system x model x quant x context with the runtime's default
// placement, at one workload: fits, eval rate, prompt eval rate, TTFT, memory headroom.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "common.h"
#include "core/text.h"
#include "model/model_catalog.h"
#include "perf/sweep.h"

namespace worthit::app {
namespace {

struct SweepArgs {
  GlobalOptions g;
  std::vector<std::string> systems, models, quants{"Q4_K_M", "Q8_0"};
  std::vector<int64_t> contexts{4096, 32768, 131072};
  std::string runtime = "llama.cpp", sort = "eval";
  int64_t prompt = 512, gen = 128;
  bool csv = false, fits_only = false;
};

bool wanted(const std::vector<std::string>& filter, const std::string& id) {
  return filter.empty() || std::find(filter.begin(), filter.end(), id) != filter.end();
}

Result<SweepSpec> build_spec(const SweepArgs& a) {
  SweepSpec s;
  WORTHIT_TRY(cat, load_hw_catalog(data_dir(a.g)));
  WORTHIT_TRY(models, load_model_catalog(data_dir(a.g) + "/models"));
  const auto ids = system_ids(cat);
  for (const auto& f : a.systems)
    if (std::find(ids.begin(), ids.end(), f) == ids.end())
      return fail("--system", "unknown system '" + f + "'", did_you_mean(f, ids));
  for (const auto& id : ids) {
    if (!wanted(a.systems, id)) continue;
    WORTHIT_TRY(sys, resolve_system(cat, id));
    s.system_ids.push_back(id);
    s.systems.push_back(std::move(sys));
  }
  for (const auto& f : a.models)
    if (auto found = find_model(models, f); !found) return fail(found.error().within("--model"));
  for (const auto& m : models)
    if (wanted(a.models, m.id)) s.models.push_back(m);
  for (const auto& q : a.quants) {
    auto ft = parse_file_type(q);
    if (!ft) return fail("--quant", ft.error().what, ft.error().hint);
    s.quants.push_back(*ft);
  }
  for (int64_t c : a.contexts)
    if (c <= 0) return fail("--ctx", fmt::format("context must be positive, got {}", c));
  s.contexts = a.contexts;
  if (a.runtime != "llama.cpp" && a.runtime != "ollama")
    return fail("--runtime", "unknown runtime '" + a.runtime + "'", "llama.cpp or ollama");
  s.runtime = a.runtime == "ollama" ? Runtime::Ollama : Runtime::LlamaCpp;
  if (a.prompt <= 0 || a.gen <= 0) return fail("--prompt-tokens", "token counts must be positive");
  s.workload = Workload{a.prompt, a.gen, 0};
  return s;
}

Status sort_rows(std::vector<SweepRow>& rows, const std::string& key) {
  using Less = bool (*)(const SweepRow&, const SweepRow&);
  static const std::vector<std::pair<std::string, Less>> keys = {
      {"eval", [](const SweepRow& p, const SweepRow& q) { return p.eval_rate_tps > q.eval_rate_tps; }},
      {"prompt", [](const SweepRow& p, const SweepRow& q) { return p.prompt_eval_rate_tps > q.prompt_eval_rate_tps; }},
      {"ttft", [](const SweepRow& p, const SweepRow& q) { return p.fits && (!q.fits || p.ttft_s < q.ttft_s); }},
      {"headroom", [](const SweepRow& p, const SweepRow& q) { return p.headroom_bytes > q.headroom_bytes; }},
      {"system", [](const SweepRow& p, const SweepRow& q) { return p.system < q.system; }},
      {"model", [](const SweepRow& p, const SweepRow& q) { return p.model < q.model; }},
  };
  std::vector<std::string> names;
  for (const auto& k : keys) {
    names.push_back(k.first);
    if (k.first == key) {
      std::stable_sort(rows.begin(), rows.end(), k.second);
      return Ok{};
    }
  }
  return fail("--sort", "unknown column '" + key + "'", did_you_mean(key, names));
}

nlohmann::json row_json(const SweepRow& r) {
  nlohmann::json j = {{"system", r.system}, {"model", r.model}, {"quant", r.quant},
                      {"ctx_tokens", r.ctx}, {"fits", r.fits}};
  if (!r.fits) {
    j["reason"] = r.reason;
    return j;
  }
  j["eval_rate_tps"] = r.eval_rate_tps;
  j["prompt_eval_rate_tps"] = r.prompt_eval_rate_tps;
  j["ttft_s"] = r.ttft_s;
  j["headroom_bytes"] = r.headroom_bytes;
  j["gpu_layers"] = r.gpu_layers;
  j["layers_total"] = r.layers_total;
  j["decode_bottleneck"] = r.decode_bottleneck;
  return j;
}

void print_text(const std::vector<SweepRow>& rows, bool csv) {
  if (csv) {
    std::cout << "system,model,quant,ctx_tokens,fits,eval_rate_tps,prompt_eval_rate_tps,ttft_s,"
                 "headroom_bytes,gpu_layers,layers_total,reason\n";
    for (const auto& r : rows)
      std::cout << fmt::format("{},{},{},{},{},{:.3f},{:.3f},{:.4f},{:.0f},{},{},\"{}\"\n", r.system,
                               r.model, r.quant, r.ctx, r.fits ? 1 : 0, r.eval_rate_tps,
                               r.prompt_eval_rate_tps, r.ttft_s, r.headroom_bytes, r.gpu_layers,
                               r.layers_total, r.reason);
    return;
  }
  std::cout << fmt::format("{:<26} {:<24} {:<7} {:>7} {:>9} {:>10} {:>8} {:>11}\n", "system", "model",
                           "quant", "ctx", "eval t/s", "prompt t/s", "TTFT s", "headroom");
  for (const auto& r : rows) {
    if (!r.fits) {
      std::cout << fmt::format("{:<26} {:<24} {:<7} {:>7} does not fit\n", r.system.substr(0, 26),
                               r.model.substr(0, 24), r.quant, r.ctx);
      continue;
    }
    std::cout << fmt::format("{:<26} {:<24} {:<7} {:>7} {:>9.1f} {:>10.0f} {:>8.2f} {:>7.1f} GiB\n",
                             r.system.substr(0, 26), r.model.substr(0, 24), r.quant, r.ctx,
                             r.eval_rate_tps, r.prompt_eval_rate_tps, r.ttft_s,
                             r.headroom_bytes / 1073741824.0);
  }
}

int run(const SweepArgs& a) {
  auto spec = build_spec(a);
  if (!spec) return report_error(spec.error());
  auto eff = load_efficiency(data_dir(a.g) + "/calibration.toml");
  if (!eff) return report_error(eff.error());
  std::vector<SweepRow> rows = run_sweep(*spec, *eff);
  if (a.fits_only) std::erase_if(rows, [](const SweepRow& r) { return !r.fits; });
  if (auto s = sort_rows(rows, a.sort); !s) return report_error(s.error());
  if (a.g.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : rows) list.push_back(row_json(r));
    print_json("sweep", {{"workload", {{"prompt_tokens", a.prompt}, {"gen_tokens", a.gen}}},
                         {"runtime", a.runtime}, {"rows", list}});
    return kExitOk;
  }
  print_text(rows, a.csv);
  return kExitOk;
}

}  // namespace

void register_sweep(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Every system x model x quant x context with the runtime's default placement");
  cmd->add_option("--system", a->systems, "Only these systems (repeatable)");
  cmd->add_option("--model", a->models, "Only these models (repeatable)");
  cmd->add_option("--quant", a->quants, "Quantizations")->capture_default_str();
  cmd->add_option("--ctx", a->contexts, "Context sizes in tokens")->capture_default_str();
  cmd->add_option("--runtime", a->runtime, "llama.cpp or ollama")->capture_default_str();
  cmd->add_option("--prompt-tokens", a->prompt, "Prompt length of the workload")->capture_default_str();
  cmd->add_option("--gen-tokens", a->gen, "Generated tokens of the workload")->capture_default_str();
  cmd->add_option("--sort", a->sort, "eval, prompt, ttft, headroom, system or model")->capture_default_str();
  cmd->add_flag("--csv", a->csv, "CSV output");
  cmd->add_flag("--fits-only", a->fits_only, "Leave out what does not fit");
  add_global_options(cmd, a->g);
  cmd->callback([a, &exit_code] { exit_code = run(*a); });
}

}  // namespace worthit::app
