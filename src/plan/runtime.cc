// SPDX-License-Identifier: MIT
#include "plan/runtime.h"

#include <algorithm>

namespace worthit {

Bytes driver_context_bytes(Backend b) {
  switch (b) {
    // CUDA context + cuBLAS handles as nvidia-smi shows them for a llama.cpp process
    // (docs/memory-accounting.md, "driver context").
    case Backend::Cuda: return mib(500);
    case Backend::Rocm: return mib(500);
    case Backend::Vulkan: return mib(256);
    case Backend::Sycl: return mib(500);
    case Backend::Metal: return mib(0);
    case Backend::Cpu: return mib(0);
  }
  return mib(0);
}

Bytes host_os_reserve(Bytes capacity) {
  // The OS and a desktop session: 2 GiB, or 10% of small hosts.
  return std::min(gib(2), capacity * 0.1);
}

Bytes unified_gpu_usable(const Device& soc, Bytes capacity) {
  if (soc.backend == Backend::Metal) {
    // macOS caps GPU-wired memory (recommendedMaxWorkingSetSize): about 2/3 of RAM up to
    // 36 GiB and 3/4 above (docs/memory-accounting.md, "Apple working set").
    return capacity * (capacity <= gib(36) ? 2.0 / 3.0 : 0.75);
  }
  return capacity - host_os_reserve(capacity);
}

int64_t default_context(Runtime r, const ModelArch& a, Bytes largest_gpu_vram) {
  (void)largest_gpu_vram;
  if (r == Runtime::Ollama) return std::min<int64_t>(4096, a.context_max > 0 ? a.context_max : 4096);
  // llama.cpp: -c 0 loads the model's trained context; the tools' default is 4096.
  return std::min<int64_t>(4096, a.context_max > 0 ? a.context_max : 4096);
}

int64_t padded_context(int64_t n_ctx) {
  // llama.cpp pads the KV cache size to a multiple of 256.
  return (n_ctx + 255) / 256 * 256;
}

}  // namespace worthit
