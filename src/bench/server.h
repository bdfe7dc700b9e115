// SPDX-License-Identifier: MIT
// One adapter per inference-server API (src/bench/servers/<name>.cc) behind a small interface,
// registered in an explicit table that also drives --server's help and "did you mean".
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/http.h"
#include "core/error.h"
#include "measure/record.h"

namespace worthit::bench {

/// One generation request as the runner asks for it.
struct GenRequest {
  std::string model;   ///< the server's model name (--model)
  bool chat = true;    ///< through the chat template (seed, prompt-file) or raw text (tests)
  std::string system;  ///< system message, chat only; empty = the model's default
  std::string text;    ///< user message, or the raw prompt text
  std::vector<int64_t> tokens;  ///< exact prompt tokens (llama-server); used instead of `text`
  int64_t n_gen = 1;            ///< tokens to generate
  bool ignore_eos = false;      ///< keep generating past end-of-sequence (tests; llama-server only)
  bool cache_prompt = false;    ///< allow reuse of a cached prefix (only for depth priming)
  std::optional<int64_t> n_ctx;  ///< context size to ask for (ollama num_ctx)
  int64_t seed = 42;
};

/// What the server says about itself and the model, gathered before the run.
struct ServerInfo {
  std::string build;                                  ///< version or build id
  nlohmann::json details = nlohmann::json::object();  ///< e.g. /api/ps sizes, /props fields
  std::vector<std::string> notes;                     ///< what could not be read, and why
};

/// Shared parts of every streamed request: client-side timing of content chunks and the
/// translation of transport and protocol failures into one message per request.
class StreamRecorder {
 public:
  /// A chunk carrying generated content (text or reasoning) arrived at `t_s`.
  void content(double t_s);
  /// The stream could not be understood; the request fails with this message (first one wins).
  void protocol_error(std::string what);
  bool failed() const { return !error_.empty(); }
  /// The final statistics arrived.
  void saw_final() { final_ = true; }
  bool has_final() const { return final_; }
  /// Fills `c` from what was seen and what the transport reported.
  void fill(const HttpResponse& r, measure::ClientObserved& c) const;
  /// The request's outcome: transport error, HTTP error status with the server's text, protocol
  /// error, or a stream that ended without final statistics — else Ok.
  Status outcome(const Result<HttpResponse>& r, const std::string& where) const;

 private:
  std::vector<double> content_t_;
  std::string error_;
  bool final_ = false;
};

/// An inference-server API.
class ServerAdapter {
 public:
  virtual ~ServerAdapter() = default;
  /// "ollama", "llama-server", "openai".
  virtual std::string_view name() const = 0;
  /// Version/build and model details. Unreadable parts become notes; an unreachable server is
  /// an error.
  virtual Result<ServerInfo> probe(HttpClient& http, const std::string& model) const = 0;
  /// Sends one streamed request and measures it. A failure (connection, timeout, HTTP error,
  /// malformed stream, missing statistics) is an Error with one line saying what happened.
  virtual Result<measure::Sample> send(HttpClient& http, const GenRequest& req,
                                       const std::atomic<bool>* cancel) const = 0;
  /// Exact tokenization (with the model's BOS when it adds one), for servers that expose it;
  /// nullopt when the API has no tokenizer.
  virtual std::optional<Result<std::vector<int64_t>>> tokenize(HttpClient& http,
                                                               const std::string& text) const;
};

/// One row of the adapter table.
struct AdapterEntry {
  std::string_view name;
  std::string_view help;
  std::unique_ptr<ServerAdapter> (*make)();
};

/// Every built-in adapter, in the order --help lists them.
const std::vector<AdapterEntry>& builtin_adapters();

/// The adapter called `name`; an unknown name is an error on --server with "did you mean".
Result<std::unique_ptr<ServerAdapter>> make_adapter(const std::string& name);

std::unique_ptr<ServerAdapter> make_ollama_adapter();
std::unique_ptr<ServerAdapter> make_llama_server_adapter();
std::unique_ptr<ServerAdapter> make_openai_adapter();

/// Reads a JSON number as int64 / double when present and numeric.
std::optional<int64_t> json_int(const nlohmann::json& j, const char* key);
std::optional<double> json_double(const nlohmann::json& j, const char* key);

}  // namespace worthit::bench
