// SPDX-License-Identifier: MIT
// GPU telemetry over a timed window: power sampled on a background thread (10 Hz or more), the
// energy counter difference, and peak memory in use. `worthit bench` wraps each request in
// start()/stop(); a source that cannot be read leaves its field empty and says why in `notes`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "probe/nvml.h"

namespace worthit::probe {

/// What the sampler reads: totals over every GPU it watches. An I/O seam, so tests use a fake.
class GpuTelemetrySource {
 public:
  virtual ~GpuTelemetrySource() = default;
  /// Sum of the board power of the watched GPUs, watts.
  virtual Result<double> power_w() = 0;
  /// Sum of the energy counters, joules (monotonic; only differences are meaningful).
  virtual Result<double> energy_j() = 0;
  /// Sum of framebuffer memory in use, bytes.
  virtual Result<int64_t> memory_used_bytes() = 0;
};

/// Every GPU an Nvml sees, summed.
class NvmlTelemetrySource : public GpuTelemetrySource {
 public:
  /// Watches all devices of `nvml`.
  explicit NvmlTelemetrySource(Nvml nvml) : nvml_(std::move(nvml)) {}
  Result<double> power_w() override;
  Result<double> energy_j() override;
  Result<int64_t> memory_used_bytes() override;

 private:
  Nvml nvml_;
};

/// One power reading.
struct PowerSample {
  double t_s = 0;      ///< seconds since start()
  double power_w = 0;  ///< total over the watched GPUs
};

/// The summary of one window. Empty fields were not readable; `notes` says why.
struct PowerSummary {
  double duration_s = 0;                  ///< wall time between start() and stop()
  int64_t samples = 0;                    ///< number of successful power readings
  std::optional<double> power_avg_w;      ///< mean of the readings
  std::optional<double> power_max_w;
  std::optional<double> energy_j;         ///< energy counter difference over the window
  std::optional<int64_t> memory_used_max_bytes;  ///< peak of the memory readings
  std::vector<PowerSample> raw;           ///< every reading, in order
  std::vector<std::string> notes;         ///< "power: nvmlDeviceGetPowerUsage: Not Supported"
};

/// Samples a GpuTelemetrySource between start() and stop() on its own thread.
class PowerSampler {
 public:
  /// `period` between readings; the default (50 ms) gives 20 Hz.
  explicit PowerSampler(std::shared_ptr<GpuTelemetrySource> source,
                        std::chrono::milliseconds period = std::chrono::milliseconds(50));
  PowerSampler(const PowerSampler&) = delete;
  PowerSampler& operator=(const PowerSampler&) = delete;
  /// Stops the thread if it still runs.
  ~PowerSampler();

  /// Reads the energy counter and starts sampling; a second start() without stop() fails.
  Status start();
  /// Stops sampling and summarises the window (an empty summary when start() was not called).
  PowerSummary stop();

 private:
  void loop();
  void sample_once();

  std::shared_ptr<GpuTelemetrySource> source_;
  std::chrono::milliseconds period_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;
  std::chrono::steady_clock::time_point t0_;
  std::optional<double> energy0_j_;
  PowerSummary acc_;  // guarded by mu_ while the thread runs
};

}  // namespace worthit::probe
