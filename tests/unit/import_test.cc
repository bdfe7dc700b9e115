// SPDX-License-Identifier: MIT
// Importers: llama-bench json/jsonl/csv and ollama --verbose transcripts (tests/data/import),
// the mapping of foreign model names onto the catalog, and one exact message per bad file.
#include "store/import.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "model/model_catalog.h"
#include "store/model_mapping.h"
#include "store/run_summary.h"

namespace worthit::store {
namespace {

const std::string kDir = std::string(WORTHIT_TEST_DATA) + "/import/";

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::vector<ModelArch>& catalog() {
  static const std::vector<ModelArch> c =
      load_model_catalog(std::string(WORTHIT_DATA_DIR) + "/models").value();
  return c;
}

/// Parses a fixture (name relative to tests/data/import) with its detected format.
Result<std::vector<measure::Run>> import(const std::string& name, ImportOptions o = {}) {
  const std::string text = slurp(kDir + name);
  o.file = name;
  o.catalog = &catalog();
  auto f = detect_format(text, name);
  if (!f) return fail(f.error());
  return parse_import(*f, text, o);
}

ImportOptions with(std::string ImportOptions::*field, const std::string& v) {
  ImportOptions o;
  o.*field = v;
  return o;
}

TEST(ImportFormat, DetectsEachFixture) {
  const std::vector<std::pair<std::string, ImportFormat>> cases = {
      {"llama-bench.json", ImportFormat::LlamaBenchJson},
      {"llama-bench.jsonl", ImportFormat::LlamaBenchJsonl},
      {"llama-bench.csv", ImportFormat::LlamaBenchCsv},
      {"ollama-verbose.txt", ImportFormat::OllamaVerbose}};
  for (const auto& [name, want] : cases) {
    auto f = detect_format(slurp(kDir + name), name);
    ASSERT_TRUE(f) << name;
    EXPECT_EQ(*f, want) << name;
  }
  auto none = detect_format("hello\nworld\n", "notes.txt");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(),
            "notes.txt: cannot tell the format: not llama-bench json/jsonl/csv output, no ollama "
            "--verbose statistics (name it with --format)");
  EXPECT_EQ(parse_format("llama-bench-jsn").error().message(),
            "--format: unknown format 'llama-bench-jsn' (did you mean 'llama-bench-json'?)");
}

TEST(ImportLlamaBench, JsonKeepsEverySampleAndMapsModels) {
  auto runs = import("llama-bench.json", with(&ImportOptions::system, "seed-desktop"));
  ASSERT_TRUE(runs) << runs.error().message();
  ASSERT_EQ(runs->size(), 3u);
  const measure::Run& pp = (*runs)[0];
  EXPECT_EQ(pp.test, "pp512");
  EXPECT_EQ(pp.source, "import:llama-bench");
  EXPECT_EQ(pp.server, "llama-bench");
  EXPECT_EQ(pp.server_build, "0104b151 (7291)");
  EXPECT_EQ(pp.system, "seed-desktop");
  EXPECT_EQ(pp.model, "llama-3.1-8b");
  EXPECT_EQ(pp.model_name, "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf");
  EXPECT_EQ(pp.quant, "Q4_K_M");
  EXPECT_EQ(pp.started_utc, "2026-02-15T10:04:05Z");
  EXPECT_EQ(pp.n_prompt, 512);
  EXPECT_EQ(pp.settings["llama_bench"]["n_gpu_layers"], 99);
  EXPECT_FALSE(pp.settings["llama_bench"].contains("samples_ns"));
  ASSERT_EQ(pp.samples.size(), 5u);
  EXPECT_EQ(pp.samples[0].server.prompt_tokens, 512);
  EXPECT_DOUBLE_EQ(*pp.samples[0].server.prompt_s, 0.042913071);
  EXPECT_FALSE(pp.samples[0].server.gen_tokens);
  EXPECT_FALSE(pp.samples[0].server.gen_s);
  EXPECT_EQ(pp.samples[4].rep, 4);
  // The mean of the per-sample rates is llama-bench's own avg_ts.
  const double avg_ts = pp.settings["llama_bench"]["avg_ts"].get<double>();
  EXPECT_NEAR(*summarize(pp).prompt_eval_rate_tps.mean, avg_ts, 1e-3);
  const measure::Run& tg = (*runs)[1];
  EXPECT_EQ(tg.test, "tg128");
  EXPECT_EQ(tg.samples[0].server.gen_tokens, 128);
  EXPECT_FALSE(tg.samples[0].server.prompt_tokens);
  const measure::Run& deep = (*runs)[2];
  EXPECT_EQ(deep.test, "pp2048@d4096");
  EXPECT_EQ(deep.depth, 4096);
  EXPECT_EQ(deep.model, "gpt-oss-20b");
  EXPECT_EQ(deep.quant, "MXFP4_MOE");
}

TEST(ImportLlamaBench, JsonlCombinedTestAndUnknownModel) {
  auto runs = import("llama-bench.jsonl");
  ASSERT_TRUE(runs) << runs.error().message();
  ASSERT_EQ(runs->size(), 2u);
  const measure::Run& both = (*runs)[0];
  EXPECT_EQ(both.test, "pp512+tg128");
  EXPECT_EQ(both.model, "qwen3-30b-a3b");
  const measure::Sample& s = both.samples.at(0);
  EXPECT_EQ(s.server.prompt_tokens, 512);
  EXPECT_EQ(s.server.gen_tokens, 128);
  EXPECT_FALSE(s.server.prompt_s);  // llama-bench times both together
  EXPECT_DOUBLE_EQ(*s.server.total_s, 1.25410022);
  const measure::Run& unknown = (*runs)[1];
  EXPECT_EQ(unknown.model, "");
  EXPECT_EQ(unknown.model_name, "granite-3.1-3b-a800m-instruct-Q8_0.gguf");
  EXPECT_EQ(unknown.quant, "Q8_0");
  ASSERT_FALSE(unknown.notes.empty());
  EXPECT_EQ(unknown.notes[0],
            "model: no catalog model matches 'granite-3.1-3b-a800m-instruct-Q8_0.gguf'; kept as "
            "model_name");
}

TEST(ImportLlamaBench, CsvHasMeansOnly) {
  auto runs = import("llama-bench.csv");
  ASSERT_TRUE(runs) << runs.error().message();
  ASSERT_EQ(runs->size(), 2u);
  const measure::Run& tg = (*runs)[1];
  EXPECT_EQ(tg.test, "tg128");
  EXPECT_EQ(tg.model, "llama-3.3-70b");
  EXPECT_EQ(tg.server_build, "a0374a67 (6032)");
  EXPECT_EQ(tg.settings["llama_bench"]["gpu_info"],
            "NVIDIA GeForce RTX 4090, NVIDIA GeForce RTX 5070 Ti");
  ASSERT_EQ(tg.samples.size(), 1u);
  EXPECT_NEAR(*summarize(tg).eval_rate_tps.mean, 1.2955, 1e-3);
  EXPECT_EQ(tg.notes.at(1),
            "llama-bench csv has no per-repetition samples: the one sample is the mean (avg_ns); "
            "reported avg_ts 1.295398 ± 0.003988 t/s");
}

TEST(ImportOllama, EachStatisticsBlockIsASample) {
  auto runs = import("ollama-verbose.txt", with(&ImportOptions::test, "seed"));
  ASSERT_TRUE(runs) << runs.error().message();
  ASSERT_EQ(runs->size(), 1u);
  const measure::Run& r = (*runs)[0];
  EXPECT_EQ(r.source, "import:ollama-verbose");
  EXPECT_EQ(r.server, "ollama");
  EXPECT_EQ(r.test, "seed");
  EXPECT_EQ(r.model_name, "ministral-3:8b-instruct-2512-q4_K_M");  // from the command line
  EXPECT_EQ(r.model, "ministral-3-8b");
  EXPECT_EQ(r.quant, "Q4_K_M");
  ASSERT_EQ(r.samples.size(), 2u);
  const auto& a = r.samples[0].server;
  EXPECT_EQ(a.prompt_tokens, 551);
  EXPECT_DOUBLE_EQ(*a.prompt_s, 0.069502908);
  EXPECT_EQ(a.gen_tokens, 1973);
  EXPECT_DOUBLE_EQ(*a.gen_s, 13.415603987);
  EXPECT_DOUBLE_EQ(*a.load_s, 0.061829764);
  EXPECT_DOUBLE_EQ(*a.total_s, 13.482112553);
  const auto& b = r.samples[1].server;
  EXPECT_NEAR(*b.total_s, 62.512006211, 1e-9);
  EXPECT_NEAR(*b.load_s, 850e-6, 1e-15);
  EXPECT_NEAR(*b.gen_s, 62.39, 1e-9);
  EXPECT_NEAR(*summarize(r).eval_rate_tps.mean, (147.07 + 146.82) / 2, 0.01);
}

TEST(ImportOllama, ModelFlagNamesTheModel) {
  auto runs =
      import("ollama-verbose.txt", with(&ImportOptions::model, "llama3.3:70b-instruct-q4_K_M"));
  ASSERT_TRUE(runs);
  EXPECT_EQ((*runs)[0].model, "llama-3.3-70b");
  EXPECT_EQ((*runs)[0].test, "ollama-run");
}

TEST(ImportOllama, GoDurations) {
  const std::vector<std::pair<std::string, double>> ok = {{"1.234s", 1.234}, {"245.3ms", 0.2453},
                                                          {"1m2.5s", 62.5},  {"850µs", 850e-6},
                                                          {"850μs", 850e-6}, {"12us", 12e-6},
                                                          {"123ns", 123e-9}, {"1h2m3s", 3723},
                                                          {"0s", 0},         {"0", 0}};
  for (const auto& [text, want] : ok) {
    auto got = parse_go_duration(text);
    ASSERT_TRUE(got) << text;
    EXPECT_NEAR(*got, want, want * 1e-12) << text;
  }
  for (const char* bad : {"", "1.2", "s", "9.2x", "-1s", "1.2.3s", "1 s"})
    EXPECT_FALSE(parse_go_duration(bad)) << bad;
}

TEST(ImportBad, EachMalformedFileGetsItsExactMessage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bad/llama-bench-truncated.json",
       "bad/llama-bench-truncated.json:80: not valid JSON: syntax error while parsing object "
       "key - invalid string: missing closing quote; last read: '\"n_ge'; expected string "
       "literal (a truncated file? llama-bench writes the closing ']' last)"},
      {"bad/llama-bench-missing-field.json",
       "bad/llama-bench-missing-field.json:46: test 2: missing field 'n_gen'"},
      {"bad/llama-bench-wrong-columns.csv",
       "bad/llama-bench-wrong-columns.csv:3: row 2: 35 fields, but the header has 36"},
      {"bad/llama-bench-avg-ts-not-number.csv",
       "bad/llama-bench-avg-ts-not-number.csv:2: row 1: avg_ts: expected a number, got \"fast\""},
      {"bad/llama-bench-bad-line.jsonl",
       "bad/llama-bench-bad-line.jsonl:2: not valid JSON: syntax error while parsing object key - "
       "unexpected end of input; expected string literal (a truncated file? llama-bench writes "
       "the closing ']' last)"},
      {"bad/ollama-bad-duration.txt",
       "bad/ollama-bad-duration.txt:10: eval duration: expected a Go duration like 1.234s, "
       "245.3ms or 1m2.5s, got '9.2x'"},
      {"bad/ollama-bad-count.txt",
       "bad/ollama-bad-count.txt:2: prompt eval count: expected a token count like '26 "
       "token(s)', got 'fourteen token(s)'"},
  };
  for (const auto& [name, want] : cases) {
    auto runs = import(name);
    ASSERT_FALSE(runs) << name;
    EXPECT_EQ(runs.error().message(), want) << name;
  }
}

