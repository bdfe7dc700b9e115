// SPDX-License-Identifier: MIT
// Placement follows llama.cpp's llama_model::load_tensors (src/llama-model.cpp, read at commit
// c392e50): the input layer (token_embd) stays on the CPU; repeating layer il goes to the CPU
// when il < n_layer - ngl, else to GPU upper_bound(split, (il - i_gpu_start) / act_gpu_layers)
// where act_gpu_layers = min(ngl, n_layer + 1); the output layer is "layer n_layer" under the
// same rule, so it is offloaded only when ngl > n_layer. -ot rules are tried in order and the
// first regex_search match wins; --n-cpu-moe N adds rules for the experts of layers 0..N-1.
#include "plan/fit.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <regex>

#include "model/recipe.h"
#include "plan/compute_buffer.h"
#include "plan/runtime.h"

namespace worthit {
namespace {

struct Layout {
  std::vector<PoolUse> pools;
  std::vector<int> gpus;  ///< pool index of each llama.cpp GPU device, in device order
  std::vector<Backend> gpu_backend;
  int cpu = -1;           ///< pool that holds CPU buffers (host, or the unified pool)
  bool cpu_is_unified = false;
};

std::string gpu_id(Backend b, int n) {
  if (b == Backend::Metal) return n == 0 ? "Metal" : fmt::format("Metal{}", n);
  return fmt::format("{}{}", backend_prefix(b), n);
}

Layout build_layout(const System& sys) {
  Layout L;
  std::map<Backend, int> count;
  for (size_t k = 0; k < sys.nodes.size(); ++k) {
    const Node& n = sys.nodes[k];
    auto add_gpu = [&](const Device& d, Bytes cap, Bytes usable, const char* kind) {
      PoolUse p;
      p.id = gpu_id(d.backend, count[d.backend]++);
      p.kind = kind;
      p.device_name = d.name;
      p.node = static_cast<int>(k);
      p.capacity = cap;
      p.usable = usable;
      p.bandwidth = d.memory_bandwidth;
      L.pools.push_back(p);
      L.gpus.push_back(static_cast<int>(L.pools.size()) - 1);
      L.gpu_backend.push_back(d.backend);
    };
    if (n.soc) {
      const Device& d = *n.soc;
      add_gpu(d, d.memory_capacity, unified_gpu_usable(d, d.memory_capacity), "unified");
      if (k == 0) {
        L.cpu = L.gpus.back();
        L.cpu_is_unified = true;
      }
      continue;
    }
    for (const auto& g : n.gpus) add_gpu(g.device, g.device.memory_capacity, g.device.memory_capacity, "vram");
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
    }
  }
  return L;
}

/// Pool index of each repeating layer and (last) the output layer.
std::vector<int> assign_layers(const Layout& L, int n_layer, int ngl,
                               const std::vector<double>& split) {
  std::vector<double> cum(split.size());
  std::partial_sum(split.begin(), split.end(), cum.begin());
  const double sum = cum.empty() ? 0 : cum.back();
  for (double& c : cum) c /= sum;
  const int i_gpu_start = std::max(n_layer - ngl, 0);
  const int act = L.gpus.empty() ? 0 : std::min(ngl, n_layer + 1);
  std::vector<int> out(n_layer + 1, L.cpu);
  for (int il = 0; il <= n_layer; ++il) {
    if (il < i_gpu_start || il - i_gpu_start >= act) continue;
    const float frac = float(il - i_gpu_start) / float(act);  // llama.cpp compares in float
    auto it = std::upper_bound(cum.begin(), cum.end(), frac,
                               [](float f, double c) { return f < static_cast<float>(c); });
    size_t g = std::min<size_t>(static_cast<size_t>(it - cum.begin()), L.gpus.size() - 1);
    out[il] = L.gpus[g];
  }
  return out;
}

struct CompiledOverride {
  std::regex re;
  int pool;
};

Result<std::vector<CompiledOverride>> compile_overrides(const Layout& L, const FitOptions& o) {
  std::vector<TensorOverride> rules = o.overrides;
  for (int il = 0; il < o.n_cpu_moe; ++il)
    rules.push_back({fmt::format(R"(blk\.{}\.ffn_(up|down|gate|gate_up)_(ch|)exps)", il), "CPU"});
  std::vector<CompiledOverride> out;
  for (const auto& r : rules) {
    int pool = -1;
    for (size_t i = 0; i < L.pools.size(); ++i)
      if (L.pools[i].id == r.device) pool = static_cast<int>(i);
    if (r.device == "CPU") pool = L.cpu;
    if (pool < 0) {
      std::vector<std::string> ids{"CPU"};
      for (int g : L.gpus) ids.push_back(L.pools[g].id);
      return fail("-ot", fmt::format("unknown device '{}' in '{}={}'", r.device, r.pattern, r.device),
                  "devices here: " + fmt::format("{}", fmt::join(ids, ", ")));
    }
    try {
      out.push_back({std::regex(r.pattern), pool});
    } catch (const std::regex_error& e) {
      return fail("-ot", fmt::format("invalid regular expression '{}': {}", r.pattern, e.what()));
    }
  }
  return out;
}

/// Where one tensor goes.
int place_tensor(const Layout& L, const std::vector<int>& layer_pool,
                 const std::vector<CompiledOverride>& ov, const TensorInfo& t, int vision_pool) {
  for (const auto& o : ov)
    if (std::regex_search(t.name, o.re)) return o.pool;
  switch (t.role) {
    case TensorRole::TokenEmbd: return L.cpu;
    case TensorRole::Output:
    case TensorRole::OutputNorm: return layer_pool.back();
    case TensorRole::Vision: return vision_pool;
    default: break;
  }
  if (t.layer >= 0 && t.layer + 1 < static_cast<int>(layer_pool.size())) return layer_pool[t.layer];
  return L.cpu;
}

/// Bytes of one layer's cache or recurrent state for `cells` cells and `n_seq` sequences.
double layer_state_bytes(const ModelArch& a, AttentionKind kind, int64_t cells, int n_seq,
                         GgmlType tk, GgmlType tv, bool fa) {
  const auto& ik = ggml_type_info(tk);
  const auto& iv = ggml_type_info(tv);
  const double bk = double(ik.block_bytes) / ik.block_elems, bv = double(iv.block_bytes) / iv.block_elems;
  if (kind == AttentionKind::Linear) {
    const auto& l = a.linear;
    const double conv = double(l.conv_kernel - 1) * (2.0 * l.heads_qk * l.head_dim_qk + double(l.heads_v) * l.head_dim_v);
    const double ssm = double(l.heads_v) * l.head_dim_qk * l.head_dim_v;
    return (conv + ssm) * 4.0 * n_seq;  // F32 state per sequence
  }
  if (a.mla.kv_lora_rank > 0) {
    // MLA caches the compressed latent and the RoPE key; V is a view of K with flash attention.
    const double k = double(a.mla.kv_lora_rank + a.mla.qk_rope_dim) * bk;
    const double v = fa ? 0.0 : double(a.mla.kv_lora_rank) * bv;
    return (k + v) * double(cells);
  }
  return (double(a.n_kv_heads) * a.head_dim * bk + double(a.n_kv_heads) * a.v_dim() * bv) * double(cells);
}

/// Settings after the runtime's defaults are applied.
struct Resolved {
  int64_t n_ctx = 0;
  int n_seq = 1;
  bool fa = true;
  int ngl = 0;
  std::vector<double> split;
  int64_t kv_cells = 0, swa_cells = 0, n_tokens = 0;
};

Bytes free_for_split(const PoolUse& p, Backend b) {
  return p.usable - driver_context_bytes(b);
}

/// Compute buffers per device, driver contexts, and host-side buffers.
void add_buffers(const Layout& L, const ModelArch& a, const FitOptions& o, const Resolved& r,
                 const std::vector<int>& layer_pool, const std::vector<double>& host_layer_bytes,
                 std::vector<PoolUse>& P) {
  const int out_pool = layer_pool.back();
  // With a micro-batch of kOpOffloadMinBatch tokens or more, host-resident weights are copied
  // to the first GPU per micro-batch: its compute buffer holds the largest layer's share.
  const double staged = r.n_tokens >= kOpOffloadMinBatch && !L.cpu_is_unified && !L.gpus.empty()
                            ? *std::max_element(host_layer_bytes.begin(), host_layer_bytes.end())
                            : 0.0;
  for (size_t g = 0; g < L.gpus.size(); ++g) {
    PoolUse& p = P[L.gpus[g]];
    GraphSlice sl{r.n_tokens, r.kv_cells, r.swa_cells, r.fa, p.layers > 0 || p.expert_layers > 0,
                  L.gpus[g] == out_pool, false, Bytes{g == 0 ? staged : 0.0}, o.type_k, o.type_v};
    p.compute += compute_buffer_bytes(a, sl);
    p.other += driver_context_bytes(L.gpu_backend[g]);
  }
  PoolUse& host = P[L.cpu];
  const bool cpu_layers = std::count(layer_pool.begin(), layer_pool.end() - 1, L.cpu) > 0 ||
                          std::any_of(host_layer_bytes.begin(), host_layer_bytes.end(),
                                      [](double b) { return b > 0; });
  if (cpu_layers || out_pool == L.cpu || L.gpus.empty()) {
    GraphSlice sl{r.n_tokens, r.kv_cells, r.swa_cells, r.fa, cpu_layers || L.gpus.empty(),
                  out_pool == L.cpu, true, Bytes{}, o.type_k, o.type_v};
    host.compute += compute_buffer_bytes(a, sl);
  }
  // Logits/embeddings output buffer: n_vocab F32 per sequence, in host memory.
  host.other += Bytes{double(a.vocab) * 4.0 * r.n_seq};
}

/// Sets fits/reason from the pools.
void judge(FitResult& f) {
  f.fits = true;
  double worst = 0;
  for (const auto& p : f.pools) {
    const double short_by = p.used().base() - p.usable.base();
    if (short_by > worst) {
      worst = short_by;
      f.fits = false;
      f.reason = fmt::format(
          "{} ({}) needs {:.0f} MiB but only {:.0f} MiB are usable ({:.0f} MiB total): "
          "short by {:.0f} MiB",
          p.id, p.device_name, to_mib(p.used()), to_mib(p.usable), to_mib(p.capacity),
          short_by / 1048576.0);
    }
  }
}

/// The per-pool bytes for one complete setting.
FitResult place(const Layout& L0, const ModelArch& a, const std::vector<TensorInfo>& tensors,
                const FitOptions& o, const Resolved& r, const std::vector<CompiledOverride>& ov) {
  FitResult f;
  f.pools = L0.pools;
  auto& P = f.pools;
  f.layer_pool = {};
  std::vector<int> layer_pool = assign_layers(L0, a.n_layers, r.ngl, r.split);
  const int vision_pool = (!L0.gpus.empty() && r.ngl > 0) ? L0.gpus[0] : L0.cpu;
  std::vector<double> host_layer_bytes(a.n_layers, 0.0);
  std::vector<std::vector<bool>> expert_here(P.size(), std::vector<bool>(a.n_layers, false));
  for (const auto& t : tensors) {
    int p = place_tensor(L0, layer_pool, ov, t, vision_pool);
    P[p].weights += Bytes{double(t.bytes())};
    if (t.layer >= 0 && t.layer < a.n_layers) {
      if (t.role == TensorRole::FfnExperts) expert_here[p][t.layer] = true;
      if (P[p].kind == "host") host_layer_bytes[t.layer] += double(t.bytes());
    }
  }
  for (int il = 0; il < a.n_layers; ++il) {
    P[layer_pool[il]].layers++;
    for (size_t p = 0; p < P.size(); ++p)
      if (expert_here[p][il]) P[p].expert_layers++;
    const int kv_pool = o.kv_offload ? layer_pool[il] : L0.cpu;
    const AttentionKind kind = a.layer_attention(il);
    const int64_t cells = kind == AttentionKind::Sliding ? r.swa_cells : r.kv_cells;
    P[kv_pool].kv += Bytes{layer_state_bytes(a, kind, cells, r.n_seq, o.type_k, o.type_v, r.fa)};
  }
  add_buffers(L0, a, o, r, layer_pool, host_layer_bytes, P);
  f.layer_pool.reserve(layer_pool.size());
  for (int p : layer_pool) f.layer_pool.push_back(P[p].id);
  f.n_ctx = r.n_ctx;
  f.kv_cells = r.kv_cells;
  f.n_parallel = r.n_seq;
  f.flash_attn = r.fa;
  f.n_gpu_layers = L0.gpus.empty() ? 0 : std::min(r.ngl, a.n_layers + 1);
  f.n_layers_total = a.n_layers + 1;
  f.model_bytes = Bytes{double(total_bytes(tensors))};
  judge(f);
  return f;
}

}  // namespace

