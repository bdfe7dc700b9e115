// SPDX-License-Identifier: MIT
// The fakes write the exact wire formats of the real servers (see tests/data/bench/README.md for
// where each format comes from), with fixed server-side statistics so tests can assert them.
#include "support/fake_servers.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <sstream>

namespace worthit::testing {

namespace {

struct Script {
  enum class End { Done, Close, Hang };
  std::vector<std::string> pieces;
  End end = End::Done;
  const char* content_type = "text/event-stream";
};

int64_t count_words(const std::string& s) {
  std::istringstream in(s);
  std::string w;
  int64_t n = 0;
  while (in >> w) ++n;
  return n;
}

std::string sse(const nlohmann::json& j) { return "data: " + j.dump() + "\n\n"; }

int64_t generated(const FakeConfig& c, const nlohmann::json& body, const char* key) {
  const int64_t want =
      body.contains(key) && body[key].is_number() ? body[key].get<int64_t>() : c.tokens;
  return want > 0 ? std::min<int64_t>(want, c.tokens) : c.tokens;
}

// Applies the misbehaviour shared by all APIs to a well-formed script: cut after two content
// pieces, insert a bad line, or drop the statistics at the end.
void misbehave(Script& s, Behaviour b, size_t final_pieces, const std::string& bad_line) {
  const size_t keep = std::min<size_t>(2, s.pieces.size());
  switch (b) {
    case Behaviour::Hang:
      s.pieces.resize(keep);
      s.end = Script::End::Hang;
      break;
    case Behaviour::CloseMidStream:
      s.pieces.resize(keep);
      s.end = Script::End::Close;
      break;
    case Behaviour::Malformed:
      s.pieces.resize(1);
      s.pieces.push_back(bad_line);
      break;
    case Behaviour::NoFinal:
      s.pieces.resize(s.pieces.size() - final_pieces);
      break;
    default:
      break;
  }
}

}  // namespace

struct FakeServer::Impl {
  FakeConfig cfg;
  httplib::Server server;
  mutable std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::vector<nlohmann::json> bodies;
  std::vector<int64_t> last_tokens;  // llama-server: the prompt cached in its one slot

