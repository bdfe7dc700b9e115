// SPDX-License-Identifier: MIT
// The seed's test prompt and its token count through each model's chat template
// (data/prompts/seed-tokyo.toml), for `predict --workload seed`, `compare --seed` and calibration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace worthit {

/// One chat template: which models use it and how many tokens the seed prompt becomes.
struct PromptTemplate {
  std::string name;
  std::vector<std::string> models;  ///< catalog model ids
  int64_t prompt_tokens = 0;
  std::string source;
};

/// The seed workload: a prompt rendered per template and a typical answer length.
struct SeedPrompt {
  std::string text;
  int64_t answer_tokens = 0;
  int64_t default_prompt_tokens = 0;  ///< for models without a listed template
  std::vector<PromptTemplate> templates;

  /// Prompt tokens for a catalog model id; `template_name` receives the template used
  /// ("default" when none lists the model).
  int64_t prompt_tokens(const std::string& model_id, std::string* template_name = nullptr) const;
};

/// Reads data/prompts/seed-tokyo.toml; errors name file:line: field.
Result<SeedPrompt> load_seed_prompt(const std::string& path);

}  // namespace worthit
