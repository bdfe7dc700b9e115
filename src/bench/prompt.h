// SPDX-License-Identifier: MIT
// Turns a workload into the requests of one repetition: exact token counts through the server's
// tokenizer where the API has one (llama-server), a filler length calibrated against the server's
// own prompt count where it has none (ollama, OpenAI), a unique prefix per request so that no
// prompt cache can answer it, and for depth tests a priming request that fills the context first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/server.h"
#include "bench/workload.h"

namespace worthit::bench {

/// The requests of one user in one repetition.
struct PlannedRequest {
  std::optional<GenRequest> prime;  ///< untimed, fills the first `depth` tokens of the context
  GenRequest timed;
  int64_t prompt_tokens_sent = 0;      ///< exact count sent (tokenizer); 0 when unknown
  int64_t prompt_tokens_approx = 0;    ///< calibrated estimate when the count is not exact
  int64_t expected_cached_tokens = 0;  ///< the depth prefix, reused on purpose
};

/// Builds the requests of a workload for one server.
class PromptPlanner {
 public:
  PromptPlanner(const ServerAdapter& adapter, Workload w, GenRequest base);

  /// Calibrates the filler for tests on servers without a tokenizer (three untimed requests) and
  /// writes what it did into `notes`. Errors: the server failed or reported no prompt count.
  Status prepare(HttpClient& http, std::vector<std::string>& notes);

  /// The requests for the request identified by `nonce` (unique per repetition and user).
  Result<PlannedRequest> plan(HttpClient& http, uint64_t nonce) const;

 private:
  Result<int64_t> server_count(HttpClient& http, int64_t words, uint64_t nonce) const;
  Result<PlannedRequest> plan_exact(HttpClient& http, uint64_t nonce) const;
  PlannedRequest plan_text(uint64_t nonce) const;
  int64_t total_tokens() const { return w_.depth + w_.n_prompt; }

  const ServerAdapter& adapter_;
  Workload w_;
  GenRequest base_;
  bool exact_ = false;  ///< the server tokenizes (set by prepare)
  int64_t words_ = 0;   ///< filler words for depth + n_prompt tokens (text servers)
  int64_t approx_ = 0;  ///< the server's count for that filler
};

}  // namespace worthit::bench
