// SPDX-License-Identifier: MIT
// Device telemetry over each timed window of `worthit bench`: GPU power (NVML, sampled at 20 Hz
// on its own thread), the GPU energy counter difference, peak GPU memory in use, and CPU package
// energy (RAPL). Built on src/probe/ (NVML through dlopen, no link-time driver dependency).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/runner.h"

namespace worthit::probe {
class PowerSampler;
struct RaplReading;
}  // namespace worthit::probe

namespace worthit::bench {

/// NVML + RAPL telemetry. Sources that cannot be read are named in the notes once and their
/// fields stay empty.
class DeviceTelemetry : public TelemetryWindow {
 public:
  /// Opens what this machine offers; returns null (with notes saying why) when neither NVML nor
  /// RAPL is readable.
  static std::unique_ptr<DeviceTelemetry> open(std::vector<std::string>& notes);
  ~DeviceTelemetry() override;

  void begin() override;
  measure::Telemetry end(std::vector<std::string>& notes) override;

 private:
  DeviceTelemetry() = default;
  std::unique_ptr<probe::PowerSampler> sampler_;  ///< null without NVML
  bool rapl_ = false;                             ///< RAPL was readable at open()
  std::vector<probe::RaplReading> rapl_begin_;
  bool rapl_begun_ = false;
  std::vector<std::string> noted_;  ///< notes already given
};

}  // namespace worthit::bench
