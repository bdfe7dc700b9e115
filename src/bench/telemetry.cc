// SPDX-License-Identifier: MIT
#include "bench/telemetry.h"

#include <algorithm>

#include "probe/nvml.h"
#include "probe/power_sampler.h"
#include "probe/rapl.h"

namespace worthit::bench {

std::unique_ptr<DeviceTelemetry> DeviceTelemetry::open(std::vector<std::string>& notes) {
  std::unique_ptr<DeviceTelemetry> t(new DeviceTelemetry());
  auto nvml = probe::Nvml::load();
  if (nvml) {
    auto source = std::make_shared<probe::NvmlTelemetrySource>(std::move(*nvml));
    t->sampler_ = std::make_unique<probe::PowerSampler>(source);
  } else {
    notes.push_back("telemetry: GPU: " + nvml.error().message());
  }
  auto rapl = probe::read_rapl();
  t->rapl_ = rapl.has_value();
  if (!rapl) notes.push_back("telemetry: CPU energy: " + rapl.error().message());
  if (!t->sampler_ && !t->rapl_) return nullptr;
  return t;
}

DeviceTelemetry::~DeviceTelemetry() = default;

void DeviceTelemetry::begin() {
  if (sampler_) (void)sampler_->start();  // a failed start shows up as empty fields and notes
  rapl_begun_ = false;
  if (rapl_) {
    auto r = probe::read_rapl();
    if (r) {
      rapl_begin_ = std::move(*r);
      rapl_begun_ = true;
    }
  }
}

measure::Telemetry DeviceTelemetry::end(std::vector<std::string>& notes) {
  measure::Telemetry t;
  auto note = [&](const std::string& n) {
    if (std::find(noted_.begin(), noted_.end(), n) != noted_.end()) return;
    noted_.push_back(n);
    notes.push_back("telemetry: " + n);
  };
  if (sampler_) {
    const probe::PowerSummary s = sampler_->stop();
    t.gpu_power_avg_w = s.power_avg_w;
    t.gpu_power_max_w = s.power_max_w;
    if (s.samples > 0) t.gpu_power_samples = s.samples;
    t.gpu_energy_j = s.energy_j;
    t.gpu_memory_used_bytes = s.memory_used_max_bytes;
    for (const auto& n : s.notes) note(n);
  }
  if (rapl_begun_) {
    auto after = probe::read_rapl();
    auto e = after ? probe::rapl_energy_between(rapl_begin_, *after)
                   : Result<double>(fail(after.error()));
    if (e)
      t.cpu_energy_j = *e;
    else
      note("CPU energy: " + e.error().message());
  }
  return t;
}

}  // namespace worthit::bench
