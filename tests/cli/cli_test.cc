// SPDX-License-Identifier: MIT
// Runs the built `worthit` binary and checks exit code, stdout and stderr (ninja's
// output_test.py): help text, exit codes, JSON documents, llama.cpp-style flags.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "calibrate/fitter.h"
#include "calibrate/overlay.h"
#include "calibrate/samples.h"
#include "store/result_store.h"

namespace worthit {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs worthit with `args`; stdout and stderr go to separate files (no pipe deadlock).
Outcome worthit(const std::vector<std::string>& args) {
  const fs::path dir = fs::temp_directory_path() /
                       ("worthit_cli_" + std::to_string(::getpid()) + "_" +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(dir);
  const fs::path out = dir / "stdout", err = dir / "stderr";
  Outcome r;
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int fe = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fo < 0 || fe < 0) ::_exit(126);
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    ::unsetenv("WORTHIT_DATA");  // the built-in default data directory
    std::vector<char*> argv;
    std::string bin = WORTHIT_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
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
  fs::remove_all(dir);
  return r;
}

/// Parses stdout as exactly one JSON document (throws on trailing text).
nlohmann::json json_of(const Outcome& r) {
  try {
    return nlohmann::json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "stdout is not one JSON document: " << e.what() << "\n" << r.out;
    return nlohmann::json::object();
  }
}

std::string describe(const Outcome& r) {
  return "exit " + std::to_string(r.code) + "\n--- stdout\n" + r.out.substr(0, 2000) +
         "\n--- stderr\n" + r.err;
}

/// The help text of one option: from its flag to the next option line.
std::string option_help(const std::string& help, const std::string& flag) {
  size_t at = help.find("  " + flag);
  if (at == std::string::npos) at = help.find("," + flag);
  if (at == std::string::npos) return {};
  size_t line = help.rfind('\n', at);
  line = line == std::string::npos ? 0 : line;
  size_t next = help.find("\n  -", at);
  return help.substr(line, next == std::string::npos ? std::string::npos : next - line);
}

// ---- Help ----------------------------------------------------------------------------------

TEST(CliHelp, TopLevelListsSubcommandsAndExitCodes) {
  Outcome r = worthit({"--help"});
  ASSERT_EQ(r.code, 0) << describe(r);
  for (const char* s : {"systems", "models", "fit", "Exit codes: 0 ok, 1 failure, 2 usage error",
                        "GB = 10^9 bytes"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_EQ(r.err, "");
}

TEST(CliHelp, FitListsEveryFlagWithItsDefaultOrUnit) {
  Outcome r = worthit({"fit", "--help"});
  ASSERT_EQ(r.code, 0) << describe(r);
  EXPECT_EQ(r.err, "");
  struct Flag {
    const char* flag;
    std::vector<const char*> texts;  ///< each must appear in that option's help
  };
  for (const Flag& f : std::vector<Flag>{
           {"--system", {"seed-desktop+rtx-5090", ".toml"}},
           {"--model", {".gguf", "config.json"}},
           {"--quant", {"default Q4_K_M"}},
           {"--ctx-size", {"-c,--ctx-size", "tokens", "default", "4096"}},
           {"--n-gpu-layers", {"-ngl", "default"}},
           {"--tensor-split", {"-ts", "default"}},
           {"--override-tensor", {"-ot", "REGEX=DEVICE", "exps=CPU"}},
           {"--n-cpu-moe", {"=0"}},
           {"--cache-type-k", {"-ctk", "=f16"}},
           {"--cache-type-v", {"-ctv", "=f16"}},
           {"--parallel", {"-np", "default 1"}},
           {"--batch-size", {"=2048", "tokens"}},
           {"--ubatch-size", {"-ub", "=512", "tokens"}},
           {"--flash-attn", {"-fa", "=auto", "on, off or auto"}},
           {"--no-kv-offload", {"-nkvo", "host memory"}},
           {"--runtime", {"=llama.cpp", "ollama"}},
           {"--json", {"schema_version"}},
       }) {
    const std::string h = option_help(r.out, f.flag);
    ASSERT_FALSE(h.empty()) << f.flag << " missing from\n" << r.out;
    for (const char* t : f.texts) EXPECT_NE(h.find(t), std::string::npos) << f.flag << ": " << t << " in\n" << h;
  }
}

// ---- Exit codes ----------------------------------------------------------------------------

TEST(CliExit, SystemsIsOk) {
  Outcome r = worthit({"systems"});
  EXPECT_EQ(r.code, 0) << describe(r);
  EXPECT_NE(r.out.find("seed-desktop"), std::string::npos);
  EXPECT_NE(r.out.find("dgx-spark"), std::string::npos);
  EXPECT_EQ(r.err, "");
}

TEST(CliExit, UnknownSubcommandIsUsage) {
  Outcome r = worthit({"frobnicate"});
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(r.err.empty());
}

TEST(CliExit, UnknownSubcommandIsNamedOnStderr) {
  Outcome r = worthit({"frobnicate"});
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << describe(r);
}

TEST(CliExit, FitWithoutSystemIsUsage) {
  Outcome r = worthit({"fit", "--model", "llama-3.1-8b"});
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_EQ(r.err.rfind("worthit: error: --system: ", 0), 0u) << describe(r);
  EXPECT_EQ(r.out, "");
}

TEST(CliExit, UnknownModelIsUsageWithDidYouMean) {
  Outcome r = worthit({"fit", "--system", "seed-desktop", "--model", "llama-3.3-7b"});
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_EQ(r.err,
            "worthit: error: --model: unknown model 'llama-3.3-7b' (did you mean "
            "'llama-3.3-70b'?)\n");
  EXPECT_EQ(r.out, "");
}

TEST(CliExit, UnknownSystemIsUsageWithDidYouMean) {
  Outcome r = worthit({"fit", "--system", "rtx-4909", "--model", "llama-3.1-8b"});
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_EQ(r.err,
            "worthit: error: --system: unknown system 'rtx-4909' (did you mean 'rtx-4090'?)\n");
}

TEST(CliExit, MalformedCatalogIsFailure) {
  const std::string bad = WORTHIT_TEST_DATA "/bad/catalog";
  for (const char* cmd : {"systems", "fit"}) {
    std::vector<std::string> args = {cmd, "--data", bad};
    if (std::string(cmd) == "fit")
      args.insert(args.end(), {"--system", "rtx-4090", "--model", "llama-3.1-8b"});
    Outcome r = worthit(args);
    EXPECT_EQ(r.code, 1) << describe(r);
    // The first bad file in name order, located.
    EXPECT_EQ(r.err.rfind("worthit: error: " + bad + "/devices/bare-number.toml:10: memory.capacity: ",
                          0),
              0u)
        << describe(r);
    EXPECT_EQ(r.out, "");
  }
}

TEST(CliExit, MalformedModelCatalogIsFailure) {
  // Devices and systems from the real catalog, models from the bad directory.
  const fs::path dir = fs::temp_directory_path() / ("worthit_cli_data_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "models");
  fs::create_symlink(fs::path(WORTHIT_DATA_DIR) / "devices", dir / "devices");
  fs::create_symlink(fs::path(WORTHIT_DATA_DIR) / "systems", dir / "systems");
  fs::copy_file(WORTHIT_TEST_DATA "/bad/catalog/models/wrong-type.toml", dir / "models/m.toml");
  Outcome r = worthit({"models", "--data", dir.string()});
  EXPECT_EQ(r.code, 1) << describe(r);
  EXPECT_EQ(r.err, "worthit: error: " + (dir / "models" / "m.toml").string() +
                       ":7: n_layers: expected an integer\n");
  fs::remove_all(dir);
}

// ---- JSON ----------------------------------------------------------------------------------

TEST(CliJson, SystemsIsOneDocument) {
  Outcome r = worthit({"systems", "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const auto j = json_of(r);
  EXPECT_EQ(j.value("schema_version", 0), 1);
  EXPECT_EQ(j.value("command", ""), "systems");
  ASSERT_TRUE(j.contains("systems") && j["systems"].is_array());
  bool seed = false;
  for (const auto& s : j["systems"]) {
    if (s["id"] != "seed-desktop") continue;
    seed = true;
    ASSERT_EQ(s["pools"].size(), 3u);
    EXPECT_EQ(s["pools"][0]["id"], "CUDA0");
    EXPECT_EQ(s["pools"][1]["id"], "CUDA1");
    EXPECT_EQ(s["pools"][2]["id"], "CPU");
    EXPECT_EQ(s["pools"][0]["capacity_bytes"].get<double>(), 25769803776.0);  // 24 GiB
  }
  EXPECT_TRUE(seed);
}

TEST(CliJson, OneSystemComposition) {
  Outcome r = worthit({"systems", "2x dgx-spark", "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const auto j = json_of(r);
  ASSERT_EQ(j["systems"].size(), 1u);
  EXPECT_EQ(j["systems"][0]["nodes"], 2);
  EXPECT_EQ(j["systems"][0]["node_link_bandwidth_gbs"].get<double>(), 25.0);
}

TEST(CliJson, ModelsIsOneDocument) {
  Outcome r = worthit({"models", "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const auto j = json_of(r);
  EXPECT_EQ(j.value("schema_version", 0), 1);
  EXPECT_EQ(j.value("command", ""), "models");
  ASSERT_TRUE(j["models"].is_array());
  EXPECT_EQ(j["models"].size(), 34u);
}

TEST(CliJson, OneModel) {
  Outcome r = worthit({"models", "llama-3.1-8b", "--quant", "Q8_0", "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const auto j = json_of(r);
  EXPECT_EQ(j.value("schema_version", 0), 1);
  ASSERT_EQ(j["models"].size(), 1u);
  EXPECT_EQ(j["models"][0]["quant"], "Q8_0");
  EXPECT_NEAR(j["models"][0]["file_bytes"].get<double>() / 8.54e9, 1.0, 0.03);
}

TEST(CliJson, FitWithLlamaCppStyleFlags) {
  Outcome r = worthit({"fit", "--system", "seed-desktop", "--model", "llama-3.3-70b", "-ngl", "40",
                   "-c", "32768", "-ctk", "q8_0", "-ctv", "q8_0", "--runtime", "ollama",
                   "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  EXPECT_EQ(r.err, "");
  const auto j = json_of(r);
  EXPECT_EQ(j.value("schema_version", 0), 1);
  EXPECT_EQ(j.value("command", ""), "fit");
  EXPECT_EQ(j["runtime"], "ollama");
  EXPECT_EQ(j["n_ctx_tokens"], 32768);
  EXPECT_EQ(j["n_gpu_layers"], 40);
  ASSERT_TRUE(j["pools"].is_array());
  std::vector<std::string> ids;
  for (const auto& p : j["pools"]) ids.push_back(p["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"CUDA0", "CUDA1", "CPU"}));
  const std::string args = j.value("llama_args", "");
  EXPECT_NE(args.find("-c 32768"), std::string::npos) << args;
  // ollama's 40 of 81 are the last 40 blocks without the output layer; current llama.cpp
  // writes that as 41 layers (output first) with the output kept on the CPU.
  EXPECT_NE(args.find("-ngl 41 -ot '^output=CPU'"), std::string::npos) << args;
  EXPECT_TRUE(j["fits"].is_boolean());
}

TEST(CliJson, CacheTypesReachLlamaArgs) {
  Outcome r = worthit({"fit", "--system", "seed-desktop", "--model", "llama-3.3-70b", "-ngl", "40",
                       "-c", "32768", "-ctk", "q8_0", "-ctv", "q8_0", "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const auto j = json_of(r);
  const std::string args = j.value("llama_args", "");
  EXPECT_NE(args.find("-ctk q8_0"), std::string::npos) << args;
  EXPECT_NE(args.find("-ctv q8_0"), std::string::npos) << args;
  // A q8_0 cache (34 bytes per 32 values) is about half of f16.
  Outcome f16 = worthit({"fit", "--system", "seed-desktop", "--model", "llama-3.3-70b", "-ngl",
                         "40", "-c", "32768", "--json"});
  ASSERT_EQ(f16.code, 0) << describe(f16);
  const auto k = json_of(f16);
  double kv_q8 = 0, kv_f16 = 0;
  for (const auto& p : j["pools"]) kv_q8 += p["kv_bytes"].get<double>();
  for (const auto& p : k["pools"]) kv_f16 += p["kv_bytes"].get<double>();
  EXPECT_NEAR(kv_q8 / kv_f16, 34.0 / 64.0, 0.01);
}

TEST(CliJson, EqualsFormOfSingleDashFlags) {
  Outcome r = worthit({"fit", "--system", "rtx-4090", "--model", "llama-3.1-8b", "-ngl=99",
                   "-fa=on", "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const auto j = json_of(r);
  EXPECT_EQ(j["flash_attn"], true);
  EXPECT_EQ(j["fits"], true);
}

TEST(CliJson, GptOss120bDoesNotFitOnMacMini64) {
  Outcome r = worthit({"fit", "--system", "mac-mini-m4-pro-64gb", "--model", "gpt-oss-120b", "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);  // "does not fit" is a result, not an error
  const auto j = json_of(r);
  EXPECT_EQ(j.value("schema_version", 0), 1);
  EXPECT_EQ(j["fits"], false);
  ASSERT_TRUE(j.contains("reason"));
  const std::string reason = j["reason"];
  EXPECT_NE(reason.find("Metal"), std::string::npos) << reason;
  EXPECT_EQ(j["quant"], "MXFP4_MOE");
}

TEST(CliUsage, OverrideTensorToAMissingDeviceNamesIt) {
  Outcome r = worthit({"fit", "--system", "seed-desktop", "--model", "gpt-oss-20b", "-ot", "exps=CUDA7"});
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_EQ(r.err.rfind("worthit: error: -", 0), 0u) << r.err;  // where: the flag
  EXPECT_NE(r.err.find("unknown device 'CUDA7' in 'exps=CUDA7' (devices here: CPU, CUDA0, CUDA1)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliUsage, BadFlagValues) {
  struct Case {
    std::vector<std::string> extra;
    const char* err;
  };
  for (const Case& c : std::vector<Case>{
           {{"-ctk", "q8"},
            "worthit: error: --cache-type-k: unknown tensor type 'q8' (did you mean 'q8_0'?)\n"},
           {{"--runtime", "vllm"},
            "worthit: error: --runtime: unknown runtime 'vllm' (llama.cpp or ollama)\n"},
           {{"--quant", "Q4_K_X"},
            "worthit: error: --quant: unknown quantization 'Q4_K_X' (did you mean 'Q4_K_M'?)\n"},
           {{"-fa", "maybe"}, "worthit: error: --flash-attn: expected on, off or auto, got 'maybe'\n"},
           {{"-ts", "3,x"}, "worthit: error: --tensor-split: expected numbers like 3,1, got '3,x'\n"},
       }) {
    std::vector<std::string> args = {"fit", "--system", "seed-desktop", "--model", "llama-3.1-8b"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    Outcome r = worthit(args);
    SCOPED_TRACE(c.extra[0] + " " + c.extra[1]);
    EXPECT_EQ(r.code, 2) << describe(r);
    EXPECT_EQ(r.err, c.err);
  }
}

TEST(CliText, FitPrintsATableAndAVerdict) {
  Outcome r = worthit({"fit", "--system", "dgx-spark", "--model", "gpt-oss-120b"});
  ASSERT_EQ(r.code, 0) << describe(r);
  EXPECT_NE(r.out.find("fits: yes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MXFP4_MOE"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace worthit

namespace worthit {
namespace {

TEST(CliPredict, JsonCarriesRatesRangesTestsAndCalibration) {
  Outcome r = worthit({"predict", "--system", "rtx-4090", "--model", "llama-3.1-8b", "-c", "8192",
                       "--test", "pp512", "--test", "tg128", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema_version"], 1);
  for (const char* k : {"eval_rate_tps", "prompt_eval_rate_tps", "ttft_s", "total_s",
                        "eval_rate_tps_range", "prompt_eval_rate_tps_range", "bottleneck",
                        "calibration", "tests", "pools"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["tests"].size(), 2u);
  EXPECT_EQ(j["tests"][0]["name"], "pp512");
  const double tg = j["eval_rate_tps"];
  EXPECT_LE(j["eval_rate_tps_range"][0].get<double>(), tg);
  EXPECT_GE(j["eval_rate_tps_range"][1].get<double>(), tg);
}

TEST(CliPredict, DoesNotFitGivesNoSpeeds) {
  Outcome r = worthit({"predict", "--system", "mac-mini-m4-pro-64gb", "--model", "gpt-oss-120b",
                       "--runtime", "ollama", "-c", "4096", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["fits"].get<bool>());
  EXPECT_FALSE(j.contains("eval_rate_tps"));
  EXPECT_TRUE(j.contains("reason"));
}

TEST(CliCompare, SeedRowsAreHeldOutPredictions) {
  Outcome r = worthit({"compare", "--seed", "--folds", "2", "--max-evals", "40", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["rows"].size(), 22u);  // 11 cases x (eval rate, prompt eval rate)
  for (const auto& row : j["rows"]) EXPECT_TRUE(row["held_out"].get<bool>());
  // The seed's Mac Mini could not load gpt-oss-120b; the case has no rates but is still listed.
  ASSERT_EQ(j["does_not_fit"].size(), 1u) << j["does_not_fit"].dump();
  EXPECT_EQ(j["does_not_fit"][0]["case"], "t3-mac");
  EXPECT_NE(j["does_not_fit"][0]["reason"].get<std::string>().find("Metal"), std::string::npos);
}

TEST(CliCompare, NeedsExactlyOneSet) {
  Outcome r = worthit({"compare"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--seed"), std::string::npos) << r.err;
}

TEST(CliTrain, JsonHasEveryMemoryTermAndTheTime) {
  const Outcome r = worthit({"train", "--system", "rtx-4090", "--model", "llama-2-7b", "--method",
                             "qlora", "--grad-checkpointing", "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const nlohmann::json j = json_of(r);
  EXPECT_EQ(j["command"], "train");
  EXPECT_TRUE(j["fits"].get<bool>());
  for (const char* k : {"weights_bytes", "master_weights_bytes", "gradients_bytes", "optimizer_bytes",
                        "adapters_bytes", "activations_bytes", "logits_bytes",
                        "dequant_buffer_bytes", "overhead_bytes", "total_bytes"})
    EXPECT_TRUE(j["memory"].contains(k)) << k;
  EXPECT_GT(j["time_per_million_tokens_s"].get<double>(), 0);
  EXPECT_GT(j["tokens_per_s"].get<double>(), 0);
  EXPECT_EQ(j["pools"][0]["fits"], true);
}

TEST(CliTrain, DoesNotFitIsAResultNotAFailure) {
  const Outcome r = worthit({"train", "--system", "rtx-4090", "--model", "llama-2-7b", "--method",
                             "full"});
  EXPECT_EQ(r.code, 0) << describe(r);
  EXPECT_NE(r.out.find("fits: NO: needs"), std::string::npos) << describe(r);
}

TEST(CliTrain, BadMethodIsUsage) {
  const Outcome r = worthit({"train", "--system", "rtx-4090", "--model", "llama-2-7b", "--method",
                             "dora"});
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_NE(r.err.find("--method: unknown method 'dora' (full, lora or qlora)"), std::string::npos)
      << describe(r);
}

}  // namespace
}  // namespace worthit

namespace worthit {
namespace {
const nlohmann::json* candidate(const nlohmann::json& doc, const std::string& id) {
  for (const auto& c : doc["candidates"])
    if (c["id"] == id) return &c;
  return nullptr;
}
bool reason_about(const nlohmann::json& list, const std::string& part) {
  for (const auto& r : list)
    if (r["workload"].get<std::string>().find(part) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST(CliAdvise, SeedAuthorVerdictsAgreeWithTheSeedWhereItsDataSupportsThem) {
  const Outcome r = worthit({"advise", "--preset", "seed-author", "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const nlohmann::json j = json_of(r);
  const nlohmann::json* spark = candidate(j, "dgx-spark");
  ASSERT_NE(spark, nullptr);
  const auto& v = (*spark)["verdict"];
  EXPECT_TRUE(reason_about(v["worth_it_for"], "gpt-oss-120b")) << v.dump(1);     // large MoE
  EXPECT_TRUE(reason_about(v["worth_it_for"], "lora llama-2-13b")) << v.dump(1); // beyond 7B
  EXPECT_TRUE(reason_about(v["not_worth_it_for"], "ministral-3-8b")) << v.dump(1);  // fits in 24 GB
  for (const auto& w : (*spark)["workloads"]) {
    if (!w["fits"].get<bool>()) continue;
    EXPECT_GT(w["eval_rate_tps"].get<double>(), 0);
    EXPECT_EQ(w["source"]["kind"], "predicted");
  }
  std::map<std::string, bool> agrees;
  for (const auto& c : j["seed_agreement"]) agrees[c["claim"].get<std::string>()] = c["agrees"].get<bool>();
  EXPECT_TRUE(agrees.at("Spark not worth it for models that fit on one GPU"));
  EXPECT_TRUE(agrees.at("Spark worth it for large MoE models"));
  EXPECT_TRUE(agrees.at("Fine-tuning: lora 13B"));
  EXPECT_FALSE(agrees.at("Ministral 3 is a sparse (MoE) model"));  // worthit disagrees, and says why
  EXPECT_TRUE(agrees.at("Multi-model workflows over ~40 GB: Spark"));
  EXPECT_TRUE(agrees.at("Several users: the Spark serves 3-4 users, the desktop one at a time"));
  EXPECT_TRUE(reason_about(v["worth_it_for"], "several models"));
  EXPECT_FALSE(j["decision_tree"].empty());
  // Money: the Spark's price in the profile's currency, a yearly cost and the cloud comparison.
  EXPECT_EQ((*spark)["price"]["currency"], "EUR");
  EXPECT_GT((*spark)["price"]["amount"].get<double>(), 0);
  EXPECT_GT((*spark)["cost"]["cost_per_year"].get<double>(), (*spark)["price"]["amount"].get<double>() / 3);
  EXPECT_EQ((*spark)["cost"]["curve"].size(), 13u);
  EXPECT_TRUE((*spark)["residents"]["fits"].get<bool>());
  EXPECT_FALSE((*candidate(j, "owned"))["residents"]["fits"].get<bool>());
  EXPECT_GT((*candidate(j, "owned"))["residents"]["swap"]["seconds_per_hour"].get<double>(), 0);
  for (const auto& row : j["seed_tables"]) EXPECT_EQ(row["source"]["kind"], "measured");
}

TEST(CliAdvise, BadInputIsNamed) {
  Outcome r = worthit({"advise", "--preset", "nobody"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nobody"), std::string::npos) << r.err;
  r = worthit({"advise", "--preset", "seed-author", "--candidates", "owned,dgx-sparc"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("dgx-sparc"), std::string::npos) << r.err;
  r = worthit({"advise", "--preset", "seed-author", "--set", "workload.0.usrs=3"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("usrs"), std::string::npos) << r.err;
  r = worthit({"advise", "--preset", "seed-author", "--candidates", "dgx-spark"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("owned"), std::string::npos) << r.err;
}

}  // namespace worthit

namespace worthit {
TEST(CliPredict, UsersGiveAConcurrencyBlock) {
  const Outcome r = worthit({"predict", "--system", "dgx-spark", "--model", "gpt-oss-120b", "--users", "4",
                             "--prompt-tokens", "500", "--gen-tokens", "200", "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const nlohmann::json c = json_of(r)["concurrency"];
  EXPECT_EQ(c["engine"], "llama-server");
  EXPECT_EQ(c["slots"], 4);
  EXPECT_LT(c["per_user_eval_rate_tps"].get<double>(), c["single_eval_rate_tps"].get<double>());
  EXPECT_GT(c["aggregate_eval_rate_tps"].get<double>(), c["single_eval_rate_tps"].get<double>());
  EXPECT_GE(c["ttft_p90_s"].get<double>(), c["ttft_p50_s"].get<double>());
  EXPECT_GT(c["max_users_in_memory"].get<int>(), 4);
  const Outcome bad = worthit({"predict", "--system", "dgx-spark", "--model", "gpt-oss-120b", "--users", "2",
                               "--engine", "tgi"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("tgi"), std::string::npos) << bad.err;
}
}  // namespace worthit

namespace worthit {
TEST(CliReport, WritesAPageAndRejectsBadDocuments) {
  const std::string dir = std::filesystem::temp_directory_path() / "worthit-report-cli";
  std::filesystem::create_directories(dir);
  Outcome r = worthit({"report", "--preset", "seed-author", "--candidates", "owned,dgx-spark", "--html", dir + "/r.html"});
  ASSERT_EQ(r.code, 0) << describe(r);
  std::ifstream in(dir + "/r.html");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find("<svg "), std::string::npos);
  r = worthit({"report", "--from-json", std::string(WORTHIT_TEST_DATA) + "/advise-sample.json", "--md", dir + "/r.md"});
  EXPECT_EQ(r.code, 0) << describe(r);
  std::ofstream(dir + "/bad.json") << "{\"profile\": {\"name\": \"x\"}, \"candidates\": [{\"id\": 3}]}";
  r = worthit({"report", "--from-json", dir + "/bad.json", "--html", dir + "/bad.html"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("candidates[0].id"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/bad.html"));  // nothing half-written
  std::ofstream(dir + "/garbage.json") << "{not json";
  r = worthit({"report", "--from-json", dir + "/garbage.json", "--html", dir + "/g.html"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not JSON"), std::string::npos) << r.err;
  r = worthit({"report", "--preset", "seed-author"});
  EXPECT_EQ(r.code, 2);
  std::filesystem::remove_all(dir);
}
}  // namespace worthit

namespace worthit {
namespace {

/// Runs of an RTX 4090 whose measured rates come from a known "true" efficiency (its VRAM
/// bandwidth fraction 0.6 instead of the shipped value) with +-2% noise, as llama-bench imports.
std::vector<measure::Run> synthetic_runs(double* truth_tg_8b) {
  const std::string data = WORTHIT_DATA_DIR;
  Efficiency truth = *load_efficiency(data + "/calibration.toml");
  truth.bw_cuda_vram = 0.6;
  truth.gpu_layer_us = 40;
  std::vector<PublishedCase> cases;
  int i = 0;
  for (const char* model : {"llama-3.1-8b", "qwen3-8b", "mistral-7b", "llama-3.2-3b", "qwen2.5-7b", "phi-4"})
    for (const char* test : {"tg128", "pp512"}) {
      PublishedCase c;
      c.id = "run-" + std::to_string(++i);
      c.system = "rtx-4090";
      c.model = model;
      c.quant = "Q4_K_M";
      c.runtime = "llama.cpp";
      c.args = "-ngl 99";
      c.bench.push_back(*parse_bench_test(test));
      c.bench.back().tokens_per_s = 1;
      cases.push_back(c);
    }
  auto samples = samples_from_cases(data, cases, nullptr);
  EXPECT_TRUE(samples) << samples.error().message();
  std::vector<measure::Run> runs;
  for (size_t k = 0; k < samples->size(); ++k) {
    const Sample& smp = (*samples)[k];
    const double noise = 1.0 + 0.02 * ((k % 3) - 1.0);
    const double tps = predict_sample(smp, truth) * noise;
    if (k == 0) *truth_tg_8b = predict_sample(smp, truth);
    measure::Run r;
    r.source = "import:llama-bench";
    r.system = "rtx-4090";
    r.server = "llama-bench";
    r.model = smp.arch.id;
    r.model_name = smp.arch.id;
    r.quant = "Q4_K_M";
    r.test = smp.test;
    r.n_prompt = smp.n_prompt;
    r.n_gen = smp.n_gen;
    r.started_utc = "2026-11-24T00:00:00Z";
    r.settings = {{"llama_bench", {{"n_gpu_layers", 99}}}};
    for (int rep = 0; rep < 2; ++rep) {
      measure::Sample m;
      m.rep = rep;
      if (smp.decode) {
        m.server.gen_tokens = smp.n_gen;
        m.server.gen_s = double(smp.n_gen) / tps;
      } else {
        m.server.prompt_tokens = smp.n_prompt;
        m.server.prompt_s = double(smp.n_prompt) / tps;
      }
      r.samples.push_back(m);
    }
    runs.push_back(r);
  }
  return runs;
}

}  // namespace

TEST(CliCalibrateFromDb, RecoversAMachinesOwnEfficiencyAndPredictUsesIt) {
  const auto dir = std::filesystem::temp_directory_path() / "worthit-local-cal";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "results.db").string(), overlays = (dir / "overlays").string();
  double truth = 0;
  {
    auto store = store::ResultStore::open(db);
    ASSERT_TRUE(store) << store.error().message();
    for (const auto& r : synthetic_runs(&truth)) ASSERT_TRUE(store->add_run(r));
  }
  Outcome r = worthit({"calibrate", "--from-db", "--db", db, "--overlay-dir", overlays, "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const nlohmann::json j = json_of(r);
  EXPECT_EQ(j["system"], "rtx-4090");
  EXPECT_LT(j["worst_fitted_abs_error"].get<double>(), 0.10);  // the runs it was fitted on: within 10%
  EXPECT_GT(j["held_out"].get<int>(), 0);
  EXPECT_EQ(j["held_out_in_range"], j["held_out"]);           // the others: inside the reported range
  EXPECT_NEAR(j["parameters"]["bw_cuda_vram"]["fitted"].get<double>(), 0.6, 0.1);
  ASSERT_TRUE(std::filesystem::exists(overlays + "/rtx-4090.toml"));
  // predict applies the overlay to this system only.
  r = worthit({"predict", "--system", "rtx-4090", "--model", "llama-3.1-8b", "--test", "tg128",
               "--overlay-dir", overlays, "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  nlohmann::json p = json_of(r);
  ASSERT_FALSE(p["calibration_overlay"].is_null());
  EXPECT_NEAR(p["tests"][0]["tokens_per_s"].get<double>() / truth, 1.0, 0.10);
  r = worthit({"predict", "--system", "rtx-4090", "--model", "llama-3.1-8b", "--test", "tg128",
               "--overlay-dir", overlays, "--no-overlay", "--json"});
  EXPECT_TRUE(json_of(r)["calibration_overlay"].is_null());
  r = worthit({"predict", "--system", "dgx-spark", "--model", "llama-3.1-8b", "--overlay-dir", overlays, "--json"});
  EXPECT_TRUE(json_of(r)["calibration_overlay"].is_null());
  // A corrupt overlay is named, with its line; nothing else is touched.
  std::ofstream(overlays + "/rtx-4090.toml") << "system = \"rtx-4090\"\n[parameters]\nbw_cuda_vram = 7\n";
  r = worthit({"predict", "--system", "rtx-4090", "--model", "llama-3.1-8b", "--overlay-dir", overlays});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("rtx-4090.toml:3"), std::string::npos) << r.err;
  // A store with no runs for the system.
  r = worthit({"calibrate", "--from-db", "--db", db, "--system", "dgx-spark", "--overlay-dir", overlays});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no stored runs for system 'dgx-spark'"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

}  // namespace worthit

namespace worthit {
TEST(CliAdvise, ShowsTheUsersOwnMeasurementBesideThePrediction) {
  const auto dir = std::filesystem::temp_directory_path() / "worthit-advise-db";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "results.db").string();
  {
    auto store = store::ResultStore::open(db);
    ASSERT_TRUE(store) << store.error().message();
    measure::Run r;
    r.source = "bench";
    r.system = "seed-desktop";
    r.server = "ollama";
    r.model = "ministral-3-8b";
    r.quant = "Q4_K_M";
    r.test = "seed";
    r.started_utc = "2026-11-24T00:00:00Z";
    measure::Sample m;
    m.server.gen_tokens = 1000;
    m.server.gen_s = 1000 / 140.0;
    r.samples.push_back(m);
    ASSERT_TRUE(store->add_run(r));
  }
  const Outcome r = worthit({"advise", "--preset", "seed-author", "--candidates", "owned", "--db", db, "--json"});
  ASSERT_EQ(r.code, 0) << describe(r);
  const auto w = json_of(r)["candidates"][0]["workloads"][0];
  ASSERT_TRUE(w["measured"].is_object()) << w.dump();
  EXPECT_NEAR(w["measured"]["eval_rate_tps"].get<double>(), 140.0, 1e-6);
  EXPECT_EQ(w["measured"]["source"]["kind"], "measured");
  EXPECT_TRUE(json_of(r)["candidates"][0]["workloads"][1]["measured"].is_null());  // nothing stored for it
  std::filesystem::remove_all(dir);
}
}  // namespace worthit
