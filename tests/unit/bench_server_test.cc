// SPDX-License-Identifier: MIT
// The runner and adapters against in-process servers that speak each API (tests/support/
// fake_servers.h): normal runs with exact recorded numbers, every failure mode as a failed
// repetition while the run goes on, prompt-cache hits, exact-length tests, concurrency, the CLI
// with Ctrl-C, and an end-to-end run against a real server when one is named.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "bench/runner.h"
#include "bench/stats.h"
#include "bench/summary.h"
#include "bench/telemetry.h"
#include "store/result_store.h"
#include "support/fake_servers.h"

namespace worthit::bench {
namespace {

using testing::Behaviour;
using testing::FakeConfig;
using testing::FakeServer;

int64_t words(const std::string& s) {
  std::istringstream in(s);
  std::string w;
  int64_t n = 0;
  while (in >> w) ++n;
  return n;
}

struct Bench {
  std::string api = "ollama";
  Workload workload = seed_workload(5);
  int reps = 3, warmup = 0, users = 1;
  double timeout_s = 2;
  measure::Run run(const std::string& url) const {
    auto adapter = make_adapter(api);
    RunnerOptions o;
    o.reps = reps;
    o.warmup = warmup;
    o.users = users;
    o.base.model = "fake";
    o.timeouts = {1, timeout_s};
    o.nonce_seed = 42;
    return run_workload(**adapter, *parse_endpoint(url), workload, o, RunnerHooks{});
  }
};

std::string path_of(const std::string& api) {
  return api == "ollama"         ? "/api/chat"
         : api == "llama-server" ? "/completion"
                                 : "/v1/chat/completions";
}

class EveryApi : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(Bench, EveryApi, ::testing::Values("ollama", "llama-server", "openai"));

TEST_P(EveryApi, NormalRunRecordsServerAndClientNumbers) {
  FakeServer srv(FakeConfig{GetParam()});
  Bench b;
  b.api = GetParam();
  const measure::Run run = b.run(srv.url());
  ASSERT_EQ(run.samples.size(), 3u);
  // The prompt as the server saw it: ollama and OpenAI get a nonce line, llama-server the seed
  // prompt verbatim (cache_prompt: false) through /apply-template.
  const int64_t seed_words = words(std::string(kSeedPrompt));
  const int64_t expect_prompt =
      (GetParam() == "llama-server" ? 0 : 2) + seed_words + testing::kFakeTemplateTokens;
  for (const auto& s : run.samples) {
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_FALSE(s.prompt_cache_hit);
    EXPECT_EQ(s.server.prompt_tokens, expect_prompt);
    EXPECT_EQ(s.server.gen_tokens, 5);
    EXPECT_EQ(s.client.content_chunks, 5);
    EXPECT_EQ(s.client.chunk_gaps_s.size(), 4u);
    EXPECT_LE(*s.client.first_byte_s, *s.client.first_token_s);
    EXPECT_LE(*s.client.first_token_s, *s.client.last_token_s);
    EXPECT_LE(*s.client.last_token_s, *s.client.total_s);
    if (GetParam() == "openai") {
      EXPECT_FALSE(s.server.gen_s.has_value());  // usage has counts only
    } else {
      EXPECT_DOUBLE_EQ(*s.server.prompt_s, 0.02);
      EXPECT_DOUBLE_EQ(*s.server.gen_s, 0.05);
      EXPECT_DOUBLE_EQ(*sample_metrics(s).eval_rate_tps, 100.0);
    }
  }
  const RunSummary sum = summarize_run(run);
  EXPECT_EQ(sum.ok, 3);
  EXPECT_EQ(sum.ttft_s->n, 3);
  EXPECT_EQ(run.notes.back(), "telemetry: none (no readable GPU or CPU energy source)");
}

struct FailureCase {
  Behaviour behaviour;
  std::string what;  ///< the message after "where: "
  bool transport;    ///< where = the URL (transport) or "<api> <path>" (protocol)
};

TEST_P(EveryApi, EachFailureModeFailsOneRepetitionAndTheRunGoesOn) {
  const std::string api = GetParam();
  const std::vector<FailureCase> cases = {
      {Behaviour::Hang, "no data from the server for 0.3 s (timeout; see --timeout-s)", true},
      {Behaviour::CloseMidStream, "connection closed mid-response", true},
      {Behaviour::Malformed, "", false},
      {Behaviour::Http500, "HTTP 500: CUDA error: out of memory", false},
      {Behaviour::NoFinal, "the stream ended without the final statistics", false},
  };
  for (const auto& c : cases) {
    FakeConfig cfg{api, c.behaviour, /*misbehave_on=*/1};
    FakeServer srv(cfg);
    Bench b;
    b.api = api;
    b.timeout_s = 0.3;
    const measure::Run run = b.run(srv.url());
    ASSERT_EQ(run.samples.size(), 3u) << static_cast<int>(c.behaviour);
    EXPECT_TRUE(run.samples[0].ok) << run.samples[0].error;
    EXPECT_TRUE(run.samples[2].ok) << run.samples[2].error;
    const measure::Sample& bad = run.samples[1];
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.rep, 1);
    const std::string where = c.transport ? srv.url() + path_of(api) : api + " " + path_of(api);
    std::string what = c.what;
    if (c.behaviour == Behaviour::Malformed)
      what = api == "ollama"
                 ? "malformed JSON in the stream: '{\"model\": \"fake\", \"response\": \"tok'"
             : api == "llama-server" ? "malformed JSON in the stream: '{\"content\": \"tok'"
                                     : "malformed JSON in the stream: '{\"choices\": ['";
    EXPECT_EQ(bad.error, where + ": " + what) << static_cast<int>(c.behaviour);
  }
}

TEST_P(EveryApi, ConnectionRefusedFailsEveryRepetitionWithTheSameMessage) {
  const int port = testing::closed_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  Bench b;
  b.api = GetParam();
  b.reps = 2;
  const measure::Run run = b.run(url);
  ASSERT_EQ(run.samples.size(), 2u);
  const std::string refused = "cannot connect to 127.0.0.1:" + std::to_string(port) +
                              " (connection refused or unreachable)";
  for (const auto& s : run.samples) {
    EXPECT_FALSE(s.ok);
    const std::string where =
        GetParam() == "llama-server" ? url + "/apply-template" : url + path_of(GetParam());
    EXPECT_EQ(s.error, where + ": " + refused);
  }
}

TEST_P(EveryApi, PromptCacheHitIsMarked) {
  FakeServer srv(FakeConfig{GetParam(), Behaviour::CacheHit, 1});
  Bench b;
  b.api = GetParam();
  const measure::Run run = b.run(srv.url());
  ASSERT_EQ(run.samples.size(), 3u);
  EXPECT_FALSE(run.samples[0].prompt_cache_hit);
  EXPECT_TRUE(run.samples[1].prompt_cache_hit);
  EXPECT_FALSE(run.samples[2].prompt_cache_hit);
  EXPECT_EQ(summarize_run(run).cache_hits, 1);
  EXPECT_EQ(
      summarize_run(run).prompt_eval_rate_tps ? summarize_run(run).prompt_eval_rate_tps->n : 0,
      GetParam() == "openai" ? 0 : 2);  // the hit is left out of the prompt eval rate
}

TEST_P(EveryApi, TestsGetTheRequestedPromptLength) {
  FakeServer srv(FakeConfig{GetParam()});
  Bench b;
  b.api = GetParam();
  b.workload = *test_workload("pp64", -1);
  const measure::Run run = b.run(srv.url());
  ASSERT_EQ(run.samples.size(), 3u);
  for (const auto& s : run.samples) {
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.server.prompt_tokens, 64);  // exact (llama-server) or calibrated (the others)
    EXPECT_EQ(s.server.gen_tokens, 1);
    EXPECT_FALSE(s.prompt_cache_hit);
  }
  EXPECT_EQ(run.n_prompt, 64);
}

