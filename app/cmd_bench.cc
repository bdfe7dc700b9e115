// SPDX-License-Identifier: MIT
// `worthit bench`: measures a model on a running server (ollama, llama-server, OpenAI-compatible)
// with the seed's Tokyo prompt, llama-bench-style tests or a prompt file; prints mean ± stddev per
// test and keeps every sample. Ctrl-C stops after the current repetition and prints what was
// measured (exit 130); a second Ctrl-C aborts the requests in flight.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <optional>
#include <random>

#include "bench/runner.h"
#include "bench/server.h"
#include "bench/telemetry.h"
#include "bench_output.h"
#include "common.h"
#include "store/result_store.h"

namespace worthit::app {
namespace {

constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

std::atomic<bool> g_stop{false};
std::atomic<bool> g_cancel{false};

extern "C" void on_sigint(int) {
  if (g_stop.exchange(true)) {
    g_cancel = true;
    return;
  }
  static const char kMsg[] =
      "\nworthit: stopping after the current repetition (Ctrl-C again to abort it)\n";
  [[maybe_unused]] auto n = ::write(2, kMsg, sizeof kMsg - 1);
}

struct BenchArgs {
  GlobalOptions g;
  std::string server, url, model, prompt_file, workload, system_id, system_prompt, db;
  std::vector<std::string> tests;
  int64_t gen_tokens = -1, ctx = 0, seed = 42;
  int reps = 3, warmup = 1, users = 1;
  double timeout_s = 300;
  bool csv = false, md = false, no_db = false;
};

/// Where runs are stored: --db, else the store's default path; none with --no-db.
Result<std::optional<store::ResultStore>> open_store(const BenchArgs& a) {
  if (a.no_db) return std::optional<store::ResultStore>();
  const std::string path = a.db.empty() ? store::default_db_path() : a.db;
  if (path.empty())
    return fail("--db", "no default results database (neither XDG_DATA_HOME nor HOME is set)",
                "give --db PATH or --no-db");
  auto s = store::ResultStore::open(path);
  if (!s) return fail(s.error().within("--db"));
  return std::optional<store::ResultStore>(std::move(*s));
}

std::string default_url(const std::string& server) {
  if (server == "ollama") return "http://127.0.0.1:11434";
  if (server == "llama-server") return "http://127.0.0.1:8080";
  return "http://127.0.0.1:8000";
}

Result<std::vector<bench::Workload>> workloads(const BenchArgs& a) {
  const int given = !a.tests.empty() + !a.prompt_file.empty() + !a.workload.empty();
  if (given > 1) return fail("--test", "give one of --test, --prompt-file and --workload");
  if (!a.workload.empty() && a.workload != "seed")
    return fail("--workload", fmt::format("unknown workload '{}'", a.workload),
                "the only named workload is 'seed'");
  std::vector<bench::Workload> out;
  for (const auto& t : a.tests) {
    WORTHIT_TRY(w, bench::test_workload(t, a.gen_tokens));
    out.push_back(w);
  }
  if (!a.prompt_file.empty()) {
    auto w = bench::prompt_file_workload(a.prompt_file, a.gen_tokens);
    if (!w) return fail(w.error().within("--prompt-file"));
    out.push_back(*w);
  }
  if (out.empty()) out.push_back(bench::seed_workload(a.gen_tokens));
  return out;
}

Status check_numbers(const BenchArgs& a) {
  if (a.reps < 1) return fail("--reps", "needs at least 1 repetition");
  if (a.warmup < 0) return fail("--warmup", "cannot be negative");
  if (a.users < 1 || a.users > 256) return fail("--users", "must be between 1 and 256");
  if (!(a.timeout_s > 0)) return fail("--timeout-s", "must be > 0 seconds");
  if (a.ctx < 0) return fail("--ctx", "must be >= 0 tokens");
  return Ok{};
}

Result<bench::Endpoint> endpoint_for(const BenchArgs& a) {
  WORTHIT_TRY(e, bench::parse_endpoint(a.url.empty() ? default_url(a.server) : a.url));
  // The OpenAI adapter adds /v1 itself; people usually paste the base URL with it.
  if (a.server == "openai" && e.base_path.size() >= 3 &&
      e.base_path.substr(e.base_path.size() - 3) == "/v1")
    e.base_path.resize(e.base_path.size() - 3);
  return e;
}

bench::RunnerOptions runner_options(const BenchArgs& a) {
  bench::RunnerOptions o;
  o.reps = a.reps;
  o.warmup = a.warmup;
  o.users = a.users;
  o.base.model = a.model;
  o.base.system = a.system_prompt;
  if (a.ctx > 0) o.base.n_ctx = a.ctx;
  o.base.seed = a.seed;
  o.timeouts.read_s = a.timeout_s;
  o.timeouts.connect_s = std::min(a.timeout_s, 10.0);
  o.nonce_seed = std::random_device{}() ^ (static_cast<uint64_t>(std::random_device{}()) << 32);
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) o.host = host;
  o.system = a.system_id;
  return o;
}

/// A one-line progress bar on stderr, only when stderr is a terminal.
class ProgressBar {
 public:
  ProgressBar(int total) : total_(total), tty_(::isatty(2) == 1) {}
  ~ProgressBar() {
    if (tty_ && drawn_) std::cerr << "\r\033[K" << std::flush;
  }
  void phase(const std::string& test, const std::string& what) { draw(test, what); }
  void sample(const std::string& test, const measure::Sample& s) {
    ++done_;
    draw(test, s.ok ? "" : "failed: " + s.error.substr(0, 40));
  }

