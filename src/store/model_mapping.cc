// SPDX-License-Identifier: MIT
#include "store/model_mapping.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "core/text.h"
#include "model/quant.h"

namespace worthit::store {

namespace {

bool contains_run(const std::vector<std::string>& hay, const std::vector<std::string>& needle) {
  if (needle.empty() || needle.size() > hay.size()) return false;
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

std::string basename_of(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

/// `word` occurs in `s` with no letter or digit right before or after it.
bool has_word(const std::string& s, const std::string& word) {
  for (size_t at = s.find(word); at != std::string::npos; at = s.find(word, at + 1)) {
    const bool left = at == 0 || !std::isalnum(static_cast<unsigned char>(s[at - 1]));
    const size_t end = at + word.size();
    const bool right = end == s.size() || !std::isalnum(static_cast<unsigned char>(s[end]));
    if (left && right) return true;
  }
  return false;
}

std::string canonical_quant(const std::string& name) {
  auto ft = parse_file_type(name);
  return ft ? file_type_name(*ft) : "";
}

}  // namespace

std::vector<std::string> name_tokens(const std::string& name) {
  std::vector<std::string> out;
  std::string cur;
  int cur_kind = 0;  // 1 letter, 2 digit
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    const int kind = std::isalpha(c) ? 1 : std::isdigit(c) ? 2 : 0;
    if (kind != cur_kind && !cur.empty()) out.push_back(std::move(cur)), cur.clear();
    if (kind != 0) cur += static_cast<char>(std::tolower(c));
    cur_kind = kind;
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

ModelMatch match_model_name(const std::vector<ModelArch>& catalog, const std::string& name) {
  const std::vector<std::string> toks = name_tokens(basename_of(name));
  size_t best = 0;
  std::vector<std::string> ids;
  for (const auto& m : catalog) {
    std::vector<std::string> names = m.aliases;
    names.push_back(m.id);
    for (const auto& n : names) {
      const auto want = name_tokens(n);
      if (!contains_run(toks, want) || want.size() < best) continue;
      if (want.size() > best) ids.clear(), best = want.size();
      if (std::find(ids.begin(), ids.end(), m.id) == ids.end()) ids.push_back(m.id);
    }
  }
  ModelMatch r;
  r.quant = quant_in_name(name);
  if (ids.size() == 1) {
    r.model = ids[0];
    r.note = fmt::format("model: '{}' mapped to catalog model '{}' by name", name, ids[0]);
  } else if (ids.empty()) {
    r.note = fmt::format("model: no catalog model matches '{}'; kept as model_name", name);
  } else {
    r.note = fmt::format("model: '{}' matches several catalog models ({}); kept as model_name",
                         name, fmt::join(ids, ", "));
  }
  return r;
}

std::string quant_in_name(const std::string& name) {
  const std::string s = to_lower(basename_of(name));
  std::string best;
  std::vector<std::string> names = {"mxfp4"};
  for (FileType f : file_types()) names.push_back(to_lower(file_type_name(f)));
  for (const auto& n : names)
    if (n.size() > best.size() && has_word(s, n)) best = n;
  return best.empty() ? "" : canonical_quant(best);
}

std::string quant_from_ftype_desc(const std::string& desc_in) {
  std::string d(trim(desc_in));
  if (const size_t g = d.find(" (guessed)"); g != std::string::npos) d = d.substr(0, g);
  if (d == "all F32") return canonical_quant("F32");
  if (d == "MXFP4 MoE") return canonical_quant("MXFP4_MOE");
  if (d.rfind("IQ3_S mix", 0) == 0) return canonical_quant("IQ3_M");
  const size_t dash = d.find(" - ");
  if (dash == std::string::npos) return canonical_quant(d);
  const std::string base = d.substr(0, dash), size = d.substr(dash + 3);
  // "Q2_K - Medium" is the plain Q2_K recipe; other K quants name their size.
  if (size == "Medium") return canonical_quant(base == "Q2_K" ? base : base + "_M");
  if (size == "Small") return canonical_quant(base + "_S");
  if (size == "Large") return canonical_quant(base + "_L");
  return canonical_quant(base);  // "IQ4_XS - 4.25 bpw", "TQ1_0 - 1.69 bpw ternary"
}

ModelMatch match_llama_bench_model(const std::vector<ModelArch>& catalog,
                                   const std::string& model_filename, const std::string& model_type,
                                   int64_t model_n_params) {
  const std::vector<std::string> words = split(model_type, ' ');
  std::string ftype;
  for (size_t i = 2; i < words.size(); ++i) ftype += (i > 2 ? " " : "") + words[i];
  ModelMatch r;
  if (!model_filename.empty()) r = match_model_name(catalog, model_filename);
  const std::string q = quant_from_ftype_desc(ftype);
  if (!q.empty()) r.quant = q;
  if (!r.model.empty() || words.empty() || model_n_params <= 0) return r;
  std::vector<std::string> ids;
  for (const auto& m : catalog) {
    const double want = m.params_total_b * 1e9;
    if (m.arch == words[0] && want > 0 && std::abs(want - model_n_params) <= 0.05 * want)
      ids.push_back(m.id);
  }
  if (ids.size() == 1) {
    r.model = ids[0];
    r.note = fmt::format("model: '{}' with {:.2f}B parameters mapped to catalog model '{}'",
                         model_type, model_n_params / 1e9, ids[0]);
  } else if (!ids.empty()) {
    r.note += fmt::format("; '{}' with {:.2f}B parameters fits several ({})", model_type,
                          model_n_params / 1e9, fmt::join(ids, ", "));
  }
  return r;
}

}  // namespace worthit::store
