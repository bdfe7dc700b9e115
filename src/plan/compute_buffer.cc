// SPDX-License-Identifier: MIT
// ggml's graph allocator reuses memory between ops, so the buffer is the peak of the live
// tensors, not their sum. The peak is one of: the attention scores (without flash attention
// an F32 KQ matrix of kv_cells x tokens x heads), the FFN activations, or the logits
// (tokens x vocab x F32) on the device that holds the output layer; plus the residual stream
// kept alive across the graph. See docs/memory-accounting.md.
#include "plan/compute_buffer.h"

#include <algorithm>

namespace worthit {
namespace {

constexpr double kF32 = 4.0;

/// Live residual-stream tensors kept across the graph (inp, cur, norms): a few hidden-wide rows.
constexpr double kResidualCopies = 4.0;

double attention_peak(const ModelArch& a, const GraphSlice& s) {
  const double t = static_cast<double>(s.n_tokens);
  const double heads = a.n_heads;
  const int64_t cells = std::max(s.kv_cells, s.swa_cells);
  if (!s.flash_attn) {
    // KQ and its softmax are F32 [cells, tokens, heads]; the allocator overlaps them.
    return static_cast<double>(cells) * t * heads * kF32;
  }
  // Flash attention keeps only Q, the output and, for quantized caches, an F16 copy of the
  // K/V views being read.
  double out = t * heads * a.head_dim * kF32 * 2;
  if (s.type_k != GgmlType::F16 || s.type_v != GgmlType::F16)
    out += static_cast<double>(cells) * a.n_kv_heads * (a.head_dim + a.v_dim()) * 2.0;
  return out;
}

double ffn_peak(const ModelArch& a, const GraphSlice& s) {
  const double t = static_cast<double>(s.n_tokens);
  double width = static_cast<double>(a.ffn);
  if (a.is_moe()) {
    // Routed experts: each token's chosen experts produce gate/up activations.
    double moe = static_cast<double>(a.moe.experts_used) * a.moe.expert_ffn;
    if (a.moe.shared_experts > 0)
      moe += static_cast<double>(a.moe.shared_experts) *
             (a.moe.shared_ffn > 0 ? a.moe.shared_ffn : a.moe.expert_ffn);
    width = std::max(width, moe);
  }
  // gate, up and the activated product live at once.
  return t * width * kF32 * 3;
}

}  // namespace

Bytes compute_buffer_bytes(const ModelArch& a, const GraphSlice& s) {
  const double t = static_cast<double>(s.n_tokens);
  double peak = 0;
  if (s.has_layers) peak = std::max(attention_peak(a, s), ffn_peak(a, s));
  if (s.has_output) peak = std::max(peak, t * static_cast<double>(a.vocab) * kF32);
  double residual = (s.has_layers || s.has_output) ? t * a.hidden * kF32 * kResidualCopies : 0;
  return Bytes{peak + residual} + s.staged_weights;
}

}  // namespace worthit