std::vector<PoolUse> system_pools(const System& system) { return build_layout(system).pools; }

const char* runtime_name(Runtime r) { return r == Runtime::Ollama ? "ollama" : "llama.cpp"; }

Bytes kv_bytes_per_token_layer(const ModelArch& a, GgmlType tk, GgmlType tv) {
  return Bytes{layer_state_bytes(a, AttentionKind::Full, 1, 1, tk, tv, false)};
}

}  // namespace worthit

namespace worthit {
namespace {

Resolved resolve(const Layout& L, const ModelArch& a, const FitOptions& o) {
  Resolved r;
  Bytes largest;
  for (int g : L.gpus) largest = std::max(largest, L.pools[g].capacity);
  r.n_ctx = o.n_ctx > 0 ? o.n_ctx
            : o.n_ctx == 0 && a.context_max > 0 ? a.context_max
                                                : default_context(o.runtime, a, largest);
  r.n_seq = o.n_parallel > 0 ? o.n_parallel : 1;
  if (o.runtime == Runtime::Ollama) r.n_ctx *= r.n_seq;  // ollama multiplies num_ctx by slots
  // Flash attention: llama.cpp's "auto" enables it where the backend supports it (all GPU
  // backends here); a quantized V cache requires it.
  r.fa = o.flash_attn != FlashAttn::Off;
  r.ngl = o.n_gpu_layers >= 0 ? o.n_gpu_layers : a.n_layers + 1;
  r.kv_cells = padded_context(r.n_ctx);
  const int64_t ub = std::min<int64_t>(o.n_ubatch, std::min<int64_t>(o.n_batch, r.n_ctx));
  r.n_tokens = ub;
  if (a.sliding_window > 0)
    r.swa_cells = std::min(r.kv_cells, padded_context(a.sliding_window * r.n_seq + ub));
  if (!o.tensor_split.empty()) {
    r.split = o.tensor_split;
  } else {
    for (size_t g = 0; g < L.gpus.size(); ++g)
      r.split.push_back(std::max(0.0, free_for_split(L.pools[L.gpus[g]], L.gpu_backend[g]).base()));
  }
  return r;
}

std::string type_arg(GgmlType t) {
  std::string s = ggml_type_info(t).name;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string llama_args(const FitOptions& o, const Resolved& r, size_t n_gpus) {
  std::string s = fmt::format("-c {} -ngl {}", o.runtime == Runtime::Ollama ? r.n_ctx / r.n_seq : r.n_ctx, r.ngl);
  if (n_gpus > 1) {
    std::vector<std::string> parts;
    for (double x : r.split) parts.push_back(fmt::format("{:.0f}", x / 1048576.0 / 1024.0 * 10) );
    s += " -ts " + fmt::format("{}", fmt::join(parts, ","));
  }
  for (const auto& ov : o.overrides) s += fmt::format(" -ot {}={}", ov.pattern, ov.device);
  if (o.n_cpu_moe > 0) s += fmt::format(" --n-cpu-moe {}", o.n_cpu_moe);
  if (o.type_k != GgmlType::F16) s += " -ctk " + type_arg(o.type_k);
  if (o.type_v != GgmlType::F16) s += " -ctv " + type_arg(o.type_v);
  if (r.n_seq > 1) s += fmt::format(" -np {}", r.n_seq);
  s += fmt::format(" -b {} -ub {} -fa {}", o.n_batch, o.n_ubatch, r.fa ? "on" : "off");
  if (!o.kv_offload) s += " -nkvo";
  return s;
}

/// ollama's placement: the whole model on the one GPU with most free memory when it fits
/// there; otherwise as many layers as fit, spread over all GPUs by free memory.
FitResult ollama_place(const Layout& L, const ModelArch& a, const std::vector<TensorInfo>& t,
                       const FitOptions& o, Resolved r, const std::vector<CompiledOverride>& ov,
                       std::vector<std::string>& notes) {
  if (o.n_gpu_layers < 0 && o.tensor_split.empty() && L.gpus.size() > 1) {
    size_t best = std::max_element(r.split.begin(), r.split.end()) - r.split.begin();
    Resolved one = r;
    for (size_t g = 0; g < one.split.size(); ++g) one.split[g] = g == best ? 1.0 : 0.0;
    FitResult f = place(L, a, t, o, one, ov);
    if (f.fits) {
      notes.push_back(fmt::format("ollama: the model fits on {} alone, so only that GPU is used",
                                  L.pools[L.gpus[best]].id));
      f.llama_args = llama_args(o, one, L.gpus.size());
      return f;
    }
  }
  if (o.n_gpu_layers < 0) {
    for (int ngl = a.n_layers + 1; ngl > 0; --ngl) {
      r.ngl = ngl;
      FitResult f = place(L, a, t, o, r, ov);
      if (f.fits) {
        if (ngl <= a.n_layers)
          notes.push_back(fmt::format("ollama: offloaded {}/{} layers to the GPUs (the rest run "
                                      "on the CPU)", ngl, a.n_layers + 1));
        f.llama_args = llama_args(o, r, L.gpus.size());
        return f;
      }
    }
    r.ngl = 0;
  }
  FitResult f = place(L, a, t, o, r, ov);
  f.llama_args = llama_args(o, r, L.gpus.size());
  return f;
}

}  // namespace

Result<FitResult> fit(const System& system, const ModelArch& arch,
                      const std::vector<TensorInfo>& tensors, const FitOptions& opts) {
  Layout L = build_layout(system);
  if (L.cpu < 0) return fail("--system", "the system has no host memory or unified pool");
  if (!opts.tensor_split.empty() && opts.tensor_split.size() != L.gpus.size())
    return fail("-ts", fmt::format("{} values given but the system has {} GPUs",
                                   opts.tensor_split.size(), L.gpus.size()));
  if ((opts.type_v != GgmlType::F16 && opts.type_v != GgmlType::F32 &&
       opts.type_v != GgmlType::BF16) && opts.flash_attn == FlashAttn::Off)
    return fail("-ctv", "a quantized V cache needs flash attention (-fa on or auto)");
  WORTHIT_TRY(ov, compile_overrides(L, opts));
  Resolved r = resolve(L, arch, opts);
  std::vector<TensorInfo> all = tensors;
  std::vector<std::string> notes;
  if (opts.include_vision)
    for (auto& v : vision_tensors(arch)) all.push_back(v);
  FitResult f;
  if (opts.runtime == Runtime::Ollama) {
    f = ollama_place(L, arch, all, opts, r, ov, notes);
  } else {
    f = place(L, arch, all, opts, r, ov);
    f.llama_args = llama_args(opts, r, L.gpus.size());
  }
  f.runtime = opts.runtime;
  if (opts.n_ctx < 0)
    notes.insert(notes.begin(), fmt::format("context: {} tokens ({} default)", f.n_ctx,
                                            runtime_name(opts.runtime)));
  f.notes = notes;
  return f;
}

}  // namespace worthit
