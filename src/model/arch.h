// SPDX-License-Identifier: MIT
// The architecture of a transformer language model, as data: what the catalog TOML files and
// GGUF metadata describe. Sizes are element counts, never bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace worthit {

/// How one layer attends: a full KV cache, a sliding-window (or chunked) cache, or a
/// linear/recurrent mixer with a fixed-size state and no KV cache.
enum class AttentionKind { Full, Sliding, Linear };

/// Mixture-of-experts settings. `experts == 0` means a dense model.
struct MoeSpec {
  int experts = 0;             ///< routed experts per MoE layer
  int experts_used = 0;        ///< routed experts chosen per token
  int shared_experts = 0;      ///< always-active shared experts per MoE layer
  int64_t expert_ffn = 0;      ///< intermediate size of one routed expert
  int64_t shared_ffn = 0;      ///< intermediate size of one shared expert (0: = expert_ffn)
  int first_dense_layers = 0;  ///< leading layers with a dense FFN (DeepSeek first_k_dense)
  int interleave = 1;          ///< every `interleave`-th layer is MoE (Llama 4 Maverick: 2)
};

/// Multi-head latent attention (DeepSeek V2/V3). All zero when not used.
struct MlaSpec {
  int q_lora_rank = 0;   ///< 0: queries are not compressed
  int kv_lora_rank = 0;  ///< latent size cached per token
  int qk_rope_dim = 0;   ///< decoupled RoPE key size, cached per token
  int qk_nope_dim = 0;
  int v_head_dim = 0;
};

/// Linear-attention (Gated DeltaNet / SSM) layers of a hybrid model.
struct LinearSpec {
  int full_attention_interval = 0;  ///< every N-th layer is full attention, others linear
  int heads_qk = 0;                 ///< linear-attention key/query heads
  int heads_v = 0;                  ///< linear-attention value heads
  int head_dim_qk = 0;
  int head_dim_v = 0;
  int conv_kernel = 0;  ///< short convolution width (its state holds kernel-1 columns)
};

/// A model architecture. Built from a catalog TOML file, a GGUF header or a HF config.json.
struct ModelArch {
  std::string id;                    ///< catalog id, kebab-case ("llama-3.1-8b")
  std::string name;                  ///< display name
  std::vector<std::string> aliases;  ///< other ids that resolve here
  std::string arch;    ///< GGUF general.architecture ("llama", "qwen3moe", "gpt-oss", ...)
  std::string source;  ///< where the numbers come from (URL or citation)

  int n_layers = 0;         ///< transformer blocks (not counting embeddings/output)
  int64_t hidden = 0;       ///< model (embedding) width
  int n_heads = 0;          ///< query heads
  int n_kv_heads = 0;       ///< key/value heads (GQA); = n_heads for MHA
  int head_dim = 0;         ///< size of one attention head (K and Q)
  int head_dim_v = 0;       ///< size of one V head; 0: = head_dim
  int64_t ffn = 0;          ///< dense FFN intermediate size (dense layers)
  bool ffn_gated = true;    ///< gate+up+down (SwiGLU/GeGLU); false: up+down only
  int64_t vocab = 0;        ///< vocabulary size
  int64_t context_max = 0;  ///< trained context length in tokens
  bool tied_embeddings = false;  ///< output projection shares token_embd
  bool attn_bias = false;        ///< q/k/v (and o) projections carry biases
  bool parallel_block = false;   ///< attention and FFN in parallel (phi-2); no weight change

  int64_t sliding_window = 0;  ///< tokens kept by sliding/chunked layers; 0: none
  /// Sliding-window pattern: layer i is full attention when (i + 1) % swa_period == 0,
  /// sliding otherwise. 0 with sliding_window > 0 means every layer slides; 0 and no
  /// window means every layer is full.
  int swa_period = 0;

  MoeSpec moe;
  MlaSpec mla;
  LinearSpec linear;

  int64_t vision_params = 0;  ///< vision encoder + projector parameters (0: text only)
  double params_total_b = 0;  ///< published total parameters in billions (for checks)
  double params_active_b = 0;  ///< published active parameters in billions (MoE)

  bool is_moe() const { return moe.experts > 0; }
  /// Whether layer `il` has routed experts.
  bool layer_is_moe(int il) const;
  /// Attention kind of layer `il`.
  AttentionKind layer_attention(int il) const;
  /// V head size (head_dim_v or head_dim).
  int v_dim() const { return head_dim_v > 0 ? head_dim_v : head_dim; }
};

}  // namespace worthit
