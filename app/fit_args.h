// SPDX-License-Identifier: MIT
// The `fit` flags, shared by `fit` and `predict` (each flag defined once).
#pragma once

#include <string>
#include <vector>

#include "common.h"
#include "plan/fit.h"

namespace worthit::app {

/// Raw values of the fit flags, as the user typed them.
struct FitArgs {
  GlobalOptions g;
  std::string system, model, quant, runtime = "llama.cpp";
  int64_t ctx = -1;
  int ngl = -1, parallel = -1, n_cpu_moe = 0, batch = 2048, ubatch = 512;
  bool cpu_moe = false, no_kv_offload = false;
  std::string tensor_split, cache_k = "f16", cache_v = "f16", flash_attn = "auto", vision = "auto";
  std::string fit = "on";
  bool seed = false;
  double fit_target_mib = 1024;
  std::vector<std::string> overrides;
};

/// Every fit flag, defined once (help text, defaults, parsing).
void add_fit_flags(CLI::App* cmd, FitArgs& a);
/// Checks the flags and converts them to FitOptions; errors name the flag.
Result<FitOptions> to_options(const FitArgs& a, const ModelArch& arch);
/// Resolves the system and fits the model; the resolved system goes to `sys_out`.
Result<FitResult> fit_case(const FitArgs& a, const HwCatalog& cat, const ModelSource& m,
                           System& sys_out);
/// The fit part of a JSON document.
nlohmann::json fit_json(const FitArgs& a, const ModelSource& m, const System& sys,
                        const FitResult& f);

}  // namespace worthit::app
