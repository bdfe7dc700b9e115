// SPDX-License-Identifier: MIT
// fit(): the runtime's defaults, then its placement rules (placement.cc, auto_fit.cc).
#include "plan/fit.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "core/text.h"
#include "model/recipe.h"
#include "plan/placement.h"
#include "plan/runtime.h"

namespace worthit {
namespace {

using detail::CompiledOverride;
using detail::Layout;
using detail::Plan;
using detail::Resolved;

bool is_quantized_cache(GgmlType t) {
  return !(t == GgmlType::F16 || t == GgmlType::F32 || t == GgmlType::BF16);
}

Resolved resolve(const Layout& L, const ModelArch& a, const FitOptions& o,
                 std::vector<std::string>& notes) {
  Resolved r;
  Bytes total_gpu;
  for (size_t g = 0; g < L.gpus.size(); ++g) total_gpu += L.pools[L.gpus[g]].gpu_usable;
  if (o.n_ctx > 0) r.n_ctx = o.n_ctx;
  else if (o.n_ctx == 0 && a.context_max > 0) r.n_ctx = a.context_max;
  else {
    r.n_ctx = default_context(o.runtime, a, total_gpu);
    notes.push_back(fmt::format("context: {} tokens ({} default{})", r.n_ctx,
                                runtime_name(o.runtime),
                                o.runtime == Runtime::Ollama ? " for this much VRAM" : ""));
  }
  r.n_seq = o.n_parallel > 0 ? o.n_parallel : 1;
  if (o.runtime == Runtime::Ollama) r.n_ctx *= r.n_seq;  // ollama: KvSize = num_ctx x parallel
  // Flash attention "auto" resolves to on for every GPU backend modelled here.
  r.fa = o.flash_attn != FlashAttn::Off;
  r.type_k = o.type_k;
  r.type_v = o.type_v;
  if (o.runtime == Runtime::Ollama && !ollama_engine_arch(a.arch) && !o.ollama_fa_explicit &&
      (is_quantized_cache(o.type_k) || is_quantized_cache(o.type_v))) {
    r.type_k = r.type_v = GgmlType::F16;
    notes.push_back("ollama: '" + a.arch + "' runs on ollama's llama.cpp runner, which ignores a "
                    "quantized KV cache type unless OLLAMA_FLASH_ATTENTION=1 is set (pass -fa on); "
                    "the cache is f16");
  }
  r.kv_cells = padded_context(r.n_ctx);
  r.n_tokens = std::min<int64_t>(std::min(o.n_ubatch, o.n_batch), r.n_ctx);
  if (a.sliding_window > 0)
    r.swa_cells = std::min(r.kv_cells, padded_context(a.sliding_window * r.n_seq + r.n_tokens));
  return r;
}

Result<std::vector<CompiledOverride>> compile_overrides(const Layout& L, const FitOptions& o) {
  std::vector<CompiledOverride> out;
  const int G = static_cast<int>(L.gpus.size());
  for (const auto& r : o.overrides) {
    int slot = r.device == "CPU" ? G : -1;
    for (int g = 0; g < G; ++g)
      if (L.pools[L.gpus[g]].id == r.device) slot = g;
    if (slot < 0) {
      std::vector<std::string> ids{"CPU"};
      for (int g : L.gpus) ids.push_back(L.pools[g].id);
      return fail("--override-tensor",
                  fmt::format("unknown device '{}' in '{}={}'", r.device, r.pattern, r.device),
                  fmt::format("devices here: {}", fmt::join(ids, ", ")));
    }
    try {
      out.push_back({std::regex(r.pattern), slot});
    } catch (const std::regex_error& e) {
      return fail("--override-tensor",
                  fmt::format("invalid regular expression '{}': {}", r.pattern, e.what()));
    }
  }
  return out;
}

std::vector<double> free_split(const Layout& L) {
  std::vector<double> s;
  for (size_t g = 0; g < L.gpus.size(); ++g) s.push_back(std::max(0.0, detail::gpu_free(L, g).base()));
  return s;
}

std::string llama_args(const FitOptions& o, const Resolved& r, const Plan& p, const ModelArch& a,
                       size_t n_gpus) {
  // ollama's runner offloads the last N blocks without the output layer; current llama.cpp
  // counts the output first, so the same placement is N + 1 layers with the output kept back.
  const bool output_kept = !p.output_first && p.ngl > 0 && p.ngl <= a.n_layers;
  std::string s = fmt::format("-c {} -ngl {}", r.n_ctx, output_kept ? p.ngl + 1 : p.ngl);
  if (output_kept) s += " -ot '^output=CPU'";
  if (n_gpus > 1) {
    std::vector<std::string> parts;
    for (double x : p.split) parts.push_back(fmt::format("{:.3g}", x > 1e6 ? x / 1073741824.0 : x));
    s += fmt::format(" -ts {}", fmt::join(parts, ","));
  }
  for (const auto& ov : o.overrides) s += fmt::format(" -ot '{}={}'", ov.pattern, ov.device);
  const int n_cpu = static_cast<int>(std::count(p.experts_on_cpu.begin(), p.experts_on_cpu.end(), 1));
  bool prefix = n_cpu > 0;
  for (int il = 0; il < n_cpu && prefix; ++il) prefix = p.experts_on_cpu[il];
  if (n_cpu > 0 && prefix) s += fmt::format(" --n-cpu-moe {}", n_cpu);
  else if (n_cpu > 0) {
    std::vector<std::string> ids;
    for (int il = 0; il < a.n_layers; ++il)
      if (p.experts_on_cpu[il]) ids.push_back(std::to_string(il));
    s += fmt::format(" -ot 'blk\\.({})\\.ffn_(up|down|gate)_exps=CPU'", fmt::join(ids, "|"));
  }
  if (r.type_k != GgmlType::F16) s += " -ctk " + to_lower(ggml_type_info(r.type_k).name);
  if (r.type_v != GgmlType::F16) s += " -ctv " + to_lower(ggml_type_info(r.type_v).name);
  if (r.n_seq > 1) s += fmt::format(" -np {}", r.n_seq);
  s += fmt::format(" -b {} -ub {} -fa {}", o.n_batch, o.n_ubatch, r.fa ? "on" : "off");
  if (!o.kv_offload) s += " -nkvo";
  return s;
}

/// Whether every GPU keeps `margin` free.
bool keeps_margin(const FitResult& f, const Layout& L, Bytes margin) {
  for (int g : L.gpus) {
    const PoolUse& p = f.pools[g];
    const Bytes used = p.kind == "unified" ? p.gpu_used : p.used();
    if (used + margin > p.gpu_usable) return false;
  }
  return f.fits;
}

Plan default_plan(const Layout& L, const ModelArch& a, const FitOptions& o) {
  Plan p;
  p.ngl = o.n_gpu_layers >= 0 ? o.n_gpu_layers : a.n_layers + 1;
  p.split = o.tensor_split.empty() ? free_split(L) : o.tensor_split;
  p.experts_on_cpu.assign(a.n_layers, 0);
  for (int il = 0; il < std::min(o.n_cpu_moe, a.n_layers); ++il) p.experts_on_cpu[il] = 1;
  return p;
}

/// --fit's first step: with no -c, the largest context (a multiple of 256, at least 4096)
/// that keeps the margin on every GPU.
Resolved shrink_context(const Layout& L, const ModelArch& a, const std::vector<TensorInfo>& t,
                        const FitOptions& o, const Resolved& r, const Plan& p,
                        const std::vector<CompiledOverride>& ov) {
  auto with_ctx = [&](int64_t ctx) {
    FitOptions o2 = o;
    o2.n_ctx = ctx;
    std::vector<std::string> ignored;
    return resolve(L, a, o2, ignored);
  };
  int64_t lo = 4096 / 256, hi = r.n_ctx / 256;  // in units of 256 cells
  if (hi <= lo) return r;
  if (!keeps_margin(detail::place(L, a, t, o, with_ctx(lo * 256), p, ov), L, o.fit_margin))
    return with_ctx(lo * 256);
  while (lo < hi) {
    const int64_t mid = (lo + hi + 1) / 2;
    if (keeps_margin(detail::place(L, a, t, o, with_ctx(mid * 256), p, ov), L, o.fit_margin)) lo = mid;
    else hi = mid - 1;
  }
  return with_ctx(lo * 256);
}

FitResult llama_place(const Layout& L, const ModelArch& a, const std::vector<TensorInfo>& t,
                      const FitOptions& o, Resolved r, const std::vector<CompiledOverride>& ov,
                      std::vector<std::string>& notes) {
  Plan p = default_plan(L, a, o);
  FitResult f = detail::place(L, a, t, o, r, p, ov);
  if (!o.fit_auto || L.gpus.empty() || keeps_margin(f, L, o.fit_margin)) {
    f.llama_args = llama_args(o, r, p, a, L.gpus.size());
    return f;
  }
  if (o.n_ctx < 0) {
    const int64_t before = r.n_ctx;
    r = shrink_context(L, a, t, o, r, p, ov);
    f = detail::place(L, a, t, o, r, p, ov);
    if (r.n_ctx < before)
      notes.push_back(fmt::format("llama.cpp --fit: context reduced from {} to {} tokens to keep "
                                  "{:.0f} MiB free per GPU", before, r.n_ctx, to_mib(o.fit_margin)));
  }
  const bool user_placed = o.n_gpu_layers >= 0 || !o.tensor_split.empty() ||
                           !o.overrides.empty() || o.n_cpu_moe > 0;
  if (!user_placed && !keeps_margin(f, L, o.fit_margin)) {
    if (auto fp = detail::auto_fit_llama(L, a, t, o, r)) {
      FitResult g = detail::place(L, a, t, o, r, *fp, ov);
      notes.push_back(fmt::format("llama.cpp --fit: the default placement leaves less than {:.0f} "
                                  "MiB free on a GPU, so it chose -ngl/-ts/-ot itself",
                                  to_mib(o.fit_margin)));
      g.llama_args = llama_args(o, r, *fp, a, L.gpus.size());
      return g;
    }
  }
  f.llama_args = llama_args(o, r, p, a, L.gpus.size());
  return f;
}

/// ollama's own graph-size estimate for models on its llama.cpp runner (fs/ggml/ggml.go
/// GraphSize, v0.16.2), which ignores flash attention; it only shapes ollama's layer split.
double ollama_runner_graph(const ModelArch& a, int64_t n_ctx, int64_t batch) {
  const double b = double(batch), e = double(a.hidden), c = double(n_ctx), h = a.n_heads;
  const double hkv = a.n_kv_heads, d = a.head_dim, V = double(a.vocab);
  const double att = 4 * b * (1 + e + std::max(c, e)) + e * e * 9 / 16 + 4 * c * (b * h + d * hkv);
  const double out = 4 * b * (e + V) + e * V * 105 / 128;
  return 4 * b * e + std::max(att, out);
}

/// Memory ollama counts as available on each GPU when it splits layers: free memory minus its
/// 457 MiB minimum, its graph reservation and, for its llama.cpp runner, one layer.
std::vector<double> ollama_available(const Layout& L, const ModelArch& a,
                                     const std::vector<TensorInfo>& t, const Resolved& r) {
  const bool runner = !ollama_engine_arch(a.arch);
  double layer0 = detail::layer_state_bytes(a, a.layer_attention(0), r.kv_cells, r.n_seq,
                                            r.type_k, r.type_v);
  for (const auto& x : t)
    if (x.layer == 0) layer0 += double(x.bytes());
  std::vector<double> s;
  for (size_t g = 0; g < L.gpus.size(); ++g) {
    double avail = L.pools[L.gpus[g]].gpu_usable.base() - mib(457).base();
    if (runner) avail -= ollama_runner_graph(a, r.n_ctx, 512) + layer0;
    s.push_back(std::max(0.0, avail));
  }
  return s;
}

/// ollama v0.16: GPUs sorted by free memory; the first set (one GPU, then two, ...) that holds
/// every layer wins; otherwise as many layers as fit. -ngl counts the output as a layer and
/// offloads the last N blocks (its vendored llama.cpp predates PR #18148).
FitResult ollama_place(const Layout& L, const ModelArch& a, const std::vector<TensorInfo>& t,
                       const FitOptions& o, const Resolved& r,
                       const std::vector<CompiledOverride>& ov, std::vector<std::string>& notes) {
  const size_t G = L.gpus.size();
  std::vector<double> free = ollama_available(L, a, t, r);
  std::vector<size_t> order(G);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return free[x] > free[y]; });
  Plan p;
  p.output_first = false;
  p.experts_on_cpu.assign(a.n_layers, 0);
  for (int il = 0; il < std::min(o.n_cpu_moe, a.n_layers); ++il) p.experts_on_cpu[il] = 1;
  auto with_gpus = [&](size_t k) {
    std::vector<double> s(G, 0.0);
    for (size_t i = 0; i < k; ++i) s[order[i]] = free[order[i]];
    return s;
  };
  if (!o.tensor_split.empty()) {
    p.split = o.tensor_split;
  } else {
    p.split = with_gpus(G);
    for (size_t k = 1; k <= G && o.n_gpu_layers < 0; ++k) {
      Plan q = p;
      q.ngl = a.n_layers + 1;
      q.split = with_gpus(k);
      if (detail::place(L, a, t, o, r, q, ov).fits) {
        p.split = q.split;
        if (k < G) notes.push_back(fmt::format("ollama: the model fits on {} GPU(s) with the most "
                                               "free memory, so only those are used", k));
        break;
      }
    }
  }
  FitResult f;
  if (o.n_gpu_layers >= 0) {
    p.ngl = o.n_gpu_layers;
    f = detail::place(L, a, t, o, r, p, ov);
  } else {
    for (p.ngl = G == 0 ? 0 : a.n_layers + 1; p.ngl >= 0; --p.ngl) {
      f = detail::place(L, a, t, o, r, p, ov);
      if (f.fits || p.ngl == 0) break;
    }
    if (p.ngl <= a.n_layers && G > 0)
      notes.push_back(fmt::format("ollama: offloaded {}/{} layers to the GPUs", p.ngl, a.n_layers + 1));
  }
  f.llama_args = llama_args(o, r, p, a, G);
  return f;
}

}  // namespace

