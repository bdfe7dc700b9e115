// SPDX-License-Identifier: MIT
// One run of `worthit probe`: what was detected, what was measured, what the catalog says, and
// the system file it saves. Every figure keeps its kind: detected (read from the OS or driver),
// measured (timed here), catalog (data/devices). A source that was not available leaves its
// field empty and a note saying why; nothing is invented.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hw/catalog.h"
#include "probe/cpu_flops.h"
#include "probe/host.h"
#include "probe/membw.h"
#include "probe/nvml.h"

namespace worthit::probe {

/// One GPU: what NVML said, the catalog device it maps to, and what was measured on it.
struct GpuReport {
  GpuInfo info;                    ///< detected
  std::string catalog_id;          ///< "" when no catalog device fits
  std::string catalog_note;        ///< why not, when catalog_id is empty
  MeasuredGpu measured;            ///< measured (CUDA build only)
  std::vector<std::string> notes;  ///< measurements that failed
};

/// Everything one probe found.
struct ProbeReport {
  std::string date;  ///< RFC 3339 UTC: "2026-11-23T21:50:00Z"
  std::string hostname;
  std::string method;  ///< "worthit 0.1.0 probe --quick"
  bool quick = false;
  HostInfo host;
  std::optional<BandwidthResult> bandwidth;  ///< measured host read bandwidth
  std::optional<FlopsResult> flops;          ///< measured CPU FP32
  std::string driver_version;                ///< NVIDIA driver, when NVML loaded
  std::vector<GpuReport> gpus;
  std::vector<std::string> notes;  ///< "nvml: libnvidia-ml.so.1 not found ..."
};

/// Detects and measures this machine; `cat` maps GPU names to catalog ids. With `quick` the
/// measurements take about a second on a typical desktop (CPU FLOP/s 0.3 s, a 256 MiB buffer).
ProbeReport collect_probe(const HwCatalog& cat, bool quick);

/// "PCIe 4.0 x16" from NVML's maximum generation and width, "" when NVML did not say.
std::string pcie_link(const GpuInfo& g);

/// The system file for `--save`: [host] with catalog-style peak figures (the theoretical memory
/// bandwidth where SMBIOS gave speed and channels, else the measured figure, said so in a
/// comment), one [[gpu]] per catalog-mapped GPU with its `measured` table, and [measured].
/// Fails when the host memory size is unknown (the system format requires it).
Result<std::string> system_toml(const ProbeReport& r);

/// "38.1 GFLOP/s" below 1 TFLOP/s, else "1.23 TFLOP/s": the units parse_flop_rate accepts.
std::string flop_rate_text(FlopsPerSec f);

}  // namespace worthit::probe
