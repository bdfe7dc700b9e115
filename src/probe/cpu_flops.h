// SPDX-License-Identifier: MIT
// CPU FP32 throughput: every thread runs many independent fused multiply-add chains on registers
// (no memory traffic), so the figure approaches the cores' peak at the clock they hold under
// load. The kernel is chosen at run time (AVX-512F, AVX2+FMA, NEON, plain C++), so the binary
// stays portable: nothing is compiled with -march=native.
#pragma once

#include <string>

#include "core/error.h"
#include "core/units.h"

namespace worthit::probe {

/// How to measure.
struct FlopsOptions {
  int threads = 1;
  Seconds duration = seconds(1.0);  ///< how long every thread computes
};

/// What one measurement gave.
struct FlopsResult {
  FlopsPerSec fp32;     ///< all threads together
  std::string kernel;   ///< "avx512f", "avx2+fma", "neon", "sse" or "generic"
  int threads = 0;
  Seconds elapsed;      ///< wall time of the measurement
};

/// The kernel measure_fp32_flops() would use on this CPU.
std::string fp32_kernel_name();

/// Runs the measurement; fails on invalid options.
Result<FlopsResult> measure_fp32_flops(const FlopsOptions& opt);

}  // namespace worthit::probe
