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
};

/// Token counts the seed's workload is modelled with: the Tokyo itinerary prompt through a
/// chat template (about 64 tokens) and a typical answer (about 1000 tokens).
constexpr int64_t kSeedPromptTokens = 64;
constexpr int64_t kSeedAnswerTokens = 1000;

/// Builds samples from every file in data_dir/published. Cases that do not fit, and prompt
/// rates of devices without a confirmed compute peak, are skipped and counted in `skipped`.
Result<std::vector<Sample>> build_samples(const std::string& data_dir, int* skipped);

/// Predicted tokens/s of a sample.
double predict_sample(const Sample& s, const Efficiency& e);

}  // namespace worthit
