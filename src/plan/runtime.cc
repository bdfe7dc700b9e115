// SPDX-License-Identifier: MIT
// Constants of llama.cpp and ollama with their sources; see docs/memory-accounting.md.
#include "plan/runtime.h"

#include <algorithm>
#include <set>

namespace worthit {

Bytes driver_context_bytes(Backend b) {
  switch (b) {
    // CUDA primary context + cuBLAS handle + ggml's VMM pool as nvidia-smi shows them for a
    // llama.cpp process: 107 MiB (34 SMs) to 555 MiB (188 SMs) measured (llama.cpp #23604);
    // 400 MiB for the 4090/5070 Ti class (docs/memory-accounting.md section 6).
    case Backend::Cuda: return mib(400);
    case Backend::Rocm: return mib(400);
    case Backend::Sycl: return mib(400);
    case Backend::Vulkan: return mib(256);
    case Backend::Metal: return mib(0);
    case Backend::Cpu: return mib(0);
  }
  return mib(0);
}

Bytes host_os_reserve(Bytes capacity) {
  // The OS and a desktop session: 2 GiB, or 1/16 of larger hosts.
  return std::max(std::min(gib(2), capacity * 0.5), capacity / 16.0);
}

Bytes unified_os_reserve(Bytes capacity) {
  // OS, display and the other programs share the pool: at least 4 GiB, or 1/8 of it.
  return std::max(gib(4), capacity / 8.0);
}

Bytes unified_gpu_usable(const Device& soc, Bytes capacity) {
  if (soc.backend == Backend::Metal) {
    // macOS recommendedMaxWorkingSetSize: about 2/3 of RAM up to 16 GiB, 3/4 up to 64 GiB,
    // 84% at 128 GiB (107.52 GiB measured on macOS 26) (docs/memory-accounting.md section 10).
    const double frac = capacity <= gib(16) ? 2.0 / 3.0 : capacity < gib(128) ? 0.75 : 0.84;
    return capacity * frac;
  }
  return capacity - unified_os_reserve(capacity);
}

int64_t default_context(Runtime r, const ModelArch& a, Bytes total_gpu_memory) {
  // llama-server and llama-cli default to -c 0: the model's trained context (which --fit
  // may then shrink, down to 4096).
  if (r == Runtime::LlamaCpp) return a.context_max > 0 ? a.context_max : 4096;
  int64_t ctx = 4096;
  {
    // ollama >= 0.15.5: 262144 tokens with >= 47 GiB of VRAM, 32768 with >= 23 GiB, else 4096.
    if (total_gpu_memory >= gib(47)) ctx = 262144;
    else if (total_gpu_memory >= gib(23)) ctx = 32768;
  }
  return a.context_max > 0 ? std::min(ctx, a.context_max) : ctx;
}

bool ollama_engine_arch(const std::string& arch) {
  // fs/ggml/ggml.go OllamaEngineRequired and FlashAttention() in ollama v0.16.2.
  static const std::set<std::string> kEngine = {"gemma3", "gpt-oss", "mistral3", "qwen3",
                                                "qwen3moe", "qwen3next", "deepseek2", "llama4"};
  return kEngine.count(arch) > 0;
}

int64_t padded_context(int64_t n_ctx) {
  // llama.cpp pads the KV cache size to a multiple of 256 (llama-context.cpp).
  return (n_ctx + 255) / 256 * 256;
}

}  // namespace worthit