TEST(BenchLlamaServer, DepthIsPrimedThenReusedAndTheRequestIsExact) {
  FakeServer srv(FakeConfig{"llama-server"});
  Bench b;
  b.api = "llama-server";
  b.workload = *test_workload("pp32@d64", -1);
  b.reps = 2;
  const measure::Run run = b.run(srv.url());
  ASSERT_EQ(run.samples.size(), 2u);
  for (const auto& s : run.samples) {
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.server.prompt_tokens, 32);
    EXPECT_EQ(s.server.cached_tokens, 64);
    EXPECT_FALSE(s.prompt_cache_hit);
  }
  const auto bodies = srv.bodies();
  ASSERT_EQ(bodies.size(), 4u);  // priming + timed, twice
  EXPECT_EQ(bodies[0]["prompt"].size(), 64u);
  EXPECT_EQ(bodies[1]["prompt"].size(), 96u);
  EXPECT_EQ(bodies[1]["cache_prompt"], true);
  EXPECT_EQ(bodies[1]["ignore_eos"], true);
  EXPECT_NE(bodies[0]["prompt"][2], bodies[2]["prompt"][2]);  // a fresh nonce per repetition
}

TEST(BenchConcurrency, FourUsersGiveFourSamplesPerRepetitionAndAnAggregate) {
  FakeConfig cfg{"llama-server"};
  cfg.tokens = 10;
  cfg.chunk_delay_ms = 10;
  FakeServer srv(cfg);
  Bench b;
  b.api = "llama-server";
  b.workload = seed_workload(10);
  b.users = 4;
  b.reps = 2;
  const measure::Run run = b.run(srv.url());
  ASSERT_EQ(run.samples.size(), 8u);
  std::vector<double> ttft;
  for (int rep = 0; rep < 2; ++rep) {
    double begin = 1e9, end = 0;
    int64_t tokens = 0;
    std::set<int> users;
    for (const auto& s : run.samples) {
      if (s.rep != rep) continue;
      ASSERT_TRUE(s.ok) << s.error;
      users.insert(s.user);
      begin = std::min(begin, *s.client.start_s);
      end = std::max(end, *s.client.start_s + *s.client.total_s);
      tokens += *s.server.gen_tokens;
      ttft.push_back(*s.client.first_token_s);
    }
    EXPECT_EQ(users, (std::set<int>{0, 1, 2, 3}));
    EXPECT_EQ(tokens, 40);
    const RunSummary sum = summarize_run(run);
    ASSERT_TRUE(sum.aggregate_tps);
    EXPECT_EQ(sum.aggregate_tps->n, 2);
    // The streams overlapped: every user started before any had finished.
    double last_start = 0, first_end = 1e9;
    for (const auto& s : run.samples)
      if (s.rep == rep) {
        last_start = std::max(last_start, *s.client.start_s);
        first_end = std::min(first_end, *s.client.start_s + *s.client.total_s);
      }
    EXPECT_LT(last_start, first_end);
    EXPECT_GT(end, begin);
  }
  const RunSummary sum = summarize_run(run);
  std::vector<double> sorted = ttft;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_DOUBLE_EQ(sum.ttft_s->median, percentile(sorted, 50));
  EXPECT_DOUBLE_EQ(sum.ttft_s->p90, percentile(sorted, 90));
  EXPECT_DOUBLE_EQ(sum.ttft_s->p99, percentile(sorted, 99));
  // aggregate = all tokens of a repetition / its wall window, one value per repetition
  double agg_sum = 0;
  for (int rep = 0; rep < 2; ++rep) {
    double begin = 1e9, end = 0;
    for (const auto& s : run.samples)
      if (s.rep == rep) {
        begin = std::min(begin, *s.client.start_s);
        end = std::max(end, *s.client.start_s + *s.client.total_s);
      }
    agg_sum += 40 / (end - begin);
  }
  EXPECT_NEAR(sum.aggregate_tps->mean, agg_sum / 2, 1e-9);
}

