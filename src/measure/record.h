// SPDX-License-Identifier: MIT
// One measured run, as `worthit bench` produces it, `worthit import` reads it from llama-bench or
// ollama transcripts, and the results store keeps it. Every number carries its unit in its name
// and its kind (server-reported, client-observed, device telemetry) in the struct it sits in.
// A field that no source provided is empty (std::nullopt), never zero.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace worthit::measure {

/// Numbers the server reported about one request (ollama's *_count/*_duration, llama-server's
/// `timings`, an OpenAI `usage` object, or a llama-bench sample).
struct ServerReported {
  std::optional<int64_t> prompt_tokens;  ///< ollama prompt_eval_count, llama.cpp prompt_n, usage.prompt_tokens
  std::optional<double> prompt_s;        ///< ollama prompt_eval_duration, llama.cpp prompt_ms / 1000
  std::optional<int64_t> gen_tokens;     ///< ollama eval_count, llama.cpp predicted_n, usage.completion_tokens
  std::optional<double> gen_s;           ///< ollama eval_duration, llama.cpp predicted_ms / 1000
  std::optional<int64_t> cached_tokens;  ///< llama.cpp cache_n; prompt tokens served from a cache
  std::optional<double> load_s;          ///< ollama load_duration
  std::optional<double> total_s;         ///< ollama total_duration
};

/// Times the client observed on a monotonic clock, from sending the request.
struct ClientObserved {
  std::optional<double> start_s;          ///< when the request was sent, from the start of its
                                          ///< repetition (shared by all users of that repetition)
  std::optional<double> first_byte_s;     ///< time to the first byte of the response body
  std::optional<double> first_token_s;    ///< time to the first chunk carrying content (TTFT)
  std::optional<double> last_token_s;     ///< time to the last content chunk
  std::optional<double> total_s;          ///< time to the end of the response
  std::vector<double> chunk_gaps_s;       ///< gaps between consecutive content chunks
  std::optional<int64_t> content_chunks;  ///< number of chunks that carried content
};

/// Device telemetry over the timed window of one request. Each source that was unreadable is
/// named in Run::notes instead of giving a zero.
struct Telemetry {
  std::optional<double> gpu_energy_j;        ///< NVML total energy counter difference, all GPUs
  std::optional<double> gpu_power_avg_w;     ///< mean of the power samples
  std::optional<double> gpu_power_max_w;
  std::optional<int64_t> gpu_power_samples;  ///< how many samples the mean is over
  std::optional<int64_t> gpu_memory_used_bytes;  ///< peak over the window, all GPUs
  std::optional<int64_t> server_rss_bytes;       ///< resident set of a local server process
  std::optional<double> cpu_energy_j;            ///< RAPL package energy difference
};

/// One repetition of one request (one user's stream when several run at once).
struct Sample {
  int rep = 0;          ///< 0-based repetition index (warm-up repetitions are not stored)
  int user = 0;         ///< 0-based user index when --users N > 1
  bool ok = true;
  std::string error;    ///< why the repetition failed, when !ok
  bool prompt_cache_hit = false;  ///< the server evaluated fewer prompt tokens than were sent
  ServerReported server;
  ClientObserved client;
  Telemetry telemetry;
};

/// A measured run: one workload against one model on one machine, with provenance.
struct Run {
  std::optional<int64_t> id;      ///< row id once stored
  std::string worthit_version;
  std::string source;             ///< "bench", "import:llama-bench", "import:ollama-verbose"
  std::string host;               ///< host name the measurement was taken on
  std::string system;             ///< catalog system id or system file, when known
  std::string server;             ///< "ollama", "llama-server", "openai", "llama-bench"
  std::string server_url;
  std::string server_build;       ///< ollama version, llama.cpp build_commit/build_number
  std::string model;              ///< catalog model id, when mapped
  std::string model_name;         ///< the name the server or file used
  std::string quant;              ///< "Q4_K_M", when known
  std::string test;               ///< "seed", "pp512", "tg128", "pp512+tg128", "pp2048@d8192", "prompt-file"
  int64_t n_prompt = 0;           ///< prompt tokens requested (0 when the workload sets none)
  int64_t n_gen = 0;              ///< tokens to generate requested
  int64_t depth = 0;              ///< context already filled before the prompt
  int users = 1;
  int warmup = 0;
  std::string started_utc;        ///< ISO 8601, e.g. "2026-11-23T10:04:05Z"
  nlohmann::json settings = nlohmann::json::object();  ///< runtime settings (ngl, ctx, flags …)
  std::vector<std::string> notes; ///< e.g. "telemetry: NVML not available (libnvidia-ml.so.1 not found)"
  std::vector<Sample> samples;
};

}  // namespace worthit::measure
