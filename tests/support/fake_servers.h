// SPDX-License-Identifier: MIT
// In-process test servers on 127.0.0.1 that speak ollama's, llama-server's and the OpenAI API's
// streaming formats, with controllable misbehaviour. Each runs cpp-httplib's server on its own
// thread on a port chosen by bind_to_any_port.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace worthit::testing {

enum class Behaviour {
  Normal,          ///< tokens, then the final statistics
  Hang,            ///< two tokens, then silence for FakeConfig::hang_s
  CloseMidStream,  ///< two tokens, then the connection is closed
  Malformed,       ///< one token, then a line that is not JSON
  Http500,         ///< HTTP 500 with the API's error body
  NoFinal,         ///< tokens, then the stream ends without statistics
  CacheHit,        ///< statistics say only one prompt token was evaluated
};

// Token counting of the fakes: a text prompt has one token per whitespace-separated word, plus a
// BOS token (raw text) or kFakeTemplateTokens (chat template); a token-id prompt its length.
inline constexpr int64_t kFakeTemplateTokens = 6;

struct FakeConfig {
  std::string api = "ollama";  ///< "ollama", "llama-server" or "openai"
  Behaviour behaviour = Behaviour::Normal;
  int misbehave_on = -1;   ///< only this generation request (0-based) misbehaves; -1: all
  int tokens = 5;          ///< content chunks per response
  int chunk_delay_ms = 5;  ///< pause between content chunks
  double hang_s = 3;       ///< how long Hang stays silent (cut short when stopping)
};

/// The error text each API's Http500 response carries.
inline constexpr const char* kFakeErrorText = "CUDA error: out of memory";

class FakeServer {
 public:
  explicit FakeServer(FakeConfig config);
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// Generation requests received so far.
  int generations() const { return generations_.load(); }
  /// The JSON bodies of the generation requests, in arrival order.
  std::vector<nlohmann::json> bodies() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> generations_{0};
};

/// A localhost port with nothing listening on it (bound, then released).
int closed_port();

}  // namespace worthit::testing
