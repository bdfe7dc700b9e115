// SPDX-License-Identifier: MIT
#include "calibrate/samples.h"

#include <algorithm>
#include <filesystem>

#include "model/model_catalog.h"
#include "model/recipe.h"
#include "perf/seed_prompt.h"

namespace worthit {
namespace {

struct Catalogs {
  HwCatalog hw;
  std::vector<ModelArch> models;
};

/// Fits one published case; nullopt (and the reason) when it does not fit.
Result<Sample> base_sample(const Catalogs& c, const PublishedCase& pc) {
  WORTHIT_TRY(sys, resolve_system(c.hw, pc.system));
  WORTHIT_TRY(arch, find_model(c.models, pc.model));
  WORTHIT_TRY(ft, parse_file_type(pc.quant.empty() ? "Q4_K_M" : pc.quant));
  FitOptions base;
  base.runtime = pc.runtime == "ollama" ? Runtime::Ollama : Runtime::LlamaCpp;
  base.include_vision = base.runtime == Runtime::Ollama;
  base.fit_auto = false;  // llama-bench places exactly what -ngl says
  if (base.runtime == Runtime::LlamaCpp) base.n_gpu_layers = arch.n_layers + 1;
  WORTHIT_TRY(opts, parse_runtime_args(split_args(pc.args), base));
  Sample s;
  s.file = pc.file;
  s.case_id = pc.id;
  s.system = pc.system;
  s.arch = arch;
  s.tensors = derive_tensors(arch, ft);
  if (opts.include_vision)
    for (auto& v : vision_tensors(arch)) s.tensors.push_back(v);
  s.n_ubatch = opts.n_ubatch;
  // llama-bench sizes the context to the test; give it room for the longest test.
  int64_t need = 512;
  for (const auto& b : pc.bench) need = std::max(need, b.depth + b.n_prompt + b.n_gen);
  if (opts.n_ctx < 0 && base.runtime == Runtime::LlamaCpp) opts.n_ctx = need;
  FitOptions no_vision = opts;
  no_vision.include_vision = false;  // vision tensors are already in s.tensors
  WORTHIT_TRY(f, fit(sys, arch, s.tensors, no_vision));
  s.fit = f;
  return s;
}

}  // namespace

Result<std::vector<Sample>> build_samples(const std::string& data_dir, int* skipped,
                                          std::vector<UnfitCase>* unfit) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(data_dir + "/published"))
    if (e.path().extension() == ".toml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<PublishedCase> all;
  for (const auto& file : files) {
    WORTHIT_TRY(cases, load_published(file));
    all.insert(all.end(), cases.begin(), cases.end());
  }
  return samples_from_cases(data_dir, all, skipped, unfit);
}

Result<std::vector<Sample>> samples_from_cases(const std::string& data_dir,
                                               const std::vector<PublishedCase>& cases, int* skipped,
                                               std::vector<UnfitCase>* unfit) {
  Catalogs c;
  WORTHIT_TRY(hw, load_hw_catalog(data_dir));
  WORTHIT_TRY(models, load_model_catalog(data_dir + "/models"));
  WORTHIT_TRY(seed, load_seed_prompt(data_dir + "/prompts/seed-tokyo.toml"));
  c.hw = hw;
  c.models = models;
  std::vector<Sample> out;
  int skip = 0;
  for (const auto& pc : cases) {
      const bool rates = !pc.bench.empty() || pc.eval_rate_tps || pc.prompt_eval_rate_tps;
      // A case measured not to fit (expect_fits = false) has no rates but is still checked.
      if (!rates && !pc.expect_fits) continue;
      WORTHIT_TRY(base, base_sample(c, pc));
      if (!base.fit.fits) {
        if (unfit) unfit->push_back({pc.file, pc.id, base.fit.reason});
        ++skip;
        continue;
      }
      if (!rates) continue;
      // Prompt processing needs every GPU's compute peak; devices without a confirmed figure
      // can only be used for token generation.
      bool peaks = true;
      for (const auto& d : base.fit.slots) peaks = peaks && d.peak.base() > 0;
      for (const auto& b : pc.bench) {
        if (b.n_prompt > 0 && !peaks) {
          ++skip;
          continue;
        }
        Sample s = base;
        s.test = b.test;
        s.n_prompt = b.n_prompt;
        s.n_gen = b.n_gen;
        s.depth = b.depth;
        s.decode = b.n_prompt == 0;
        s.measured_tps = b.tokens_per_s;
        out.push_back(std::move(s));
      }
      if (pc.eval_rate_tps) {
        Sample s = base;
        s.test = "eval_rate";
        s.n_gen = seed.answer_tokens;
        s.depth = seed.prompt_tokens(base.arch.id);
        s.decode = true;
        s.measured_tps = *pc.eval_rate_tps;
        s.measured_power_w = pc.power_w.value_or(0.0);
        s.power_scope = pc.power_scope;
        out.push_back(std::move(s));
      }
      if (pc.prompt_eval_rate_tps && peaks) {
        Sample s = base;
        s.test = "prompt_eval_rate";
        s.n_prompt = seed.prompt_tokens(base.arch.id);
        s.measured_tps = *pc.prompt_eval_rate_tps;
        out.push_back(std::move(s));
      }
  }
  if (skipped) *skipped = skip;
  return out;
}

double predict_sample(const Sample& s, const Efficiency& e) {
  return bench_rate(s.arch, s.tensors, s.fit, s.n_prompt, s.n_gen, s.depth, s.n_ubatch, e);
}

double predict_power(const Sample& s, const Efficiency& e) {
  const PhaseTime dec = decode_time(s.arch, s.tensors, s.fit, s.depth + s.n_gen / 2, e);
  return decode_power(s.fit, dec, e, nullptr, nullptr);
}

}  // namespace worthit
