// SPDX-License-Identifier: MIT
// The results store: round trips, filters, migration from schema 1, refusal of files it must
// not touch, a writer killed inside its transaction, and two processes writing at once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "store/result_store.h"
#include "store/run_json.h"
#include "store/run_summary.h"

namespace worthit::store {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("worthit_store_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string db() const { return (dir_ / "sub" / "results.db").string(); }
  fs::path dir_;
};

measure::Sample full_sample(int rep) {
  measure::Sample s;
  s.rep = rep, s.user = 1, s.ok = true, s.prompt_cache_hit = true;
  s.server = {551, 0.0695, 1973, 13.4156, 12, 0.0618, 13.48};
  s.client.first_byte_s = 0.01, s.client.first_token_s = 0.08, s.client.last_token_s = 13.47;
  s.client.total_s = 13.49, s.client.chunk_gaps_s = {0.0068, 0.0071},
  s.client.content_chunks = 1973;
  s.telemetry = {4910.5, 364.2, 391.0, 135, int64_t{9720000000}, int64_t{812000000}, 501.25};
  return s;
}

measure::Run full_run() {
  measure::Run r;
  r.worthit_version = "0.1.0", r.source = "bench", r.host = "desk", r.system = "seed-desktop";
  r.server = "ollama", r.server_url = "http://127.0.0.1:11434", r.server_build = "0.15.5";
  r.model = "ministral-3-8b", r.model_name = "ministral-3:8b-instruct-2512-q4_K_M";
  r.quant = "Q4_K_M", r.test = "seed", r.n_prompt = 551, r.n_gen = 2000, r.depth = 4096;
  r.users = 2, r.warmup = 1, r.started_utc = "2026-02-15T10:04:05Z";
  r.settings = {{"num_ctx", 32768}, {"kv_cache_type", "q8_0"}};
  r.notes = {"telemetry: RAPL not readable",
             "a note with 'quotes' and \"double\"; DROP TABLE runs"};
  measure::Sample failed;
  failed.rep = 2, failed.ok = false, failed.error = "server closed the stream";
  r.samples = {full_sample(0), full_sample(1), failed};
  return r;
}

nlohmann::json without_id(const measure::Run& r) {
  nlohmann::json j = run_json(r, true);
  j.erase("id");
  return j;
}

TEST_F(StoreTest, RoundTripKeepsEveryFieldSetAndUnset) {
  auto s = ResultStore::open(db());
  ASSERT_TRUE(s) << s.error().message();
  const measure::Run r = full_run();
  auto id = s->add_run(r);
  ASSERT_TRUE(id) << id.error().message();
  auto back = s->run(*id);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->id, *id);
  EXPECT_EQ(without_id(*back), without_id(r));
  // The failed sample had nothing set: it comes back unset, never 0.
  const measure::Sample& f = back->samples.at(2);
  EXPECT_FALSE(f.server.prompt_tokens || f.server.prompt_s || f.server.gen_tokens ||
               f.server.gen_s || f.server.cached_tokens || f.server.load_s || f.server.total_s);
  EXPECT_FALSE(f.client.first_byte_s || f.client.first_token_s || f.client.last_token_s ||
               f.client.total_s || f.client.content_chunks);
  EXPECT_FALSE(f.telemetry.gpu_energy_j || f.telemetry.gpu_power_avg_w ||
               f.telemetry.gpu_power_max_w || f.telemetry.gpu_power_samples ||
               f.telemetry.gpu_memory_used_bytes || f.telemetry.server_rss_bytes ||
               f.telemetry.cpu_energy_j);
  EXPECT_TRUE(f.client.chunk_gaps_s.empty());
  EXPECT_EQ(f.error, "server closed the stream");
  EXPECT_EQ(s->schema_version().value_or(-1), kCurrentSchema);
}

TEST_F(StoreTest, FiltersSelectRuns) {
  auto s = ResultStore::open(db());
  ASSERT_TRUE(s);
  measure::Run a = full_run(), b = full_run(), c = full_run();
  b.system = "dgx-spark", b.test = "tg128", b.started_utc = "2026-03-01T00:00:00Z";
  c.model = "", c.model_name = "my-finetune", c.server = "llama-bench",
  c.source = "import:llama-bench";
  for (const auto* r : {&a, &b, &c}) ASSERT_TRUE(s->add_run(*r));
  auto count = [&](const RunFilter& f) { return s->runs(f).value().size(); };
  auto with = [](std::string RunFilter::*field, const std::string& v) {
    RunFilter f;
    f.*field = v;
    return f;
  };
  EXPECT_EQ(count({}), 3u);
  EXPECT_EQ(count(with(&RunFilter::system, "dgx-spark")), 1u);
  EXPECT_EQ(count(with(&RunFilter::model, "ministral-3-8b")), 2u);
  EXPECT_EQ(count(with(&RunFilter::model, "my-finetune")), 1u);
  EXPECT_EQ(count(with(&RunFilter::server, "llama-bench")), 1u);
  EXPECT_EQ(count(with(&RunFilter::test, "seed")), 2u);
  EXPECT_EQ(count(with(&RunFilter::source, "import:llama-bench")), 1u);
  EXPECT_EQ(count(with(&RunFilter::since_utc, "2026-02-20")), 1u);
  // Values are bound, never pasted into the SQL.
  EXPECT_EQ(count(with(&RunFilter::system, "x' OR '1'='1")), 0u);
  auto missing = s->run(99);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(),
            db() + ": no run with id 99 (worthit results lists the ids)");
}