TEST(ImportBad, EmptyAndWrongShapes) {
  ImportOptions o;
  o.file = "x.json";
  EXPECT_EQ(parse_llama_bench_json("[]", o).error().message(),
            "x.json: no llama-bench results in the file");
  EXPECT_EQ(parse_llama_bench_json("{\"a\": 1}", o).error().message(),
            "x.json:1: expected a JSON array of llama-bench results (-o json) (one object per "
            "line is -o jsonl: --format llama-bench-jsonl)");
  EXPECT_EQ(parse_llama_bench_json("[{\"model_type\": \"llama 8B Q4_0\", \"n_prompt\": 0, "
                                   "\"n_gen\": 0, \"samples_ns\": [1]}]",
                                   o)
                .error()
                .message(),
            "x.json:1: test 1: n_prompt 0 and n_gen 0: expected counts, not both 0");
  EXPECT_EQ(parse_llama_bench_json("[{\"model_type\": \"llama 8B Q4_0\", \"n_prompt\": 512, "
                                   "\"n_gen\": 0, \"samples_ns\": [1, -5]}]",
                                   o)
                .error()
                .message(),
            "x.json:1: test 1: samples_ns[1]: expected a positive number of nanoseconds, got -5");
  EXPECT_EQ(parse_ollama_verbose("no stats here\n", o).error().message(),
            "x.json: no `ollama run --verbose` statistics found (expected lines like 'eval "
            "rate:            39.40 tokens/s')");
}

