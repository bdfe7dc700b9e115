// SPDX-License-Identifier: MIT
// Several users at once: how each serving engine schedules them (ollama's parallel slots and
// queue, llama-server's slots with continuous batching, vLLM's batching up to its KV memory),
// how many fit in memory, per-user and aggregate eval rate, and TTFT with queueing.
// Rules and sources: docs/concurrency.md.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "perf/predict.h"

namespace worthit {

/// How an engine serves concurrent requests to one model.
enum class ServeEngine {
  Ollama,       ///< OLLAMA_NUM_PARALLEL slots (default 1); KV = num_ctx x slots; the rest queue
  LlamaServer,  ///< -np slots (default auto: 4, unified KV pool of -c tokens); continuous batching
  Vllm,         ///< continuous batching up to max_num_seqs (256), limited by KV memory
};

/// "ollama", "llama-server" (also "llama.cpp"), "vllm".
Result<ServeEngine> parse_serve_engine(const std::string& s);
const char* serve_engine_name(ServeEngine e);
/// Slots when the user sets none: ollama 1, llama-server 4, vLLM 256.
int default_slots(ServeEngine e);

struct ConcurrencyRequest {
  ServeEngine engine = ServeEngine::Ollama;
  int users = 1;          ///< requests sent at once
  int slots = -1;         ///< parallel sequences; -1: the engine's default
  Workload request;       ///< each user's request (same for all)
  int64_t n_ubatch = 512;
  double comfort_tps = 15;   ///< per-user eval rate below which chat is uncomfortable
  double max_ttft_s = 10;    ///< the 90th-percentile wait for the first token a user accepts
};

struct ConcurrencyResult {
  int users = 0, slots = 0;
  int batch = 0;                 ///< sequences decoding together
  std::string rule;              ///< what the engine does, in words
  double single_eval_rate_tps = 0;  ///< one user alone
  double per_user_eval_rate_tps = 0;  ///< while `batch` users decode together
  double aggregate_eval_rate_tps = 0;
  double ttft_p50_s = 0, ttft_p90_s = 0, ttft_p99_s = 0;
  int max_users_in_memory = 0;   ///< most sequences whose KV cache fits (0: not even one)
  int max_comfortable_users = 0; ///< most users with rate >= comfort and p90 TTFT <= max_ttft_s
  bool comfortable = false;
  std::string decode_bottleneck;
};

/// Fits the model with `slots` parallel sequences and `n_ctx` context (per slot for ollama's
/// num_ctx, the whole pool for llama-server and vLLM).
using FitFn = std::function<Result<FitResult>(int slots, int64_t n_ctx)>;

/// Context each user needs: depth + prompt + answer.
int64_t context_per_user(const Workload& w);

/// The whole estimate. Errors come from `fit` only.
Result<ConcurrencyResult> predict_concurrency(const ModelArch& a, const std::vector<TensorInfo>& tensors,
                                              const FitFn& fit, const ConcurrencyRequest& r,
                                              const Efficiency& e);

/// Nearest-rank percentile (p in 0..100) of `v` (unsorted; empty: 0).
double percentile(std::vector<double> v, double p);

}  // namespace worthit
