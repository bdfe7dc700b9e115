// SPDX-License-Identifier: MIT
// Small text helpers: case folding, edit distance, "did you mean".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace worthit {

/// ASCII lower-case copy.
std::string to_lower(std::string_view s);
/// Trims ASCII whitespace on both ends.
std::string_view trim(std::string_view s);
/// Splits on `sep`, keeping empty fields.
std::vector<std::string> split(std::string_view s, char sep);
/// Levenshtein distance, case-insensitive.
int edit_distance(std::string_view a, std::string_view b);
/// "did you mean 'x'?" for the closest candidate; empty when none is close.
std::string did_you_mean(std::string_view wanted, const std::vector<std::string>& candidates);

}  // namespace worthit