 private:
  void draw(const std::string& test, const std::string& what) {
    if (!tty_) return;
    constexpr int kWidth = 24;
    const int fill = total_ > 0 ? done_ * kWidth / total_ : 0;
    std::cerr << fmt::format("\r\033[K[{}{}] {}/{} {} {}",
                             std::string(static_cast<size_t>(fill), '#'),
                             std::string(static_cast<size_t>(kWidth - fill), ' '), done_, total_,
                             test, what)
              << std::flush;
    drawn_ = true;
  }
  int total_, done_ = 0;
  bool tty_, drawn_ = false;
};

void print_stored(const std::vector<measure::Run>& runs, const std::string& path,
                  std::ostream& out) {
  std::string ids;
  for (const auto& r : runs)
    if (r.id) ids += (ids.empty() ? "" : ", ") + std::to_string(*r.id);
  if (!ids.empty())
    out << fmt::format("stored as run {} in {} (worthit results --db {})\n", ids, path, path);
}

/// What one invocation measures against, resolved from the flags.
struct Session {
  std::unique_ptr<bench::ServerAdapter> adapter;
  bench::Endpoint endpoint;
  std::vector<bench::Workload> workloads;
  bench::RunnerOptions opts;
};

Result<Session> session(const BenchArgs& a) {
  if (auto st = check_numbers(a); !st) return fail(st.error());
  Session s;
  WORTHIT_TRY(adapter, bench::make_adapter(a.server));
  s.adapter = std::move(adapter);
  if (a.model.empty() && a.server != "llama-server")
    return fail("--model", fmt::format("--model is required for {}", a.server));
  WORTHIT_TRY(ep, endpoint_for(a));
  s.endpoint = ep;
  WORTHIT_TRY(ws, workloads(a));
  s.workloads = std::move(ws);
  s.opts = runner_options(a);
  if (s.opts.base.model.empty()) s.opts.base.model = bench::kLoadedModel;
  return s;
}

/// Runs every workload, storing each run as soon as it is measured so that a later Ctrl-C or
/// failure loses nothing. Sets `store_failed` when a run could not be stored.
std::vector<measure::Run> measure_all(const BenchArgs& a, const Session& s,
                                      std::optional<store::ResultStore>& db, bool& store_failed) {
  ProgressBar bar(static_cast<int>(s.workloads.size()) * a.reps * a.users);
  std::vector<std::string> telemetry_notes;
  const auto telemetry = bench::DeviceTelemetry::open(telemetry_notes);
  std::vector<measure::Run> runs;
  for (const auto& w : s.workloads) {
    if (g_stop) break;
    bench::RunnerHooks hooks;
    hooks.stop = &g_stop;
    hooks.cancel = &g_cancel;
    hooks.telemetry = telemetry.get();
    hooks.telemetry_notes = telemetry_notes;
    hooks.on_sample = [&](const measure::Sample& x) { bar.sample(w.name, x); };
    hooks.on_phase = [&](const std::string& p) { bar.phase(w.name, p); };
    runs.push_back(bench::run_workload(*s.adapter, s.endpoint, w, s.opts, hooks));
    if (!db) continue;
    auto id = db->add_run(runs.back());
    if (id)
      runs.back().id = *id;
    else
      store_failed = report_error(id.error().within("--db")) != 0;
  }
  return runs;
}

int run(BenchArgs& a) {
  auto s = session(a);
  if (!s) return report_error(s.error());
  auto db = open_store(a);
  if (!db) return report_error(db.error());
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  ::sigaction(SIGINT, &sa, nullptr);
  bool store_failed = false;
  const std::vector<measure::Run> runs = measure_all(a, *s, *db, store_failed);
  ::signal(SIGINT, SIG_DFL);
  const BenchFormat f = a.g.json ? BenchFormat::Json
                        : a.csv  ? BenchFormat::Csv
                        : a.md   ? BenchFormat::Markdown
                                 : BenchFormat::Text;
  print_bench(runs, f, std::cout);
  if (*db && f == BenchFormat::Text) print_stored(runs, (*db)->path(), std::cout);
  if (g_stop) return kExitInterrupted;
  if (store_failed) return kExitFailure;
  for (const auto& r : runs)
    for (const auto& x : r.samples)
      if (x.ok) return kExitOk;
  return kExitFailure;  // not a single request succeeded
}

}  // namespace

