// SPDX-License-Identifier: MIT
// Several models resident at once (an LLM, an image generator, speech-to-text, text-to-speech, a
// vision model): do they fit in a system's GPU and unified memory together, and if not, what does
// loading them from storage cost per hour? Pure. Rules: docs/multi-model.md.
#pragma once

#include <string>
#include <vector>

namespace worthit {

/// One model that should stay resident.
struct ResidentNeed {
  std::string name, kind;
  double bytes = 0;           ///< memory it needs resident (runtime figure)
  bool splittable = false;    ///< an LLM: llama.cpp splits its layers over several GPUs
  double uses_per_hour = 0;   ///< how often it is used (for the swap cost)
  std::string source;         ///< where `bytes` comes from
};

/// A memory pool models can live in (a GPU's VRAM, or a unified pool's GPU share).
struct ResidencyPool {
  std::string id, kind;
  double capacity_bytes = 0;  ///< what models may use (after the runtime's reserve)
};

struct PlacedModel {
  std::string name, kind, pool;  ///< pool: "" when it does not fit and is swapped in; "A+B" when split
  double bytes = 0;
  std::string source;
};

struct ResidencyResult {
  bool fits = false;
  double total_bytes = 0, capacity_bytes = 0;
  std::vector<PlacedModel> models;
  std::vector<double> pool_used_bytes;  ///< per pool, in the order given
  // Swapping the models that do not fit: each use loads it from storage.
  double storage_read_bps = 0;
  double load_s = 0;             ///< loading every swapped model once
  double swaps_per_hour = 0;
  double seconds_per_hour = 0;   ///< time spent loading per hour of use
  std::string reason;
};

/// Default uses per hour of a model whose profile entry gives none (an assumption, documented).
constexpr double kDefaultUsesPerHour = 4.0;
/// Seconds a runtime takes to start a model beside reading its weights (an assumption).
constexpr double kStartupSeconds = 2.0;

/// Places the largest models first, each on the first pool with room (an LLM that fits no single
/// pool is split over the free room of several); the rest are swapped in from storage.
ResidencyResult place_residents(std::vector<ResidentNeed> models, const std::vector<ResidencyPool>& pools,
                                double storage_read_bps);

}  // namespace worthit
