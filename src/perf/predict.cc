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

double layer_us(const DeviceSlot& d, const Efficiency& e) {
  if (!d.is_gpu) return e.cpu_layer_us;
  return d.backend == Backend::Metal ? e.metal_layer_us : e.gpu_layer_us;
}

}  // namespace

PhaseTime decode_time(const ModelArch& a, const std::vector<TensorInfo>& tensors,
                      const FitResult& f, int64_t depth, const Efficiency& e, int64_t batch) {
  const size_t S = f.slots.size();
  const double B = double(std::max<int64_t>(batch, 1));
  // Per slot: bytes read per token, and the same bytes weighted by the inverse kernel speed of
  // their type (GPU mat-vec kernels dequantise some families faster than others).
  std::vector<double> bytes(S, 0.0), weighted(S, 0.0), layers(S, 0.0), params(S, 0.0);
  const double k_over_e = a.is_moe() ? double(a.moe.experts_used) / a.moe.experts : 1.0;
  // Tokens of different sequences route independently: B tokens touch 1 - (1 - k/E)^B of the experts.
  const double expert_frac = a.is_moe() ? 1.0 - std::pow(1.0 - k_over_e, B) : 1.0;
  for (size_t i = 0; i < tensors.size() && i < f.tensor_slot.size(); ++i) {
    const TensorInfo& t = tensors[i];
    if (t.role == TensorRole::TokenEmbd || t.role == TensorRole::Vision) continue;
    const int s = f.tensor_slot[i];
    const bool exp = t.role == TensorRole::FfnExperts;
    const double b = double(t.bytes()) * (exp ? expert_frac : 1.0);
    bytes[s] += b;
    weighted[s] += f.slots[s].is_gpu ? b / e.kernel(t.type) : b;
    if (is_matrix(t)) params[s] += double(t.elements()) * (exp ? k_over_e : 1.0);
  }
  for (int il = 0; il < a.n_layers; ++il) {
    const double kv = B * kv_read(a, il, depth + 1, f);
    bytes[f.kv_slot[il]] += kv;
    weighted[f.kv_slot[il]] += kv;
    layers[f.layer_slot[il]] += 1;
  }
  double total = (e.token_ms + (f.runtime == Runtime::Ollama ? e.ollama_token_ms : 0.0)) * 1e-3;
  double worst = 0;
  std::vector<double> busy(S, 0.0);
  std::string bottleneck = "per-token overhead";
  for (size_t s = 0; s < S; ++s) {
    const DeviceSlot& d = f.slots[s];
    const double t_mem = weighted[s] / slot_bw(d, f, e);
    // A GPU with few SMs for its memory bus cannot issue loads fast enough to reach it.
    const double t_sm = d.is_gpu && d.fp32.base() > 0 ? bytes[s] / (d.fp32.base() * e.gpu_stream) : 0;
    // A batch does 2 x params FLOPs per sequence; one token (batch 1) is never compute-bound.
    const double peak = d.peak.base() * e.flops(d.is_gpu ? d.backend : Backend::Cpu);
    const double t_flops = B > 1 && peak > 0 ? 2.0 * params[s] * B / peak : 0.0;
    const double t = std::max({t_mem, t_sm, t_flops}) + layers[s] * layer_us(d, e) * 1e-6;
    busy[s] = t;
    total += t;
    if (t > worst) {
      worst = t;
      bottleneck = t_flops > std::max(t_mem, t_sm) ? fmt::format("{} compute (batch of {:.0f})", d.id, B)
                   : t_sm > t_mem
                       ? fmt::format("{} streaming multiprocessors (too few for {:.0f} GB/s)", d.id,
                                     to_gbs(d.bandwidth))
                       : fmt::format("{} memory bandwidth ({:.0f} GB/s)", d.id, to_gbs(d.bandwidth));
    }
  }
  return {Seconds{total}, busy, bottleneck};
}

double decode_power(const FitResult& f, const PhaseTime& dec, const Efficiency& e,
                    std::string* scope, bool* idle_assumed) {
  double watts = 0;
  std::vector<std::string> covered, missing;
  for (size_t s = 0; s < f.slots.size(); ++s) {
    const DeviceSlot& d = f.slots[s];
    if (d.power.max.base() <= 0) {
      missing.push_back(d.id);
      continue;
    }
    const double max = d.power.max.base();
    double idle = d.power.idle.base();
    if (idle <= 0) {
      idle = e.power_idle * max;
      if (idle_assumed) *idle_assumed = true;
    }
    const double busy = s < dec.slot_s.size() ? dec.slot_s[s] / dec.time.base() : 0.0;
    // Busy: streaming weights (memory-bound, below the board limit); waiting for another
    // device's stage: clocks stay up with a model loaded.
    watts += idle + (max - idle) * (busy * e.power_busy + (1 - busy) * e.power_wait);
    covered.push_back(d.id + " (" + (d.power.scope.empty() ? "board" : d.power.scope) + ")");
  }
  if (scope) {
    std::string out;
    for (const auto& c : covered) out += (out.empty() ? "" : ", ") + c;
    if (!missing.empty()) {
      out += "; not counted (no power figure):";
      for (const auto& m : missing) out += " " + m;
    }
    *scope = out;
  }
  return watts;
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
  std::vector<double> attn_layers(S, 0.0), layers(S, 0.0);
  for (int il = 0; il < a.n_layers; ++il) {
    layers[f.layer_slot[il]] += 1;
    if (a.layer_attention(il) != AttentionKind::Linear) attn_layers[f.layer_slot[il]] += 1;
  }
  double total = 0;
  std::vector<double> by(S + 1, 0.0);  // time per slot, last = PCIe copies
  for (int64_t done = 0; done < n; done += u_max) {
    const double u = double(std::min(u_max, n - done));
    const double ctx = double(depth + done) + u / 2;
    // Tokens of one prompt route to overlapping experts: u tokens touch the experts that
    // u / expert_locality independently routed tokens would.
    const double touched =
        a.is_moe() ? 1.0 - std::pow(1.0 - k_over_e, u / e.expert_locality) : 1.0;
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
      // Each micro-batch launches every layer's kernels once, as a generated token does.
      const double t = std::max(flops / peak, bytes / slot_bw(d, f, e)) + layers[s] * layer_us(d, e) * 1e-6;
      by[s] += t;
      total += t;
    }
  }
  size_t worst = std::max_element(by.begin(), by.end()) - by.begin();
  std::string bottleneck = worst == S ? "PCIe copies of host weights"
                                      : fmt::format("{} compute", f.slots[worst].id);
  return {Seconds{total}, {}, bottleneck};
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
  p.power_w = decode_power(f, dec, e, &p.power_scope, &p.power_idle_assumed);
  p.energy_j_per_token = p.power_w > 0 ? p.power_w * dec.time.base() : 0.0;
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
