// SPDX-License-Identifier: MIT
// A table of text cells printed as aligned text, Markdown or CSV (results, import).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace worthit::app {

/// Header and rows of already formatted cells; `right` marks numeric columns.
struct TextTable {
  std::vector<std::string> headers;
  std::vector<bool> right;
  std::vector<std::vector<std::string>> rows;
};

/// How to print a table.
enum class TableStyle { Text, Markdown, Csv };

/// Prints `t` in `style`: text pads by characters (UTF-8 aware), Markdown adds the alignment
/// row, CSV quotes fields that need it (RFC 4180).
void print_table(std::ostream& out, const TextTable& t, TableStyle style);

}  // namespace worthit::app
