// SPDX-License-Identifier: MIT
// `worthit sweep`: every system x model x quant x context with the runtime's default placement,
// predicted at one workload. Pure: catalogs in, rows out.
#pragma once

#include <string>
#include <vector>

#include "hw/device.h"
#include "model/arch.h"
#include "model/quant.h"
#include "perf/efficiency.h"
#include "perf/predict.h"
#include "plan/fit.h"

namespace worthit {

/// What to sweep. Systems carry their catalog id in `ids` (same order).
struct SweepSpec {
  std::vector<std::string> system_ids;
  std::vector<System> systems;
  std::vector<ModelArch> models;
  std::vector<FileType> quants;
  std::vector<int64_t> contexts;  ///< tokens
  Runtime runtime = Runtime::LlamaCpp;
  Workload workload;              ///< prompt and answer of one request
};

/// One cell of the sweep.
struct SweepRow {
  std::string system, model, quant;
  int64_t ctx = 0;
  bool fits = false;
  std::string reason;              ///< why it does not fit
  double eval_rate_tps = 0, prompt_eval_rate_tps = 0, ttft_s = 0;
  double headroom_bytes = 0;       ///< least free memory left on a pool the model uses
  int gpu_layers = 0, layers_total = 0;
  std::string decode_bottleneck;
};

/// Runs the sweep; tensors are derived once per model and quant.
std::vector<SweepRow> run_sweep(const SweepSpec& spec, const Efficiency& e);

}  // namespace worthit
