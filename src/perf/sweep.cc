// SPDX-License-Identifier: MIT
#include "perf/sweep.h"

#include <algorithm>
#include <limits>

#include "model/recipe.h"

namespace worthit {
namespace {

double headroom(const FitResult& f) {
  double h = std::numeric_limits<double>::max();
  for (const auto& p : f.pools)
    if (p.used().base() > 0) h = std::min(h, (p.usable - p.used()).base());
  return h == std::numeric_limits<double>::max() ? 0.0 : h;
}

SweepRow one(const SweepSpec& spec, size_t si, const ModelArch& m, FileType q,
             const std::vector<TensorInfo>& tensors, int64_t ctx, const Efficiency& e) {
  SweepRow r;
  r.system = spec.system_ids[si];
  r.model = m.id;
  r.quant = file_type_name(q);
  r.ctx = ctx;
  if (m.context_max > 0 && ctx > m.context_max) {
    r.reason = "context beyond the model's trained " + std::to_string(m.context_max);
    return r;
  }
  FitOptions o;
  o.runtime = spec.runtime;
  o.n_ctx = ctx;
  auto f = fit(spec.systems[si], m, tensors, o);
  if (!f) {
    r.reason = f.error().message();
    return r;
  }
  r.fits = f->fits;
  r.reason = f->reason;
  r.gpu_layers = f->n_gpu_layers;
  r.layers_total = f->n_layers_total;
  if (!f->fits) return r;
  const Prediction p = predict(m, tensors, *f, spec.workload, o.n_ubatch, e);
  r.eval_rate_tps = p.eval_rate_tps;
  r.prompt_eval_rate_tps = p.prompt_eval_rate_tps;
  r.ttft_s = p.ttft_s;
  r.decode_bottleneck = p.decode_bottleneck;
  r.headroom_bytes = headroom(*f);
  return r;
}

}  // namespace

std::vector<SweepRow> run_sweep(const SweepSpec& spec, const Efficiency& e) {
  std::vector<SweepRow> rows;
  rows.reserve(spec.systems.size() * spec.models.size() * spec.quants.size() *
               spec.contexts.size());
  for (const auto& m : spec.models)
    for (FileType q : spec.quants) {
      const std::vector<TensorInfo> tensors = derive_tensors(m, q);
      for (size_t si = 0; si < spec.systems.size(); ++si)
        for (int64_t ctx : spec.contexts) rows.push_back(one(spec, si, m, q, tensors, ctx, e));
    }
  return rows;
}

}  // namespace worthit
