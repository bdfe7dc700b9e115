// SPDX-License-Identifier: MIT
#include "core/text.h"

#include <algorithm>
#include <cctype>

namespace worthit {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

int edit_distance(std::string_view a, std::string_view b) {
  std::string la = to_lower(a), lb = to_lower(b);
  std::vector<int> prev(lb.size() + 1), cur(lb.size() + 1);
  for (size_t j = 0; j <= lb.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= la.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= lb.size(); ++j) {
      int sub = prev[j - 1] + (la[i - 1] == lb[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[lb.size()];
}

std::string did_you_mean(std::string_view wanted, const std::vector<std::string>& candidates) {
  if (trim(wanted).empty()) return {};
  std::string best;
  int best_d = 1 << 30;
  for (const auto& c : candidates) {
    int d = edit_distance(wanted, c);
    // A candidate that starts with the wanted text is the best match ("Q4_K" -> "Q4_K_M");
    // one that contains it is a strong one ("4090" -> "rtx-4090").
    const size_t at = to_lower(c).find(to_lower(wanted));
    if (at == 0) d = 0;
    else if (at != std::string::npos) d = std::min(d, 1);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  int limit = std::max<int>(2, static_cast<int>(wanted.size()) / 3);
  if (!best.empty() && best_d <= limit) return "did you mean '" + best + "'?";
  return {};
}

}  // namespace worthit
