// SPDX-License-Identifier: MIT
// `worthit fit`: does a model fit on a system, and where does every byte go.
// Flags use llama.cpp's names so a user can paste their command line.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "common.h"
#include "fit_args.h"
#include "calibrate/fitter.h"
#include "calibrate/published.h"
#include "core/text.h"
#include "plan/fit.h"

namespace worthit::app {


Result<FitOptions> to_options(const FitArgs& a, const ModelArch& arch) {
  FitOptions o;
  if (a.runtime == "ollama") o.runtime = Runtime::Ollama;
  else if (a.runtime != "llama.cpp" && a.runtime != "llama-server")
    return fail("--runtime", fmt::format("unknown runtime '{}'", a.runtime), "llama.cpp or ollama");
  o.n_ctx = a.ctx;
  o.n_gpu_layers = a.ngl;
  o.n_parallel = a.parallel;
  o.n_cpu_moe = a.cpu_moe ? arch.n_layers : a.n_cpu_moe;
  o.n_batch = a.batch;
  o.n_ubatch = std::min(a.ubatch, a.batch);
  o.kv_offload = !a.no_kv_offload;
  // The flags that take llama.cpp's value syntax are parsed by the library's reader, the same
  // one that reads published measurements.
  std::vector<std::string> v = {"--cache-type-k", a.cache_k, "--cache-type-v", a.cache_v,
                                "--flash-attn", a.flash_attn};
  if (!a.tensor_split.empty()) v.insert(v.end(), {"--tensor-split", a.tensor_split});
  for (const auto& ov : a.overrides) v.insert(v.end(), {"--override-tensor", ov});
  WORTHIT_TRY(parsed, parse_runtime_args(v, o));
  o = parsed;
  o.ollama_fa_explicit = o.flash_attn == FlashAttn::On;
  if (a.fit != "on" && a.fit != "off")
    return fail("--fit", fmt::format("expected on or off, got '{}'", a.fit));
  o.fit_auto = a.fit == "on";
  if (a.fit_target_mib < 0) return fail("--fit-target", "must not be negative");
  o.fit_margin = mib(a.fit_target_mib);
  o.include_vision = a.vision == "on" || (a.vision == "auto" && o.runtime == Runtime::Ollama);
  if (a.vision != "on" && a.vision != "off" && a.vision != "auto")
    return fail("--vision", fmt::format("expected on, off or auto, got '{}'", a.vision));
  return o;
}

nlohmann::json fit_json(const FitArgs& a, const ModelSource& m, const System& sys,
                        const FitResult& f) {
  nlohmann::json pools = nlohmann::json::array();
  for (const auto& p : f.pools) {
    pools.push_back({{"id", p.id},                  {"kind", p.kind},
                     {"device", p.device_name},     {"node", p.node},
                     {"capacity_bytes", p.capacity.base()}, {"usable_bytes", p.usable.base()},
                     {"weights_bytes", p.weights.base()},   {"kv_bytes", p.kv.base()},
                     {"compute_bytes", p.compute.base()},   {"other_bytes", p.other.base()},
                     {"used_bytes", p.used().base()},
                     {"free_bytes", (p.usable - p.used()).base()},
                     {"layers", p.layers},          {"expert_layers", p.expert_layers},
                     {"bandwidth_gbs", to_gbs(p.bandwidth)}});
  }
  nlohmann::json j = {{"system", sys.id},
                      {"system_name", sys.name},
                      {"model", m.arch.id.empty() ? a.model : m.arch.id},
                      {"model_origin", m.origin},
                      {"quant", m.quant},
                      {"runtime", runtime_name(f.runtime)},
                      {"fits", f.fits},
                      {"n_ctx_tokens", f.n_ctx},
                      {"kv_cells", f.kv_cells},
                      {"n_parallel", f.n_parallel},
                      {"flash_attn", f.flash_attn},
                      {"n_gpu_layers", f.n_gpu_layers},
                      {"n_layers_total", f.n_layers_total},
                      {"model_bytes", f.model_bytes.base()},
                      {"llama_args", f.llama_args},
                      {"pools", pools},
                      {"layer_placement", f.layer_pool},
                      {"expert_placement", f.expert_pool},
                      {"notes", f.notes}};
  if (!f.fits) j["reason"] = f.reason;
  return j;
}

void print_fit(const ModelSource& m, const System& sys, const FitResult& f) {
  std::cout << fmt::format("{} ({}, {:.2f} GB) on {} with {}\n", m.arch.name, m.quant,
                           f.model_bytes.base() / 1e9, sys.name, runtime_name(f.runtime));
  std::cout << fmt::format("context {} tokens, {} slot(s), flash attention {}, {}/{} layers on GPU\n",
                           f.n_ctx, f.n_parallel, f.flash_attn ? "on" : "off", f.n_gpu_layers,
                           f.n_layers_total);
  std::cout << "as llama.cpp arguments: " << f.llama_args << "\n\n";
  const char* row = "{:<8} {:<8} {:>10} {:>9} {:>9} {:>8} {:>10} {:>10}  {}\n";
  std::cout << fmt::format(fmt::runtime(row), "pool", "kind", "weights", "KV", "compute", "other",
                           "used", "usable", "device");
  for (const auto& p : f.pools) {
    std::cout << fmt::format(fmt::runtime(row), p.id, p.kind, format_mib(p.weights),
                             format_mib(p.kv), format_mib(p.compute), format_mib(p.other),
                             format_mib(p.used()), format_mib(p.usable), p.device_name);
  }
  for (const auto& n : f.notes) std::cout << "note: " << n << "\n";
  std::cout << (f.fits ? std::string("fits: yes\n") : "fits: NO: " + f.reason + "\n");
}

/// Fits one case; the catalogs are loaded by the caller.
Result<FitResult> fit_case(const FitArgs& a, const HwCatalog& cat, const ModelSource& m,
                           System& sys_out) {
  WORTHIT_TRY(sys, resolve_system(cat, a.system));
  sys_out = sys;
  WORTHIT_TRY(opts, to_options(a, m.arch));
  return fit(sys, m.arch, m.tensors, opts);
}

namespace {

int run(const FitArgs& a) {
  if (a.system.empty() || a.model.empty())
    return report_error(Error{"--system", "--system and --model are required (or --seed)", ""});
  auto cat = load_hw_catalog(data_dir(a.g));
  if (!cat) return report_error(cat.error());
  auto m = load_model_source(a.g, a.model, a.quant);
  if (!m) return report_error(m.error());
  System sys;
  auto f = fit_case(a, *cat, *m, sys);
  if (!f) return report_error(f.error());
  if (a.g.json) print_json("fit", fit_json(a, *m, sys, *f));
  else print_fit(*m, sys, *f);
  return kExitOk;
}

}  // namespace

/// Every fit flag, defined once: used by `fit` and to read the seed cases' `args`.
void add_fit_flags(CLI::App* cmd, FitArgs& a) {
  cmd->add_option("--system", a.system, "System id, composition (seed-desktop+rtx-5090, 2x dgx-spark) or .toml file");
  cmd->add_option("--model", a.model, "Model id, .gguf file (first split of a split model) or config.json");
  cmd->add_option("--quant", a.quant, "llama.cpp file type for catalog/config models (default Q4_K_M; gpt-oss: MXFP4_MOE)");
  cmd->add_option("--runtime", a.runtime, "llama.cpp or ollama (applies ollama's defaults and layer fitting)")->capture_default_str();
  cmd->add_option("-c,--ctx-size", a.ctx, "Context size in tokens (0 = the model's trained context; default: llama.cpp the trained context, shrunk by --fit to >= 4096 if needed; ollama 4096/32768/262144 by total VRAM <23/<47/>=47 GiB)");
  cmd->add_option("--n-gpu-layers,--gpu-layers", a.ngl, "-ngl: layers on the GPUs, output layer counted (default: all for llama.cpp, as many as fit for ollama)");
  cmd->add_option("--tensor-split", a.tensor_split, "-ts: proportions per GPU, e.g. 3,1 (default: free memory)");
  cmd->add_option("--override-tensor", a.overrides, "-ot REGEX=DEVICE, repeatable, e.g. exps=CPU");
  cmd->add_option("--n-cpu-moe", a.n_cpu_moe, "Keep the experts of the first N layers on the CPU")->capture_default_str();
  cmd->add_flag("--cpu-moe", a.cpu_moe, "Keep all experts on the CPU");
  cmd->add_option("--cache-type-k", a.cache_k, "-ctk: KV cache type for K (f16, q8_0, q4_0, ...)")->capture_default_str();
  cmd->add_option("--cache-type-v", a.cache_v, "-ctv: KV cache type for V")->capture_default_str();
  cmd->add_option("--parallel", a.parallel, "-np: parallel sequences (slots); default 1");
  cmd->add_option("-b,--batch-size", a.batch, "Logical batch in tokens")->capture_default_str();
  cmd->add_option("--ubatch-size", a.ubatch, "-ub: micro-batch in tokens")->capture_default_str();
  cmd->add_option("--flash-attn", a.flash_attn, "-fa: on, off or auto")->capture_default_str();
  cmd->add_flag("--no-kv-offload", a.no_kv_offload, "-nkvo: keep the KV cache in host memory");
  cmd->add_option("--vision", a.vision, "Load the vision tower: on, off, auto (auto = on for ollama)")->capture_default_str();
  cmd->add_option("--fit", a.fit, "-fit: llama.cpp's automatic placement when -ngl/-ts/-ot/--n-cpu-moe are unset: on or off")->capture_default_str();
  cmd->add_option("--fit-target", a.fit_target_mib, "-fitt: MiB that --fit keeps free per GPU")->capture_default_str();
}

namespace {

/// One measured-vs-predicted memory value of a seed case.
struct SeedRow {
  std::string id, pool;
  double measured_mib = 0, predicted_mib = 0;
  double error() const { return (predicted_mib - measured_mib) / measured_mib; }
};

/// Parses a case's `args` with the same flag table as `fit`.
Result<FitArgs> case_args(const PublishedCase& c, const GlobalOptions& g) {
  FitArgs a;
  CLI::App scratch;
  add_fit_flags(&scratch, a);
  std::vector<std::string> v = {"--system", c.system, "--model", c.model, "--runtime", c.runtime};
  if (!c.quant.empty()) v.insert(v.end(), {"--quant", c.quant});
  for (auto& x : split_args(c.args)) v.push_back(x);
  v = normalize_llama_flags(v);
  std::reverse(v.begin(), v.end());
  try {
    scratch.parse(v);
  } catch (const CLI::ParseError& e) {
    return fail(c.file, fmt::format("case '{}': args: {}", c.id, e.what()));
  }
  a.g = g;
  return a;
}

int run_seed(const FitArgs& base) {
  const std::string path = data_dir(base.g) + "/published/seed.toml";
  auto cases = load_published(path);
  if (!cases) return report_error(cases.error());
  auto cat = load_hw_catalog(data_dir(base.g));
  if (!cat) return report_error(cat.error());
  std::vector<SeedRow> rows;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : *cases) {
    if (c.memory.empty() && !c.expect_fits) continue;
    auto a = case_args(c, base.g);
    if (!a) return report_error(a.error());
    auto m = load_model_source(base.g, a->model, a->quant);
    if (!m) return report_error(m.error().within(c.id));
    System sys;
    auto f = fit_case(*a, *cat, *m, sys);
    if (!f) return report_error(f.error().within(c.id));
    nlohmann::json j = {{"id", c.id}, {"test", c.test}, {"system", c.system}, {"model", c.model},
                        {"args", c.args}, {"assumed", c.assumed}, {"fits", f->fits},
                        {"llama_args", f->llama_args}, {"memory", nlohmann::json::array()}};
    if (c.expect_fits) j["expect_fits"] = *c.expect_fits;
    if (!f->fits) j["reason"] = f->reason;
    for (const auto& mm : c.memory) {
      for (const auto& p : f->pools) {
        if (p.id != mm.pool) continue;
        SeedRow r{c.id, mm.pool, mm.used_mib, to_mib(p.used())};
        j["memory"].push_back({{"pool", r.pool}, {"measured_mib", r.measured_mib},
                               {"predicted_mib", r.predicted_mib}, {"error", r.error()}});
        rows.push_back(r);
      }
    }
    out.push_back(j);
    if (base.g.json) continue;
    if (c.expect_fits && !*c.expect_fits)
      std::cout << fmt::format("{:<12} fits: {} (seed: not possible): {}\n", c.id,
                               f->fits ? "yes" : "no", f->reason);
  }
  std::vector<double> errs;
  for (const auto& r : rows) errs.push_back(r.error());
  const double median = median_abs(errs);
  const double worst = max_abs(errs);
  if (base.g.json) {
    print_json("fit", {{"seed", out}, {"memory_median_abs_error", median},
                       {"memory_worst_abs_error", worst}});
    return kExitOk;
  }
  std::cout << fmt::format("{:<12} {:<6} {:>12} {:>13} {:>7}\n", "case", "pool", "measured MiB",
                           "predicted MiB", "error");
  for (const auto& r : rows)
    std::cout << fmt::format("{:<12} {:<6} {:>12.0f} {:>13.0f} {:>+6.1f}%\n", r.id, r.pool,
                             r.measured_mib, r.predicted_mib, 100 * r.error());
  std::cout << fmt::format("memory: {} values, median |error| {:.1f}%, worst {:.1f}%\n",
                           rows.size(), 100 * median, 100 * worst);
  return kExitOk;
}

}  // namespace

void register_fit(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<FitArgs>();
  CLI::App* cmd = app.add_subcommand(
      "fit", "Does a model fit on a system, and where does every byte go (llama.cpp flag names)");
  add_fit_flags(cmd, *a);
  cmd->add_flag("--seed", a->seed, "Run the seed study's cases (data/published/seed.toml) and "
                                  "compare with its measured memory");
  add_global_options(cmd, a->g);
  cmd->callback([a, &exit_code] { exit_code = a->seed ? run_seed(*a) : run(*a); });
}

}  // namespace worthit::app
