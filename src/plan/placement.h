// SPDX-License-Identifier: MIT
// Internal to plan/: the pieces fit() is built from. Not part of the public API.
#pragma once

#include <regex>
#include <vector>

#include "plan/fit.h"

namespace worthit::detail {

/// The pools of a system in llama.cpp's device order.
struct Layout {
  std::vector<PoolUse> pools;
  std::vector<int> gpus;  ///< pool index of each GPU device, in device order
  std::vector<Backend> gpu_backend;
  int cpu = -1;           ///< pool that holds CPU buffers (host, or the unified pool)
  bool cpu_is_unified = false;
  std::vector<DeviceSlot> slots;  ///< GPUs, then the CPU
};

Layout build_layout(const System& sys);

/// Settings after the runtime's defaults are applied.
struct Resolved {
  int64_t n_ctx = 0;
  int n_seq = 1;
  bool fa = true;
  GgmlType type_k = GgmlType::F16;
  GgmlType type_v = GgmlType::F16;
  int64_t kv_cells = 0, swa_cells = 0, n_tokens = 0;
};

/// Where layers and experts go.
struct Plan {
  int ngl = 0;
  std::vector<double> split;        ///< per GPU
  bool output_first = true;         ///< llama.cpp >= Dec 2025: -ngl counts the output first
  std::vector<char> experts_on_cpu;  ///< per layer (from --n-cpu-moe or --fit)
};

/// One -ot rule with its target: a GPU index, or the CPU (index = number of GPUs).
struct CompiledOverride {
  std::regex re;
  int slot;
};

/// Pool index of each repeating layer, then the output layer.
std::vector<int> assign_layers(const Layout& L, int n_layer, const Plan& plan);

/// Places every tensor and buffer for one plan and judges whether it fits.
FitResult place(const Layout& L, const ModelArch& a, const std::vector<TensorInfo>& tensors,
                const FitOptions& o, const Resolved& r, const Plan& plan,
                const std::vector<CompiledOverride>& ov);

/// Free memory llama.cpp sees on GPU `g` before loading (usable minus the driver context).
Bytes gpu_free(const Layout& L, size_t g);

/// Bytes of one layer's cache or recurrent state.
double layer_state_bytes(const ModelArch& a, AttentionKind kind, int64_t cells, int n_seq,
                         GgmlType tk, GgmlType tv);

/// llama.cpp --fit: a plan that keeps `margin` free on every GPU, or nullopt when even the
/// dense part of the model cannot be held.
std::optional<Plan> auto_fit_llama(const Layout& L, const ModelArch& a,
                                   const std::vector<TensorInfo>& tensors, const FitOptions& o,
                                   const Resolved& r);

}  // namespace worthit::detail