void register_bench(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Measure a model on a running ollama, llama-server or OpenAI-compatible server");
  cmd->add_option("--server", a->server, "Server API: ollama, llama-server, openai")->required();
  cmd->add_option(
      "--url", a->url,
      "Server URL (default: ollama http://127.0.0.1:11434, llama-server :8080, openai :8000)");
  cmd->add_option("--model", a->model,
                  "Model name as the server knows it (llama-server: optional)");
  cmd->add_option("--test", a->tests,
                  "llama-bench test, repeatable: pp512, tg128, pp512+tg128, pp2048@d8192");
  cmd->add_option("--prompt-file", a->prompt_file, "Send this file's text as the user message");
  cmd->add_option("--workload", a->workload,
                  "seed (default): the seed study's Tokyo itinerary prompt");
  cmd->add_option("--gen-tokens", a->gen_tokens,
                  "Tokens to generate (default: 1000 for chat workloads, the tg part of a test)");
  cmd->add_option("--reps", a->reps, "Timed repetitions per test")->capture_default_str();
  cmd->add_option("--warmup", a->warmup, "Untimed requests before the repetitions")
      ->capture_default_str();
  cmd->add_option("--users", a->users, "Concurrent streams per repetition")->capture_default_str();
  cmd->add_option("--timeout-s", a->timeout_s,
                  "Seconds without data from the server before a request fails")
      ->capture_default_str();
  cmd->add_option("--ctx", a->ctx,
                  "Context size to ask for, tokens (ollama num_ctx; 0 = the server's default)");
  cmd->add_option("--seed", a->seed, "Sampling seed sent with every request")
      ->capture_default_str();
  cmd->add_option("--system", a->system_id,
                  "Catalog system id this machine is (recorded with the run)");
  cmd->add_option("--system-prompt", a->system_prompt, "System message for chat workloads");
  cmd->add_option("--db", a->db,
                  "Results database each run is stored in as it finishes (default: "
                  "$XDG_DATA_HOME/worthit/results.db)");
  cmd->add_flag("--no-db", a->no_db, "Do not store the runs");
  cmd->add_flag("--csv", a->csv, "One CSV row per sample");
  cmd->add_flag("--md", a->md, "Markdown summary table");
  add_global_options(cmd, a->g);
  cmd->callback([a, &exit_code] { exit_code = run(*a); });
}

}  // namespace worthit::app
