// SPDX-License-Identifier: MIT
// Placement follows llama.cpp's llama_model::load_tensors (src/llama-model.cpp): the input
// layer (token_embd) stays on the CPU; with -ngl N the output layer and then the last N-1
// repeating layers are offloaded (since PR #18148, Dec 2025; before it, and in ollama's
// vendored runner, the last N layers and the output only when N > n_layer); an offloaded
// slot il goes to GPU upper_bound(split, (il - i_gpu_start) / act_gpu_layers). -ot rules are
// tried in order and the first regex_search match wins. See docs/memory-accounting.md.
#include "plan/placement.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>

#include "model/recipe.h"
#include "plan/compute_buffer.h"
#include "plan/runtime.h"

namespace worthit::detail {
namespace {

std::string gpu_id(Backend b, int n) {
  if (b == Backend::Metal) return n == 0 ? "Metal" : fmt::format("Metal{}", n);
  return fmt::format("{}{}", backend_prefix(b), n);
}

/// Bytes per device slot: GPUs 0..G-1, then the CPU at index G.
struct SlotUse {
  Bytes weights, kv, compute, other;
  int layers = 0, expert_layers = 0;
  Bytes total() const { return weights + kv + compute + other; }
};

/// Dense matrix peak a GPU reaches in llama.cpp: FP16 tensor (FP32 accumulate) where known,
/// else its FP32 rate (Apple GPUs run FP16 matrices at the FP32 rate).
FlopsPerSec gpu_peak(const Device& d) {
  if (d.compute.fp16_tensor.base() > 0) return d.compute.fp16_tensor;
  if (d.compute.fp16_tensor_fp16acc.base() > 0) return d.compute.fp16_tensor_fp16acc * 0.5;
  return d.compute.fp32;
}

/// A CPU's FP32 peak; when the catalog has none: cores x 3 GHz x 32 FLOP/cycle (two 256-bit
/// FMA units), the AVX2 desktop figure.
FlopsPerSec host_cpu_peak(const HostSpec& h) {
  if (h.cpu_fp32.base() > 0) return h.cpu_fp32;
  return FlopsPerSec{std::max(1, h.cores) * 3.0e9 * 32};
}

FlopsPerSec soc_cpu_peak(const Device& d) {
  if (d.cpu_fp32.base() > 0) return d.cpu_fp32;
  // Arm cores with 4 x 128-bit FMA pipes: 16 FLOP/cycle at ~3 GHz.
  return FlopsPerSec{std::max(1, d.cpu_cores) * 3.0e9 * 16};
}

}  // namespace

Layout build_layout(const System& sys) {
  Layout L;
  DeviceSlot cpu_slot;
  std::map<Backend, int> count;
  for (size_t k = 0; k < sys.nodes.size(); ++k) {
    const Node& n = sys.nodes[k];
    auto add_gpu = [&](const Device& d, Bytes cap, Bytes usable, const char* kind,
                       BytesPerSec link) {
      PoolUse p;
      p.id = gpu_id(d.backend, count[d.backend]++);
      p.kind = kind;
      p.device_name = d.name;
      p.node = static_cast<int>(k);
      p.capacity = cap;
      p.usable = usable;
      p.gpu_usable = usable;
      p.bandwidth = d.memory_bandwidth;
      L.pools.push_back(p);
      L.gpus.push_back(static_cast<int>(L.pools.size()) - 1);
      L.gpu_backend.push_back(d.backend);
      DeviceSlot sl{p.id, true, L.gpus.back(), d.backend, d.memory_bandwidth, gpu_peak(d),
                    d.compute.fp32, d.compute.native_fp8, d.compute.native_fp4, link, static_cast<int>(k),
                    d.power};
      L.slots.push_back(sl);
    };
    if (n.soc) {
      const Device& d = *n.soc;
      add_gpu(d, d.memory_capacity, d.memory_capacity - unified_os_reserve(d.memory_capacity),
              "unified", BytesPerSec{});
      L.pools.back().gpu_usable = unified_gpu_usable(d, d.memory_capacity);
      if (k == 0) {
        L.cpu = L.gpus.back();
        L.cpu_is_unified = true;
        cpu_slot = DeviceSlot{"CPU", false, L.cpu, Backend::Cpu, d.memory_bandwidth,
                              soc_cpu_peak(d), soc_cpu_peak(d), false, false, BytesPerSec{}, 0,
                              PowerSpec{}};  // the SoC's draw is counted on its GPU slot
      }
      continue;
    }
    for (const auto& g : n.gpus) {
      const BytesPerSec link = g.link_bandwidth.base() > 0 ? g.link_bandwidth
                                                           : pcie_bandwidth(g.link).value_or(gb_per_s(31.5));
      add_gpu(g.device, g.device.memory_capacity, g.device.memory_capacity, "vram", link);
    }
    if (k == 0 && n.host) {
      PoolUse h;
      h.id = "CPU";
      h.kind = "host";
      h.device_name = n.host->cpu;
      h.capacity = n.host->memory_capacity;
      h.usable = h.capacity - host_os_reserve(h.capacity);
      h.bandwidth = n.host->memory_bandwidth;
      L.pools.push_back(h);
      L.cpu = static_cast<int>(L.pools.size()) - 1;
      cpu_slot = DeviceSlot{"CPU", false, L.cpu, Backend::Cpu, h.bandwidth, host_cpu_peak(*n.host),
                            host_cpu_peak(*n.host), false, false, BytesPerSec{}, 0,
                            n.host->power};
    }
  }
  L.slots.push_back(cpu_slot);
  return L;
}

Bytes gpu_free(const Layout& L, size_t g) {
  return L.pools[L.gpus[g]].gpu_usable - driver_context_bytes(L.gpu_backend[g]);
}

std::vector<int> assign_layers(const Layout& L, int n_layer, const Plan& plan) {
  const int G = static_cast<int>(L.gpus.size());
  std::vector<int> slot(n_layer + 1, G);  // G = the CPU
  if (G == 0 || plan.ngl <= 0) return slot;
  std::vector<double> cum(plan.split.size());
  std::partial_sum(plan.split.begin(), plan.split.end(), cum.begin());
  const double sum = cum.back() > 0 ? cum.back() : 1.0;
  const int i_gpu_start = plan.output_first ? std::max(n_layer - plan.ngl + 1, 0)
                                            : std::max(n_layer - plan.ngl, 0);
  const int act = std::min(plan.ngl, n_layer + 1);
  for (int il = i_gpu_start; il <= n_layer; ++il) {
    if (il - i_gpu_start >= act) break;
    const float frac = float(il - i_gpu_start) / float(act);  // llama.cpp compares floats
    int g = 0;
    while (g < G - 1 && !(frac < static_cast<float>(cum[g] / sum))) ++g;
    slot[il] = g;
  }
  return slot;
}

double layer_state_bytes(const ModelArch& a, AttentionKind kind, int64_t cells, int n_seq,
                         GgmlType tk, GgmlType tv) {
  const auto& ik = ggml_type_info(tk);
  const auto& iv = ggml_type_info(tv);
  const double bk = double(ik.block_bytes) / ik.block_elems;
  const double bv = double(iv.block_bytes) / iv.block_elems;
  if (kind == AttentionKind::Linear) {
    const auto& l = a.linear;
    const double conv = double(l.conv_kernel - 1) *
                        (2.0 * l.heads_qk * l.head_dim_qk + double(l.heads_v) * l.head_dim_v);
    const double ssm = double(l.heads_v) * l.head_dim_qk * l.head_dim_v;
    return (conv + ssm) * 4.0 * std::max(1, n_seq);  // F32 state per sequence
  }
  if (a.mla.kv_lora_rank > 0) {
    // MLA caches only the latent and the RoPE key (V-less since llama.cpp #19067, 2026-01).
    return double(a.mla.kv_lora_rank + a.mla.qk_rope_dim) * bk * double(cells);
  }
  return (double(a.n_kv_heads) * a.head_dim * bk + double(a.n_kv_heads) * a.v_dim() * bv) *
         double(cells);
}

namespace {

/// Device slot of one tensor.
int tensor_slot(const Layout& L, const std::vector<int>& layer_slot, const Plan& plan,
                const std::vector<CompiledOverride>& ov, const TensorInfo& t) {
  const int G = static_cast<int>(L.gpus.size());
  for (const auto& o : ov)
    if (std::regex_search(t.name, o.re)) return o.slot;
  if (t.role == TensorRole::FfnExperts && t.layer >= 0 &&
      t.layer < static_cast<int>(plan.experts_on_cpu.size()) && plan.experts_on_cpu[t.layer])
    return G;
  switch (t.role) {
    case TensorRole::TokenEmbd: return G;
    case TensorRole::Output:
    case TensorRole::OutputNorm:
    case TensorRole::Vision: return layer_slot.back();  // ollama keeps v.* with the output
    default: break;
  }
  if (t.layer >= 0 && t.layer + 1 < static_cast<int>(layer_slot.size())) return layer_slot[t.layer];
  return G;
}

void add_compute(const Layout& L, const ModelArch& a, const Resolved& r,
                 const std::vector<int>& layer_slot, Bytes staged, std::vector<SlotUse>& S) {
  const int G = static_cast<int>(L.gpus.size());
  const int out = layer_slot.back();
  for (int g = 0; g < G; ++g) {
    if (S[g].weights.base() == 0 && S[g].kv.base() == 0) continue;
    GraphSlice sl{r.n_tokens, r.kv_cells, r.swa_cells, r.fa,
                  S[g].layers > 0 || S[g].expert_layers > 0, g == out, false,
                  g == 0 ? staged : Bytes{}, r.type_k, r.type_v};
    S[g].compute += compute_buffer_bytes(a, sl);
    // A GPU that holds nothing never gets a context (ollama hides it from its runner).
    if (S[g].weights.base() > 0 || S[g].kv.base() > 0)
      S[g].other += driver_context_bytes(L.gpu_backend[g]);
  }
  const bool cpu_layers = S[G].layers > 0 || G == 0;
  if (cpu_layers || out == G || S[G].expert_layers > 0) {
    GraphSlice sl{r.n_tokens, r.kv_cells, r.swa_cells, r.fa, cpu_layers || S[G].expert_layers > 0,
                  out == G, true, Bytes{}, r.type_k, r.type_v};
    S[G].compute += compute_buffer_bytes(a, sl);
  }
  // Logits output buffer: n_vocab F32 per sequence, in (pinned) host memory.
  S[G].other += Bytes{double(a.vocab) * 4.0 * r.n_seq};
}

/// Sets fits/reason from the pools: each pool within its usable memory, and the GPU part of
/// a unified pool within the GPU's working-set limit.
void judge(FitResult& f) {
  f.fits = true;
  double worst = 0;
  for (const auto& p : f.pools) {
    const double over = p.used().base() - p.usable.base();
    const double gpu_over = p.kind == "unified" ? p.gpu_used.base() - p.gpu_usable.base() : 0.0;
    if (over > worst && over >= gpu_over) {
      worst = over;
      f.reason = fmt::format(
          "{} ({}) needs {:.0f} MiB but only {:.0f} MiB are usable ({:.0f} MiB total): "
          "short by {:.0f} MiB", p.id, p.device_name, to_mib(p.used()), to_mib(p.usable),
          to_mib(p.capacity), over / 1048576.0);
    } else if (gpu_over > worst) {
      worst = gpu_over;
      f.reason = fmt::format(
          "{} ({}) GPU buffers need {:.0f} MiB but the GPU may use only {:.0f} MiB of its "
          "{:.0f} MiB unified memory: short by {:.0f} MiB", p.id, p.device_name,
          to_mib(p.gpu_used), to_mib(p.gpu_usable), to_mib(p.capacity), gpu_over / 1048576.0);
    }
  }
  f.fits = worst <= 0;
}

}  // namespace

FitResult place(const Layout& L, const ModelArch& a, const std::vector<TensorInfo>& tensors,
                const FitOptions& o, const Resolved& r, const Plan& plan,
                const std::vector<CompiledOverride>& ov) {
  const int G = static_cast<int>(L.gpus.size());
  std::vector<int> layer_slot = assign_layers(L, a.n_layers, plan);
  std::vector<SlotUse> S(G + 1);
  std::vector<std::vector<char>> expert_in(G + 1, std::vector<char>(a.n_layers, 0));
  std::vector<int> expert_slot(a.n_layers, -1);
  Bytes staged;  // largest host-resident matrix copied to CUDA0 by op offload
  std::vector<int> tslot;
  tslot.reserve(tensors.size());
  for (const auto& t : tensors) {
    const int s = tensor_slot(L, layer_slot, plan, ov, t);
    tslot.push_back(s);
    S[s].weights += Bytes{double(t.bytes())};
    if (t.layer >= 0 && t.layer < a.n_layers && t.role == TensorRole::FfnExperts) {
      expert_in[s][t.layer] = 1;
      expert_slot[t.layer] = s;
    }
    if (s == G && t.role != TensorRole::TokenEmbd && t.ne[1] > 1 && !L.cpu_is_unified &&
        r.n_tokens >= kOpOffloadMinBatch)
      staged = std::max(staged, Bytes{double(t.bytes())});
  }
  // A tied model has no output.weight: llama.cpp duplicates token_embd onto the output device.
  if (a.tied_embeddings && layer_slot.back() != G) {
    for (const auto& t : tensors)
      if (t.role == TensorRole::TokenEmbd) S[layer_slot.back()].weights += Bytes{double(t.bytes())};
  }
  for (int il = 0; il < a.n_layers; ++il) {
    S[layer_slot[il]].layers++;
    for (int s = 0; s <= G; ++s) S[s].expert_layers += expert_in[s][il];
    const AttentionKind kind = a.layer_attention(il);
    const int64_t cells = kind == AttentionKind::Sliding ? r.swa_cells : r.kv_cells;
    S[o.kv_offload ? layer_slot[il] : G].kv +=
        Bytes{layer_state_bytes(a, kind, cells, r.n_seq, r.type_k, r.type_v)};
  }
  add_compute(L, a, r, layer_slot, G > 0 ? staged : Bytes{}, S);
  FitResult f;
  f.pools = L.pools;
  f.slots = L.slots;
  f.cache_type_k = r.type_k;
  f.cache_type_v = r.type_v;
  f.tensor_slot = std::move(tslot);
  f.layer_slot = layer_slot;
  for (int il = 0; il < a.n_layers; ++il) f.kv_slot.push_back(o.kv_offload ? layer_slot[il] : G);
  for (int s = 0; s <= G; ++s) {
    PoolUse& p = f.pools[s < G ? L.gpus[s] : L.cpu];
    p.weights += S[s].weights;
    p.kv += S[s].kv;
    p.compute += S[s].compute;
    p.other += S[s].other;
    p.layers += S[s].layers;
    p.expert_layers += S[s].expert_layers;
    if (s < G) p.gpu_used += S[s].total();
  }
  auto slot_name = [&](int s) { return f.pools[s < G ? L.gpus[s] : L.cpu].id; };
  for (int s : layer_slot) f.layer_pool.push_back(slot_name(s));
  if (a.is_moe())
    for (int il = 0; il < a.n_layers; ++il)
      f.expert_pool.push_back(expert_slot[il] < 0 ? "" : slot_name(expert_slot[il]));
  f.n_ctx = r.n_ctx;
  f.kv_cells = r.kv_cells;
  f.n_parallel = r.n_seq;
  f.flash_attn = r.fa;
  f.n_gpu_layers = G == 0 ? 0 : std::min(plan.ngl, a.n_layers + 1);
  f.n_layers_total = a.n_layers + 1;
  f.model_bytes = Bytes{double(total_bytes(tensors))};
  judge(f);
  return f;
}

}  // namespace worthit::detail
