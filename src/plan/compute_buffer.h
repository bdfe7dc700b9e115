// SPDX-License-Identifier: MIT
// Size of the compute (graph) buffer llama.cpp reserves per device: the peak of the
// intermediate tensors of one micro-batch, measured by a worst-case graph reserve.
#pragma once

#include "core/units.h"
#include "model/arch.h"
#include "model/quant.h"

namespace worthit {

/// What one device computes for a micro-batch.
struct GraphSlice {
  int64_t n_tokens = 512;     ///< micro-batch (-ub), capped by the context
  int64_t kv_cells = 0;       ///< cells of a full-attention layer's KV cache
  int64_t swa_cells = 0;      ///< cells of a sliding-window layer's cache
  bool flash_attn = true;
  bool has_layers = false;    ///< any repeating layer runs here
  bool has_output = false;    ///< the output projection runs here (logits buffer)
  bool is_host = false;       ///< the CPU's compute buffer
  Bytes staged_weights;       ///< host-resident weights this GPU copies in per micro-batch
  GgmlType type_k = GgmlType::F16;
  GgmlType type_v = GgmlType::F16;
};

/// Bytes of the compute buffer for `s`.
Bytes compute_buffer_bytes(const ModelArch& a, const GraphSlice& s);

}  // namespace worthit
