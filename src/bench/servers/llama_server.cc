// SPDX-License-Identifier: MIT
// llama.cpp's llama-server (tools/server/README.md of github.com/ggml-org/llama.cpp):
// POST /completion with "stream": true sends server-sent events "data: {...}"; token events carry
// "content", the last one has "stop": true and "timings" {cache_n, prompt_n, prompt_ms,
// predicted_n, predicted_ms, ...} with times in milliseconds. Failures inside a stream arrive as an
// "error: {...}" line. /tokenize gives exact token ids, /apply-template the chat-formatted prompt,
// GET /props the build and model.
#include <fmt/format.h>

#include "bench/server.h"
#include "bench/stream.h"

namespace worthit::bench {
namespace {

constexpr double kMsPerS = 1e3;

void read_timings(const nlohmann::json& t, measure::ServerReported& s) {
  auto ms = [&](const char* k) -> std::optional<double> {
    auto v = json_double(t, k);
    return v ? std::optional<double>(*v / kMsPerS) : std::nullopt;
  };
  s.prompt_tokens = json_int(t, "prompt_n");
  s.prompt_s = ms("prompt_ms");
  s.gen_tokens = json_int(t, "predicted_n");
  s.gen_s = ms("predicted_ms");
  s.cached_tokens = json_int(t, "cache_n");
}

class LlamaServerAdapter : public ServerAdapter {
 public:
  std::string_view name() const override { return "llama-server"; }

  Result<ServerInfo> probe(HttpClient& http, const std::string&) const override {
    ServerInfo info;
    WORTHIT_TRY(p, http.get("/props"));
    const auto j = nlohmann::json::parse(p.body, nullptr, false);
    if (p.status != 200 || !j.is_object()) {
      info.notes.push_back(fmt::format("llama-server: /props gave HTTP {}", p.status));
      return info;
    }
    info.build = j.value("build_info", "");
    if (j.contains("model_path")) info.details["model_path"] = j["model_path"];
    if (auto v = json_int(j, "total_slots")) info.details["total_slots"] = *v;
    if (j.contains("default_generation_settings"))
      if (auto v = json_int(j["default_generation_settings"], "n_ctx"))
        info.details["n_ctx_tokens"] = *v;
    return info;
  }

  std::optional<Result<std::vector<int64_t>>> tokenize(HttpClient& http,
                                                       const std::string& text) const override {
    const nlohmann::json body = {{"content", text}, {"add_special", true}};
    auto r = http.post("/tokenize", body.dump());
    if (!r) return Result<std::vector<int64_t>>(fail(r.error()));
    const auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (r->status != 200 || !j.is_object() || !j.contains("tokens") || !j["tokens"].is_array())
      return Result<std::vector<int64_t>>(
          fail("llama-server /tokenize",
               fmt::format("HTTP {}: {}", r->status, server_error_text(r->body))));
    std::vector<int64_t> out;
    for (const auto& t : j["tokens"])
      out.push_back(t.is_object() ? t.value("id", int64_t{0}) : t.get<int64_t>());
    return Result<std::vector<int64_t>>(std::move(out));
  }

  Result<measure::Sample> send(HttpClient& http, const GenRequest& req,
                               const std::atomic<bool>* cancel) const override {
    WORTHIT_TRY(body, request_body(http, req));
    SseParser sse;
    StreamRecorder rec;
    measure::Sample s;
    auto on_event = [&](const SseEvent& e, double t) { event(e, t, rec, s); };
    auto r = http.stream(
        "/completion", body.dump(),
        [&](std::string_view d, double t) {
          sse.feed(d, [&](const SseEvent& e) { on_event(e, t); });
          return !rec.failed();
        },
        cancel);
    if (r && r->status < 400) sse.finish([&](const SseEvent& e) { on_event(e, r->total_s); });
    if (auto st = rec.outcome(r, "llama-server /completion"); !st) return fail(st.error());
    rec.fill(*r, s.client);
    return s;
  }

 private:
  static Result<nlohmann::json> request_body(HttpClient& http, const GenRequest& req) {
    nlohmann::json body = {{"n_predict", req.n_gen},
                           {"stream", true},
                           {"cache_prompt", req.cache_prompt},
                           {"seed", req.seed}};
    if (req.ignore_eos) body["ignore_eos"] = true;
    if (!req.tokens.empty()) {
      body["prompt"] = req.tokens;
    } else if (req.chat) {
      WORTHIT_TRY(p, apply_template(http, req));
      body["prompt"] = p;
    } else {
      body["prompt"] = req.text;
    }
    return body;
  }

  // The chat template turns the messages into the prompt, as ollama's /api/chat does.
  static Result<std::string> apply_template(HttpClient& http, const GenRequest& req) {
    nlohmann::json messages = nlohmann::json::array();
    if (!req.system.empty()) messages.push_back({{"role", "system"}, {"content", req.system}});
    messages.push_back({{"role", "user"}, {"content", req.text}});
    WORTHIT_TRY(r, http.post("/apply-template", nlohmann::json{{"messages", messages}}.dump()));
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status != 200 || !j.is_object() || !j.contains("prompt") || !j["prompt"].is_string())
      return fail("llama-server /apply-template",
                  fmt::format("HTTP {}: {}", r.status, server_error_text(r.body)),
                  "a llama-server older than /apply-template: use --test or upgrade");
    return j["prompt"].get<std::string>();
  }

  static void event(const SseEvent& e, double t, StreamRecorder& rec, measure::Sample& s) {
    if (rec.failed()) return;
    if (e.event == "error") {
      rec.protocol_error(fmt::format("server error in the stream: {}", server_error_text(e.data)));
      return;
    }
    if (e.data == "[DONE]") return;
    const auto j = nlohmann::json::parse(e.data, nullptr, false);
    if (!j.is_object()) {
      rec.protocol_error(fmt::format("malformed JSON in the stream: '{}'", e.data.substr(0, 80)));
      return;
    }
    if (j.contains("error")) {
      rec.protocol_error(fmt::format("server error in the stream: {}", server_error_text(e.data)));
      return;
    }
    if (j.contains("content") && j["content"].is_string() &&
        !j["content"].get_ref<const std::string&>().empty())
      rec.content(t);
    if (j.value("stop", false) && j.contains("timings") && j["timings"].is_object()) {
      read_timings(j["timings"], s.server);
      rec.saw_final();
    }
  }
};

}  // namespace

std::unique_ptr<ServerAdapter> make_llama_server_adapter() {
  return std::make_unique<LlamaServerAdapter>();
}

}  // namespace worthit::bench