TEST(ImportMapping, NamesOntoCatalogIds) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "llama-3.1-8b"},
      {"Meta-Llama-3-8B-Instruct.Q8_0.gguf", "llama-3-8b"},
      {"llama3.3:70b-instruct-q4_K_M", "llama-3.3-70b"},
      {"ministral-3:8b-instruct-2512-q4_K_M", "ministral-3-8b"},
      {"gpt-oss:120b", "gpt-oss-120b"},
      {"/models/gpt-oss-20b-mxfp4.gguf", "gpt-oss-20b"},
      {"qwen3:30b-a3b", "qwen3-30b-a3b"},
      {"Qwen3-Coder-30B-A3B-Instruct-Q4_K_M.gguf", "qwen3-coder-30b-a3b"},
      {"mistral:7b", "mistral-7b"},
      {"granite3.1-moe:3b", ""},
  };
  for (const auto& [name, id] : cases)
    EXPECT_EQ(match_model_name(catalog(), name).model, id) << name;
  EXPECT_EQ(match_llama_bench_model(catalog(), "", "llama 70B Q4_K - Medium", 70553706496).model,
            "");  // llama-3-70b, 3.1-70b and 3.3-70b share the size: ambiguous
  EXPECT_EQ(match_llama_bench_model(catalog(), "", "phi2 3B Q4_0", 2779683840).model, "phi-2");
}

