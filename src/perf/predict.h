// SPDX-License-Identifier: MIT
// Speed from placement: token generation streams what each device must read per token;
// prompt processing is bound by each device's compute or by streaming (or copying) its weights
// once per micro-batch. Pure: no I/O, no clock.
#pragma once

#include <string>
#include <vector>

#include "model/arch.h"
#include "model/tensor.h"
#include "perf/efficiency.h"
#include "plan/fit.h"

namespace worthit {

/// One request: a prompt of n_prompt tokens after `depth` tokens already in the cache, then
/// n_gen generated tokens.
struct Workload {
  int64_t n_prompt = 0;
  int64_t n_gen = 0;
  int64_t depth = 0;
};

/// Time of one phase and what bounds it.
struct PhaseTime {
  Seconds time;
  std::vector<double> slot_s;  ///< seconds each device slot is busy (decode)
  std::string bottleneck;  ///< "CUDA0 memory bandwidth", "CPU memory bandwidth", "PCIe", ...
};

/// Speeds as ollama reports them (eval rate = generation, prompt eval rate = prefill).
struct Prediction {
  double eval_rate_tps = 0;         ///< generated tokens per second
  double prompt_eval_rate_tps = 0;  ///< prompt tokens per second
  double ttft_s = 0;                ///< prompt processing plus the first token
  double total_s = 0;
  std::string decode_bottleneck, prefill_bottleneck;
  double power_w = 0;               ///< draw while generating (0: no power figures known)
  double energy_j_per_token = 0;    ///< power_w / eval rate
  std::string power_scope;          ///< what power_w covers: "GPU boards only", "whole device (wall)"
  bool power_idle_assumed = false;  ///< a device's idle draw was not in the catalog
};

/// Average draw of the devices while generating, from each one's busy share of a token.
/// Devices without a maximum draw in the catalog are left out (and named in the scope).
double decode_power(const FitResult& f, const PhaseTime& dec, const Efficiency& e,
                    std::string* scope, bool* idle_assumed);

/// Seconds to generate one token with `depth` tokens in the cache. With `batch` > 1, one step
/// of `batch` sequences decoding together (continuous batching): the weights are read once (MoE:
/// the experts any of the batch's tokens routes to), each sequence reads its own KV cache, and
/// the step is never faster than its 2 x active parameters x batch FLOPs at the unit's achieved
/// prompt-processing rate.
PhaseTime decode_time(const ModelArch& a, const std::vector<TensorInfo>& tensors,
                      const FitResult& f, int64_t depth, const Efficiency& e, int64_t batch = 1);

/// Seconds to process `n` prompt tokens after `depth` cached tokens, in micro-batches.
PhaseTime prefill_time(const ModelArch& a, const std::vector<TensorInfo>& tensors,
                       const FitResult& f, int64_t n, int64_t depth, int64_t n_ubatch,
                       const Efficiency& e);

/// A whole request. Requires f.fits.
Prediction predict(const ModelArch& a, const std::vector<TensorInfo>& tensors,
                   const FitResult& f, const Workload& w, int64_t n_ubatch, const Efficiency& e);

/// tokens/s as llama-bench computes it for a test (pp, tg or pp+tg at a depth).
double bench_rate(const ModelArch& a, const std::vector<TensorInfo>& tensors, const FitResult& f,
                  int64_t n_prompt, int64_t n_gen, int64_t depth, int64_t n_ubatch,
                  const Efficiency& e);

}  // namespace worthit
