// SPDX-License-Identifier: MIT
#include "core/toml_reader.h"

#include <fmt/format.h>

#include "core/text.h"

namespace worthit {

Result<toml::table> parse_toml_file(const std::string& path) {
  // Debian's toml++ is built with exceptions: a syntax error arrives as toml::parse_error.
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return fail(fmt::format("{}:{}:{}", path, e.source().begin.line, e.source().begin.column),
                std::string(e.description()));
  }
}

Error error_in_file(const std::string& path, std::string_view key, std::string what) {
  auto tbl = parse_toml_file(path);
  if (!tbl) return Error{path + ": " + std::string(key), std::move(what), ""};
  return TomlReader(*tbl, path).error_at(key, std::move(what));
}

Error TomlReader::error_at_path(std::string_view dotted, std::string what, std::string hint) const {
  const toml::node* n = table_->at_path(dotted).node();
  auto line = n ? n->source().begin.line : table_->source().begin.line;
  return Error{fmt::format("{}:{}: {}", file_, line, path(dotted)), std::move(what), std::move(hint)};
}

TomlReader::TomlReader(const toml::table& table, std::string file, std::string prefix)
    : table_(&table), file_(std::move(file)), prefix_(std::move(prefix)) {}

std::string TomlReader::path(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

const toml::node* TomlReader::node(std::string_view key) {
  used_.emplace(key);
  return table_->get(key);
}

Error TomlReader::error_at(std::string_view key, std::string what, std::string hint) const {
  const toml::node* n = table_->get(key);
  auto line = n ? n->source().begin.line : table_->source().begin.line;
  return Error{fmt::format("{}:{}: {}", file_, line, path(key)), std::move(what), std::move(hint)};
}

Result<std::optional<std::string>> TomlReader::opt_string(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::optional<std::string>{};
  if (!n->is_string()) return fail(error_at(key, "expected a string"));
  return std::optional<std::string>{*n->value<std::string>()};
}

Result<std::string> TomlReader::string(std::string_view key) {
  auto s = opt_string(key);
  if (!s) return fail(s.error());
  if (!s->has_value() || (*s)->empty()) return fail(error_at(key, "required field is missing"));
  return **s;
}

Result<std::optional<int64_t>> TomlReader::opt_int(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::optional<int64_t>{};
  if (!n->is_integer()) return fail(error_at(key, "expected an integer"));
  int64_t v = *n->value<int64_t>();
  if (v < 0) return fail(error_at(key, fmt::format("must not be negative, got {}", v)));
  return std::optional<int64_t>{v};
}

Result<int64_t> TomlReader::integer(std::string_view key) {
  auto v = opt_int(key);
  if (!v) return fail(v.error());
  if (!v->has_value()) return fail(error_at(key, "required field is missing"));
  return **v;
}

Result<std::optional<double>> TomlReader::opt_number(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::optional<double>{};
  if (!n->is_number()) return fail(error_at(key, "expected a number"));
  double v = *n->value<double>();
  if (v < 0) return fail(error_at(key, fmt::format("must not be negative, got {}", v)));
  return std::optional<double>{v};
}

Result<std::optional<bool>> TomlReader::opt_bool(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::optional<bool>{};
  if (!n->is_boolean()) return fail(error_at(key, "expected true or false"));
  return std::optional<bool>{*n->value<bool>()};
}

Result<bool> TomlReader::boolean(std::string_view key) {
  auto v = opt_bool(key);
  if (!v) return fail(v.error());
  if (!v->has_value()) return fail(error_at(key, "required field is missing"));
  return **v;
}

Result<std::vector<std::string>> TomlReader::strings(std::string_view key) {
  const toml::node* n = node(key);
  std::vector<std::string> out;
  if (!n) return out;
  const toml::array* arr = n->as_array();
  if (!arr) return fail(error_at(key, "expected a list of strings"));
  for (const auto& e : *arr) {
    if (!e.is_string()) return fail(error_at(key, "expected a list of strings"));
    out.push_back(*e.value<std::string>());
  }
  return out;
}

Result<std::optional<TomlReader>> TomlReader::table(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::optional<TomlReader>{};
  if (!n->is_table()) return fail(error_at(key, "expected a table [" + path(key) + "]"));
  return std::optional<TomlReader>{TomlReader(*n->as_table(), file_, path(key))};
}

Result<std::vector<TomlReader>> TomlReader::tables(std::string_view key) {
  const toml::node* n = node(key);
  std::vector<TomlReader> out;
  if (!n) return out;
  const toml::array* arr = n->as_array();
  if (!arr) return fail(error_at(key, "expected an array of tables [[" + path(key) + "]]"));
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::table* t = (*arr)[i].as_table();
    if (!t) return fail(error_at(key, "expected an array of tables [[" + path(key) + "]]"));
    out.emplace_back(*t, file_, fmt::format("{}[{}]", path(key), i));
  }
  return out;
}

Status TomlReader::check_unknown() const {
  std::vector<std::string> known(used_.begin(), used_.end());
  for (const auto& [k, v] : *table_) {
    if (used_.count(k.str()) == 0)
      return fail(error_at(k.str(), "unknown field", did_you_mean(k.str(), known)));
  }
  return Ok{};
}

}  // namespace worthit
