// SPDX-License-Identifier: MIT
// Several models at once on one advise candidate: size each resident model (LLMs by the real fit,
// the others from data/resident), place them on the GPU memory pools, and cost the swapping of
// what does not fit. Rules: docs/multi-model.md.
#include <fmt/format.h>

#include "advise/residency.h"
#include "advise_internal.h"
#include "fit_args.h"
#include "plan/runtime.h"

namespace worthit::app {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
/// Context an LLM resident is sized for (ollama's default on a small GPU).
constexpr int64_t kResidentContext = 4096;
/// A catalog figure for the weights alone gets this much more for activations and the runtime
/// (an assumption; "required" figures are used as they are).
constexpr double kWeightsOverhead = 1.2;
/// Storage read speed when the catalog gives none: a PCIe 3.0 NVMe drive's sequential read
/// (an assumption; most machines compared here have PCIe 4.0 drives, which read faster).
constexpr double kDefaultStorageBps = 3.5e9;

/// Memory pools models can be resident in: each GPU's VRAM less the driver context, the GPU's
/// share of a unified pool (the runtime's reserves as `fit` uses them).
std::vector<ResidencyPool> gpu_pools(const System& s) {
  std::vector<ResidencyPool> out;
  int g = 0;
  for (const auto& n : s.nodes) {
    for (const auto& gpu : n.gpus)
      out.push_back({fmt::format("GPU{} ({})", g++, gpu.device.name), "vram",
                     (gpu.device.memory_capacity - driver_context_bytes(gpu.device.backend)).base()});
    if (n.soc)
      out.push_back({fmt::format("unified ({})", n.soc->name), "unified",
                     unified_gpu_usable(*n.soc, n.soc->memory_capacity).base()});
  }
  return out;
}

/// Bytes an LLM resident needs on this candidate: the fit's weights, KV cache and buffers.
Result<ResidentNeed> llm_need(Env& env, const Candidate& c, const Resident& r) {
  WORTHIT_TRY(m, model_of(env, r.ref, r.quant));
  FitArgs fa;
  fa.g = env.a.g;
  fa.system = c.spec;
  fa.model = r.ref;
  fa.quant = r.quant;
  fa.runtime = "ollama";
  fa.ctx = kResidentContext;
  System sys;
  WORTHIT_TRY(f, fit_case(fa, env.cat, *m, sys));
  double bytes = 0;
  for (const auto& p : f.pools) bytes += p.used().base();
  return ResidentNeed{r.name, resident_kind_name(r.kind), bytes, true, r.requests_per_hour,
                      fmt::format("worthit fit: {} {} with ollama at {} tokens of context", r.ref,
                                  m->quant, kResidentContext)};
}

Result<ResidentNeed> catalog_need(const Env& env, const Resident& r) {
  WORTHIT_TRY(e, find_resident(env.resident_catalog, r.ref));
  const double base = r.memory ? r.memory->base() : e.memory.base();
  const bool weights = e.memory_scope == "weights";
  return ResidentNeed{r.name, resident_kind_name(r.kind), weights ? base * kWeightsOverhead : base, false,
                      r.requests_per_hour,
                      fmt::format("data/resident/{}.toml ({}{})", e.id, e.memory_scope,
                                  weights ? " x 1.2 for activations and runtime, assumed" : "")};
}

}  // namespace

Result<ResidentsEval> eval_residents(Env& env, const Candidate& c, nlohmann::json& j) {
  ResidentsEval out;
  j["residents"] = nullptr;
  if (env.prof.residents.empty()) return out;
  std::vector<ResidentNeed> needs;
  for (const auto& r : env.prof.residents) {
    const bool llm = (r.kind == ResidentKind::Llm || r.kind == ResidentKind::Vision) && !r.memory &&
                     !find_resident(env.resident_catalog, r.ref);
    WORTHIT_TRY(n, llm ? llm_need(env, c, r) : catalog_need(env, r));
    needs.push_back(n);
  }
  const std::vector<ResidencyPool> pools = gpu_pools(c.sys);
  const bool known = c.sys.storage_read.has_value();
  const ResidencyResult res = place_residents(needs, pools, known ? c.sys.storage_read->base() : kDefaultStorageBps);
  nlohmann::json models = nlohmann::json::array(), pj = nlohmann::json::array();
  for (const auto& m : res.models)
    models.push_back({{"name", m.name}, {"kind", m.kind}, {"memory_bytes", m.bytes},
                      {"pool", m.pool.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.pool)},
                      {"source", {{"kind", m.kind == "llm" || m.kind == "vision" ? "predicted" : "catalog"},
                                  {"detail", m.source}}}});
  for (size_t i = 0; i < pools.size(); ++i)
    pj.push_back({{"pool", pools[i].id}, {"used_bytes", res.pool_used_bytes[i]},
                  {"capacity_bytes", pools[i].capacity_bytes}});
  j["residents"] = {{"fits", res.fits}, {"total_bytes", res.total_bytes}, {"capacity_bytes", res.capacity_bytes},
                    {"pools", pj}, {"models", models}, {"reason", res.reason},
                    {"swap", {{"needed", !res.fits}, {"load_s", res.load_s}, {"swaps_per_hour", res.swaps_per_hour},
                              {"seconds_per_hour", res.seconds_per_hour},
                              {"storage_read_gbs", res.storage_read_bps / 1e9},
                              {"storage_read_assumed", !known},
                              {"storage_source", known ? c.sys.storage_source
                                                       : "assumed: a PCIe 3.0 NVMe drive's sequential read (the system file has no [storage])"}}}};
  out.known = true;
  out.fits = res.fits;
  out.total_gib = res.total_bytes / kGiB;
  out.capacity_gib = res.capacity_bytes / kGiB;
  out.swap_s_per_hour = res.seconds_per_hour;
  return out;
}

}  // namespace worthit::app
