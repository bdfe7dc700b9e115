// SPDX-License-Identifier: MIT
#include "bench/server.h"

#include <fmt/format.h>

#include "core/text.h"

namespace worthit::bench {

void StreamRecorder::content(double t_s) { content_t_.push_back(t_s); }

void StreamRecorder::protocol_error(std::string what) {
  if (error_.empty()) error_ = std::move(what);
}

void StreamRecorder::fill(const HttpResponse& r, measure::ClientObserved& c) const {
  c.first_byte_s = r.first_byte_s;
  c.total_s = r.total_s;
  c.content_chunks = static_cast<int64_t>(content_t_.size());
  if (content_t_.empty()) return;
  c.first_token_s = content_t_.front();
  c.last_token_s = content_t_.back();
  c.chunk_gaps_s.clear();
  for (size_t i = 1; i < content_t_.size(); ++i)
    c.chunk_gaps_s.push_back(content_t_[i] - content_t_[i - 1]);
}

Status StreamRecorder::outcome(const Result<HttpResponse>& r, const std::string& where) const {
  // A protocol error cancels the transfer, so it explains a "canceled" transport error.
  if (!error_.empty()) return fail(where, error_);
  if (!r) return fail(r.error());
  if (r->status >= 400) {
    const std::string text = server_error_text(r->body);
    return fail(where, text.empty() ? fmt::format("HTTP {}", r->status)
                                    : fmt::format("HTTP {}: {}", r->status, text));
  }
  if (!final_) return fail(where, "the stream ended without the final statistics");
  return Ok{};
}

std::optional<Result<std::vector<int64_t>>> ServerAdapter::tokenize(HttpClient&,
                                                                    const std::string&) const {
  return std::nullopt;
}

const std::vector<AdapterEntry>& builtin_adapters() {
  static const std::vector<AdapterEntry> kAdapters = {
      {"ollama", "ollama's /api/chat and /api/generate (NDJSON); durations in ns",
       make_ollama_adapter},
      {"llama-server", "llama.cpp's llama-server /completion (SSE) with its timings object",
       make_llama_server_adapter},
      {"openai", "any OpenAI-compatible /v1 server (vLLM, SGLang, LM Studio …); counts from usage",
       make_openai_adapter},
  };
  return kAdapters;
}

Result<std::unique_ptr<ServerAdapter>> make_adapter(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& a : builtin_adapters()) {
    if (a.name == name) return a.make();
    names.emplace_back(a.name);
  }
  std::string hint = did_you_mean(name, names);
  if (hint.empty()) hint = "servers: ollama, llama-server, openai";
  return fail("--server", fmt::format("unknown server API '{}'", name), hint);
}

std::optional<int64_t> json_int(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->is_number_integer() ? it->get<int64_t>() : static_cast<int64_t>(it->get<double>());
}

std::optional<double> json_double(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

}  // namespace worthit::bench