std::vector<PoolUse> system_pools(const System& system) { return detail::build_layout(system).pools; }

const char* runtime_name(Runtime r) { return r == Runtime::Ollama ? "ollama" : "llama.cpp"; }

Bytes kv_bytes_per_token_layer(const ModelArch& a, GgmlType tk, GgmlType tv) {
  return Bytes{detail::layer_state_bytes(a, AttentionKind::Full, 1, 1, tk, tv)};
}

Result<FitResult> fit(const System& system, const ModelArch& arch,
                      const std::vector<TensorInfo>& tensors, const FitOptions& opts) {
  Layout L = detail::build_layout(system);
  if (L.cpu < 0) return fail("--system", "the system has no host memory or unified pool");
  if (!opts.tensor_split.empty() && opts.tensor_split.size() != L.gpus.size())
    return fail("--tensor-split", fmt::format("{} values given but the system has {} GPUs",
                                              opts.tensor_split.size(), L.gpus.size()));
  if (is_quantized_cache(opts.type_v) && opts.flash_attn == FlashAttn::Off)
    return fail("--cache-type-v", "a quantized V cache needs flash attention (-fa on or auto)");
  WORTHIT_TRY(ov, compile_overrides(L, opts));
  std::vector<std::string> notes;
  Resolved r = resolve(L, arch, opts, notes);
  std::vector<TensorInfo> all = tensors;
  if (opts.include_vision)
    for (auto& v : vision_tensors(arch)) all.push_back(v);
  FitResult f = opts.runtime == Runtime::Ollama ? ollama_place(L, arch, all, opts, r, ov, notes)
                                                : llama_place(L, arch, all, opts, r, ov, notes);
  f.runtime = opts.runtime;
  f.notes = notes;
  return f;
}

}  // namespace worthit