  Script ollama(const nlohmann::json& body, bool chat, Behaviour b);
  Script llama(const nlohmann::json& body, Behaviour b);
  Script openai(const nlohmann::json& body, bool chat, Behaviour b);
  void serve(httplib::Response& res, Script s);
  void routes(FakeServer& owner);
};

Script FakeServer::Impl::ollama(const nlohmann::json& body, bool chat, Behaviour b) {
  Script s;
  s.content_type = "application/x-ndjson";
  const nlohmann::json opts = body.value("options", nlohmann::json::object());
  const int64_t n = generated(cfg, opts, "num_predict");
  const std::string text =
      chat ? body["messages"].back().value("content", "") : body.value("prompt", "");
  const int64_t p =
      b == Behaviour::CacheHit ? 1 : count_words(text) + (chat ? kFakeTemplateTokens : 1);
  for (int64_t i = 0; i < n; ++i) {
    nlohmann::json j = {{"model", body.value("model", "")},
                        {"created_at", "2026-11-23T10:00:00.000000Z"},
                        {"done", false}};
    const std::string tok = "tok" + std::to_string(i) + " ";
    if (chat)
      j["message"] = {{"role", "assistant"}, {"content", tok}};
    else
      j["response"] = tok;
    s.pieces.push_back(j.dump() + "\n");
  }
  nlohmann::json fin = {{"model", body.value("model", "")},
                        {"created_at", "2026-11-23T10:00:01.000000Z"},
                        {"done", true},
                        {"done_reason", "length"},
                        {"total_duration", 80000000},
                        {"load_duration", 1000000},
                        {"prompt_eval_count", p},
                        {"prompt_eval_duration", 20000000},
                        {"eval_count", n},
                        {"eval_duration", 50000000}};
  if (chat)
    fin["message"] = {{"role", "assistant"}, {"content", ""}};
  else
    fin["response"] = "";
  s.pieces.push_back(fin.dump() + "\n");
  misbehave(s, b, 1, "{\"model\": \"fake\", \"response\": \"tok\n");
  return s;
}

Script FakeServer::Impl::llama(const nlohmann::json& body, Behaviour b) {
  Script s;
  const int64_t n = generated(cfg, body, "n_predict");
  int64_t p = 0, cached = 0;
  if (body["prompt"].is_array()) {
    std::vector<int64_t> toks = body["prompt"].get<std::vector<int64_t>>();
    std::lock_guard<std::mutex> lock(mu);
    if (body.value("cache_prompt", true))
      while (cached < static_cast<int64_t>(std::min(toks.size(), last_tokens.size())) &&
             toks[cached] == last_tokens[cached])
        ++cached;
    last_tokens = toks;
    p = static_cast<int64_t>(toks.size()) - cached;
  } else {
    p = count_words(body["prompt"].get<std::string>()) + 1;
  }
  if (b == Behaviour::CacheHit) cached += p - 1, p = 1;
  for (int64_t i = 0; i < n; ++i)
    s.pieces.push_back(sse({{"index", 0},
                            {"content", "tok" + std::to_string(i) + " "},
                            {"tokens", {100 + i}},
                            {"stop", false},
                            {"id_slot", -1},
                            {"tokens_predicted", i + 1},
                            {"tokens_evaluated", p + cached}}));
  s.pieces.push_back(sse({{"index", 0},
                          {"content", ""},
                          {"tokens", nlohmann::json::array()},
                          {"id_slot", 0},
                          {"stop", true},
                          {"model", "fake"},
                          {"tokens_predicted", n},
                          {"tokens_evaluated", p + cached},
                          {"stop_type", "limit"},
                          {"stopping_word", ""},
                          {"tokens_cached", p + cached + n},
                          {"timings",
                           {{"cache_n", cached},
                            {"prompt_n", p},
                            {"prompt_ms", 20.0},
                            {"prompt_per_token_ms", 20.0 / static_cast<double>(p)},
                            {"prompt_per_second", static_cast<double>(p) / 0.02},
                            {"predicted_n", n},
                            {"predicted_ms", 50.0},
                            {"predicted_per_token_ms", 50.0 / static_cast<double>(n)},
                            {"predicted_per_second", static_cast<double>(n) / 0.05}}}}));
  misbehave(s, b, 1, "data: {\"content\": \"tok\n\n");
  return s;
}

Script FakeServer::Impl::openai(const nlohmann::json& body, bool chat, Behaviour b) {
  Script s;
  const int64_t n = generated(cfg, body, "max_tokens");
  const std::string text =
      chat ? body["messages"].back().value("content", "") : body.value("prompt", "");
  const int64_t p = count_words(text) + (chat ? kFakeTemplateTokens : 1);
  const nlohmann::json head = {{"id", chat ? "chatcmpl-fake" : "cmpl-fake"},
                               {"object", chat ? "chat.completion.chunk" : "text_completion"},
                               {"created", 1795432800},
                               {"model", body.value("model", "")}};
  for (int64_t i = 0; i < n; ++i) {
    nlohmann::json j = head;
    const std::string tok = "tok" + std::to_string(i) + " ";
    j["choices"] = {chat ? nlohmann::json{{"index", 0},
                                          {"delta", {{"content", tok}}},
                                          {"finish_reason", nullptr}}
                         : nlohmann::json{{"index", 0}, {"text", tok}, {"finish_reason", nullptr}}};
    s.pieces.push_back(sse(j));
  }
  nlohmann::json usage = head;
  usage["choices"] = nlohmann::json::array();
  usage["usage"] = {{"prompt_tokens", p}, {"completion_tokens", n}, {"total_tokens", p + n}};
  if (b == Behaviour::CacheHit)
    usage["usage"]["prompt_tokens_details"] = {{"cached_tokens", p - 1}};
  s.pieces.push_back(sse(usage));
  s.pieces.push_back("data: [DONE]\n\n");
  misbehave(s, b, 2, "data: {\"choices\": [\n\n");
  return s;
}

void FakeServer::Impl::serve(httplib::Response& res, Script s) {
  const int delay = cfg.chunk_delay_ms;
  const double hang = cfg.hang_s;
  res.set_chunked_content_provider(
      s.content_type, [this, s, delay, hang](size_t, httplib::DataSink& sink) {
        for (const auto& piece : s.pieces) {
          if (!sink.write(piece.data(), piece.size())) return false;
          std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        }
        if (s.end == Script::End::Close) return false;
        if (s.end == Script::End::Hang) {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait_for(lock, std::chrono::duration<double>(hang), [this] { return stopping; });
          return false;
        }
        sink.done();
        return true;
      });
}

void FakeServer::Impl::routes(FakeServer& owner) {
  // A generation request: record it, pick the behaviour for its index, answer with a script.
  auto generation = [this, &owner](const httplib::Request& req, httplib::Response& res, auto make) {
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    int index = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      bodies.push_back(body);
      index = owner.generations_++;
    }
    const Behaviour b =
        cfg.misbehave_on < 0 || cfg.misbehave_on == index ? cfg.behaviour : Behaviour::Normal;
    if (b == Behaviour::Http500) {
      const nlohmann::json err =
          cfg.api == "ollama"
              ? nlohmann::json{{"error", kFakeErrorText}}
              : nlohmann::json{
                    {"error",
                     {{"code", 500}, {"message", kFakeErrorText}, {"type", "server_error"}}}};
      res.status = 500;
      res.set_content(err.dump(), "application/json");
      return;
    }
    serve(res, make(body, b));
  };
  auto json = [](httplib::Response& res, const nlohmann::json& j) {
    res.set_content(j.dump(), "application/json");
  };
  if (cfg.api == "ollama") {
    server.Get("/api/version", [=, this](const httplib::Request&, httplib::Response& res) {
      json(res, {{"version", "0.12.3"}});
    });
    server.Get("/api/ps", [=, this](const httplib::Request&, httplib::Response& res) {
      json(res, {{"models",
                  {{{"name", "fake:latest"},
                    {"model", "fake:latest"},
                    {"size", 6000000000},
                    {"size_vram", 5000000000},
                    {"context_length", 4096},
                    {"details", {{"quantization_level", "Q4_K_M"}}}}}}});
    });
    server.Post("/api/generate", [=, this](const httplib::Request& q, httplib::Response& r) {
      generation(q, r,
                 [this](const nlohmann::json& b, Behaviour x) { return ollama(b, false, x); });
    });
    server.Post("/api/chat", [=, this](const httplib::Request& q, httplib::Response& r) {
      generation(q, r, [this](const nlohmann::json& b, Behaviour x) { return ollama(b, true, x); });
    });
  } else if (cfg.api == "llama-server") {
    server.Get("/props", [=, this](const httplib::Request&, httplib::Response& res) {
      json(res, {{"build_info", "b6000-0123abcd"},
                 {"model_path", "/models/fake-Q4_K_M.gguf"},
                 {"total_slots", 1},
                 {"default_generation_settings", {{"n_ctx", 4096}}}});
    });
    server.Post("/tokenize", [=, this](const httplib::Request& q, httplib::Response& res) {
      const auto b = nlohmann::json::parse(q.body);
      std::vector<int64_t> ids;
      if (b.value("add_special", false)) ids.push_back(1);
      std::istringstream in(b.value("content", ""));
      std::string w;
      while (in >> w)
        ids.push_back(100 + static_cast<int64_t>(std::hash<std::string>{}(w) % 30000));
      json(res, {{"tokens", ids}});
    });
    server.Post("/apply-template", [=, this](const httplib::Request& q, httplib::Response& res) {
      const auto b = nlohmann::json::parse(q.body);
      // Five words of template; with the BOS /completion adds, kFakeTemplateTokens in all.
      json(res, {{"prompt", "<|im_start|> user " + b["messages"].back().value("content", "") +
                                " <|im_end|> <|im_start|> assistant"}});
    });
    server.Post("/completion", [=, this](const httplib::Request& q, httplib::Response& r) {
      generation(q, r, [this](const nlohmann::json& b, Behaviour x) { return llama(b, x); });
    });
  } else {
    server.Get("/v1/models", [=, this](const httplib::Request&, httplib::Response& res) {
      json(res, {{"object", "list"}, {"data", {{{"id", "fake"}, {"object", "model"}}}}});
    });
    server.Post("/v1/chat/completions", [=, this](const httplib::Request& q, httplib::Response& r) {
      generation(q, r, [this](const nlohmann::json& b, Behaviour x) { return openai(b, true, x); });
    });
    server.Post("/v1/completions", [=, this](const httplib::Request& q, httplib::Response& r) {
      generation(q, r,
                 [this](const nlohmann::json& b, Behaviour x) { return openai(b, false, x); });
    });
  }
}

FakeServer::FakeServer(FakeConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(config);
  impl_->routes(*this);
  port_ = impl_->server.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeServer::~FakeServer() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

std::vector<nlohmann::json> FakeServer::bodies() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->bodies;
}

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace worthit::testing
