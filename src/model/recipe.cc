// SPDX-License-Identifier: MIT
// Tensor shapes follow llama.cpp's converter (GGUF names, ne[0] = row length); types follow
// src/llama-quant.cpp llama_tensor_get_type() (read at commit c392e50, 2025-02-20) and its
// main loop's rules for which tensors are quantized at all.
#include "model/recipe.h"

#include <fmt/format.h>

#include <string>

namespace worthit {
namespace {

/// A tensor plus whether llama-quantize would quantize it.
struct Shape {
  TensorInfo t;
  bool quantizable = false;
};

struct Builder {
  std::vector<Shape> out;

  void add(std::string name, std::array<uint64_t, 4> ne, int layer, TensorRole role,
           bool quantizable = true) {
    TensorInfo t;
    t.name = std::move(name);
    t.ne = ne;
    t.layer = layer;
    t.role = role;
    t.type = GgmlType::F32;
    out.push_back({t, quantizable});
  }
  void matrix(const std::string& name, uint64_t cols, uint64_t rows, int layer, TensorRole role) {
    add(name, {cols, rows, 1, 1}, layer, role);
  }
  void vec(const std::string& name, uint64_t n, int layer, TensorRole role) {
    add(name, {n, 1, 1, 1}, layer, role, false);
  }
};

std::string blk(int il, const char* what) { return fmt::format("blk.{}.{}", il, what); }

void add_standard_attention(Builder& b, const ModelArch& a, int il) {
  const uint64_t h = a.hidden, q = uint64_t(a.n_heads) * a.head_dim;
  const uint64_t kv = uint64_t(a.n_kv_heads) * a.head_dim;
  const uint64_t v = uint64_t(a.n_kv_heads) * a.v_dim(), o = uint64_t(a.n_heads) * a.v_dim();
  const auto R = TensorRole::Attention;
  if (a.arch == "phi3" || a.arch == "phi2") {
    b.matrix(blk(il, "attn_qkv.weight"), h, q + kv + v, il, R);
    if (a.attn_bias) b.vec(blk(il, "attn_qkv.bias"), q + kv + v, il, R);
  } else {
    // Qwen3-Next's full-attention query projection also produces the output gate.
    const uint64_t q_rows = a.arch == "qwen3next" ? 2 * q : q;
    b.matrix(blk(il, "attn_q.weight"), h, q_rows, il, R);
    b.matrix(blk(il, "attn_k.weight"), h, kv, il, R);
    b.matrix(blk(il, "attn_v.weight"), h, v, il, R);
    if (a.attn_bias) {
      b.vec(blk(il, "attn_q.bias"), q, il, R);
      b.vec(blk(il, "attn_k.bias"), kv, il, R);
      b.vec(blk(il, "attn_v.bias"), v, il, R);
    }
  }
  b.matrix(blk(il, "attn_output.weight"), o, h, il, R);
  if (a.attn_bias && a.arch != "qwen2") b.vec(blk(il, "attn_output.bias"), h, il, R);
  if (a.arch == "qwen3" || a.arch == "qwen3moe" || a.arch == "gemma3" || a.arch == "qwen3next") {
    b.vec(blk(il, "attn_q_norm.weight"), a.head_dim, il, TensorRole::Norm);
    b.vec(blk(il, "attn_k_norm.weight"), a.head_dim, il, TensorRole::Norm);
  }
  if (a.arch == "gpt-oss") b.vec(blk(il, "attn_sinks.weight"), a.n_heads, il, R);
}

void add_mla_attention(Builder& b, const ModelArch& a, int il) {
  const auto& m = a.mla;
  const uint64_t h = a.hidden, heads = a.n_heads;
  const uint64_t qk = uint64_t(m.qk_nope_dim) + m.qk_rope_dim;
  const auto R = TensorRole::Attention;
  if (m.q_lora_rank > 0) {
    b.matrix(blk(il, "attn_q_a.weight"), h, m.q_lora_rank, il, R);
    b.vec(blk(il, "attn_q_a_norm.weight"), m.q_lora_rank, il, TensorRole::Norm);
    b.matrix(blk(il, "attn_q_b.weight"), m.q_lora_rank, heads * qk, il, R);
  } else {
    b.matrix(blk(il, "attn_q.weight"), h, heads * qk, il, R);
  }
  b.matrix(blk(il, "attn_kv_a_mqa.weight"), h, uint64_t(m.kv_lora_rank) + m.qk_rope_dim, il, R);
  b.vec(blk(il, "attn_kv_a_norm.weight"), m.kv_lora_rank, il, TensorRole::Norm);
  b.matrix(blk(il, "attn_kv_b.weight"), m.kv_lora_rank,
           heads * (uint64_t(m.qk_nope_dim) + m.v_head_dim), il, R);
  b.matrix(blk(il, "attn_output.weight"), heads * m.v_head_dim, h, il, R);
}

/// Gated DeltaNet mixer of Qwen3-Next (llama.cpp names: attn_qkv, attn_gate, ssm_*).
void add_linear_attention(Builder& b, const ModelArch& a, int il) {
  const auto& l = a.linear;
  const uint64_t h = a.hidden;
  const uint64_t qk = uint64_t(l.heads_qk) * l.head_dim_qk, v = uint64_t(l.heads_v) * l.head_dim_v;
  const auto R = TensorRole::Attention;
  b.matrix(blk(il, "attn_qkv.weight"), h, 2 * qk + v, il, R);
  b.matrix(blk(il, "attn_gate.weight"), h, v, il, R);
  b.matrix(blk(il, "ssm_ba.weight"), h, 2 * uint64_t(l.heads_v), il, R);
  b.add(blk(il, "ssm_conv1d.weight"), {uint64_t(l.conv_kernel), 2 * qk + v, 1, 1}, il, R, false);
  b.vec(blk(il, "ssm_dt.bias"), l.heads_v, il, R);
  b.vec(blk(il, "ssm_a"), l.heads_v, il, R);
  b.vec(blk(il, "ssm_norm.weight"), l.head_dim_v, il, TensorRole::Norm);
  b.matrix(blk(il, "ssm_out.weight"), v, h, il, R);
}

void add_dense_ffn(Builder& b, const ModelArch& a, int il) {
  const uint64_t h = a.hidden, f = a.ffn;
  const auto R = TensorRole::FfnDense;
  if (a.arch == "phi3") {
    b.matrix(blk(il, "ffn_up.weight"), h, 2 * f, il, R);  // gate and up fused
  } else {
    if (a.ffn_gated) b.matrix(blk(il, "ffn_gate.weight"), h, f, il, R);
    b.matrix(blk(il, "ffn_up.weight"), h, f, il, R);
  }
  b.matrix(blk(il, "ffn_down.weight"), f, h, il, R);
  if (a.arch == "phi2") {
    b.vec(blk(il, "ffn_up.bias"), f, il, R);
    b.vec(blk(il, "ffn_down.bias"), h, il, R);
  }
}

void add_moe_ffn(Builder& b, const ModelArch& a, int il) {
  const auto& m = a.moe;
  const uint64_t h = a.hidden, f = m.expert_ffn, e = m.experts;
  const auto X = TensorRole::FfnExperts, S = TensorRole::FfnShared;
  b.add(blk(il, "ffn_gate_inp.weight"), {h, e, 1, 1}, il, S, false);  // router stays F32
  b.add(blk(il, "ffn_gate_exps.weight"), {h, f, e, 1}, il, X);
  b.add(blk(il, "ffn_up_exps.weight"), {h, f, e, 1}, il, X);
  b.add(blk(il, "ffn_down_exps.weight"), {f, h, e, 1}, il, X);
  if (a.arch == "gpt-oss") {
    b.vec(blk(il, "ffn_gate_inp.bias"), e, il, S);
    b.add(blk(il, "ffn_gate_exps.bias"), {f, e, 1, 1}, il, X, false);
    b.add(blk(il, "ffn_up_exps.bias"), {f, e, 1, 1}, il, X, false);
    b.add(blk(il, "ffn_down_exps.bias"), {h, e, 1, 1}, il, X, false);
  }
  if (a.arch == "deepseek2" || a.arch == "glm4moe") b.vec(blk(il, "exp_probs_b.bias"), e, il, S);
  if (m.shared_experts > 0) {
    const uint64_t sf = uint64_t(m.shared_ffn > 0 ? m.shared_ffn : m.expert_ffn) * m.shared_experts;
    b.matrix(blk(il, "ffn_gate_shexp.weight"), h, sf, il, S);
    b.matrix(blk(il, "ffn_up_shexp.weight"), h, sf, il, S);
    b.matrix(blk(il, "ffn_down_shexp.weight"), sf, h, il, S);
    if (a.arch == "qwen3next") b.vec(blk(il, "ffn_gate_inp_shexp.weight"), h, il, S);
  }
}

void add_layer(Builder& b, const ModelArch& a, int il) {
  b.vec(blk(il, "attn_norm.weight"), a.hidden, il, TensorRole::Norm);
  if (a.arch == "phi2") b.vec(blk(il, "attn_norm.bias"), a.hidden, il, TensorRole::Norm);
  if (a.mla.kv_lora_rank > 0) add_mla_attention(b, a, il);
  else if (a.layer_attention(il) == AttentionKind::Linear) add_linear_attention(b, a, il);
  else add_standard_attention(b, a, il);
  if (a.arch == "gemma3") {
    b.vec(blk(il, "post_attention_norm.weight"), a.hidden, il, TensorRole::Norm);
    b.vec(blk(il, "post_ffw_norm.weight"), a.hidden, il, TensorRole::Norm);
  }
  if (a.arch != "phi2") b.vec(blk(il, "ffn_norm.weight"), a.hidden, il, TensorRole::Norm);
  if (a.layer_is_moe(il)) add_moe_ffn(b, a, il);
  else add_dense_ffn(b, a, il);
}

std::vector<Shape> build_shapes(const ModelArch& a) {
  Builder b;
  b.matrix("token_embd.weight", a.hidden, a.vocab, -1, TensorRole::TokenEmbd);
  for (int il = 0; il < a.n_layers; ++il) add_layer(b, a, il);
  b.vec("output_norm.weight", a.hidden, -1, TensorRole::OutputNorm);
  if (a.arch == "phi2") b.vec("output_norm.bias", a.hidden, -1, TensorRole::OutputNorm);
  if (!a.tied_embeddings) b.matrix("output.weight", a.hidden, a.vocab, -1, TensorRole::Output);
  if (a.arch == "phi2") b.vec("output.bias", a.vocab, -1, TensorRole::Output);
  return b.out;
}

GgmlType default_type(FileType f) {
  switch (f) {
    case FileType::ALL_F32: return GgmlType::F32;
    case FileType::F16: return GgmlType::F16;
    case FileType::BF16: return GgmlType::BF16;
    case FileType::Q4_0: return GgmlType::Q4_0;
    case FileType::Q4_1: return GgmlType::Q4_1;
    case FileType::Q5_0: return GgmlType::Q5_0;
    case FileType::Q5_1: return GgmlType::Q5_1;
    case FileType::Q8_0: return GgmlType::Q8_0;
    case FileType::Q2_K: case FileType::Q2_K_S: return GgmlType::Q2_K;
    case FileType::IQ3_XS: case FileType::IQ3_S: case FileType::IQ3_M: return GgmlType::IQ3_S;
    case FileType::Q3_K_S: case FileType::Q3_K_M: case FileType::Q3_K_L: return GgmlType::Q3_K;
    case FileType::Q4_K_S: case FileType::Q4_K_M: return GgmlType::Q4_K;
    case FileType::Q5_K_S: case FileType::Q5_K_M: return GgmlType::Q5_K;
    case FileType::Q6_K: return GgmlType::Q6_K;
    case FileType::TQ1_0: return GgmlType::TQ1_0;
    case FileType::TQ2_0: return GgmlType::TQ2_0;
    case FileType::IQ2_XXS: return GgmlType::IQ2_XXS;
    case FileType::IQ2_XS: case FileType::IQ2_S: return GgmlType::IQ2_XS;
    case FileType::IQ2_M: return GgmlType::IQ2_S;
    case FileType::IQ3_XXS: return GgmlType::IQ3_XXS;
    case FileType::IQ1_S: return GgmlType::IQ1_S;
    case FileType::IQ1_M: return GgmlType::IQ1_M;
    case FileType::IQ4_NL: return GgmlType::IQ4_NL;
    case FileType::IQ4_XS: return GgmlType::IQ4_XS;
    case FileType::MXFP4_MOE: return GgmlType::Q8_0;  // experts get MXFP4, see below
  }
  return GgmlType::F16;
}

bool is_quantized(GgmlType t) {
  return !(t == GgmlType::F32 || t == GgmlType::F16 || t == GgmlType::BF16);
}

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

bool use_more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

bool is_ftype(FileType f, std::initializer_list<FileType> set) {
  for (FileType x : set)
    if (x == f) return true;
  return false;
}

using F = FileType;
using G = GgmlType;

/// The output projection (or tied token_embd) rule.
G output_type(const TensorInfo& t, FileType f, G cur) {
  if (t.ne[0] % ggml_type_info(cur).block_elems != 0) return G::Q8_0;
  if (is_ftype(f, {F::IQ2_XXS, F::IQ2_XS, F::IQ3_XXS, F::IQ1_S, F::IQ2_S, F::IQ2_M, F::IQ1_M}))
    return G::Q5_K;
  return cur != G::Q8_0 ? G::Q6_K : cur;
}

G token_embd_type(FileType f, G cur) {
  if (is_ftype(f, {F::IQ2_XXS, F::IQ2_XS, F::IQ1_S, F::IQ1_M})) return G::Q2_K;
  if (is_ftype(f, {F::IQ2_S, F::IQ2_M, F::IQ3_XXS})) return G::IQ3_S;
  if (is_ftype(f, {F::TQ1_0, F::TQ2_0})) return G::Q4_K;
  return cur;
}

/// The very-low-bit recipes (IQ1/IQ2) have their own branch.
G low_bit_type(const ModelArch& a, FileType f, const std::string& n, int il, G cur) {
  const int gqa = a.n_kv_heads > 0 ? a.n_heads / a.n_kv_heads : 1;
  const bool s_or_m = is_ftype(f, {F::IQ2_S, F::IQ2_M});
  if (has(n, "attn_v.weight")) {
    if (gqa >= 4 || a.moe.experts >= 4) return G::Q4_K;
    return s_or_m ? G::IQ3_S : G::Q2_K;
  }
  if (a.moe.experts == 8 && has(n, "attn_k.weight")) return G::Q4_K;
  if (has(n, "ffn_down")) return il < a.n_layers / 8 ? (s_or_m ? G::IQ3_S : G::Q2_K) : cur;
  if (has(n, "attn_output.weight")) {
    if (a.moe.experts == 8) return G::Q5_K;
    if (is_ftype(f, {F::IQ1_S, F::IQ1_M})) return G::IQ2_XXS;
    if (s_or_m) return G::IQ3_S;
  }
  return cur;
}

G attn_v_type(const ModelArch& a, FileType f, int i, int n, G cur) {
  const int gqa = a.n_kv_heads > 0 ? a.n_heads / a.n_kv_heads : 1;
  G t = cur;
  if (f == F::Q2_K) t = gqa >= 4 ? G::Q4_K : G::Q3_K;
  else if (f == F::Q2_K_S && gqa >= 4) t = G::Q4_K;
  else if (f == F::IQ3_XXS) t = gqa >= 4 ? G::Q4_K : G::IQ3_S;
  else if (is_ftype(f, {F::IQ3_XS, F::IQ3_S}) && gqa >= 4) t = G::Q4_K;
  else if (f == F::IQ3_M) t = G::Q4_K;
  else if (f == F::Q3_K_M) t = i < 2 ? G::Q5_K : G::Q4_K;
  else if (f == F::Q3_K_L) t = G::Q5_K;
  else if (is_ftype(f, {F::IQ4_NL, F::IQ4_XS}) && gqa >= 4) t = G::Q5_K;
  else if (is_ftype(f, {F::Q4_K_M, F::Q5_K_M}) && use_more_bits(i, n)) t = G::Q6_K;
  else if (f == F::Q4_K_S && i < 4) t = G::Q5_K;
  // llama.cpp's LLM_TYPE_70B: 80 GQA layers of a llama-arch model.
  const bool is_70b = a.arch == "llama" && a.n_layers == 80 && a.n_kv_heads < a.n_heads;
  if (is_70b && (t == G::Q3_K || t == G::Q4_K)) t = G::Q5_K;
  if (a.moe.experts == 8) t = G::Q8_0;
  return t;
}

G ffn_down_type(FileType f, int il, int n, G cur) {
  if (f == F::Q2_K) return G::Q3_K;
  if (f == F::Q2_K_S) return il < n / 8 ? G::Q4_K : cur;
  if (f == F::IQ3_XXS) return il < n / 8 ? G::Q4_K : G::Q3_K;
  if (f == F::Q3_K_M) return il < n / 16 ? G::Q5_K : G::Q4_K;
  if (f == F::IQ3_M) return il < n / 8 ? G::Q4_K : cur;
  if (f == F::Q3_K_L) return G::Q5_K;
  if (f == F::Q4_K_M) return use_more_bits(il, n) ? G::Q6_K : cur;
  if (is_ftype(f, {F::IQ4_NL, F::IQ4_XS}) && il < n / 8) return G::Q5_K;
  if (f == F::Q5_K_M && use_more_bits(il, n)) return G::Q6_K;
  if (f == F::Q4_K_S && il < n / 8) return G::Q5_K;
  return cur;
}

G attn_output_type(const ModelArch& a, FileType f, G cur) {
  if (a.moe.experts == 8) {
    if (is_ftype(f, {F::Q2_K, F::IQ3_XS, F::IQ3_XXS, F::Q3_K_S, F::Q3_K_M, F::IQ4_NL, F::Q4_K_S,
                     F::Q4_K_M, F::IQ3_S, F::IQ3_M, F::IQ4_XS}))
      return G::Q5_K;
    return cur;
  }
  if (f == F::Q2_K) return G::Q3_K;
  if (f == F::IQ3_XXS) return G::IQ3_S;
  if (f == F::Q3_K_M || f == F::IQ3_M) return G::Q4_K;
  if (f == F::Q3_K_L) return G::Q5_K;
  return cur;
}

/// llama.cpp's fallback when the row length is not a multiple of the type's block.
G fallback_type(const TensorInfo& t, G cur) {
  if (t.ne[0] % ggml_type_info(cur).block_elems == 0) return cur;
  G f = G::F16;
  switch (cur) {
    case G::TQ1_0: case G::TQ2_0: f = G::Q4_0; break;
    case G::IQ2_XXS: case G::IQ2_XS: case G::IQ2_S: case G::IQ3_XXS: case G::IQ3_S:
    case G::IQ1_S: case G::IQ1_M: case G::Q2_K: case G::Q3_K: case G::IQ4_XS:
      f = G::IQ4_NL; break;
    case G::Q4_K: f = G::Q5_0; break;
    case G::Q5_K: f = G::Q5_1; break;
    case G::Q6_K: f = G::Q8_0; break;
    default: f = G::F16; break;
  }
  return t.ne[0] % ggml_type_info(f).block_elems == 0 ? f : G::F16;
}

}  // namespace

GgmlType choose_tensor_type(const ModelArch& a, FileType f, const TensorInfo& t, int i_attn_v,
                            int n_attn_v) {
  G cur = default_type(f);
  if (!is_quantized(cur)) return cur;
  if (f == F::MXFP4_MOE && t.role == TensorRole::FfnExperts) return fallback_type(t, G::MXFP4);
  const std::string& n = t.name;
  if (n == "output.weight" || (a.tied_embeddings && n == "token_embd.weight")) {
    cur = output_type(t, f, cur);
  } else if (n == "token_embd.weight") {
    cur = token_embd_type(f, cur);
  } else if (is_ftype(f, {F::IQ2_XXS, F::IQ2_XS, F::IQ1_S, F::IQ2_S, F::IQ2_M, F::IQ1_M})) {
    cur = low_bit_type(a, f, n, t.layer, cur);
  } else if (has(n, "attn_v.weight")) {
    cur = attn_v_type(a, f, i_attn_v, n_attn_v, cur);
  } else if (has(n, "attn_k.weight")) {
    if (a.moe.experts == 8) cur = G::Q8_0;
    else if (f == F::IQ3_XS) cur = G::IQ3_XXS;
    else if (f == F::IQ3_XXS) cur = G::IQ2_S;
  } else if (has(n, "attn_q.weight")) {
    if (f == F::IQ3_XS) cur = G::IQ3_XXS;
    else if (f == F::IQ3_XXS) cur = G::IQ2_S;
  } else if (has(n, "ffn_down")) {
    cur = ffn_down_type(f, t.layer, a.n_layers, cur);
  } else if (has(n, "attn_output.weight")) {
    cur = attn_output_type(a, f, cur);
  } else if (has(n, "attn_qkv.weight")) {
    if (is_ftype(f, {F::Q3_K_M, F::Q3_K_L, F::IQ3_M})) cur = G::Q4_K;
    else if (f == F::Q4_K_M) cur = G::Q5_K;
    else if (f == F::Q5_K_M) cur = G::Q6_K;
  } else if ((has(n, "ffn_gate") || has(n, "ffn_up")) && f == F::IQ3_XS &&
             t.layer >= a.n_layers / 8 && t.layer < 7 * a.n_layers / 8) {
    cur = G::IQ3_XXS;
  }
  return fallback_type(t, cur);
}

std::vector<TensorInfo> derive_tensors(const ModelArch& a, FileType f) {
  std::vector<Shape> shapes = build_shapes(a);
  // llama-quantize counts attn_v, attn_qkv and attn_kv_b tensors as "attention V" for the
  // use_more_bits() schedule, but advances the index only on attn_v.
  int n_attn_v = 0;
  for (const auto& s : shapes)
    if (has(s.t.name, "attn_v.weight") || has(s.t.name, "attn_qkv.weight") ||
        has(s.t.name, "attn_kv_b.weight"))
      ++n_attn_v;
  const G base = default_type(f);
  std::vector<TensorInfo> out;
  out.reserve(shapes.size());
  int i_attn_v = 0;
  for (auto& s : shapes) {
    TensorInfo t = s.t;
    if (!s.quantizable) {
      t.type = G::F32;
    } else if (a.arch == "gpt-oss" && t.role == TensorRole::FfnExperts) {
      // gpt-oss ships its experts in MXFP4; llama.cpp's converter and quantizer keep them so
      // whatever the file type (unsloth's "F16" 20b file is 13.8 GB, its Q4_K_M 11.6 GB).
      t.type = G::MXFP4;
    } else if (!is_quantized(base)) {
      t.type = base;
    } else {
      t.type = choose_tensor_type(a, f, t, i_attn_v, n_attn_v);
    }
    if (has(t.name, "attn_v.weight")) ++i_attn_v;
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<TensorInfo> vision_tensors(const ModelArch& a) {
  if (a.vision_params <= 0) return {};
  TensorInfo t;
  t.name = "v.encoder (vision tower + projector)";
  t.ne = {static_cast<uint64_t>(a.vision_params), 1, 1, 1};
  t.type = GgmlType::F16;
  t.role = TensorRole::Vision;
  return {t};
}

uint64_t total_bytes(const std::vector<TensorInfo>& tensors) {
  uint64_t s = 0;
  for (const auto& t : tensors) s += t.bytes();
  return s;
}

uint64_t total_params(const std::vector<TensorInfo>& tensors) {
  uint64_t s = 0;
  for (const auto& t : tensors) s += t.elements();
  return s;
}

}  // namespace worthit
