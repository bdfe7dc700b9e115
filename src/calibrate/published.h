// SPDX-License-Identifier: MIT
// Published measurements (data/published/*.toml): what was run, how, and what was measured.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace worthit {

/// Memory one pool was measured to use.
struct MeasuredMemory {
  std::string pool;  ///< llama.cpp device name: "CUDA0", "Metal"
  double used_mib = 0;
};

/// One llama-bench style result: "pp512", "tg128", "pp2048@d4096" and its rate.
struct BenchResult {
  std::string test;
  int64_t n_prompt = 0, n_gen = 0, depth = 0;  ///< parsed from `test`
  double tokens_per_s = 0;
};

/// Parses a llama-bench test name: "pp512", "tg128", "pp512+tg128", "pp2048@d4096".
Result<BenchResult> parse_bench_test(const std::string& name);

/// One measured case.
struct PublishedCase {
  std::string id, test, system, model, quant, runtime;
  std::string args;     ///< runtime settings as llama.cpp flags
  std::string assumed;  ///< settings the source leaves out, and what is assumed
  std::optional<double> eval_rate_tps, prompt_eval_rate_tps, power_w;
  std::string power_scope;  ///< "board" (GPU only) or "wall"
  std::vector<MeasuredMemory> memory;
  std::optional<bool> expect_fits;
  std::string backend, build, note;
  std::vector<BenchResult> bench;
  std::string file;  ///< where it was read
};

/// Reads a published-measurements file; errors name file:line: field.
Result<std::vector<PublishedCase>> load_published(const std::string& path);

/// Splits a flag string like a shell: whitespace separates, '...' and "..." group.
std::vector<std::string> split_args(const std::string& s);

}  // namespace worthit
