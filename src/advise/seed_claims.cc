// SPDX-License-Identifier: MIT
#include "advise/seed_claims.h"

#include <fmt/format.h>

namespace worthit {
namespace {

struct Pair {
  const CandidateEval& o;  ///< the user's machine
  const CandidateEval& s;  ///< the DGX Spark
  double comfort;
};

std::string tps(const WorkloadEval& w) {
  return w.fits ? fmt::format("{:.1f} t/s", w.per_user_tps) : std::string("does not fit");
}

void small_models(const Pair& p, std::vector<SeedClaim>& out) {
  for (size_t i = 0; i < p.o.workloads.size(); ++i) {
    const auto &o = p.o.workloads[i], &s = p.s.workloads[i];
    if (!o.fits || o.offloaded || o.users > 1) continue;
    const bool agrees = !s.fits || s.per_user_tps < o.per_user_tps;
    out.push_back({"Spark not worth it for models that fit on one GPU",
                   "Models that fit on GPU VRAM: desktop wins easily (conclusion 1)",
                   fmt::format("{}: your machine {}, Spark {}", o.model, tps(o), tps(s)), agrees, true,
                   agrees ? "dedicated VRAM streams the weights faster than the Spark's 273 GB/s"
                          : "the Spark is predicted faster here"});
  }
}

void large_models(const Pair& p, std::vector<SeedClaim>& out) {
  for (size_t i = 0; i < p.o.workloads.size(); ++i) {
    const auto &o = p.o.workloads[i], &s = p.s.workloads[i];
    if (o.users > 1 || (o.fits && !o.offloaded)) continue;
    const double r = o.fits && s.fits ? s.per_user_tps / o.per_user_tps : 0;
    if (o.moe) {
      const bool agrees = s.fits && s.per_user_tps >= p.comfort && (!o.fits || r >= kClearSpeedup);
      out.push_back({"Spark worth it for large MoE models",
                     "Large MoE models: the Spark's strongest argument; 52.8 vs 19.7 t/s, 2.7x (conclusion 3)",
                     fmt::format("{}: Spark {}, your machine {} ({:.1f}x)", o.model, tps(s), tps(o), r),
                     agrees, true,
                     agrees ? "the whole model stays in one 128 GB pool; on the desktop the experts "
                              "that do not fit in VRAM are read from DDR4 at about 51 GB/s"
                            : "the predicted gain is below the clear-speedup line (1.5x) or the comfort rate"});
      const double pr = o.fits && s.fits ? s.prompt_tps / o.prompt_tps : 0;
      out.push_back({"Prompt processing is the biggest gap with CPU offload",
                     "the desktop's prompt eval rate drops to 14-22x slower than the Spark (conclusion 4)",
                     fmt::format("{}: Spark {:.0f} t/s, your machine {:.0f} t/s ({:.1f}x)", o.model,
                                 s.prompt_tps, o.prompt_tps, pr),
                     pr >= 5, true,
                     "with weights in host memory, llama.cpp copies them over PCIe for every prompt "
                     "batch or computes them on the CPU"});
    } else {
      const bool agrees = s.fits && (!o.fits || r > 1) && s.per_user_tps < p.comfort;
      out.push_back({"Large dense models: Spark faster but still slow",
                     "Spark 4.46 t/s is 3.5x faster, but 4-5 t/s is still not a great experience (conclusion 2)",
                     fmt::format("{}: Spark {}, your machine {} ({:.1f}x)", o.model, tps(s), tps(o), r),
                     agrees, true,
                     "a 70B dense model reads every weight per token: 40+ GB at 273 GB/s caps the Spark near 5 t/s"});
    }
  }
}

std::string finetune_why(const FinetuneEval& o, const FinetuneEval& s) {
  if (o.method == "full" && !s.fits)
    return fmt::format("with AdamW (fp32 master weights, gradients and two moments: 16 bytes per "
                       "parameter plus the bf16 copy and activations) it needs {:.1f} GiB, more than "
                       "the Spark's {:.1f} GiB usable; the seed counts weights, gradients and two "
                       "moments only. 8-bit AdamW (--set finetune.N.optimizer=adamw8bit) fits",
                       s.memory_gib, s.capacity_gib);
  return "worthit's memory terms (docs/fine-tuning.md) give a different answer";
}

void finetuning(const Pair& p, std::vector<SeedClaim>& out) {
  for (size_t i = 0; i < p.o.finetune.size() && i < p.s.finetune.size(); ++i) {
    const auto &o = p.o.finetune[i], &s = p.s.finetune[i];
    const bool big = o.params_b > 8;
    std::string seed;
    bool agrees = false;
    if (o.method == "full") {
      seed = big ? "Full fine-tune 13B+: not possible on the desktop" : "Full fine-tune 7B: not possible on the desktop (>100 GB), possible on the Spark";
      agrees = !o.fits && (big || s.fits);
    } else if (o.method == "qlora") {
      seed = "LoRA 13B on the 4090: tight, needs tricks (4-bit base)";
      agrees = o.fits;
    } else {
      seed = big ? "LoRA 13B: tight on the desktop, comfortable on the Spark" : "LoRA 7B: works on the desktop (fits in VRAM)";
      agrees = big ? ((!o.fits || o.devices > 1) && s.fits && s.devices == 1) : o.fits;
    }
    out.push_back({fmt::format("Fine-tuning: {} {:.0f}B", o.method, o.params_b), seed,
                   fmt::format("needs {:.1f} GiB: your machine {} ({:.1f} GiB per GPU), Spark {} ({:.1f} GiB)",
                               o.memory_gib,
                               !o.fits ? "does not fit" : o.devices > 1 ? fmt::format("fits only sharded over {} GPUs", o.devices) : "fits",
                               o.capacity_gib,
                               s.fits ? "fits" : "does not fit", s.capacity_gib),
                   agrees, true,
                   agrees ? "weights, gradients, optimizer states and activations as docs/fine-tuning.md counts them"
                          : finetune_why(o, s)});
  }
}

void users(const Pair& p, std::vector<SeedClaim>& out) {
  for (size_t i = 0; i < p.o.workloads.size(); ++i) {
    const auto &o = p.o.workloads[i], &s = p.s.workloads[i];
    if (o.users <= 1) continue;
    const bool agrees = s.fits && s.max_comfortable_users >= o.users &&
                        (!o.fits || o.max_comfortable_users < o.users);
    out.push_back({"Several users: the Spark serves 3-4 users, the desktop one at a time",
                   "Serving 3-4 users from a single model is feasible (on the Spark); the desktop "
                   "queues the second user",
                   fmt::format("{} with {} users: Spark {} per user (comfortable up to {}), your "
                               "machine {} per user (up to {})", o.model, o.users, tps(s),
                               s.max_comfortable_users, tps(o), o.max_comfortable_users),
                   agrees, true,
                   agrees ? "the Spark holds the weights once and a KV cache per user"
                          : "worthit's concurrency model gives the desktop enough rate per user too"});
  }
}

void residents(const Pair& p, std::vector<SeedClaim>& out) {
  if (!p.o.residents.known || !p.s.residents.known) return;
  const auto &o = p.o.residents, &s = p.s.residents;
  const bool agrees = o.total_gib > 40 ? (!o.fits && s.fits) : o.fits;
  out.push_back({"Multi-model workflows over ~40 GB: Spark",
                 "LLM + image generator + speech + vision can quickly exhaust 24-40 GB of VRAM",
                 fmt::format("{:.1f} GiB of models: your machine {}, Spark {}", o.total_gib,
                             o.fits ? "holds them" : "does not hold them",
                             s.fits ? "holds them" : "does not hold them"),
                 agrees, true,
                 o.total_gib > 40 ? "over 40 GB only a large pool keeps them all"
                                  : "this set is under 40 GB: worthit places it on the two GPUs"});
}

void ministral(const Pair& p, std::vector<SeedClaim>& out) {
  for (const auto& w : p.o.workloads)
    if (w.model.rfind("ministral-3", 0) == 0) {
      out.push_back({"Ministral 3 is a sparse (MoE) model",
                     "Sparse / MoE models (... e.g., GPT-OSS 120B, Ministral-3)",
                     w.moe ? "the catalog has experts for it" : "Ministral 3 8B is dense: no experts in its configuration",
                     w.moe, true,
                     "every weight is read for every token, which is why it runs at the speed of an 8B dense model"});
      return;
    }
}

}  // namespace

std::vector<SeedClaim> check_seed_claims(const std::vector<CandidateEval>& candidates, size_t owned,
                                         size_t spark, double comfort_tps) {
  std::vector<SeedClaim> out;
  if (owned >= candidates.size() || spark >= candidates.size()) return out;
  const Pair p{candidates[owned], candidates[spark], comfort_tps};
  if (p.o.workloads.size() != p.s.workloads.size()) return out;
  small_models(p, out);
  large_models(p, out);
  residents(p, out);
  finetuning(p, out);
  users(p, out);
  ministral(p, out);
  return out;
}

}  // namespace worthit
