// SPDX-License-Identifier: MIT
// Runs one workload against one server: warm-up, N repetitions of --users concurrent streams,
// prompt-cache detection, telemetry over each timed window, and Ctrl-C handling. A repetition
// that fails is recorded as failed and the run goes on.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/http.h"
#include "bench/server.h"
#include "bench/workload.h"
#include "measure/record.h"

namespace worthit::bench {

/// Device telemetry over a timed window (one repetition). An I/O seam: the real one samples
/// NVML power and energy; tests use a fake.
class TelemetryWindow {
 public:
  virtual ~TelemetryWindow() = default;
  /// Starts measuring. Failures become notes, never errors.
  virtual void begin() = 0;
  /// Stops and returns what was measured; unreadable sources stay empty and are named in `notes`.
  virtual measure::Telemetry end(std::vector<std::string>& notes) = 0;
};

/// The model name used when --model is not given (llama-server serves the model it loaded); the
/// run then records the file name from /props instead.
inline constexpr const char* kLoadedModel = "(loaded model)";

/// How a run is done.
struct RunnerOptions {
  int reps = 3;
  int warmup = 1;
  int users = 1;
  GenRequest base;  ///< model, system message, context size, seed
  HttpTimeouts timeouts;
  uint64_t nonce_seed = 0;  ///< makes every request of this invocation unique
  std::string host;         ///< provenance: where the measurement ran
  std::string system;       ///< provenance: catalog system id, when given
};

/// Ways to follow and stop a run from outside (the CLI's Ctrl-C handler and progress bar).
struct RunnerHooks {
  const std::atomic<bool>* stop = nullptr;    ///< stop after the current repetition
  const std::atomic<bool>* cancel = nullptr;  ///< abort requests in flight (a second Ctrl-C)
  TelemetryWindow* telemetry = nullptr;       ///< none: the run says so in its notes
  std::vector<std::string> telemetry_notes;   ///< why sources are missing; copied into each run
  std::function<void(const measure::Sample&)> on_sample;  ///< after each timed sample
  std::function<void(const std::string&)> on_phase;       ///< "warm-up", "prompt calibration" …
};

/// Runs `w` against the server at `endpoint` through `adapter` and returns the run with every
/// sample. Never throws for server misbehaviour: each failed request is a failed sample with its
/// message, and a failure before the repetitions (e.g. prompt sizing) fails each repetition with
/// it.
measure::Run run_workload(const ServerAdapter& adapter, const Endpoint& endpoint, const Workload& w,
                          const RunnerOptions& opts, const RunnerHooks& hooks);

/// Current UTC time as RFC 3339 ("2026-11-23T10:04:05Z").
std::string utc_now_rfc3339();

}  // namespace worthit::bench
