// SPDX-License-Identifier: MIT
// Stream parsers fed at every split position, the adapters against recorded-format fixtures
// (tests/data/bench/README.md says where each format comes from), and summary statistics.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench/server.h"
#include "bench/stats.h"
#include "bench/stream.h"

namespace worthit::bench {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(WORTHIT_TEST_DATA) + "/bench/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text, size_t split) {
  LineSplitter ls;
  std::vector<std::string> out;
  auto cb = [&](std::string_view l) { out.emplace_back(l); };
  ls.feed(std::string_view(text).substr(0, split), cb);
  ls.feed(std::string_view(text).substr(split), cb);
  ls.finish(cb);
  return out;
}

std::vector<SseEvent> events_of(const std::string& text, size_t split) {
  SseParser p;
  std::vector<SseEvent> out;
  auto cb = [&](const SseEvent& e) { out.push_back(e); };
  p.feed(std::string_view(text).substr(0, split), cb);
  p.feed(std::string_view(text).substr(split), cb);
  p.finish(cb);
  return out;
}

TEST(LineSplitter, SameLinesWhereverTheStreamIsSplit) {
  const std::string text = fixture("ollama_generate.ndjson");
  ASSERT_FALSE(text.empty());
  const auto whole = lines_of(text, text.size());
  ASSERT_EQ(whole.size(), 5u);
  EXPECT_EQ(
      whole[0],
      R"({"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","response":"The","done":false})");
  for (size_t split = 0; split <= text.size(); ++split)
    ASSERT_EQ(lines_of(text, split), whole) << split;
}

TEST(LineSplitter, ByteByByteWithCrLfAndATrailingLineWithoutNewline) {
  LineSplitter ls;
  std::vector<std::string> out;
  const std::string text = "a\r\nbc\n\nd";
  for (char c : text)
    ls.feed(std::string_view(&c, 1), [&](std::string_view l) { out.emplace_back(l); });
  EXPECT_TRUE(ls.finish([&](std::string_view l) { out.emplace_back(l); }));
  EXPECT_EQ(out, (std::vector<std::string>{"a", "bc", "", "d"}));
}

TEST(SseParser, SameEventsWhereverTheStreamIsSplit) {
  for (const char* name : {"llama_server_completion.sse", "openai_chat_usage.sse"}) {
    const std::string text = fixture(name);
    ASSERT_FALSE(text.empty()) << name;
    const auto whole = events_of(text, text.size());
    for (size_t split = 0; split <= text.size(); ++split) {
      const auto got = events_of(text, split);
      ASSERT_EQ(got.size(), whole.size()) << name << " split at " << split;
      for (size_t i = 0; i < got.size(); ++i)
        ASSERT_EQ(got[i].data, whole[i].data) << name << " " << split;
    }
  }
}

TEST(SseParser, FieldsCommentsMultiLineDataDoneAndErrorLines) {
  const std::string text =
      ": keep-alive\n\nevent: update\ndata: {\"a\":\ndata:1}\nid: 7\n\ndata: [DONE]\n\n"
      "error: {\"code\":500,\"message\":\"boom\"}\n\n";
  const auto ev = events_of(text, 13);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].event, "update");
  EXPECT_EQ(ev[0].data, "{\"a\":\n1}");
  EXPECT_EQ(ev[1].data, "[DONE]");
  EXPECT_EQ(ev[2].event, "error");
  EXPECT_EQ(server_error_text(ev[2].data), "boom");
}

