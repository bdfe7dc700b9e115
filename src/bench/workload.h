// SPDX-License-Identifier: MIT
// What `worthit bench` asks a server to do: the seed study's Tokyo prompt (the default, so that
// results compare with the seed's tables), llama-bench-style tests (pp512, tg128, pp512+tg128,
// pp2048@d8192) and a prompt read from a file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace worthit::bench {

/// The seed study's test prompt, verbatim (seed/000_a3c5d03b8adbf940.txt, "Test prompt"). The seed
/// typed it into `ollama run --verbose`, i.e. one user message through the chat template.
inline constexpr std::string_view kSeedPrompt =
    "Design a weekend trip itinerary for two people visiting Tokyo for the first time. Include "
    "where to stay, what to see each day, where to eat, and estimated budget in yen.";

/// Generated tokens asked for in chat workloads when --gen-tokens is not given. The seed let each
/// model answer until it stopped (400-2800 tokens); 1000 is the value the predictor models it with.
constexpr int64_t kDefaultChatGenTokens = 1000;

enum class WorkloadKind {
  Seed,        ///< kSeedPrompt as a chat message
  PromptFile,  ///< a file's text as a chat message
  Test,        ///< llama-bench style: filler text of a set token length, no chat template
};

/// One workload: a chat prompt, or a synthetic test of n_prompt tokens after `depth` tokens of
/// context, generating n_gen tokens.
struct Workload {
  std::string name;  ///< "seed", "prompt-file", or the test name ("pp512", "pp2048@d8192")
  WorkloadKind kind = WorkloadKind::Seed;
  std::string prompt;    ///< the chat text (Seed, PromptFile)
  std::string source;    ///< where the prompt came from (file path), for the record
  int64_t n_prompt = 0;  ///< prompt tokens of a test; 0 for chat workloads (the server counts)
  int64_t n_gen = 0;     ///< tokens to generate
  int64_t depth = 0;     ///< tokens already in the context before the prompt (tests only)
  bool chat() const { return kind != WorkloadKind::Test; }
};

/// The seed workload; `gen_tokens` < 0 means kDefaultChatGenTokens.
Workload seed_workload(int64_t gen_tokens);

/// A chat workload from a UTF-8 text file. Errors: unreadable or empty file (where = path).
Result<Workload> prompt_file_workload(const std::string& path, int64_t gen_tokens);

/// A llama-bench test by name. `gen_tokens` >= 0 overrides the tg part. A pure pp test still asks
/// for one generated token, so that every stream has a first token and ends with statistics.
/// Errors name "--test".
Result<Workload> test_workload(const std::string& name, int64_t gen_tokens);

/// Deterministic English filler of `words` words (about one token each with BPE vocabularies).
std::string filler_text(int64_t words);

/// A short line that makes a prompt unique so that no server can answer it from a prompt cache:
/// "Request 00000000002a3f1c." followed by a newline.
std::string nonce_line(uint64_t nonce);

}  // namespace worthit::bench