// ---- the CLI: JSON output, https refused, Ctrl-C keeps what was measured ----

struct Outcome {
  int code = -1;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs the worthit binary; when `sigint_after_ms` >= 0 sends it SIGINT after that long.
Outcome worthit(const std::vector<std::string>& args, int sigint_after_ms = -1) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("worthit_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fo = ::open((dir / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int fe = ::open((dir / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    std::string bin = WORTHIT_BINARY;
    argv.push_back(bin.data());
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  if (sigint_after_ms >= 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(sigint_after_ms));
    ::kill(pid, SIGINT);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir / "out"), slurp(dir / "err")};
}

std::string temp_db(const std::string& name) {
  const auto p = std::filesystem::temp_directory_path() /
                 ("worthit_bench_" + std::to_string(::getpid()) + "_" + name + ".db");
  std::filesystem::remove(p);
  return p.string();
}

TEST(BenchCli, JsonHasEverySampleWithUnitsInTheKeysAndTheRunIsStored) {
  FakeServer srv(FakeConfig{"ollama"});
  const std::string db = temp_db("json");
  const Outcome o =
      worthit({"bench", "--server", "ollama", "--url", srv.url(), "--model", "fake", "--reps", "2",
               "--warmup", "1", "--gen-tokens", "5", "--json", "--db", db});
  ASSERT_EQ(o.code, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["command"], "bench");
  const auto& run = j["runs"][0];
  EXPECT_EQ(run["test"], "seed");
  EXPECT_EQ(run["server_build"], "0.12.3");
  EXPECT_EQ(run["quant"], "Q4_K_M");  // from /api/ps
  EXPECT_EQ(run["settings"]["server"]["size_vram_bytes"], 5000000000LL);
  ASSERT_EQ(run["samples"].size(), 2u);
  EXPECT_EQ(run["samples"][0]["server"]["eval_rate_tps"], 100.0);
  EXPECT_EQ(run["summary"]["server"]["eval_rate_tps"]["mean"], 100.0);
  EXPECT_TRUE(run["samples"][1]["client"]["ttft_s"].is_number());
  EXPECT_EQ(srv.generations(), 3);  // one warm-up, two timed
  auto store = store::ResultStore::open(db);
  ASSERT_TRUE(store) << store.error().message();
  auto stored = store->run(run["id"].get<int64_t>());
  ASSERT_TRUE(stored) << stored.error().message();
  EXPECT_EQ(stored->server, "ollama");
  EXPECT_EQ(stored->server_build, "0.12.3");
  ASSERT_EQ(stored->samples.size(), 2u);
  EXPECT_EQ(stored->samples[1].server.gen_tokens, 5);
}

