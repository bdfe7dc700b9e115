// SPDX-License-Identifier: MIT
#include "probe/gpu_match.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#include <set>
#include <vector>

#include "core/text.h"

namespace worthit::probe {
namespace {

/// Words of a GPU name, split into "model" words that must agree and "soft" words that may not.
struct Words {
  std::set<std::string> model;
  std::set<std::string> soft;
};

bool is_soft(const std::string& w) {
  static const std::set<std::string> kSoft = {
      "nvidia", "geforce", "amd",  "radeon", "intel", "graphics", "generation",
      "gpu",    "pcie",    "sxm",  "sxm2",   "sxm4",  "sxm5",     "hgx",
      "hbm2",   "hbm2e",   "hbm3", "hbm3e",  "gddr6", "gddr6x",   "gddr7"};
  static const std::regex kMemory(R"(\d+(gb|g))");
  return kSoft.count(w) > 0 || std::regex_match(w, kMemory);
}

Words words(const std::string& name) {
  std::string clean;
  int depth = 0;  // text in parentheses describes a configuration, not the model
  for (char c : name) {
    if (c == '(') ++depth;
    if (c == ')') depth = std::max(0, depth - 1);
    const bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
    clean += (depth == 0 && alnum) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                                   : ' ';
  }
  Words w;
  for (const auto& t : split(clean, ' ')) {
    if (t.empty()) continue;
    (is_soft(t) ? w.soft : w.model).insert(t);
  }
  return w;
}

/// How well catalog spelling `cand` fits the reported words: -1 when it does not, else the
/// number of reported soft words it shares ("pcie", "80gb"), which ranks the candidates.
int fit_score(const Words& rep, const Words& cand) {
  if (rep.model != cand.model) return -1;
  // Drivers name PCIe boards with "PCIe" (H100 PCIe, A100-PCIE-40GB); SXM parts lack it.
  if (cand.soft.count("pcie") && !rep.soft.count("pcie")) return -1;
  static const std::regex kMemory(R"(\d+gb?)");
  for (const auto& w : cand.soft)  // "40gb" against "80gb": a different board
    if (std::regex_match(w, kMemory) && !rep.soft.count(w))
      for (const auto& r : rep.soft)
        if (std::regex_match(r, kMemory)) return -1;
  int shared = 0;
  for (const auto& w : cand.soft) shared += static_cast<int>(rep.soft.count(w));
  return shared;
}

}  // namespace

Result<std::string> match_gpu(const HwCatalog& cat, const std::string& reported, Bytes memory) {
  const Words rep = words(reported);
  std::vector<std::string> hits;
  int best = 0;
  for (const auto& d : cat.devices) {
    if (d.kind != "gpu") continue;
    int score = std::max(fit_score(rep, words(d.name)), fit_score(rep, words(d.id)));
    for (const auto& a : d.aliases) score = std::max(score, fit_score(rep, words(a)));
    if (score < 0) continue;
    if (memory.base() > 0 && d.memory_capacity.base() > 0 &&
        std::abs(memory / d.memory_capacity - 1.0) > 0.15)
      continue;
    if (hits.empty() || score > best) {
      hits = {d.id};
      best = score;
    } else if (score == best) {
      hits.push_back(d.id);
    }
  }
  if (hits.size() == 1) return hits.front();
  if (hits.empty())
    return fail("gpu", fmt::format("'{}' matches no catalog device", reported),
                "write the [[gpu]] device id by hand (see `worthit systems`)");
  std::string list;
  for (const auto& h : hits) list += (list.empty() ? "" : ", ") + h;
  return fail("gpu", fmt::format("'{}' matches several catalog devices: {}", reported, list),
              "write the [[gpu]] device id by hand");
}

}  // namespace worthit::probe
