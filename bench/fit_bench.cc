// SPDX-License-Identifier: MIT
// `fit` for one case must answer in under 5 ms (issue: foundation). These benchmarks time the
// pure planning step with catalogs already loaded, and the whole CLI path's loading separately.
#include <benchmark/benchmark.h>

#include "hw/catalog.h"
#include "model/model_catalog.h"
#include "model/recipe.h"
#include "perf/sweep.h"
#include "plan/fit.h"

namespace {

using namespace worthit;

struct Loaded {
  HwCatalog hw;
  std::vector<ModelArch> models;
};

const Loaded& loaded() {
  static const Loaded l = [] {
    Loaded x;
    x.hw = *load_hw_catalog(WORTHIT_DATA_DIR);
    x.models = *load_model_catalog(std::string(WORTHIT_DATA_DIR) + "/models");
    return x;
  }();
  return l;
}

void fit_case(benchmark::State& state, const char* sys, const char* model, FitOptions o,
              FileType ft) {
  const System s = *resolve_system(loaded().hw, sys);
  const ModelArch m = *find_model(loaded().models, model);
  for (auto _ : state) {
    auto tensors = derive_tensors(m, ft);
    auto f = fit(s, m, tensors, o);
    benchmark::DoNotOptimize(f);
  }
}

void BM_FitDense70bOllamaPartialOffload(benchmark::State& state) {
  FitOptions o;
  o.runtime = Runtime::Ollama;
  o.n_ctx = 32768;
  o.n_gpu_layers = 40;
  fit_case(state, "seed-desktop", "llama-3.3-70b", o, FileType::Q4_K_M);
}
BENCHMARK(BM_FitDense70bOllamaPartialOffload)->Unit(benchmark::kMillisecond);

void BM_FitMoeLlamaCppAutoFit(benchmark::State& state) {
  FitOptions o;
  o.n_ctx = 131072;
  fit_case(state, "seed-desktop", "gpt-oss-120b", o, FileType::MXFP4_MOE);
}
BENCHMARK(BM_FitMoeLlamaCppAutoFit)->Unit(benchmark::kMillisecond);

void BM_FitOllamaAutoLayers(benchmark::State& state) {
  FitOptions o;
  o.runtime = Runtime::Ollama;
  fit_case(state, "rtx-4090", "llama-3.3-70b", o, FileType::Q4_K_M);
}
BENCHMARK(BM_FitOllamaAutoLayers)->Unit(benchmark::kMillisecond);

void BM_LoadCatalogs(benchmark::State& state) {
  for (auto _ : state) {
    auto hw = load_hw_catalog(WORTHIT_DATA_DIR);
    auto m = load_model_catalog(std::string(WORTHIT_DATA_DIR) + "/models");
    benchmark::DoNotOptimize(hw);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_LoadCatalogs)->Unit(benchmark::kMillisecond);

}  // namespace

namespace {
using namespace worthit;

// `worthit sweep` over the whole default grid (every catalog system x model x Q4_K_M/Q8_0 x
// 4K/32K/128K context) must finish in under 1 s on one core (issue: performance model).
void BM_SweepDefault(benchmark::State& state) {
  SweepSpec spec;
  for (const auto& id : system_ids(loaded().hw)) {
    spec.system_ids.push_back(id);
    spec.systems.push_back(*resolve_system(loaded().hw, id));
  }
  spec.models = loaded().models;
  spec.quants = {FileType::Q4_K_M, FileType::Q8_0};
  spec.contexts = {4096, 32768, 131072};
  spec.workload = Workload{512, 128, 0};
  const Efficiency e = *load_efficiency(std::string(WORTHIT_DATA_DIR) + "/calibration.toml");
  size_t rows = 0;
  for (auto _ : state) {
    auto r = run_sweep(spec, e);
    rows = r.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["cases"] = static_cast<double>(rows);
}
BENCHMARK(BM_SweepDefault)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
