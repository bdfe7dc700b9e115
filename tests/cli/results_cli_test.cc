// SPDX-License-Identifier: MIT
// `worthit import` and `worthit results` through the built binary: exit codes, stdout in each
// format, stderr messages, and a database that bad input leaves as it was. Every test uses its
// own temporary database; the user's real one is never touched (XDG_DATA_HOME and HOME point
// into the test's directory).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace worthit {
namespace {

namespace fs = std::filesystem;

const std::string kImport = std::string(WORTHIT_TEST_DATA) + "/import/";

struct Outcome {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class ResultsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("worthit_results_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "results.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Runs worthit with `args`, HOME and XDG_DATA_HOME inside the test directory.
  Outcome worthit(const std::vector<std::string>& args) const {
    const fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    Outcome r;
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int fe = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fo < 0 || fe < 0) ::_exit(126);
      ::dup2(fo, 1);
      ::dup2(fe, 2);
      ::unsetenv("WORTHIT_DATA");
      ::setenv("HOME", (dir_ / "home").c_str(), 1);
      ::setenv("XDG_DATA_HOME", (dir_ / "xdg").c_str(), 1);
      std::vector<std::string> copy = args;
      std::string bin = WORTHIT_BINARY;
      std::vector<char*> argv = {bin.data()};
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
    int status = 0;
    if (pid > 0 && ::waitpid(pid, &status, 0) == pid)
      r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  Outcome import(const std::string& fixture, std::vector<std::string> more = {}) const {
    std::vector<std::string> args = {"import", kImport + fixture, "--db", db_};
    args.insert(args.end(), more.begin(), more.end());
    return worthit(args);
  }

  fs::path dir_;
  std::string db_;
};

std::string describe(const Outcome& r) {
  return "exit " + std::to_string(r.code) + "\n--- stdout\n" + r.out + "\n--- stderr\n" + r.err;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST_F(ResultsCli, ImportPrintsWhatItStored) {
  Outcome r = import("llama-bench.json", {"--system", "seed-desktop"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const auto l = lines(r.out);
  ASSERT_EQ(l.size(), 4u) << r.out;
  EXPECT_EQ(l[0],
            "stored run 1: llama-bench pp512 llama-3.1-8b Q4_K_M (5 sample(s), prompt eval "
            "11979.38 t/s)");
  EXPECT_EQ(l[1],
            "stored run 2: llama-bench tg128 llama-3.1-8b Q4_K_M (5 sample(s), eval 150.23 "
            "t/s)");
  EXPECT_EQ(l[3], "3 run(s) stored in " + db_);
  EXPECT_EQ(r.err, "");
}

TEST_F(ResultsCli, ListsRunsAsJsonCsvAndMarkdown) {
  ASSERT_EQ(import("llama-bench.json").code, 0);
  ASSERT_EQ(import("ollama-verbose.txt", {"--test", "seed"}).code, 0);
  Outcome j = worthit({"results", "--db", db_, "--json"});
  ASSERT_EQ(j.code, 0) << describe(j);
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["schema_version"], 1);
  EXPECT_EQ(doc["command"], "results");
  ASSERT_EQ(doc["runs"].size(), 4u);
  const auto& ollama = doc["runs"][3];
  EXPECT_EQ(ollama["model"], "ministral-3-8b");
  EXPECT_EQ(ollama["samples_ok"], 2);
  EXPECT_NEAR(ollama["eval_rate_tps_mean"].get<double>(), 146.945, 0.01);
  EXPECT_TRUE(ollama["ttft_s_mean"].is_null());  // a transcript has no client clock

  Outcome c = worthit({"results", "--db", db_, "--csv", "--model", "ministral-3-8b"});
  ASSERT_EQ(c.code, 0) << describe(c);
  const auto cl = lines(c.out);
  ASSERT_EQ(cl.size(), 2u) << c.out;
  EXPECT_EQ(cl[0],
            "id,started_utc,system,model,quant,server,test,samples_ok,samples_failed,"
            "eval_rate_tps_mean,eval_rate_tps_stddev,prompt_eval_rate_tps_mean,"
            "prompt_eval_rate_tps_stddev,ttft_s_mean,ttft_s_stddev");
  EXPECT_EQ(cl[1], "4,,,ministral-3-8b,Q4_K_M,ollama,seed,2,0,146.94,0.18,7893.96,47.75,,");

  Outcome m = worthit({"results", "--db", db_, "--md", "--test", "tg128"});
  ASSERT_EQ(m.code, 0) << describe(m);
  const auto ml = lines(m.out);
  ASSERT_EQ(ml.size(), 3u) << m.out;
  EXPECT_EQ(ml[0].rfind("|  id | started (UTC)        | system | model        |", 0), 0u) << ml[0];
  EXPECT_EQ(ml[1].rfind("| --: | --------------------", 0), 0u) << ml[1];
  EXPECT_NE(ml[2].find("| tg128 |"), std::string::npos) << ml[2];
}

TEST_F(ResultsCli, ShowsOneRunWithEverySample) {
  ASSERT_EQ(import("ollama-verbose.txt", {"--system", "seed-desktop"}).code, 0);
  Outcome r = worthit({"results", "--db", db_, "--run", "1"});
  ASSERT_EQ(r.code, 0) << describe(r);
  EXPECT_NE(r.out.find("system        seed-desktop\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("model         ministral-3-8b (ministral-3:8b-instruct-2512-q4_K_M)\n"),
            std::string::npos);
  EXPECT_NE(r.out.find("147.07"), std::string::npos);
  EXPECT_NE(r.out.find("146.82"), std::string::npos);
  Outcome j = worthit({"results", "--db", db_, "--run", "1", "--json"});
  ASSERT_EQ(j.code, 0) << describe(j);
  const auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc["run"]["samples"].size(), 2u);
  EXPECT_EQ(doc["run"]["samples"][1]["server"]["load_s"], 850e-6);
  EXPECT_TRUE(doc["run"]["samples"][1]["telemetry"]["gpu_energy_j"].is_null());
  Outcome missing = worthit({"results", "--db", db_, "--run", "9"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err,
            "worthit: error: " + db_ + ": no run with id 9 (worthit results lists the ids)\n");
}

TEST_F(ResultsCli, SeedTableAddsThisMachine) {
  ASSERT_EQ(import("ollama-verbose.txt", {"--test", "seed", "--system", "seed-desktop"}).code, 0);
  Outcome r = worthit({"results", "--db", db_, "--seed-table", "--md"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const auto l = lines(r.out);
  ASSERT_GE(l.size(), 5u) << r.out;
  EXPECT_EQ(l[0],
            "| eval rate (t/s)        | seed-desktop | dgx-spark | jetson-agx-thor | "
            "mac-mini-m4-pro-64gb | this machine |");
  EXPECT_EQ(l[2],
            "| Test 1: Ministral-3 8B |       147.07 |     34.97 |           30.82 | "
            "               39.76 |       146.94 |");
  EXPECT_NE(r.out.find("does not fit"), std::string::npos);      // gpt-oss-120b on the Mac
  EXPECT_NE(r.out.find("|            — |"), std::string::npos);  // no stored 70B run
  Outcome j =
      worthit({"results", "--db", db_, "--seed-table", "--json", "--system", "seed-desktop"});
  ASSERT_EQ(j.code, 0) << describe(j);
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["this_machine_system"], "seed-desktop");
  ASSERT_EQ(doc["rows"].size(), 3u);
  EXPECT_EQ(doc["rows"][0]["model"], "ministral-3-8b");
  EXPECT_EQ(doc["rows"][0]["this_machine"]["run_id"], 1);
  EXPECT_TRUE(doc["rows"][1]["this_machine"].is_null());
  Outcome other =
      worthit({"results", "--db", db_, "--seed-table", "--json", "--system", "dgx-spark"});
  EXPECT_TRUE(nlohmann::json::parse(other.out)["rows"][0]["this_machine"].is_null());
}

TEST_F(ResultsCli, BadInputLeavesTheStoreAsItWas) {
  ASSERT_EQ(import("llama-bench.csv").code, 0);
  const std::string before = worthit({"results", "--db", db_, "--json"}).out;
  Outcome r = import("bad/llama-bench-avg-ts-not-number.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "worthit: error: " + kImport +
                       "bad/llama-bench-avg-ts-not-number.csv:2: row 1: avg_ts: expected a "
                       "number, got \"fast\"\n");
  Outcome sys = import("llama-bench.json", {"--system", "seed-dektop"});
  EXPECT_EQ(sys.code, 2) << describe(sys);
  EXPECT_EQ(sys.err,
            "worthit: error: --system: unknown system 'seed-dektop' (did you mean "
            "'seed-desktop'?)\n");
  Outcome fmt = import("llama-bench.json", {"--format", "csv"});
  EXPECT_EQ(fmt.code, 2);
  EXPECT_EQ(worthit({"results", "--db", db_, "--json"}).out, before);
}

TEST_F(ResultsCli, ACorruptDatabaseIsReportedAndKept) {
  std::ofstream(db_) << "not sqlite at all, but a long enough text to be read as a header....\n"
                     << std::string(200, '-');
  const std::string before = slurp(db_);
  Outcome r = worthit({"results", "--db", db_});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "worthit: error: " + db_ +
                       ": cannot read it as a SQLite database: file is not a database (the file "
                       "was left untouched; move it away or use another --db PATH)\n");
  EXPECT_EQ(slurp(db_), before);
}

TEST_F(ResultsCli, DefaultDatabaseUnderXdgDataHome) {
  Outcome none = worthit({"results"});  // lists nothing and creates nothing
  EXPECT_EQ(none.code, 0) << describe(none);
  EXPECT_EQ(none.out,
            "no stored runs match (" + (dir_ / "xdg" / "worthit" / "results.db").string() + ")\n");
  EXPECT_FALSE(fs::exists(dir_ / "xdg" / "worthit"));
  Outcome r = worthit({"import", kImport + "llama-bench.jsonl"});
  ASSERT_EQ(r.code, 0) << describe(r);
  EXPECT_TRUE(fs::exists(dir_ / "xdg" / "worthit" / "results.db"));
  Outcome e = worthit({"results"});
  EXPECT_EQ(e.code, 0);
  EXPECT_NE(e.out.find("pp512+tg128"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("granite-3.1-3b-a800m-instruct-Q8_0.gguf"), std::string::npos);
}

}  // namespace
}  // namespace worthit
