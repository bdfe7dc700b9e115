// SPDX-License-Identifier: MIT
#include "bench/workload.h"

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <sstream>

#include "calibrate/published.h"

namespace worthit::bench {

Workload seed_workload(int64_t gen_tokens) {
  Workload w;
  w.name = "seed";
  w.kind = WorkloadKind::Seed;
  w.prompt = std::string(kSeedPrompt);
  w.source = "seed/000_a3c5d03b8adbf940.txt";
  w.n_gen = gen_tokens >= 0 ? gen_tokens : kDefaultChatGenTokens;
  return w;
}

Result<Workload> prompt_file_workload(const std::string& path, int64_t gen_tokens) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(path, "cannot read the prompt file");
  std::ostringstream s;
  s << in.rdbuf();
  Workload w;
  w.name = "prompt-file";
  w.kind = WorkloadKind::PromptFile;
  w.prompt = s.str();
  w.source = path;
  if (w.prompt.find_first_not_of(" \t\r\n") == std::string::npos)
    return fail(path, "the prompt file is empty");
  w.n_gen = gen_tokens >= 0 ? gen_tokens : kDefaultChatGenTokens;
  return w;
}

Result<Workload> test_workload(const std::string& name, int64_t gen_tokens) {
  auto b = parse_bench_test(name);
  if (!b)
    return fail("--test", b.error().what,
                "tests look like pp512, tg128, pp512+tg128, pp2048@d8192");
  Workload w;
  w.name = name;
  w.kind = WorkloadKind::Test;
  w.n_prompt = b->n_prompt;
  w.depth = b->depth;
  w.n_gen = gen_tokens >= 0 ? gen_tokens : b->n_gen;
  if (w.n_gen == 0) w.n_gen = 1;
  return w;
}

std::string filler_text(int64_t words) {
  // Common words that BPE vocabularies hold as single tokens with a leading space.
  static constexpr std::array<std::string_view, 32> kWords = {
      "the",   "river", "moves", "slowly", "past",  "green",  "fields", "and",
      "old",   "stone", "walls", "while",  "birds", "sing",   "over",   "quiet",
      "roads", "near",  "small", "towns",  "where", "people", "walk",   "under",
      "tall",  "trees", "in",    "the",    "warm",  "light",  "of",     "evening"};
  std::string out;
  out.reserve(static_cast<size_t>(words) * 6);
  for (int64_t i = 0; i < words; ++i) {
    if (i > 0) out += (i % 16 == 0) ? ".\n" : " ";
    // A stride coprime to 32 so that consecutive sentences differ.
    out += kWords[static_cast<size_t>((i * 7 + i / 32) % 32)];
  }
  return out;
}

std::string nonce_line(uint64_t nonce) { return fmt::format("Request {:016x}.\n", nonce); }

}  // namespace worthit::bench