// Schema 1 exactly as it was written: a frozen copy, independent of src/store/schema.cc.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE runs (id INTEGER PRIMARY KEY, worthit_version TEXT NOT NULL, source TEXT NOT NULL,
  host TEXT NOT NULL, system TEXT NOT NULL, server TEXT NOT NULL, server_url TEXT NOT NULL,
  server_build TEXT NOT NULL, model TEXT NOT NULL, model_name TEXT NOT NULL, quant TEXT NOT NULL,
  test TEXT NOT NULL, n_prompt_tokens INTEGER NOT NULL, n_gen_tokens INTEGER NOT NULL,
  depth_tokens INTEGER NOT NULL, users INTEGER NOT NULL, warmup_reps INTEGER NOT NULL,
  started_utc TEXT NOT NULL, settings TEXT NOT NULL, notes TEXT NOT NULL);
CREATE TABLE samples (id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, rep INTEGER NOT NULL,
  user INTEGER NOT NULL, ok INTEGER NOT NULL, error TEXT NOT NULL,
  prompt_cache_hit INTEGER NOT NULL, prompt_tokens INTEGER, prompt_s REAL, gen_tokens INTEGER,
  gen_s REAL, cached_tokens INTEGER, load_s REAL, server_total_s REAL, first_byte_s REAL,
  first_token_s REAL, last_token_s REAL, client_total_s REAL, chunk_gaps_s TEXT NOT NULL,
  content_chunks INTEGER);
CREATE INDEX samples_by_run ON samples(run_id);
INSERT INTO runs VALUES (1, '0.0.9', 'bench', 'desk', 'seed-desktop', 'ollama', '', '0.12.0',
  'llama-3.3-70b', 'llama3.3:70b', 'Q4_K_M', 'seed', 0, 0, 0, 1, 1, '2025-12-01T08:00:00Z',
  '{"num_ctx":32768}', '["old note"]');
INSERT INTO samples (run_id, rep, user, ok, error, prompt_cache_hit, prompt_tokens, prompt_s,
  gen_tokens, gen_s, chunk_gaps_s) VALUES (1, 0, 0, 1, '', 0, 551, 28.29, 500, 387.6, '[]');
PRAGMA user_version = 1;
)sql";

void raw_sql(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST_F(StoreTest, MigratesVersion1AndKeepsData) {
  fs::create_directories(fs::path(db()).parent_path());
  raw_sql(db(), kSchemaV1);
  auto s = ResultStore::open(db());
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->schema_version().value_or(-1), 2);
  auto old = s->run(1);
  ASSERT_TRUE(old) << old.error().message();
  EXPECT_EQ(old->model, "llama-3.3-70b");
  EXPECT_EQ(old->settings["num_ctx"], 32768);
  EXPECT_EQ(old->notes, std::vector<std::string>{"old note"});
  ASSERT_EQ(old->samples.size(), 1u);
  EXPECT_EQ(old->samples[0].server.gen_tokens, 500);
  EXPECT_FALSE(old->samples[0].telemetry.gpu_energy_j);  // the new column is NULL, not 0
  auto id = s->add_run(full_run());                      // and the new columns take values
  ASSERT_TRUE(id) << id.error().message();
  EXPECT_EQ(s->run(*id)->samples[0].telemetry.gpu_energy_j, 4910.5);
}

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(StoreTest, RefusesADatabaseFromANewerWorthitUntouched) {
  { ASSERT_TRUE(ResultStore::open(db())); }
  raw_sql(db(), "PRAGMA user_version = 7");
  const std::string before = slurp(db());
  auto s = ResultStore::open(db());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(),
            db() +
                ": written by a newer worthit (schema version 7; this worthit reads versions "
                "1 to 2) (upgrade worthit, or use another --db PATH)");
  EXPECT_EQ(slurp(db()), before);
}

TEST_F(StoreTest, RefusesAFileThatIsNotSqliteUntouched) {
  fs::create_directories(fs::path(db()).parent_path());
  const std::string text = "these are my notes, not a database\n" + std::string(600, 'x');
  std::ofstream(db()) << text;
  auto s = ResultStore::open(db());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(),
            db() +
                ": cannot read it as a SQLite database: file is not a database (the file was "
                "left untouched; move it away or use another --db PATH)");
  EXPECT_EQ(slurp(db()), text);
  EXPECT_FALSE(fs::exists(db() + "-wal"));
  EXPECT_FALSE(fs::exists(db() + "-journal"));
}