TEST(ImportMapping, LlamaCppFileTypeDescriptions) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Q4_K - Medium", "Q4_K_M"},
      {"Q4_K - Small", "Q4_K_S"},
      {"Q3_K - Large", "Q3_K_L"},
      {"Q2_K - Medium", "Q2_K"},
      {"Q2_K - Small", "Q2_K_S"},
      {"MXFP4 MoE", "MXFP4_MOE"},
      {"Q8_0", "Q8_0"},
      {"F16", "F16"},
      {"BF16", "BF16"},
      {"all F32", "F32"},
      {"IQ4_XS - 4.25 bpw", "IQ4_XS"},
      {"IQ3_S mix - 3.66 bpw", "IQ3_M"},
      {"Q5_K - Medium (guessed)", "Q5_K_M"},
      {"something new", ""}};
  for (const auto& [desc, q] : cases) EXPECT_EQ(quant_from_ftype_desc(desc), q) << desc;
  EXPECT_EQ(quant_in_name("Llama-3.3-70B-Instruct-Q4_K_M.gguf"), "Q4_K_M");
  EXPECT_EQ(quant_in_name("gpt-oss-20b-mxfp4.gguf"), "MXFP4_MOE");
  EXPECT_EQ(quant_in_name("model-bf16.gguf"), "BF16");
  EXPECT_EQ(quant_in_name("model.gguf"), "");
}

}  // namespace
}  // namespace worthit::store
