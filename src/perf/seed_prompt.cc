// SPDX-License-Identifier: MIT
#include "perf/seed_prompt.h"

#include <algorithm>

#include "core/toml_reader.h"

namespace worthit {

int64_t SeedPrompt::prompt_tokens(const std::string& model_id, std::string* template_name) const {
  for (const auto& t : templates)
    if (std::find(t.models.begin(), t.models.end(), model_id) != t.models.end()) {
      if (template_name) *template_name = t.name;
      return t.prompt_tokens;
    }
  if (template_name) *template_name = "default";
  return default_prompt_tokens;
}

namespace {

Result<int64_t> positive(TomlReader& r, std::string_view key) {
  WORTHIT_TRY(v, r.integer(key));
  if (v <= 0) return fail(r.error_at(key, "must be a positive number of tokens"));
  return v;
}

}  // namespace

Result<SeedPrompt> load_seed_prompt(const std::string& path) {
  WORTHIT_TRY(tbl, parse_toml_file(path));
  TomlReader r(tbl, path);
  SeedPrompt p;
  WORTHIT_TRY(text, r.string("prompt"));
  WORTHIT_TRY(answer, positive(r, "answer_tokens"));
  WORTHIT_TRY(dflt, positive(r, "default_prompt_tokens"));
  p.text = text;
  p.answer_tokens = answer;
  p.default_prompt_tokens = dflt;
  WORTHIT_TRY(tables, r.tables("template"));
  for (auto& t : tables) {
    PromptTemplate pt;
    WORTHIT_TRY(name, t.string("name"));
    WORTHIT_TRY(models, t.strings("models"));
    WORTHIT_TRY(tokens, positive(t, "prompt_tokens"));
    WORTHIT_TRY(source, t.string("source"));
    if (auto s = t.check_unknown(); !s) return fail(s.error());
    pt.name = name;
    pt.models = models;
    pt.prompt_tokens = tokens;
    pt.source = source;
    p.templates.push_back(std::move(pt));
  }
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  return p;
}

}  // namespace worthit