TEST_F(StoreTest, RefusesAnotherProgramsSqliteDatabase) {
  fs::create_directories(fs::path(db()).parent_path());
  raw_sql(db(), "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)");
  auto s = ResultStore::open(db());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), db() +
                                     ": not a worthit results database (it has tables but no "
                                     "schema version) (use another --db PATH)");
}

TEST_F(StoreTest, RefusesADirectory) {
  fs::create_directories(db());
  auto s = ResultStore::open(db());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), db() + ": is a directory, not a database file");
}

int64_t count_rows(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  const int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

TEST_F(StoreTest, AFailureMidRunRollsBackTheWholeRun) {
  auto s = ResultStore::open(db());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->add_run(full_run()));
  s->set_sample_hook([](size_t i) -> Status {
    if (i == 1) return fail("disk", "database or disk is full");
    return Ok{};
  });
  auto id = s->add_run(full_run());
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().message(), "disk: database or disk is full");
  s->set_sample_hook({});
  EXPECT_EQ(s->runs({}).value().size(), 1u);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM samples"), 3);
  EXPECT_TRUE(s->add_run(full_run()));  // the store is usable afterwards
}

TEST_F(StoreTest, AWriterKilledInsideItsTransactionLeavesNoHalfRun) {
  {
    auto s = ResultStore::open(db());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->add_run(full_run()));
    ASSERT_TRUE(s->add_run(full_run()));
  }
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = ResultStore::open(db());
    if (!s) ::_exit(3);
    s->set_sample_hook([&](size_t i) -> Status {
      if (i == 1) {
        // Two samples of the third run are written, uncommitted: tell the parent, then wait.
        (void)!::write(ready[1], "k", 1);
        for (;;) ::pause();
      }
      return Ok{};
    });
    (void)s->add_run(full_run());
    ::_exit(4);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  ::close(ready[0]), ::close(ready[1]);
  auto s = ResultStore::open(db());
  ASSERT_TRUE(s) << s.error().message();
  auto runs = s->runs({});
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 2u);
  for (const auto& r : *runs) EXPECT_EQ(r.samples.size(), 3u);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM samples"), 6);
  EXPECT_TRUE(s->add_run(full_run()));  // the killed writer's lock is gone
}

TEST_F(StoreTest, TwoProcessesWriteAtOnce) {
  // Neither finds a database: both create, switch to WAL and migrate the same new file.
  constexpr int kPerWriter = 50;
  std::vector<pid_t> pids;
  for (int w = 0; w < 2; ++w) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto s = ResultStore::open(db());
      if (!s) ::_exit(10);
      measure::Run r = full_run();
      r.host = "writer" + std::to_string(w);
      for (int i = 0; i < kPerWriter; ++i) {
        auto id = s->add_run(r);
        if (!id) {
          std::cerr << id.error().message() << "\n";
          ::_exit(11);
        }
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  auto s = ResultStore::open(db());
  ASSERT_TRUE(s);
  auto runs = s->runs({});
  ASSERT_TRUE(runs);
  EXPECT_EQ(runs->size(), 2u * kPerWriter);
  EXPECT_EQ(count_rows(db(), "SELECT count(DISTINCT host) FROM runs"), 2);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM samples"), 3 * 2 * kPerWriter);
}

TEST(StorePath, DefaultFollowsXdgThenHome) {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const std::string saved = xdg ? xdg : "";
  ::setenv("XDG_DATA_HOME", "/tmp/xdg", 1);
  EXPECT_EQ(default_db_path(), "/tmp/xdg/worthit/results.db");
  ::unsetenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  if (home) {
    EXPECT_EQ(default_db_path(), std::string(home) + "/.local/share/worthit/results.db");
  }
  if (xdg) ::setenv("XDG_DATA_HOME", saved.c_str(), 1);
}

TEST(StoreSummary, MeanAndSampleStddevOverOkSamples) {
  const Stat one = stat_of({5.0});
  EXPECT_EQ(one.mean, 5.0);
  EXPECT_FALSE(one.stddev);  // undefined for one value, not 0
  const Stat s = stat_of({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(*s.mean, 5.0);
  EXPECT_NEAR(*s.stddev, 2.13809, 1e-5);
  measure::Run r = full_run();
  const RunSummary sum = summarize(r);
  EXPECT_EQ(sum.samples_ok, 2);
  EXPECT_EQ(sum.samples_failed, 1);
  EXPECT_NEAR(*sum.eval_rate_tps.mean, 1973 / 13.4156, 1e-9);
  EXPECT_NEAR(*sum.prompt_eval_rate_tps.mean, 551 / 0.0695, 1e-9);
  EXPECT_EQ(*sum.ttft_s.mean, 0.08);
  EXPECT_FALSE(stat_of({}).mean);
}

}  // namespace
}  // namespace worthit::store
