// SPDX-License-Identifier: MIT
// The seed's decision tree ("Decision tree: what do you actually want?"), each branch answered
// from the computed numbers instead of by hand.
#include <fmt/format.h>

#include <algorithm>

#include "advise/verdict.h"

namespace worthit {
namespace {

using Cands = std::vector<CandidateEval>;

/// The candidate (other than the owned one) with the highest per-user rate on workload i.
const CandidateEval* fastest_other(const Cands& cs, size_t owned, size_t i) {
  const CandidateEval* best = nullptr;
  for (size_t k = 0; k < cs.size(); ++k) {
    if (k == owned || cs[k].kind == "cloud" || i >= cs[k].workloads.size() || !cs[k].workloads[i].fits)
      continue;
    if (!best || cs[k].workloads[i].per_user_tps > best->workloads[i].per_user_tps) best = &cs[k];
  }
  return best;
}

/// The cheapest bought candidate whose per-user rate on workload i reaches `tps`.
const CandidateEval* cheapest_reaching(const Cands& cs, size_t owned, size_t i, double tps) {
  const CandidateEval* best = nullptr;
  for (size_t k = 0; k < cs.size(); ++k) {
    const auto& c = cs[k];
    if (k == owned || c.kind == "cloud" || !c.cost.known || c.cost.purchase <= 0) continue;
    if (!c.workloads[i].fits || c.workloads[i].per_user_tps < tps) continue;
    if (!best || c.cost.purchase < best->cost.purchase) best = &c;
  }
  return best;
}

std::string on(const CandidateEval& c, size_t i) {
  const auto& w = c.workloads[i];
  if (!w.fits) return fmt::format("{}: does not fit", c.name);
  return fmt::format("{}: {:.1f} t/s{}", c.name, w.per_user_tps,
                     w.users > 1 ? fmt::format(" per user ({} users)", w.users) : "");
}

void single_model_branches(const Cands& cs, size_t owned, double comfort,
                           std::vector<TreeAnswer>& out) {
  const CandidateEval& o = cs[owned];
  for (size_t i = 0; i < o.workloads.size(); ++i) {
    const WorkloadEval& w = o.workloads[i];
    if (w.users > 1) continue;
    const CandidateEval* best = fastest_other(cs, owned, i);
    std::string because = on(o, i) + (best ? "; fastest alternative " + on(*best, i) : "");
    if (w.fits && !w.offloaded) {
      const bool keep = !best || w.per_user_tps >= comfort ||
                        best->workloads[i].per_user_tps < kClearSpeedup * w.per_user_tps;
      out.push_back({fmt::format("Run {} (fits your GPU memory)?", w.model),
                     keep ? "Keep your machine: nothing to buy."
                          : fmt::format("{} is {:.1f}x faster.", best->name,
                                        best->workloads[i].per_user_tps / w.per_user_tps),
                     because});
      continue;
    }
    const std::string kind = w.moe ? "MoE" : "dense";
    std::string answer;
    if (w.fits && w.per_user_tps >= comfort)
      answer = fmt::format("Your machine works ({:.1f} t/s, at or above {:.0f}); {}", w.per_user_tps,
                           comfort, best ? fmt::format("{} if you want {:.0f} t/s.", best->name,
                                                       best->workloads[i].per_user_tps)
                                         : "nothing faster among the candidates.");
    else if (const CandidateEval* c = cheapest_reaching(cs, owned, i, comfort))
      answer = fmt::format("{} is the cheapest candidate that runs it comfortably.", c->name);
    else if (best)
      answer = fmt::format("No candidate reaches {:.0f} t/s; {} is fastest. Manage expectations.",
                           comfort, best->name);
    else
      answer = "No candidate runs it.";
    out.push_back({fmt::format("Run {} ({} model too large for your GPUs) interactively?", w.model, kind),
                   answer, because});
  }
}

void finetune_branches(const Cands& cs, size_t owned, std::vector<TreeAnswer>& out) {
  const CandidateEval& o = cs[owned];
  for (size_t i = 0; i < o.finetune.size(); ++i) {
    std::string fits;
    for (const auto& c : cs)
      if (i < c.finetune.size() && c.finetune[i].fits && c.finetune[i].devices == 1 && &c != &o)
        fits += (fits.empty() ? "" : ", ") + c.name;
    const FinetuneEval& f = o.finetune[i];
    out.push_back({fmt::format("Fine-tune {} with {}?", f.model, f.method),
                   f.fits && f.devices == 1 ? "Your machine fits it."
                   : f.fits ? fmt::format("Your machine fits it only sharded over {} GPUs; on one device: {}.",
                                          f.devices, fits.empty() ? "no candidate" : fits)
                   : fits.empty() ? "No candidate fits it."
                                                                   : "Fits on: " + fits + ".",
                   fmt::format("needs {:.1f} GiB; your machine's largest pool has {:.1f} GiB",
                               f.memory_gib, f.capacity_gib)});
  }
}

void users_branches(const Cands& cs, size_t owned, std::vector<TreeAnswer>& out) {
  const CandidateEval& o = cs[owned];
  for (size_t i = 0; i < o.workloads.size(); ++i) {
    const WorkloadEval& w = o.workloads[i];
    if (w.users <= 1) continue;
    std::string ok, because;
    for (const auto& c : cs) {
      because += (because.empty() ? "" : "; ") + on(c, i);
      if (c.workloads[i].fits && c.workloads[i].max_comfortable_users >= w.users)
        ok += (ok.empty() ? "" : ", ") + c.name;
    }
    out.push_back({fmt::format("Serve {} users with {}?", w.users, w.model),
                   ok.empty() ? "No candidate keeps every user comfortable." : "Comfortable on: " + ok + ".",
                   because});
  }
}

void residents_branch(const Cands& cs, size_t owned, std::vector<TreeAnswer>& out) {
  const CandidateEval& o = cs[owned];
  if (!o.residents.known) return;
  std::string ok;
  for (const auto& c : cs)
    if (&c != &o && c.residents.known && c.residents.fits) ok += (ok.empty() ? "" : ", ") + c.name;
  out.push_back({"Keep several models resident at once (multi-model workflow)?",
                 o.residents.fits ? "Your machine holds them: dedicated VRAM is fastest."
                                  : ok.empty() ? "No candidate holds them all." : "Holds them all: " + ok + ".",
                 fmt::format("{:.1f} GiB of models; your machine has {:.1f} GiB for them",
                             o.residents.total_gib, o.residents.capacity_gib)});
}

void power_branch(const Cands& cs, std::vector<TreeAnswer>& out) {
  std::vector<const CandidateEval*> known;
  for (const auto& c : cs)
    if (c.cost.known && c.cost.load_w > 0 && c.kind != "cloud") known.push_back(&c);
  if (known.empty()) return;
  std::sort(known.begin(), known.end(),
            [](auto* a, auto* b) { return a->cost.load_w < b->cost.load_w; });
  std::string list;
  for (const auto* c : known)
    list += fmt::format("{}{}: {:.0f} W ({})", list.empty() ? "" : "; ", c->name, c->cost.load_w, c->cost.power_scope);
  list += "; board-only figures leave out the rest of the PC (CPU, board, fans, PSU losses)";
  out.push_back({"Low power, always on, quiet?", fmt::format("{} draws least under load.", known[0]->name),
                 list});
}

}  // namespace

std::vector<TreeAnswer> decision_tree(const std::vector<CandidateEval>& candidates, size_t owned,
                                      double comfort_tps) {
  std::vector<TreeAnswer> out;
  if (owned >= candidates.size()) return out;
  single_model_branches(candidates, owned, comfort_tps, out);
  residents_branch(candidates, owned, out);
  finetune_branches(candidates, owned, out);
  users_branches(candidates, owned, out);
  power_branch(candidates, out);
  return out;
}

}  // namespace worthit