TEST(BenchCli, TextTableAndHttpsRefused) {
  FakeServer srv(FakeConfig{"llama-server"});
  const Outcome o = worthit({"bench", "--server", "llama-server", "--url", srv.url(), "--test",
                             "pp16", "--reps", "2", "--no-db"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("worthit bench: llama-server b6000-0123abcd at " + srv.url() +
                       ", model fake-Q4_K_M.gguf"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("eval rate t/s (server)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("pp16"), std::string::npos);
  const Outcome h =
      worthit({"bench", "--server", "ollama", "--url", "https://127.0.0.1:1", "--model", "m"});
  EXPECT_EQ(h.code, 2);
  EXPECT_EQ(h.err,
            "worthit: error: --url: https is not supported: 'https://127.0.0.1:1' (worthit talks "
            "to local "
            "servers over plain http; use http://)\n");
  const Outcome u = worthit({"bench", "--server", "olama", "--model", "m"});
  EXPECT_EQ(u.code, 2);
  EXPECT_EQ(u.err,
            "worthit: error: --server: unknown server API 'olama' (did you mean 'ollama'?)\n");
}

TEST(BenchCli, CtrlCStopsAfterTheCurrentRepetitionAndPrintsWhatWasMeasured) {
  FakeConfig cfg{"ollama"};
  cfg.tokens = 20;
  cfg.chunk_delay_ms = 20;  // 0.4 s per request
  FakeServer srv(cfg);
  const std::string db = temp_db("sigint");
  const Outcome o =
      worthit({"bench", "--server", "ollama", "--url", srv.url(), "--model", "fake", "--reps", "20",
               "--warmup", "0", "--gen-tokens", "20", "--json", "--db", db},
              600);
  EXPECT_EQ(o.code, 130) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  const auto& samples = j["runs"][0]["samples"];
  EXPECT_GE(samples.size(), 1u);
  EXPECT_LE(samples.size(), 3u);
  for (const auto& s : samples) EXPECT_TRUE(s["ok"].get<bool>());
  EXPECT_NE(o.err.find("stopping after the current repetition"), std::string::npos);
  auto store = store::ResultStore::open(db);
  ASSERT_TRUE(store);
  auto runs = store->runs({});
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 1u);  // what was measured before Ctrl-C is kept
  EXPECT_EQ(runs->front().samples.size(), samples.size());
}

// ---- end to end against a real server, when the environment names one ----

TEST(BenchEndToEnd, RealServerWhenNamed) {
  const char* ollama = std::getenv("WORTHIT_E2E_OLLAMA_URL");
  const char* llama = std::getenv("WORTHIT_E2E_LLAMA_URL");
  const char* model = std::getenv("WORTHIT_E2E_MODEL");
  if ((!ollama && !llama) || (ollama && !model))
    GTEST_SKIP() << "set WORTHIT_E2E_OLLAMA_URL and WORTHIT_E2E_MODEL (an ollama server and a "
                    "pulled model) or "
                    "WORTHIT_E2E_LLAMA_URL (a running llama-server) to run this test";
  Bench b;
  b.api = ollama ? "ollama" : "llama-server";
  b.workload = seed_workload(32);
  b.reps = 2;
  b.warmup = 1;
  b.timeout_s = 120;
  auto adapter = make_adapter(b.api);
  RunnerOptions o;
  o.reps = 2;
  o.warmup = 1;
  o.base.model = model ? model : "";
  o.timeouts = {10, 120};
  const measure::Run run =
      run_workload(**adapter, *parse_endpoint(ollama ? ollama : llama), b.workload, o, {});
  ASSERT_EQ(run.samples.size(), 2u);
  for (const auto& s : run.samples) {
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_GT(*s.server.prompt_tokens, 10);
    EXPECT_GT(*s.server.gen_tokens, 0);
    EXPECT_GT(*sample_metrics(s).eval_rate_tps, 0.1);
    EXPECT_FALSE(s.prompt_cache_hit);
  }
  EXPECT_FALSE(run.server_build.empty());
}

}  // namespace
}  // namespace worthit::bench

namespace worthit::bench {
namespace {

/// Counts windows and reports a fixed power, like an NVML sampler would.
class FakeTelemetry : public TelemetryWindow {
 public:
  void begin() override { ++begun; }
  measure::Telemetry end(std::vector<std::string>& notes) override {
    ++ended;
    if (ended == 1) notes.push_back("telemetry: fake note");
    measure::Telemetry t;
    t.gpu_power_avg_w = 200.0 + ended;
    t.gpu_energy_j = 10.0;
    return t;
  }
  int begun = 0, ended = 0;
};

TEST(BenchTelemetry, EachRepetitionIsOneWindowAndItsNumbersGoToItsSamples) {
  FakeServer srv(FakeConfig{"ollama"});
  FakeTelemetry tel;
  RunnerHooks hooks;
  hooks.telemetry = &tel;
  hooks.telemetry_notes = {"telemetry: CPU energy: not readable here"};
  RunnerOptions o;
  o.reps = 2;
  o.warmup = 1;
  o.base.model = "fake";
  o.timeouts = {1, 2};
  const measure::Run run =
      run_workload(*make_ollama_adapter(), *parse_endpoint(srv.url()), seed_workload(5), o, hooks);
  EXPECT_EQ(tel.begun, 2);  // the warm-up is not a window
  EXPECT_EQ(tel.ended, 2);
  ASSERT_EQ(run.samples.size(), 2u);
  EXPECT_DOUBLE_EQ(*run.samples[0].telemetry.gpu_power_avg_w, 201.0);
  EXPECT_DOUBLE_EQ(*run.samples[1].telemetry.gpu_power_avg_w, 202.0);
  const RunSummary s = summarize_run(run);
  EXPECT_DOUBLE_EQ(s.gpu_power_avg_w->mean, 201.5);
  EXPECT_NE(std::find(run.notes.begin(), run.notes.end(), "telemetry: fake note"), run.notes.end());
  EXPECT_EQ(run.notes.back(), "telemetry: CPU energy: not readable here");
}

TEST(BenchTelemetry, DeviceTelemetryOpensOrSaysWhyNot) {
  std::vector<std::string> notes;
  const auto t = DeviceTelemetry::open(notes);
  // Without NVML and RAPL (CI, containers) it returns null and names both sources.
  if (!t) {
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[0].rfind("telemetry: GPU: ", 0), 0u) << notes[0];
    EXPECT_EQ(notes[1].rfind("telemetry: CPU energy: ", 0), 0u) << notes[1];
  }
}

}  // namespace
}  // namespace worthit::bench
