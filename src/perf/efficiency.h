// SPDX-License-Identifier: MIT
// The few calibrated efficiency parameters of the performance model. Each is physical: a
// fraction of a theoretical peak a backend reaches, or a fixed overhead. They live in
// data/calibration.toml, written by `worthit calibrate --fit`.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "hw/device.h"
#include "model/quant.h"

namespace worthit {

/// Named efficiency parameters; see docs/performance-model.md for each meaning.
struct Efficiency {
  // Achieved fraction of theoretical memory bandwidth when streaming weights and KV.
  double bw_cuda_vram = 0.75, bw_cuda_unified = 0.75, bw_metal = 0.75, bw_rocm = 0.65,
         bw_vulkan = 0.65, bw_sycl = 0.6, bw_cpu = 0.6;
  // Achieved fraction of the dense matrix peak in prompt processing.
  double flops_cuda = 0.35, flops_metal = 0.6, flops_rocm = 0.3, flops_vulkan = 0.25,
         flops_sycl = 0.2, flops_cpu = 0.3;
  double gpu_layer_us = 8;   ///< per layer per generated token on a GPU (launches, syncs)
  double metal_layer_us = 8; ///< the same on Metal, which encodes its command buffers per token
  double cpu_layer_us = 20;  ///< per layer per generated token on the CPU (thread sync)
  double token_ms = 0.5;     ///< per generated token: sampling, graph build, host work
  double ollama_token_ms = 0.5;  ///< extra per generated token in ollama's runner (sampling, streaming)
  double pcie = 0.7;         ///< achieved fraction of PCIe bandwidth for weight copies
  // GPU mat-vec (token generation) speed of each weight family relative to F16/BF16/F32, which
  // the backend fractions above are measured against: dequantisation work per byte differs.
  double kq_q8 = 1, kq_legacy = 1, kq_kquant = 1, kq_iquant = 1, kq_mxfp4 = 1;
  /// Bytes/s a GPU's streaming multiprocessors can pull through mat-vec kernels per FLOP/s of
  /// their FP32 peak (load slots and memory-level parallelism scale with SM count x clock):
  /// a GPU with few SMs on a wide memory bus cannot reach its bandwidth.
  double gpu_stream = 0.03;
  /// How many prompt tokens, on average, share one independent expert choice in prefill (1:
  /// every token routes independently; more: a prompt's tokens prefer the same experts).
  double expert_locality = 1;
  // Power while generating, as fractions of (max - idle) draw; fitted to the seed's power column.
  double power_busy = 0.8;   ///< a device streaming weights for its stage
  double power_wait = 0.1;   ///< a device holding a model while another device works
  double power_idle = 0.1;   ///< idle draw as a fraction of max, where the catalog has no idle

  // Not fitted: 10th and 90th percentile of measured/predicted on held-out measurements,
  // giving an 80% range around a prediction.
  double range_tg_low = 0.8, range_tg_high = 1.2, range_pp_low = 0.7, range_pp_high = 1.4;

  /// Bandwidth fraction for a device slot (backend, and whether its memory is unified).
  double bandwidth(Backend b, bool unified) const;
  /// Compute fraction for a backend.
  double flops(Backend b) const;
  /// Mat-vec speed factor of a weight type on a GPU (1 for F16/BF16/F32).
  double kernel(GgmlType t) const;
};

/// A parameter's name and address, for fitting and for files.
struct EfficiencyParam {
  const char* name;
  double Efficiency::*field;
  double lo, hi;  ///< physical bounds
  const char* meaning;
};
const std::vector<EfficiencyParam>& efficiency_params();

/// Reads data/calibration.toml; errors name file:line: field.
Result<Efficiency> load_efficiency(const std::string& path);
/// Writes the parameters as TOML with their meanings as comments.
std::string efficiency_toml(const Efficiency& e, const std::string& header);

}  // namespace worthit
