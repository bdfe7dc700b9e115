// SPDX-License-Identifier: MIT
// A model's tensor inventory: what every tensor is, its shape and type, and its byte size.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/quant.h"

namespace worthit {

/// What a tensor is for; drives placement (-ngl, -ot, --n-cpu-moe) and what decode reads.
enum class TensorRole {
  TokenEmbd,    ///< token_embd: a row lookup per token; lives on the CPU in llama.cpp
  Output,       ///< output projection (lm head)
  OutputNorm,   ///< final norm
  Attention,    ///< attn_q/k/v/o, MLA projections, linear-attention mixers
  Norm,         ///< per-layer norms, small vectors
  FfnDense,     ///< dense FFN of a layer
  FfnExperts,   ///< routed experts (ffn_*_exps): only experts_used/experts read per token
  FfnShared,    ///< shared experts (ffn_*_shexp) and the router (ffn_gate_inp)
  Vision,       ///< vision encoder/projector
  Other,
};

/// One tensor. `layer` is the block index, -1 for tensors outside the blocks.
struct TensorInfo {
  std::string name;                    ///< GGUF name, e.g. "blk.3.ffn_down_exps.weight"
  std::array<uint64_t, 4> ne{1, 1, 1, 1};  ///< dimensions, ne[0] fastest (row length)
  GgmlType type = GgmlType::F32;
  int layer = -1;
  TensorRole role = TensorRole::Other;
  uint64_t offset = 0;  ///< data offset within the data section (GGUF only)

  uint64_t elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  /// Bytes of the tensor data: rows x row bytes.
  uint64_t bytes() const;
};

/// Classifies a GGUF tensor name into a role and layer index ("blk.12.attn_q.weight").
void classify_tensor(TensorInfo& t);

}  // namespace worthit
