// SPDX-License-Identifier: MIT
#include "probe/power_sampler.h"

#include <algorithm>
#include <functional>

namespace worthit::probe {
namespace {

/// Sums a per-device reading over devices 0..n-1; the first failure is the result.
template <class T>
Result<T> sum_devices(int n, const std::function<Result<T>(int)>& read) {
  if (n <= 0) return fail("nvml", "no GPU visible to NVML");
  T total{};
  for (int i = 0; i < n; ++i) {
    WORTHIT_TRY(v, read(i));
    total += v;
  }
  return total;
}

}  // namespace

Result<double> NvmlTelemetrySource::power_w() {
  return sum_devices<double>(nvml_.device_count(), [&](int i) { return nvml_.power_w(i); });
}

Result<double> NvmlTelemetrySource::energy_j() {
  return sum_devices<double>(nvml_.device_count(), [&](int i) { return nvml_.energy_j(i); });
}

Result<int64_t> NvmlTelemetrySource::memory_used_bytes() {
  return sum_devices<int64_t>(nvml_.device_count(),
                              [&](int i) { return nvml_.memory_used_bytes(i); });
}

PowerSampler::PowerSampler(std::shared_ptr<GpuTelemetrySource> source,
                           std::chrono::milliseconds period)
    : source_(std::move(source)), period_(std::max(period, std::chrono::milliseconds(1))) {}

PowerSampler::~PowerSampler() {
  if (thread_.joinable()) (void)stop();
}

Status PowerSampler::start() {
  if (thread_.joinable()) return fail("power sampler", "start() called twice without stop()");
  acc_ = PowerSummary{};
  energy0_j_.reset();
  if (auto e = source_->energy_j()) {
    energy0_j_ = *e;
  } else {
    acc_.notes.push_back("energy: " + e.error().message());
  }
  t0_ = std::chrono::steady_clock::now();
  running_ = true;
  thread_ = std::thread([this] { loop(); });
  return Ok{};
}

void PowerSampler::sample_once() {
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  auto p = source_->power_w();
  auto m = source_->memory_used_bytes();
  std::lock_guard<std::mutex> lock(mu_);
  // Keep the first reason a reading failed, not one note per sample.
  auto note = [&](const std::string& what, const Error& e) {
    const std::string line = what + ": " + e.message();
    if (std::find(acc_.notes.begin(), acc_.notes.end(), line) == acc_.notes.end())
      acc_.notes.push_back(line);
  };
  if (p) {
    acc_.raw.push_back({t, *p});
  } else {
    note("power", p.error());
  }
  if (m) {
    acc_.memory_used_max_bytes = std::max(acc_.memory_used_max_bytes.value_or(0), *m);
  } else {
    note("memory", m.error());
  }
}

void PowerSampler::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (running_) {
    lock.unlock();
    sample_once();
    lock.lock();
    cv_.wait_for(lock, period_, [this] { return !running_; });
  }
}

PowerSummary PowerSampler::stop() {
  if (!thread_.joinable()) return PowerSummary{};
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
  }
  cv_.notify_all();
  thread_.join();
  sample_once();  // a reading at the very end, so short windows still get one
  PowerSummary s = std::move(acc_);
  acc_ = PowerSummary{};
  s.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  s.samples = static_cast<int64_t>(s.raw.size());
  if (!s.raw.empty()) {
    double sum = 0, mx = s.raw.front().power_w;
    for (const auto& r : s.raw) {
      sum += r.power_w;
      mx = std::max(mx, r.power_w);
    }
    s.power_avg_w = sum / static_cast<double>(s.raw.size());
    s.power_max_w = mx;
  }
  if (energy0_j_) {
    if (auto e = source_->energy_j()) {
      s.energy_j = *e - *energy0_j_;
    } else {
      s.notes.push_back("energy: " + e.error().message());
    }
  }
  return s;
}

}  // namespace worthit::probe
