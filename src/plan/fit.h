// SPDX-License-Identifier: MIT
// Memory accounting and placement: where every byte of a model goes under llama.cpp's (or
// ollama's) rules, per memory pool, and whether it fits. Pure: no I/O, no clock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/units.h"
#include "hw/device.h"
#include "model/arch.h"
#include "model/quant.h"
#include "model/tensor.h"

namespace worthit {

enum class Runtime { LlamaCpp, Ollama };
enum class FlashAttn { Auto, On, Off };

const char* runtime_name(Runtime r);

/// One `-ot REGEX=DEVICE` rule. Device names as llama.cpp prints them ("CPU", "CUDA0").
struct TensorOverride {
  std::string pattern;
  std::string device;
};

/// Settings with llama.cpp's flag names. A negative or empty value means "the runtime's default".
struct FitOptions {
  Runtime runtime = Runtime::LlamaCpp;
  int64_t n_ctx = -1;             ///< -c; 0 = the model's trained context; -1 = runtime default
  int n_gpu_layers = -1;          ///< -ngl; -1 = runtime default (all that fit / all)
  std::vector<double> tensor_split;  ///< -ts; empty = proportional to free memory
  std::vector<TensorOverride> overrides;  ///< -ot, first match wins
  int n_cpu_moe = 0;              ///< --n-cpu-moe: experts of the first N layers on the CPU
  GgmlType type_k = GgmlType::F16;  ///< -ctk
  GgmlType type_v = GgmlType::F16;  ///< -ctv
  int n_parallel = -1;            ///< -np; -1 = runtime default (1)
  int n_batch = 2048;             ///< -b
  int n_ubatch = 512;             ///< -ub
  FlashAttn flash_attn = FlashAttn::Auto;  ///< -fa
  bool kv_offload = true;         ///< false with -nkvo: KV cache stays in host memory
  bool include_vision = false;    ///< load the vision tower (ollama packs it in the model)
  /// llama.cpp --fit (on by default since Dec 2025): when -ngl, -ts, -ot and --n-cpu-moe are
  /// all unset and the default placement does not fit, choose layers per GPU and which
  /// experts overflow to the CPU so each GPU keeps `fit_margin` free.
  bool fit_auto = true;
  Bytes fit_margin = mib(1024);   ///< -fitt: free memory --fit keeps per device
  /// ollama: OLLAMA_FLASH_ATTENTION=1 set explicitly (its llama.cpp runner ignores a
  /// quantized OLLAMA_KV_CACHE_TYPE without it). Set by `-fa on` with --runtime ollama.
  bool ollama_fa_explicit = false;
};

/// Bytes placed in one memory pool.
struct PoolUse {
  std::string id;           ///< llama.cpp's device name: "CUDA0", "Metal", "CPU"
  std::string kind;         ///< "vram", "host" or "unified"
  std::string device_name;  ///< "NVIDIA GeForce RTX 4090", "AMD Ryzen 7 5800X3D"
  int node = 0;             ///< which machine of a multi-node system
  Bytes capacity;           ///< total memory of the pool
  Bytes usable;             ///< what the runtime may use (capacity minus the OS reserve)
  Bytes gpu_usable;         ///< unified pools: what the GPU may hold (Metal working set)
  Bytes gpu_used;           ///< unified pools: the part of `used` held by the GPU
  BytesPerSec bandwidth;    ///< theoretical peak
  Bytes weights;            ///< model tensors
  Bytes kv;                 ///< KV cache and recurrent state
  Bytes compute;            ///< compute (graph) buffers
  Bytes other;              ///< driver/context reserve, output buffer, staging buffers
  int layers = 0;           ///< repeating layers assigned to this pool (their attention)
  int expert_layers = 0;    ///< layers whose routed experts live here

  Bytes used() const { return weights + kv + compute + other; }
};

/// A compute device as the performance model sees it: a GPU, or the CPU (last).
struct DeviceSlot {
  std::string id;            ///< "CUDA0", "Metal", "CPU"
  bool is_gpu = false;
  int pool = 0;              ///< index into FitResult::pools of the memory it reads
  Backend backend = Backend::Cpu;
  BytesPerSec bandwidth;     ///< its memory's theoretical bandwidth
  FlopsPerSec peak;          ///< dense peak for matrix work (GPU: FP16 tensor; CPU: FP32)
  FlopsPerSec fp32;          ///< non-tensor FP32 peak (GPU: a proxy for SM count x clock)
  bool native_fp8 = false, native_fp4 = false;
  BytesPerSec host_link;     ///< GPU: PCIe to the host (0 for unified memory)
  int node = 0;
  PowerSpec power;           ///< the device's draw (GPU board, or whole SoC); CPU slot: the host's
};

/// The answer of `fit`.
struct FitResult {
  bool fits = false;
  std::string reason;              ///< when !fits: the pool and the shortfall
  std::vector<PoolUse> pools;
  Runtime runtime = Runtime::LlamaCpp;
  int64_t n_ctx = 0;               ///< effective context (after defaults and padding)
  int64_t kv_cells = 0;            ///< cells of a full-attention layer's cache
  int n_parallel = 1;
  int n_gpu_layers = 0;            ///< as llama.cpp counts them (output layer included)
  int n_layers_total = 0;          ///< n_layer + 1
  bool flash_attn = false;
  Bytes model_bytes;               ///< all tensors
  std::vector<std::string> layer_pool;  ///< pool id of each repeating layer, then output
  std::vector<std::string> expert_pool;  ///< pool id of each layer's routed experts (MoE)
  GgmlType cache_type_k = GgmlType::F16;  ///< KV types in effect (after runtime rules)
  GgmlType cache_type_v = GgmlType::F16;
  std::vector<DeviceSlot> slots;         ///< GPUs in device order, then the CPU
  std::vector<int> tensor_slot;          ///< slot of each tensor, in the order given to fit()
  std::vector<int> layer_slot;           ///< slot of each repeating layer, then the output
  std::vector<int> kv_slot;              ///< slot holding each layer's KV cache
  std::string llama_args;          ///< the placement as llama.cpp arguments
  std::vector<std::string> notes;  ///< defaults applied, caveats
};

/// Places `tensors` of `arch` on `system` under `opts`. Never fails for "does not fit": that is
/// a result. Fails only for inconsistent options (an -ot device that does not exist, a -ts
/// with the wrong number of entries), with a message naming the flag.
Result<FitResult> fit(const System& system, const ModelArch& arch,
                      const std::vector<TensorInfo>& tensors, const FitOptions& opts);

/// The memory pools of a system as llama.cpp sees them (GPUs in device order, then the
/// host), with nothing placed yet.
std::vector<PoolUse> system_pools(const System& system);

/// Reads llama.cpp / llama-bench style flags ("-ngl 99 -fa 1 -ub 2048 -ctk q8_0 ...") into
/// `base`. Flags that do not change memory or placement (-p, -n, -r, -mmp, -dio, -t, -o) are
/// accepted and ignored; an unknown flag is an error naming it.
Result<FitOptions> parse_runtime_args(const std::vector<std::string>& args, FitOptions base);

/// KV cache bytes per token of context for one full-attention layer (K + V).
Bytes kv_bytes_per_token_layer(const ModelArch& a, GgmlType type_k, GgmlType type_v);

}  // namespace worthit
