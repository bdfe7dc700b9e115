// SPDX-License-Identifier: MIT
// Fine-tuning memory and time; see docs/fine-tuning.md for every formula and its source.
#include "advise/train.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "model/recipe.h"
#include "plan/runtime.h"

namespace worthit {

Bytes TrainMemory::total() const {
  return weights + master_weights + gradients + optimizer + adapters + activations + logits +
         dequant_buffer + overhead;
}

Result<TrainMethod> parse_train_method(const std::string& s) {
  if (s == "full") return TrainMethod::Full;
  if (s == "lora") return TrainMethod::Lora;
  if (s == "qlora") return TrainMethod::Qlora;
  return fail("--method", fmt::format("unknown method '{}'", s), "full, lora or qlora");
}

const char* train_method_name(TrainMethod m) {
  switch (m) {
    case TrainMethod::Full: return "full";
    case TrainMethod::Lora: return "lora";
    case TrainMethod::Qlora: return "qlora";
  }
  return "?";
}

Result<TrainOptimizer> parse_train_optimizer(const std::string& s) {
  if (s == "adamw") return TrainOptimizer::AdamW;
  if (s == "adamw8bit") return TrainOptimizer::AdamW8bit;
  if (s == "sgd") return TrainOptimizer::Sgd;
  return fail("--optimizer", fmt::format("unknown optimizer '{}'", s), "adamw, adamw8bit or sgd");
}

const char* train_optimizer_name(TrainOptimizer o) {
  switch (o) {
    case TrainOptimizer::AdamW: return "adamw";
    case TrainOptimizer::AdamW8bit: return "adamw8bit";
    case TrainOptimizer::Sgd: return "sgd";
  }
  return "?";
}

Result<TrainPrecision> parse_train_precision(const std::string& s) {
  if (s == "bf16") return TrainPrecision::Bf16;
  if (s == "fp32") return TrainPrecision::Fp32;
  return fail("--precision", fmt::format("unknown precision '{}'", s), "bf16 or fp32");
}

const char* train_precision_name(TrainPrecision p) {
  return p == TrainPrecision::Bf16 ? "bf16" : "fp32";
}

namespace {

/// Optimizer state bytes per trainable parameter (HF "model memory anatomy": AdamW 8,
/// bitsandbytes 8-bit AdamW 2, SGD with momentum 4).
double optimizer_bytes_per_param(TrainOptimizer o) {
  switch (o) {
    case TrainOptimizer::AdamW: return 8.0;
    case TrainOptimizer::AdamW8bit: return 2.0;
    case TrainOptimizer::Sgd: return 4.0;
  }
  return 8.0;
}

bool is_block_matrix(const TensorInfo& t) {
  const bool block_role = t.role == TensorRole::Attention || t.role == TensorRole::FfnDense ||
                          t.role == TensorRole::FfnShared || t.role == TensorRole::FfnExperts;
  return block_role && t.ne[1] > 1;
}

/// A projection that gets a LoRA adapter: 2-D attention/MLP weights, not the MoE router.
bool is_lora_target(const TensorInfo& t) {
  if (!is_block_matrix(t) || t.ne[2] > 1 || t.role == TensorRole::FfnExperts) return false;
  return t.name.find("ffn_gate_inp") == std::string::npos;
}

}  // namespace

ParamCounts count_train_params(const ModelArch& arch, int lora_rank) {
  ParamCounts p;
  const double used = arch.is_moe() ? double(arch.moe.experts_used) / arch.moe.experts : 1.0;
  for (const auto& t : derive_tensors(arch, FileType::F16)) {
    const double n = double(t.elements());
    p.total += n;
    if (t.role == TensorRole::TokenEmbd) {
      p.embedding += n;
      // A tied lm head multiplies by the embedding matrix for every token.
      if (arch.tied_embeddings) p.matmul_active += n;
    } else if (t.role == TensorRole::Output) {
      p.output += n;
      p.matmul_active += n;
    } else if (is_block_matrix(t)) {
      p.linear += n;
      p.matmul_active += t.role == TensorRole::FfnExperts ? n * used : n;
      const double one = t.ne[2] > 1 ? n / double(t.ne[2]) : n;
      p.largest_linear = std::max(p.largest_linear, one);
    }
    if (is_lora_target(t)) {
      p.lora += double(lora_rank) * double(t.ne[0] + t.ne[1]);
      p.lora_matrices++;
    }
  }
  return p;
}

double activation_bytes_per_token_layer(const ModelArch& a, int il, double e) {
  const double h = double(a.hidden);
  const double q = double(a.n_heads) * a.head_dim;
  const double kv = double(a.n_kv_heads) * (a.head_dim + a.v_dim());
  // Attention (flash/SDPA: no s x s score matrix is kept): norm input and output, Q, K, V,
  // attention output. Korthikanti et al. 2022 count 11sbh + 5as^2b for GPT; with flash
  // attention and without dropout the same tensors are 2h + 2q + kv.
  const double attn = 2 * h + 2 * q + kv;
  // MLP: norm input and output, then per intermediate channel the gate and up outputs, the
  // activation output and the product (gated), or the fc1 output and activation (not gated).
  const double per_ffn = a.ffn_gated ? 4.0 : 2.0;
  double mlp = 2 * h;
  if (a.layer_is_moe(il)) {
    const double shared_ffn = a.moe.shared_ffn > 0 ? a.moe.shared_ffn : a.moe.expert_ffn;
    mlp += per_ffn * (double(a.moe.experts_used) * a.moe.expert_ffn +
                      double(a.moe.shared_experts) * shared_ffn);
  } else {
    mlp += per_ffn * double(a.ffn);
  }
  return e * (attn + mlp);
}

namespace {

double block_activations_per_token(const ModelArch& a, double e, bool ckpt) {
  double all = 0, largest = 0;
  for (int il = 0; il < a.n_layers; ++il) {
    const double one = activation_bytes_per_token_layer(a, il, e);
    all += one;
    largest = std::max(largest, one);
  }
  // Full recomputation keeps each block's input (h values) and, during the backward pass,
  // the recomputed activations of one block (Korthikanti et al. 2022, 2sbh per layer).
  return ckpt ? e * double(a.hidden) * a.n_layers + largest : all;
}

}  // namespace

TrainMemory train_memory(const ModelArch& arch, const ParamCounts& p, const TrainRequest& r,
                         const TrainConstants& k) {
  TrainMemory m;
  const bool mixed = r.precision == TrainPrecision::Bf16;
  const double w = mixed ? 2.0 : 4.0;  // bytes of one compute weight / activation value
  const double opt = optimizer_bytes_per_param(r.optimizer);
  const double trainable = r.method == TrainMethod::Full ? p.total : p.lora;
  if (r.method == TrainMethod::Qlora) {
    // NF4 blocks of 64 with double-quantized constants; embeddings, lm head and norms stay
    // in bf16 (bitsandbytes quantizes nn.Linear layers of the blocks only).
    m.weights = Bytes{p.linear * k.nf4_bits_per_param / 8.0 + (p.total - p.linear) * 2.0};
    m.dequant_buffer = Bytes{p.largest_linear * 2.0};
  } else if (r.method == TrainMethod::Lora) {
    m.weights = Bytes{p.total * w};
  }
  if (r.method == TrainMethod::Full) m.weights = Bytes{p.total * w};
  else m.adapters = Bytes{p.lora * w};
  m.master_weights = Bytes{mixed ? trainable * 4.0 : 0.0};
  m.gradients = Bytes{trainable * 4.0};  // kept in fp32 with or without mixed precision
  m.optimizer = Bytes{trainable * opt};
  const double tokens = double(r.seq_tokens) * double(r.batch);
  m.activations = Bytes{tokens * block_activations_per_token(arch, w, r.grad_checkpointing)};
  // fp32 logits and the log-softmax the loss keeps for its backward pass: 8 bytes per vocab
  // entry per token (worthit's estimate; HF's Llama upcasts logits to fp32 for the loss).
  m.logits = Bytes{tokens * double(arch.vocab) * 8.0};
  m.overhead = k.framework_overhead;
  return m;
}

double train_flops_per_token(const ModelArch& a, const ParamCounts& p, const TrainRequest& r) {
  // Forward: 2 FLOPs per matmul weight (Kaplan et al. 2020) plus the attention scores and
  // weighted sum: 2 x layers x context x d_attn with the causal mask (Kaplan Table 1).
  const double lin = 2.0 * p.matmul_active;
  double att = 0;
  for (int il = 0; il < a.n_layers; ++il) {
    const AttentionKind kind = a.layer_attention(il);
    if (kind == AttentionKind::Linear) continue;
    const double ctx = kind == AttentionKind::Sliding
                           ? double(std::min<int64_t>(r.seq_tokens, a.sliding_window))
                           : double(r.seq_tokens);
    att += 2.0 * ctx * double(a.n_heads) * a.head_dim;
  }
  const double fwd = lin + att;
  double total = 0;
  if (r.method == TrainMethod::Full) {
    total = 3.0 * fwd;  // backward: activation gradients (2N) + weight gradients (2N)
  } else {
    // Frozen weights: backward computes activation gradients only (2N, and 2x the attention
    // forward), no weight gradients; the adapters add 6 FLOPs per adapter parameter.
    total = fwd + lin + 2.0 * att + 6.0 * p.lora;
  }
  if (r.grad_checkpointing) total += fwd;  // one more forward to recompute activations
  return total;
}

namespace {

FlopsPerSec train_peak(const Device& d, TrainPrecision prec) {
  if (prec == TrainPrecision::Bf16 && d.compute.fp16_tensor.base() > 0) return d.compute.fp16_tensor;
  return d.compute.fp32;
}

std::vector<TrainPoolFit> list_pools(const System& sys, TrainPrecision prec) {
  std::vector<TrainPoolFit> out;
  int g = 0;
  for (const Node& n : sys.nodes) {
    if (n.soc) {
      const Device& d = *n.soc;
      out.push_back({fmt::format("GPU{}", g++), "unified", d.name, d.memory_capacity,
                     unified_gpu_usable(d, d.memory_capacity), train_peak(d, prec), true, false});
    }
    for (const auto& slot : n.gpus) {
      const Device& d = slot.device;
      out.push_back({fmt::format("GPU{}", g++), "vram", d.name, d.memory_capacity,
                     d.memory_capacity, train_peak(d, prec), true, false});
    }
  }
  for (const Node& n : sys.nodes) {
    if (!n.host) continue;
    const Bytes cap = n.host->memory_capacity;
    out.push_back({"host", "host", n.host->cpu, cap, cap - host_os_reserve(cap), FlopsPerSec{},
                   false, false});
    break;
  }
  return out;
}

/// Several GPUs sharding weights, gradients and optimizer states (FSDP / ZeRO-3): each keeps
/// its share of the sharded terms plus its own activations and overhead.
int gpus_for_sharding(const TrainMemory& m, std::vector<TrainPoolFit> gpus, std::string& used) {
  std::sort(gpus.begin(), gpus.end(),
            [](const TrainPoolFit& a, const TrainPoolFit& b) { return a.usable > b.usable; });
  const Bytes sharded = m.weights + m.master_weights + m.gradients + m.optimizer + m.adapters;
  const Bytes local = m.activations + m.logits + m.dequant_buffer + m.overhead;
  for (size_t n = 2; n <= gpus.size(); ++n) {
    // The smallest of the n GPUs holds an equal share.
    if (sharded / double(n) + local <= gpus[n - 1].usable) {
      used.clear();
      for (size_t i = 0; i < n; ++i) used += (i ? "+" : "") + gpus[i].id;
      return static_cast<int>(n);
    }
  }
  return 0;
}

void place(TrainEstimate& e, const TrainConstants& k) {
  const Bytes need = e.memory.total();
  std::vector<TrainPoolFit> gpus;
  const TrainPoolFit* best = nullptr;
  for (auto& p : e.pools) {
    p.fits = p.trains && need <= p.usable;
    if (!p.trains) continue;
    gpus.push_back(p);
    if (p.fits && (!best || p.peak > best->peak)) best = &p;
  }
  if (best) {
    e.fits = true;
    e.gpus_needed = 1;
    e.placement = best->id;
    e.achieved = best->peak * k.mfu;
    return;
  }
  std::string used;
  const int n = gpus_for_sharding(e.memory, gpus, used);
  if (n > 0) {
    e.fits = true;
    e.gpus_needed = n;
    e.placement = used;
    for (const auto& p : e.pools)
      if (used.find(p.id) != std::string::npos) e.achieved += p.peak * k.mfu;
    e.notes.push_back(fmt::format(
        "needs {} GPUs with weights, gradients and optimizer states sharded (FSDP / ZeRO-3); "
        "the time assumes perfect scaling and ignores PCIe/NVLink traffic", n));
    return;
  }
  Bytes largest;
  for (const auto& p : gpus) largest = std::max(largest, p.usable);
  e.reason = fmt::format("needs {:.1f} GB on one device; the largest holds {:.1f} GB usable",
                         to_gb(need), to_gb(largest));
}

void add_notes(TrainEstimate& e, const System& sys, const TrainRequest& r) {
  if (r.method != TrainMethod::Full && e.params.lora_matrices == 0)
    e.notes.push_back("no projection to adapt was found; adapters are empty");
  for (const Node& n : sys.nodes) {
    const Device* d = n.soc ? &*n.soc : n.gpus.empty() ? nullptr : &n.gpus.front().device;
    if (d && r.precision == TrainPrecision::Bf16 && d->compute.fp16_tensor.base() <= 0)
      e.notes.push_back(fmt::format("{}: no confirmed bf16 tensor rate in the catalog; timed at "
                                    "its FP32 peak (a pessimistic bound)", d->name));
  }
  if (r.method == TrainMethod::Qlora)
    e.notes.push_back("QLoRA dequantizes NF4 weights on the fly; real kernels run slower than "
                      "the FLOP count suggests");
  if (!e.fits)
    e.notes.push_back("CPU offload of optimizer states (DeepSpeed ZeRO-Offload) is not modeled");
}

}  // namespace

Result<TrainEstimate> estimate_training(const ModelArch& arch, const System& sys,
                                        const TrainRequest& r, const TrainConstants& k) {
  if (r.seq_tokens <= 0) return fail("--seq", "must be positive");
  if (r.batch <= 0) return fail("--batch", "must be positive");
  if (r.lora_rank <= 0) return fail("--lora-rank", "must be positive");
  if (k.mfu <= 0 || k.mfu > 1) return fail("data/train.toml", "mfu must be in (0, 1]");
  TrainEstimate e;
  e.params = count_train_params(arch, r.lora_rank);
  e.memory = train_memory(arch, e.params, r, k);
  e.pools = list_pools(sys, r.precision);
  place(e, k);
  e.flops_per_token = train_flops_per_token(arch, e.params, r);
  if (e.fits && e.achieved.base() > 0) {
    e.tokens_per_s = e.achieved.base() / e.flops_per_token;
    e.time_per_million_tokens = Seconds{1e6 / e.tokens_per_s};
    e.time_total = Seconds{r.tokens / e.tokens_per_s};
  }
  add_notes(e, sys, r);
  return e;
}

}  // namespace worthit
