// SPDX-License-Identifier: MIT
// ollama (docs/api.md of github.com/ollama/ollama): POST /api/chat and /api/generate stream one
// JSON object per line; the last one has "done": true and the statistics prompt_eval_count,
// prompt_eval_duration, eval_count, eval_duration, load_duration, total_duration, all durations in
// nanoseconds. GET /api/version gives {"version": ...}; GET /api/ps the loaded models with size,
// size_vram and (newer versions) context_length.
#include <fmt/format.h>

#include "bench/server.h"
#include "bench/stream.h"

namespace worthit::bench {
namespace {

constexpr double kNsPerS = 1e9;

nlohmann::json request_body(const GenRequest& r) {
  nlohmann::json options = {{"num_predict", r.n_gen}, {"seed", r.seed}};
  if (r.n_ctx) options["num_ctx"] = *r.n_ctx;
  nlohmann::json body = {{"model", r.model}, {"stream", true}, {"options", options}};
  if (r.chat) {
    nlohmann::json messages = nlohmann::json::array();
    if (!r.system.empty()) messages.push_back({{"role", "system"}, {"content", r.system}});
    messages.push_back({{"role", "user"}, {"content", r.text}});
    body["messages"] = messages;
  } else {
    body["prompt"] = r.text;
    body["raw"] = true;  // no template: the filler is the whole prompt
  }
  return body;
}

bool non_empty_string(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}

void read_final(const nlohmann::json& j, measure::ServerReported& s) {
  auto ns = [&](const char* k) -> std::optional<double> {
    auto v = json_double(j, k);
    return v ? std::optional<double>(*v / kNsPerS) : std::nullopt;
  };
  s.prompt_tokens = json_int(j, "prompt_eval_count");
  s.prompt_s = ns("prompt_eval_duration");
  s.gen_tokens = json_int(j, "eval_count");
  s.gen_s = ns("eval_duration");
  s.load_s = ns("load_duration");
  s.total_s = ns("total_duration");
}

class OllamaAdapter : public ServerAdapter {
 public:
  std::string_view name() const override { return "ollama"; }

  Result<ServerInfo> probe(HttpClient& http, const std::string& model) const override {
    ServerInfo info;
    WORTHIT_TRY(v, http.get("/api/version"));
    const auto vj = nlohmann::json::parse(v.body, nullptr, false);
    if (v.status == 200 && vj.is_object() && vj.contains("version") && vj["version"].is_string())
      info.build = vj["version"].get<std::string>();
    else
      info.notes.push_back(fmt::format("ollama: /api/version gave HTTP {}", v.status));
    read_ps(http, model, info);
    return info;
  }

  Result<measure::Sample> send(HttpClient& http, const GenRequest& req,
                               const std::atomic<bool>* cancel) const override {
    const std::string path = req.chat ? "/api/chat" : "/api/generate";
    LineSplitter lines;
    StreamRecorder rec;
    measure::Sample s;
    auto on_line = [&](std::string_view line, double t) {
      if (rec.failed() || line.find_first_not_of(" \t") == std::string_view::npos) return;
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object()) {
        rec.protocol_error(fmt::format("malformed JSON in the stream: '{}'", line.substr(0, 80)));
        return;
      }
      if (j.contains("error")) {
        rec.protocol_error(
            fmt::format("server error in the stream: {}", server_error_text(std::string(line))));
        return;
      }
      const nlohmann::json& m = req.chat ? j.value("message", nlohmann::json::object()) : j;
      if (non_empty_string(m, req.chat ? "content" : "response") || non_empty_string(m, "thinking"))
        rec.content(t);
      if (j.value("done", false)) {
        read_final(j, s.server);
        rec.saw_final();
      }
    };
    auto r = http.stream(
        path, request_body(req).dump(),
        [&](std::string_view d, double t) {
          lines.feed(d, [&](std::string_view l) { on_line(l, t); });
          return !rec.failed();
        },
        cancel);
    if (r && r->status < 400) lines.finish([&](std::string_view l) { on_line(l, r->total_s); });
    if (auto st = rec.outcome(r, "ollama " + path); !st) return fail(st.error());
    rec.fill(*r, s.client);
    return s;
  }

 private:
  static void read_ps(HttpClient& http, const std::string& model, ServerInfo& info) {
    auto ps = http.get("/api/ps");
    if (!ps || ps->status != 200) {
      info.notes.push_back("ollama: /api/ps unreadable; model sizes unknown");
      return;
    }
    const auto pj = nlohmann::json::parse(ps->body, nullptr, false);
    if (!pj.is_object() || !pj.contains("models") || !pj["models"].is_array()) return;
    for (const auto& m : pj["models"]) {
      const std::string n = m.value("name", m.value("model", ""));
      if (n != model && n != model + ":latest") continue;
      if (auto v = json_int(m, "size")) info.details["size_bytes"] = *v;
      if (auto v = json_int(m, "size_vram")) info.details["size_vram_bytes"] = *v;
      if (auto v = json_int(m, "context_length")) info.details["context_length_tokens"] = *v;
      if (m.contains("details") && m["details"].is_object())
        info.details["quantization_level"] = m["details"].value("quantization_level", "");
      return;
    }
    info.notes.push_back(fmt::format("ollama: model '{}' was not in /api/ps after the run", model));
  }
};

}  // namespace

std::unique_ptr<ServerAdapter> make_ollama_adapter() { return std::make_unique<OllamaAdapter>(); }

}  // namespace worthit::bench
