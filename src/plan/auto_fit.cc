// SPDX-License-Identifier: MIT
// An emulation of llama.cpp's --fit (common/fit.cpp, on by default since Dec 2025): it runs
// only when the user set none of -ngl, -ts, -ot, --n-cpu-moe, and keeps `fit_margin` free on
// every GPU. Dense models: whole layers are filled back to front starting on the last GPU;
// the first layers that do not fit stay on the CPU. MoE models: whole layers are filled front
// to back; the last GPU also holds the attention ("dense") part of every remaining layer whose
// experts "overflow" to the CPU. The output layer goes to the last GPU.
#include <algorithm>
#include <numeric>

#include "plan/compute_buffer.h"
#include "plan/placement.h"
#include "plan/runtime.h"

namespace worthit::detail {
namespace {

struct LayerCosts {
  std::vector<double> dense, experts;  ///< per layer: weights outside / inside routed experts + KV
  double output = 0;                    ///< output layer (and vision tower)
  double largest_expert = 0;            ///< largest single expert tensor
};

LayerCosts layer_costs(const ModelArch& a, const std::vector<TensorInfo>& tensors,
                       const Resolved& r) {
  LayerCosts c;
  c.dense.assign(a.n_layers, 0.0);
  c.experts.assign(a.n_layers, 0.0);
  for (const auto& t : tensors) {
    const double b = double(t.bytes());
    if (t.role == TensorRole::Output || t.role == TensorRole::OutputNorm ||
        t.role == TensorRole::Vision) {
      c.output += b;
    } else if (t.layer >= 0 && t.layer < a.n_layers) {
      if (t.role == TensorRole::FfnExperts) {
        c.experts[t.layer] += b;
        c.largest_expert = std::max(c.largest_expert, b);
      } else {
        c.dense[t.layer] += b;
      }
    }
  }
  for (int il = 0; il < a.n_layers; ++il) {
    const AttentionKind kind = a.layer_attention(il);
    const int64_t cells = kind == AttentionKind::Sliding ? r.swa_cells : r.kv_cells;
    c.dense[il] += layer_state_bytes(a, kind, cells, r.n_seq, r.type_k, r.type_v);
  }
  return c;
}

/// What each GPU can hold for layers: free memory minus margin and its compute buffer.
std::vector<double> budgets(const Layout& L, const ModelArch& a, const FitOptions& o,
                            const Resolved& r, double staged) {
  const size_t G = L.gpus.size();
  std::vector<double> b(G);
  for (size_t g = 0; g < G; ++g) {
    GraphSlice sl{r.n_tokens, r.kv_cells, r.swa_cells, r.fa, true, g + 1 == G, false,
                  Bytes{g == 0 ? staged : 0.0}, r.type_k, r.type_v};
    b[g] = (gpu_free(L, g) - o.fit_margin - compute_buffer_bytes(a, sl)).base();
  }
  return b;
}

std::optional<Plan> fit_dense(const Layout& L, const ModelArch& a, const LayerCosts& c,
                              std::vector<double> b) {
  const int G = static_cast<int>(L.gpus.size());
  std::vector<double> count(G, 0.0);
  int g = G - 1;
  b[g] -= c.output;
  if (b[g] < 0) return std::nullopt;
  count[g] = 1;  // the output slot
  int il = a.n_layers - 1;
  for (; il >= 0 && g >= 0; --il) {
    while (g >= 0 && c.dense[il] + c.experts[il] > b[g]) --g;
    if (g < 0) break;
    b[g] -= c.dense[il] + c.experts[il];
    count[g] += 1;
  }
  Plan p;
  p.ngl = static_cast<int>(std::accumulate(count.begin(), count.end(), 0.0));
  p.split = count;
  p.experts_on_cpu.assign(a.n_layers, 0);
  return p;
}

std::optional<Plan> fit_moe(const Layout& L, const ModelArch& a, const LayerCosts& c,
                            std::vector<double> b) {
  const int G = static_cast<int>(L.gpus.size());
  std::vector<double> count(G, 0.0);
  Plan p;
  p.experts_on_cpu.assign(a.n_layers, 0);
  int il = 0;
  for (int g = 0; g < G; ++g) {
    const bool last = g == G - 1;
    double rest_dense = 0;
    if (last) {
      b[g] -= c.output;
      for (int j = il; j < a.n_layers; ++j) rest_dense += c.dense[j];
      if (rest_dense > b[g]) return std::nullopt;
      b[g] -= rest_dense;
    }
    // Whole layers while they fit; on the last GPU the dense part is already paid for.
    while (il < a.n_layers &&
           (last ? c.experts[il] : c.dense[il] + c.experts[il]) <= b[g]) {
      b[g] -= last ? c.experts[il] : c.dense[il] + c.experts[il];
      count[g] += 1;
      ++il;
    }
    if (last) {
      for (; il < a.n_layers; ++il) {
        p.experts_on_cpu[il] = 1;
        count[g] += 1;
      }
      count[g] += 1;  // the output slot
    }
  }
  p.ngl = a.n_layers + 1;
  p.split = count;
  return p;
}

}  // namespace

std::optional<Plan> auto_fit_llama(const Layout& L, const ModelArch& a,
                                   const std::vector<TensorInfo>& tensors, const FitOptions& o,
                                   const Resolved& r) {
  if (L.gpus.empty()) return std::nullopt;
  LayerCosts c = layer_costs(a, tensors, r);
  double staged = 0;
  for (const auto& t : tensors)
    if (t.role != TensorRole::TokenEmbd && t.ne[1] > 1 && r.n_tokens >= kOpOffloadMinBatch &&
        (a.is_moe() ? t.role == TensorRole::FfnExperts : t.layer >= 0))
      staged = std::max(staged, double(t.bytes()));
  std::vector<double> b = budgets(L, a, o, r, L.cpu_is_unified ? 0.0 : staged);
  std::optional<Plan> p = a.is_moe() ? fit_moe(L, a, c, b) : std::nullopt;
  if (!p) p = fit_dense(L, a, c, b);
  return p;
}

}  // namespace worthit::detail
