// SPDX-License-Identifier: MIT
#include "model/arch.h"

namespace worthit {

bool ModelArch::layer_is_moe(int il) const {
  if (moe.experts <= 0 || il < moe.first_dense_layers) return false;
  int step = moe.interleave > 0 ? moe.interleave : 1;
  // Llama 4 Maverick: MoE on every `interleave`-th layer, counted from 1.
  return (il + 1) % step == 0;
}

AttentionKind ModelArch::layer_attention(int il) const {
  if (linear.full_attention_interval > 0) {
    return (il + 1) % linear.full_attention_interval == 0 ? AttentionKind::Full
                                                          : AttentionKind::Linear;
  }
  if (sliding_window <= 0) return AttentionKind::Full;
  if (swa_period <= 0) return AttentionKind::Sliding;
  return (il + 1) % swa_period == 0 ? AttentionKind::Full : AttentionKind::Sliding;
}

}  // namespace worthit
