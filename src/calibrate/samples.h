// SPDX-License-Identifier: MIT
// Measured speeds turned into prediction problems: each published llama-bench result or seed
// measurement with its system, model, placement and test, ready to be predicted.
#pragma once

#include <string>
#include <vector>

#include "calibrate/published.h"
#include "hw/catalog.h"
#include "model/arch.h"
#include "perf/predict.h"

namespace worthit {

/// One measured rate and everything needed to predict it.
struct Sample {
  std::string file, case_id, system, test;
  ModelArch arch;
  std::vector<TensorInfo> tensors;
  FitResult fit;
  int64_t n_prompt = 0, n_gen = 0, depth = 0, n_ubatch = 512;
  bool decode = false;      ///< token generation (tg) rather than prompt processing (pp)
  double measured_tps = 0;
  double measured_power_w = 0;  ///< seed cases: the power column (0: none)
  std::string power_scope;      ///< "board" (GPU only) or "wall"
};

/// Predicted draw while generating for a sample (its decode phase), in watts.
double predict_power(const Sample& s, const Efficiency& e);

/// Builds samples from every file in data_dir/published; seed cases (eval_rate/prompt_eval_rate)
/// use the seed prompt's token count for their model (data_dir/prompts/seed-tokyo.toml). Cases
/// that do not fit, and prompt rates of devices without a confirmed compute peak, are skipped and counted in `skipped`.
/// A published case whose placement does not fit, with fit's reason.
struct UnfitCase {
  std::string file, case_id, reason;
};

/// `unfit` (optional) receives each case that does not fit.
Result<std::vector<Sample>> build_samples(const std::string& data_dir, int* skipped,
                                          std::vector<UnfitCase>* unfit = nullptr);

/// The same from cases given in memory (a results store's runs turned into cases); a case's
/// `file` names where it came from.
Result<std::vector<Sample>> samples_from_cases(const std::string& data_dir,
                                               const std::vector<PublishedCase>& cases, int* skipped,
                                               std::vector<UnfitCase>* unfit = nullptr);

/// Predicted tokens/s of a sample.
double predict_sample(const Sample& s, const Efficiency& e);

}  // namespace worthit
