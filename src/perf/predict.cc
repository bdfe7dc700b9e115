// SPDX-License-Identifier: MIT
#include "perf/predict.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace worthit {
namespace {

bool is_matrix(const TensorInfo& t) { return t.ne[1] > 1 && t.role != TensorRole::TokenEmbd; }

/// KV bytes one layer reads per token when `cells` are filled.
double kv_read(const ModelArch& a, int il, int64_t cells, const FitResult& f) {
  const AttentionKind kind = a.layer_attention(il);
  if (kind == AttentionKind::Linear) return 0.0;  // fixed-size state, small
  int64_t n = cells;
  if (kind == AttentionKind::Sliding) n = std::min<int64_t>(cells, a.sliding_window);
  const auto& ik = ggml_type_info(f.cache_type_k);
  const auto& iv = ggml_type_info(f.cache_type_v);
  const double bk = double(ik.block_bytes) / ik.block_elems;
  const double bv = double(iv.block_bytes) / iv.block_elems;
  const double row = a.mla.kv_lora_rank > 0
                         ? double(a.mla.kv_lora_rank + a.mla.qk_rope_dim) * bk
                         : double(a.n_kv_heads) * (a.head_dim * bk + a.v_dim() * bv);
  return row * double(n);
}

double slot_bw(const DeviceSlot& s, const FitResult& f, const Efficiency& e) {
  const bool unified = f.pools[s.pool].kind == "unified";
  return s.bandwidth.base() * e.bandwidth(s.is_gpu ? s.backend : Backend::Cpu, unified);
}

}  // namespace

PhaseTime decode_time(const ModelArch& a, const std::vector<TensorInfo>& tensors,
                      const FitResult& f, int64_t depth, const Efficiency& e) {
  const size_t S = f.slots.size();
  std::vector<double> bytes(S, 0.0), layers(S, 0.0);
  const double expert_frac = a.is_moe() ? double(a.moe.experts_used) / a.moe.experts : 1.0;
  for (size_t i = 0; i < tensors.size() && i < f.tensor_slot.size(); ++i) {
    const TensorInfo& t = tensors[i];
    if (t.role == TensorRole::TokenEmbd || t.role == TensorRole::Vision) continue;
    const double frac = t.role == TensorRole::FfnExperts ? expert_frac : 1.0;
    bytes[f.tensor_slot[i]] += double(t.bytes()) * frac;
  }
  for (int il = 0; il < a.n_layers; ++il) {
    bytes[f.kv_slot[il]] += kv_read(a, il, depth + 1, f);
    layers[f.layer_slot[il]] += 1;
  }
  double total = e.token_ms * 1e-3, worst = 0;
  std::string bottleneck = "per-token overhead";
  for (size_t s = 0; s < S; ++s) {
    const DeviceSlot& d = f.slots[s];
    const double t_mem = bytes[s] / slot_bw(d, f, e);
    const double t = t_mem + layers[s] * (d.is_gpu ? e.gpu_layer_us : e.cpu_layer_us) * 1e-6;
    total += t;
    if (t > worst) {
      worst = t;
      bottleneck = fmt::format("{} memory bandwidth ({:.0f} GB/s)", d.id, to_gbs(d.bandwidth));
    }
  }
  return {Seconds{total}, bottleneck};
}

