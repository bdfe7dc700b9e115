// SPDX-License-Identifier: MIT
// NVIDIA Management Library, loaded at run time with dlopen("libnvidia-ml.so.1"): worthit has no
// link-time dependency on the driver, and a machine without one gets a clean error, not a crash.
// Only the few entry points worthit reads are resolved; their types are declared in nvml.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/units.h"

namespace worthit::probe {

/// Static description of one GPU as NVML reports it.
struct GpuInfo {
  int index = 0;                 ///< NVML device index
  std::string name;              ///< "NVIDIA GeForce RTX 4090"
  Bytes memory_total;            ///< framebuffer size
  Bytes memory_used;             ///< in use at the time of the call, all processes
  /// PCIe link; 0 where NVML could not say (some boards, virtual GPUs).
  int pcie_gen_current = 0;
  int pcie_gen_max = 0;
  int pcie_width_current = 0;   ///< lanes
  int pcie_width_max = 0;
};

/// GPU memory one process holds on one device.
struct ProcessMemory {
  int64_t pid = 0;
  /// Bytes used; empty where NVML cannot say (it reports NVML_VALUE_NOT_AVAILABLE, e.g. under
  /// WDDM or for a process in another container).
  std::optional<int64_t> used_bytes;
};

/// A loaded NVML. Copies share one library handle; nvmlShutdown and dlclose run when the last
/// copy goes. Every call is thread-safe (NVML's own guarantee), so a PowerSampler can share it.
class Nvml {
 public:
  /// Loads libnvidia-ml.so.1 and calls nvmlInit_v2. Fails with
  /// "libnvidia-ml.so.1 not found (no NVIDIA driver)" when the library is absent, or with
  /// NVML's own error string when initialisation fails (driver/library mismatch, no devices).
  static Result<Nvml> load();
  /// As load(), with another library path or name; tests use it with a path that does not exist.
  static Result<Nvml> load(const std::string& library);

  /// Number of GPUs NVML sees (0 when the call fails).
  int device_count() const;
  /// The driver version string ("550.54.14").
  Result<std::string> driver_version() const;
  /// Name, memory and PCIe link of device `i`; PCIe fields the device does not report are 0.
  Result<GpuInfo> info(int i) const;
  /// Current board power draw in watts (NVML reports milliwatts).
  Result<double> power_w(int i) const;
  /// Energy consumed since the driver was loaded, in joules (NVML reports millijoules);
  /// Volta and newer only: older boards give NVML's "Not Supported".
  Result<double> energy_j(int i) const;
  /// Framebuffer memory in use on device `i`, all processes, in bytes.
  Result<int64_t> memory_used_bytes(int i) const;
  /// Compute processes on device `i` with the memory each holds.
  Result<std::vector<ProcessMemory>> processes(int i) const;

  struct Lib;  ///< the dlopen handle and the resolved entry points (nvml.cc)

 private:
  explicit Nvml(std::shared_ptr<const Lib> lib) : lib_(std::move(lib)) {}
  std::shared_ptr<const Lib> lib_;
};

}  // namespace worthit::probe
