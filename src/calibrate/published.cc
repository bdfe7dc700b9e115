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

Status read_bench(TomlReader& r, PublishedCase& c) {
  WORTHIT_TRY(list, r.tables("bench"));
  for (auto& b : list) {
    WORTHIT_TRY(test, b.string("test"));
    WORTHIT_TRY(tps, b.opt_number("tokens_per_s"));
    if (!tps || *tps <= 0) return fail(b.error_at("tokens_per_s", "required and must be positive"));
    auto parsed = parse_bench_test(test);
    if (!parsed) return fail(b.error_at("test", parsed.error().what));
    parsed->tokens_per_s = *tps;
    c.bench.push_back(*parsed);
    if (auto s = b.check_unknown(); !s) return s;
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
                          std::pair{"power_scope", &c.power_scope},
                          std::pair{"backend", &c.backend}, std::pair{"build", &c.build},
                          std::pair{"note", &c.note}}) {
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
  if (auto s = read_bench(r, c); !s) return fail(s.error());
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

Result<BenchResult> parse_bench_test(const std::string& name) {
  BenchResult b;
  b.test = name;
  std::string body = name;
  if (auto at = body.find("@d"); at != std::string::npos) {
    try {
      size_t used = 0;
      b.depth = std::stoll(body.substr(at + 2), &used);
      if (used != body.size() - at - 2 || b.depth < 0) throw std::invalid_argument(name);
    } catch (const std::exception&) {
      return fail("", fmt::format("bad depth in test name '{}'", name));
    }
    body = body.substr(0, at);
  }
  for (const auto& part : {body.substr(0, body.find('+')),
                           body.find('+') == std::string::npos ? std::string() : body.substr(body.find('+') + 1)}) {
    if (part.empty()) continue;
    int64_t n = 0;
    try {
      size_t used = 0;
      n = std::stoll(part.substr(2), &used);
      if (used != part.size() - 2 || n <= 0) throw std::invalid_argument(part);
    } catch (const std::exception&) {
      return fail("", fmt::format("expected a test like pp512, tg128, pp512+tg128 or pp2048@d4096, got '{}'", name));
    }
    if (part.rfind("pp", 0) == 0) b.n_prompt = n;
    else if (part.rfind("tg", 0) == 0) b.n_gen = n;
    else return fail("", fmt::format("expected a test like pp512, tg128, pp512+tg128 or pp2048@d4096, got '{}'", name));
  }
  if (b.n_prompt == 0 && b.n_gen == 0) return fail("", fmt::format("empty test name '{}'", name));
  return b;
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