PhaseTime prefill_time(const ModelArch& a, const std::vector<TensorInfo>& tensors,
                       const FitResult& f, int64_t n, int64_t depth, int64_t n_ubatch,
                       const Efficiency& e) {
  const size_t S = f.slots.size(), cpu = S - 1;
  const int64_t u_max = std::max<int64_t>(1, std::min(n_ubatch, n));
  // Per slot: matrix parameters (expert share per token), and weight bytes.
  std::vector<double> params(S, 0.0), wbytes(S, 0.0), expert_bytes(S, 0.0);
  const double k_over_e = a.is_moe() ? double(a.moe.experts_used) / a.moe.experts : 1.0;
  for (size_t i = 0; i < tensors.size() && i < f.tensor_slot.size(); ++i) {
    const TensorInfo& t = tensors[i];
    if (!is_matrix(t) || t.role == TensorRole::Vision) continue;
    const int s = f.tensor_slot[i];
    const bool exp = t.role == TensorRole::FfnExperts;
    params[s] += double(t.elements()) * (exp ? k_over_e : 1.0);
    (exp ? expert_bytes : wbytes)[s] += double(t.bytes());
  }
  std::vector<double> attn_layers(S, 0.0);
  for (int il = 0; il < a.n_layers; ++il)
    if (a.layer_attention(il) != AttentionKind::Linear) attn_layers[f.layer_slot[il]] += 1;
  double total = 0;
  std::vector<double> by(S + 1, 0.0);  // time per slot, last = PCIe copies
  for (int64_t done = 0; done < n; done += u_max) {
    const double u = double(std::min(u_max, n - done));
    const double ctx = double(depth + done) + u / 2;
    const double touched = a.is_moe() ? 1.0 - std::pow(1.0 - k_over_e, u) : 1.0;
    for (size_t s = 0; s < S; ++s) {
      const DeviceSlot& d = f.slots[s];
      const double attn = 4.0 * a.n_heads * a.head_dim * u * ctx * attn_layers[s];
      const double flops = 2.0 * params[s] * u + attn;
      const double bytes = wbytes[s] + expert_bytes[s] * touched;
      if (s == cpu && S > 1 && u >= 32 && f.slots[0].host_link.base() > 0) {
        // llama.cpp copies host weights to the first GPU and computes there.
        const DeviceSlot& g = f.slots[0];
        const double copy = bytes / (g.host_link.base() * e.pcie);
        const double comp = flops / (g.peak.base() * e.flops(g.backend));
        by[S] += copy;
        by[0] += comp;
        total += copy + comp;
        continue;
      }
      const double peak = d.peak.base() * e.flops(d.is_gpu ? d.backend : Backend::Cpu);
      const double t = std::max(flops / peak, bytes / slot_bw(d, f, e));
      by[s] += t;
      total += t;
    }
  }
  size_t worst = std::max_element(by.begin(), by.end()) - by.begin();
  std::string bottleneck = worst == S ? "PCIe copies of host weights"
                                      : fmt::format("{} compute", f.slots[worst].id);
  return {Seconds{total}, bottleneck};
}

Prediction predict(const ModelArch& a, const std::vector<TensorInfo>& tensors,
                   const FitResult& f, const Workload& w, int64_t n_ubatch, const Efficiency& e) {
  Prediction p;
  const PhaseTime pre = prefill_time(a, tensors, f, std::max<int64_t>(w.n_prompt, 1), w.depth,
                                     n_ubatch, e);
  const int64_t mid = w.depth + w.n_prompt + w.n_gen / 2;
  const PhaseTime dec = decode_time(a, tensors, f, mid, e);
  const PhaseTime first = decode_time(a, tensors, f, w.depth + w.n_prompt, e);
  p.prompt_eval_rate_tps = double(std::max<int64_t>(w.n_prompt, 1)) / pre.time.base();
  p.eval_rate_tps = 1.0 / dec.time.base();
  p.ttft_s = pre.time.base() + first.time.base();
  p.total_s = p.ttft_s + double(std::max<int64_t>(w.n_gen - 1, 0)) * dec.time.base();
  p.decode_bottleneck = dec.bottleneck;
  p.prefill_bottleneck = pre.bottleneck;
  return p;
}

double bench_rate(const ModelArch& a, const std::vector<TensorInfo>& tensors, const FitResult& f,
                  int64_t n_prompt, int64_t n_gen, int64_t depth, int64_t n_ubatch,
                  const Efficiency& e) {
  double t = 0;
  if (n_prompt > 0) t += prefill_time(a, tensors, f, n_prompt, depth, n_ubatch, e).time.base();
  if (n_gen > 0)
    t += double(n_gen) *
         decode_time(a, tensors, f, depth + n_prompt + n_gen / 2, e).time.base();
  return double(n_prompt + n_gen) / t;
}

}  // namespace worthit
