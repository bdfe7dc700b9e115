// SPDX-License-Identifier: MIT
// Runtime constants of llama.cpp and ollama used by the memory accounting. Each has a
// physical meaning and a source; see docs/memory-accounting.md.
#pragma once

#include "core/units.h"
#include "hw/device.h"
#include "plan/fit.h"

namespace worthit {

/// Memory a GPU process holds before any buffer: CUDA/ROCm context, cuBLAS workspace, as
/// nvidia-smi reports it per process.
Bytes driver_context_bytes(Backend b);

/// Host memory kept free for the OS and other programs when judging whether host buffers fit.
Bytes host_os_reserve(Bytes capacity);

/// Memory of a unified-memory device kept for the OS, display and page cache.
Bytes unified_os_reserve(Bytes capacity);

/// Memory the GPU of a unified-memory device may use: Apple's Metal working-set limit
/// (recommendedMaxWorkingSetSize), or the whole pool minus the OS reserve elsewhere.
Bytes unified_gpu_usable(const Device& soc, Bytes capacity);

/// The runtime's default context when the user gives none.
/// The runtime's default context when the user gives none. `total_gpu_memory` is what the
/// runtime counts as VRAM (for ollama's tiers).
int64_t default_context(Runtime r, const ModelArch& a, Bytes total_gpu_memory);

/// Whether ollama (v0.16) runs this architecture on its Go engine (true) or on its vendored
/// llama.cpp runner (false); the runner ignores a quantized KV type without
/// OLLAMA_FLASH_ATTENTION=1.
bool ollama_engine_arch(const std::string& arch);

/// KV cache cells llama.cpp allocates for a requested context: rounded up to its padding.
int64_t padded_context(int64_t n_ctx);

/// Smallest batch for which llama.cpp copies host-resident weights to the GPU instead of
/// computing on the CPU (ggml backend scheduler's op-offload threshold).
constexpr int kOpOffloadMinBatch = 32;

}  // namespace worthit
