// SPDX-License-Identifier: MIT
// Hardware as data: devices (a GPU, a unified-memory SoC), hosts, and systems composed of them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/units.h"

namespace worthit {

/// The software backend a device runs llama.cpp with; it names the device ("CUDA0", "Metal").
enum class Backend { Cuda, Rocm, Metal, Vulkan, Sycl, Cpu };

/// llama.cpp's device-name prefix for a backend: "CUDA", "ROCm", "Metal", "Vulkan", "SYCL", "CPU".
const char* backend_prefix(Backend b);
/// "cuda", "rocm", ... as written in catalogs and flags.
const char* backend_name(Backend b);

/// Peak dense (no 2:4 sparsity) throughput. A zero value means "not confirmed".
struct ComputeSpec {
  FlopsPerSec fp32;               ///< non-tensor FP32
  FlopsPerSec fp16_tensor;        ///< FP16/BF16 tensor, FP32 accumulate (what cuBLAS uses)
  FlopsPerSec fp16_tensor_fp16acc;  ///< FP16 tensor, FP16 accumulate (GeForce: 2x the above)
  FlopsPerSec fp8_tensor;         ///< FP8 tensor (FP16 accumulate on GeForce)
  FlopsPerSec fp4_tensor;         ///< FP4 tensor
  FlopsPerSec int8_tensor;        ///< INT8 tensor (TOPS)
  bool native_fp8 = false;        ///< hardware FP8 matrix units
  bool native_fp4 = false;        ///< hardware FP4 matrix units
};

/// Power draw. `scope` says what was measured: "board" (GPU only), "wall" (whole device),
/// "module" (SoC module), "package" (CPU package).
struct PowerSpec {
  Watts idle;  ///< 0: not known
  Watts max;   ///< TDP/TGP or power-supply rating; 0: not known
  std::string scope;
};

/// One price observation.
struct Price {
  double amount = 0;
  std::string currency;  ///< ISO 4217: "USD", "EUR"
  std::string date;      ///< "2026-02" or "2026-02-15"
  std::string kind;      ///< "launch", "street", "used", "rental_per_hour"
  std::string source;
};

/// A catalog device: a discrete GPU/accelerator (own VRAM) or a unified-memory SoC.
struct Device {
  std::string id;
  std::string name;
  std::string vendor;
  std::string kind;  ///< "gpu" (discrete, own VRAM) or "soc" (one unified pool with the CPU)
  std::string architecture;
  std::string compute_capability;  ///< CUDA "8.9" etc.; empty elsewhere
  Backend backend = Backend::Cuda;
  std::vector<std::string> aliases;
  std::vector<std::string> sources;

  Bytes memory_capacity;           ///< total memory (GiB-based for chips)
  std::vector<Bytes> memory_options;  ///< other configurations sold (Apple, Strix Halo)
  BytesPerSec memory_bandwidth;    ///< theoretical peak, decimal
  std::string memory_type;

  ComputeSpec compute;
  PowerSpec power;
  std::vector<Price> prices;

  std::string host_link;           ///< "PCIe 4.0 x16" (discrete) or "" (SoC)
  BytesPerSec host_link_bandwidth;  ///< per direction
  std::string interconnect;        ///< NVLink, C2C, network ports, as text

  // SoC only: the CPU sharing the unified pool.
  std::string cpu_name;
  int cpu_cores = 0;
  FlopsPerSec cpu_fp32;

  bool is_unified() const { return kind == "soc"; }
};

/// The host of a desktop/server: CPU and system DRAM.
struct HostSpec {
  std::string cpu;
  int cores = 0;
  int threads = 0;
  Bytes memory_capacity;
  BytesPerSec memory_bandwidth;  ///< theoretical: MT/s x 8 bytes x channels
  std::string memory_type;       ///< "DDR4-3200"
  int channels = 0;
  FlopsPerSec cpu_fp32;          ///< peak FP32 of all cores (0: unknown)
  PowerSpec power;               ///< rest of the system (CPU, board, fans), without GPUs
  std::string source;
};

/// What `worthit probe` measured on one GPU of a real machine (a system file's
/// `[[gpu]] measured = {...}`). Empty fields were not measured.
struct MeasuredGpu {
  std::optional<BytesPerSec> memory_bandwidth;  ///< gpu_bandwidth: copy kernel, read + write
  std::optional<BytesPerSec> h2d_bandwidth;     ///< pinned host-to-device copies
  std::optional<BytesPerSec> d2h_bandwidth;     ///< pinned device-to-host copies
  std::optional<FlopsPerSec> fp16;              ///< gpu_fp16: cuBLAS FP16 GEMM, FP32 accumulate
  std::optional<FlopsPerSec> fp32;              ///< gpu_fp32: cuBLAS SGEMM
};

/// What `worthit probe` measured on the host of a real machine (a system file's `[measured]`).
struct MeasuredHost {
  std::string date;    ///< RFC 3339 UTC time of the measurement: "2026-11-23T10:00:00Z"
  std::string method;  ///< how: "worthit 0.1.0 probe --quick"
  std::optional<BytesPerSec> memory_bandwidth;  ///< host_bandwidth: all-thread read bandwidth
  std::optional<FlopsPerSec> cpu_fp32;          ///< all-thread FMA throughput
};

/// A GPU placed in a host, with the link it sits on.
struct GpuSlot {
  Device device;
  std::string link = "PCIe 4.0 x16";
  BytesPerSec link_bandwidth;  ///< per direction, theoretical
  std::optional<MeasuredGpu> measured;  ///< figures measured on this very GPU, when known
};

/// One machine: either a host with zero or more discrete GPUs, or a unified-memory SoC.
struct Node {
  std::optional<HostSpec> host;  ///< set for hosts with discrete GPUs (or CPU-only)
  std::vector<GpuSlot> gpus;
  std::optional<Device> soc;     ///< set for unified-memory devices
  /// Memory the GPU of a SoC may use (Apple's working-set limit); 0: all of it.
  Bytes gpu_usable;
};

/// A system: one node, or several joined by a network link (two DGX Sparks).
struct System {
  std::string id;
  std::string name;
  std::string source;
  std::vector<std::string> aliases;
  std::vector<Node> nodes;
  std::string node_link;             ///< "200GbE" between nodes
  BytesPerSec node_link_bandwidth;   ///< per direction
  std::vector<Price> prices;         ///< price of the whole system when known
  std::optional<MeasuredHost> measured;  ///< figures measured on this machine, when known
  std::optional<BytesPerSec> storage_read;  ///< sequential read of the drive models load from
  std::string storage_source;               ///< where storage_read comes from
};

/// Theoretical per-direction bandwidth of a PCIe link, "PCIe 4.0 x16" -> 31.5 GB/s.
Result<BytesPerSec> pcie_bandwidth(const std::string& link);

}  // namespace worthit
