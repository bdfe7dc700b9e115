// SPDX-License-Identifier: MIT
#include "calibrate/published.h"

#include <fmt/format.h>

#include <set>

#include "core/toml_reader.h"

namespace worthit {
namespace {

Status read_memory(TomlReader& r, PublishedCase& c) {
  WORTHIT_TRY(list, r.tables("memory"));
  for (auto& m : list) {
    WORTHIT_TRY(pool, m.string("pool"));
    WORTHIT_TRY(used, m.opt_number("used_mib"));
    if (!used) return fail(m.error_at("used_mib", "required field is missing"));
    c.memory.push_back({pool, *used});
    if (auto s = m.check_unknown(); !s) return s;
  }
  return Ok{};
}

Result<PublishedCase> read_case(TomlReader& r) {
  PublishedCase c;
  c.file = r.file();
  for (auto [key, dst] : {std::pair{"id", &c.id}, std::pair{"system", &c.system},
                          std::pair{"model", &c.model}, std::pair{"runtime", &c.runtime}}) {
    WORTHIT_TRY(v, r.string(key));
    *dst = v;
  }
  for (auto [key, dst] : {std::pair{"test", &c.test}, std::pair{"quant", &c.quant},
                          std::pair{"args", &c.args}, std::pair{"assumed", &c.assumed},
                          std::pair{"power_scope", &c.power_scope}}) {
    WORTHIT_TRY(v, r.opt_string(key));
    *dst = v.value_or("");
  }
  for (auto [key, dst] : {std::pair{"eval_rate_tps", &c.eval_rate_tps},
                          std::pair{"prompt_eval_rate_tps", &c.prompt_eval_rate_tps},
                          std::pair{"power_w", &c.power_w}}) {
    WORTHIT_TRY(v, r.opt_number(key));
    *dst = v;
  }
  WORTHIT_TRY(fits, r.opt_bool("expect_fits"));
  c.expect_fits = fits;
  if (auto s = read_memory(r, c); !s) return fail(s.error());
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  return c;
}

}  // namespace

Result<std::vector<PublishedCase>> load_published(const std::string& path) {
  WORTHIT_TRY(tbl, parse_toml_file(path));
  TomlReader r(tbl, path);
  WORTHIT_TRY(source, r.string("source"));
  (void)source;
  WORTHIT_TRY(cases, r.tables("case"));
  std::vector<PublishedCase> out;
  std::set<std::string> ids;
  for (auto& t : cases) {
    WORTHIT_TRY(c, read_case(t));
    if (!ids.insert(c.id).second) return fail(t.error_at("id", fmt::format("duplicate case id '{}'", c.id)));
    out.push_back(std::move(c));
  }
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  return out;
}

std::vector<std::string> split_args(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_token = false;
  char quote = 0;
  for (char ch : s) {
    if (quote) {
      if (ch == quote) quote = 0;
      else cur += ch;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      in_token = true;
    } else if (ch == ' ' || ch == '\t' || ch == '\n') {
      if (in_token) out.push_back(cur);
      cur.clear();
      in_token = false;
    } else {
      cur += ch;
      in_token = true;
    }
  }
  if (in_token) out.push_back(cur);
  return out;
}

}  // namespace worthit