/// Serves a fixture's bytes in 7-byte chunks on any POST path.
class Replay {
 public:
  Replay(std::string body, std::string type) {
    server_.Post(R"(/.*)", [body, type](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider(type, [body](size_t, httplib::DataSink& sink) {
        for (size_t i = 0; i < body.size(); i += 7)
          sink.write(body.data() + i, std::min<size_t>(7, body.size() - i));
        sink.done();
        return true;
      });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Replay() {
    server_.stop();
    thread_.join();
  }
  HttpClient client() const {
    return HttpClient(Endpoint{"127.0.0.1", port_, ""}, HttpTimeouts{2, 2});
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

measure::Sample replay(const ServerAdapter& a, const std::string& file, const std::string& type,
                       bool chat) {
  Replay r(fixture(file), type);
  HttpClient http = r.client();
  GenRequest req;
  req.model = "m";
  req.chat = chat;
  req.text = "hi";
  if (a.name() == "llama-server") req.tokens = {1, 2, 3};
  auto s = a.send(http, req, nullptr);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message());
  return s ? *s : measure::Sample{};
}

TEST(Fixtures, OllamaGenerateStatisticsInNanoseconds) {
  const auto s =
      replay(*make_ollama_adapter(), "ollama_generate.ndjson", "application/x-ndjson", false);
  EXPECT_EQ(s.server.prompt_tokens, 26);
  EXPECT_DOUBLE_EQ(*s.server.prompt_s, 0.130079);
  EXPECT_EQ(s.server.gen_tokens, 259);
  EXPECT_DOUBLE_EQ(*s.server.gen_s, 4.23271);
  EXPECT_DOUBLE_EQ(*s.server.load_s, 6.338219291);
  EXPECT_DOUBLE_EQ(*s.server.total_s, 10.706818083);
  EXPECT_EQ(s.client.content_chunks, 4);
  EXPECT_EQ(s.client.chunk_gaps_s.size(), 3u);
}

TEST(Fixtures, LlamaServerTimingsInMilliseconds) {
  const auto s = replay(*make_llama_server_adapter(), "llama_server_completion.sse",
                        "text/event-stream", false);
  EXPECT_EQ(s.server.prompt_tokens, 2005);
  EXPECT_DOUBLE_EQ(*s.server.prompt_s, 0.519441);
  EXPECT_EQ(s.server.gen_tokens, 64);
  EXPECT_DOUBLE_EQ(*s.server.gen_s, 0.180961);
  EXPECT_EQ(s.server.cached_tokens, 0);
  EXPECT_FALSE(s.server.load_s.has_value());
  EXPECT_EQ(s.client.content_chunks, 3);
}

TEST(Fixtures, OpenAiUsageCountsAndNoDurations) {
  const auto s = replay(*make_openai_adapter(), "openai_chat_usage.sse", "text/event-stream", true);
  EXPECT_EQ(s.server.prompt_tokens, 63);
  EXPECT_EQ(s.server.gen_tokens, 381);
  EXPECT_FALSE(s.server.gen_s.has_value());
  EXPECT_FALSE(s.server.prompt_s.has_value());
  EXPECT_EQ(s.client.content_chunks, 3);  // the role chunk carries no content
}

TEST(Stats, MeanSampleStddevAndInterpolatedPercentiles) {
  const auto s = summarize({4, 1, 3, 2, 5});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->n, 5);
  EXPECT_DOUBLE_EQ(s->mean, 3);
  EXPECT_DOUBLE_EQ(*s->stddev, std::sqrt(2.5));
  EXPECT_DOUBLE_EQ(s->median, 3);
  EXPECT_DOUBLE_EQ(s->p90, 4.6);
  EXPECT_DOUBLE_EQ(s->p99, 4.96);
  EXPECT_DOUBLE_EQ(s->min, 1);
  EXPECT_DOUBLE_EQ(s->max, 5);
  EXPECT_DOUBLE_EQ(*s->cv, std::sqrt(2.5) / 3);
}

TEST(Stats, OneValueHasNoStddevAndNoneIsEmpty) {
  const auto one = summarize({7});
  ASSERT_TRUE(one);
  EXPECT_FALSE(one->stddev.has_value());
  EXPECT_DOUBLE_EQ(one->p99, 7);
  EXPECT_FALSE(summarize({}).has_value());
}

TEST(Endpoint, ParsesHttpAndRefusesHttps) {
  auto e = parse_endpoint("http://localhost:11434/base/");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "localhost");
  EXPECT_EQ(e->port, 11434);
  EXPECT_EQ(e->base_path, "/base");
  EXPECT_EQ(parse_endpoint("http://10.0.0.2")->port, 80);
  EXPECT_EQ(parse_endpoint("https://x:1").error().message(),
            "--url: https is not supported: 'https://x:1' (worthit talks to local servers over "
            "plain http; use http://)");
  EXPECT_EQ(parse_endpoint("http://h:99999").error().message(),
            "--url: bad port '99999' in 'http://h:99999'");
  EXPECT_EQ(parse_endpoint("ftp://h").error().message(),
            "--url: expected a URL like http://127.0.0.1:11434, got 'ftp://h'");
}

}  // namespace
}  // namespace worthit::bench
