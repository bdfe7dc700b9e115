// SPDX-License-Identifier: MIT
// Typed, checked reading of one TOML table: every error names file:line and the field path,
// unknown keys are errors with "did you mean".
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "core/error.h"
#include "core/units.h"

namespace worthit {

/// Parses a whole TOML file; the error names file:line:column.
Result<toml::table> parse_toml_file(const std::string& path);

/// "file:line: key: what" for a top-level key of a file already known to parse (used when an
/// error is found after reading, such as a duplicate id across files).
Error error_in_file(const std::string& path, std::string_view key, std::string what);

/// Reads fields of one table. Each getter marks its key as known; check_unknown() then
/// reports any key nobody asked for.
class TomlReader {
 public:
  TomlReader(const toml::table& table, std::string file, std::string prefix = {});

  Result<std::string> string(std::string_view key);
  Result<std::optional<std::string>> opt_string(std::string_view key);
  Result<std::optional<int64_t>> opt_int(std::string_view key);
  Result<int64_t> integer(std::string_view key);
  Result<std::optional<double>> opt_number(std::string_view key);
  Result<std::optional<bool>> opt_bool(std::string_view key);
  Result<bool> boolean(std::string_view key);
  /// A list of strings; missing means empty.
  Result<std::vector<std::string>> strings(std::string_view key);
  /// A quantity with its unit ("24 GiB"); nullopt when the key is missing.
  template <class Q>
  Result<std::optional<Q>> opt_quantity(std::string_view key, Result<Q> (*parse)(std::string_view));
  template <class Q>
  Result<Q> quantity(std::string_view key, Result<Q> (*parse)(std::string_view));

  /// Sub-table `key`, or nullopt when missing (error when not a table).
  Result<std::optional<TomlReader>> table(std::string_view key);
  /// Array of tables `[[key]]`; missing means empty.
  Result<std::vector<TomlReader>> tables(std::string_view key);

  /// Error for the first key that no getter asked for.
  Status check_unknown() const;
  /// An error located at `key` (its line when present, else the table's).
  Error error_at(std::string_view key, std::string what, std::string hint = {}) const;
  /// An error at a dotted path below this table ("moe.experts_used"), on that key's line.
  Error error_at_path(std::string_view dotted, std::string what, std::string hint = {}) const;
  const std::string& file() const { return file_; }

 private:
  const toml::node* node(std::string_view key);
  std::string path(std::string_view key) const;

  const toml::table* table_;
  std::string file_;
  std::string prefix_;
  std::set<std::string, std::less<>> used_;
};

template <class Q>
Result<std::optional<Q>> TomlReader::opt_quantity(std::string_view key,
                                                  Result<Q> (*parse)(std::string_view)) {
  const toml::node* n = node(key);
  if (!n) return std::optional<Q>{};
  if (!n->is_string())
    return fail(error_at(key, "expected a string with a unit, got a bare value",
                         "write it with its unit, e.g. \"24 GiB\", \"273 GB/s\""));
  auto q = parse(n->value<std::string>().value_or(""));
  if (!q) return fail(error_at(key, q.error().what, q.error().hint));
  return std::optional<Q>{*q};
}

template <class Q>
Result<Q> TomlReader::quantity(std::string_view key, Result<Q> (*parse)(std::string_view)) {
  auto q = opt_quantity<Q>(key, parse);
  if (!q) return fail(q.error());
  if (!q->has_value()) return fail(error_at(key, "required field is missing"));
  return **q;
}

}  // namespace worthit
