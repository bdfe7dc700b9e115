// SPDX-License-Identifier: MIT
// OpenAI-compatible servers (vLLM, SGLang, LM Studio, llama-server's /v1): POST
// /v1/chat/completions (chat) or /v1/completions (raw text) with "stream": true and
// "stream_options": {"include_usage": true} send server-sent events "data: {...}" ending in
// "data: [DONE]"; the chunk before it has empty "choices" and a "usage" object {prompt_tokens,
// completion_tokens, prompt_tokens_details.cached_tokens?}. Token counts come from usage only,
// never from counting chunks. The API reports no durations; llama-server adds its "timings".
#include <fmt/format.h>

#include "bench/server.h"
#include "bench/stream.h"

namespace worthit::bench {
namespace {

nlohmann::json request_body(const GenRequest& r) {
  nlohmann::json body = {{"model", r.model},
                         {"stream", true},
                         {"stream_options", {{"include_usage", true}}},
                         {"max_tokens", r.n_gen},
                         {"seed", r.seed}};
  if (r.chat) {
    nlohmann::json messages = nlohmann::json::array();
    if (!r.system.empty()) messages.push_back({{"role", "system"}, {"content", r.system}});
    messages.push_back({{"role", "user"}, {"content", r.text}});
    body["messages"] = messages;
  } else {
    body["prompt"] = r.text;
  }
  return body;
}

bool has_text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}

bool carries_content(const nlohmann::json& chunk) {
  if (!chunk.contains("choices") || !chunk["choices"].is_array()) return false;
  for (const auto& c : chunk["choices"]) {
    if (!c.is_object()) continue;
    if (has_text(c, "text")) return true;
    if (c.contains("delta") && c["delta"].is_object()) {
      const auto& d = c["delta"];
      if (has_text(d, "content") || has_text(d, "reasoning_content") || has_text(d, "reasoning"))
        return true;
    }
  }
  return false;
}

void read_usage(const nlohmann::json& chunk, measure::ServerReported& s) {
  const auto& u = chunk["usage"];
  s.prompt_tokens = json_int(u, "prompt_tokens");
  s.gen_tokens = json_int(u, "completion_tokens");
  if (u.contains("prompt_tokens_details") && u["prompt_tokens_details"].is_object())
    s.cached_tokens = json_int(u["prompt_tokens_details"], "cached_tokens");
  // llama-server's /v1 endpoints add their own timings (milliseconds) next to usage.
  if (chunk.contains("timings") && chunk["timings"].is_object()) {
    const auto& t = chunk["timings"];
    if (auto v = json_double(t, "prompt_ms")) s.prompt_s = *v / 1e3;
    if (auto v = json_double(t, "predicted_ms")) s.gen_s = *v / 1e3;
    if (auto v = json_int(t, "cache_n")) s.cached_tokens = *v;
  }
}

class OpenAiAdapter : public ServerAdapter {
 public:
  std::string_view name() const override { return "openai"; }

  Result<ServerInfo> probe(HttpClient& http, const std::string& model) const override {
    ServerInfo info;
    WORTHIT_TRY(m, http.get("/v1/models"));
    const auto j = nlohmann::json::parse(m.body, nullptr, false);
    bool listed = false;
    if (m.status == 200 && j.is_object() && j.contains("data") && j["data"].is_array())
      for (const auto& d : j["data"])
        if (d.is_object() && d.value("id", "") == model) listed = true;
    if (!listed)
      info.notes.push_back(fmt::format("openai: model '{}' not listed by /v1/models", model));
    // vLLM answers GET /version; other servers have no version endpoint.
    if (auto v = http.get("/version"); v && v->status == 200) {
      const auto vj = nlohmann::json::parse(v->body, nullptr, false);
      if (vj.is_object() && vj.contains("version") && vj["version"].is_string())
        info.build = vj["version"].get<std::string>();
    }
    return info;
  }

  Result<measure::Sample> send(HttpClient& http, const GenRequest& req,
                               const std::atomic<bool>* cancel) const override {
    const std::string path = req.chat ? "/v1/chat/completions" : "/v1/completions";
    SseParser sse;
    StreamRecorder rec;
    measure::Sample s;
    bool usage = false;
    auto on_event = [&](const SseEvent& e, double t) {
      if (rec.failed()) return;
      if (e.data == "[DONE]") {
        if (usage) rec.saw_final();
        return;
      }
      const auto j = nlohmann::json::parse(e.data, nullptr, false);
      if (!j.is_object()) {
        rec.protocol_error(fmt::format("malformed JSON in the stream: '{}'", e.data.substr(0, 80)));
        return;
      }
      if (e.event == "error" || j.contains("error")) {
        rec.protocol_error(
            fmt::format("server error in the stream: {}", server_error_text(e.data)));
        return;
      }
      if (carries_content(j)) rec.content(t);
      if (j.contains("usage") && j["usage"].is_object()) {
        read_usage(j, s.server);
        usage = true;
      }
    };
    auto r = http.stream(
        path, request_body(req).dump(),
        [&](std::string_view d, double t) {
          sse.feed(d, [&](const SseEvent& e) { on_event(e, t); });
          return !rec.failed();
        },
        cancel);
    if (r && r->status < 400) sse.finish([&](const SseEvent& e) { on_event(e, r->total_s); });
    if (usage && !rec.has_final())
      rec.saw_final();  // usage is the statistics; [DONE] may be missing
    if (auto st = rec.outcome(r, "openai " + path); !st) return fail(st.error());
    rec.fill(*r, s.client);
    return s;
  }
};

}  // namespace

std::unique_ptr<ServerAdapter> make_openai_adapter() { return std::make_unique<OpenAiAdapter>(); }

}  // namespace worthit::bench
