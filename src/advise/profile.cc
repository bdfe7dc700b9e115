// SPDX-License-Identifier: MIT
// Profiles: typed reading with file:line errors, and `--set` overrides applied before reading.
#include "advise/profile.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

#include "core/text.h"
#include "core/toml_reader.h"

namespace worthit {
namespace {

/// Splits "0.40 EUR/kWh" into 0.40 and "EUR/kWh"; fails without a number or a unit.
Result<std::pair<double, std::string>> number_and_unit(std::string_view text, const char* example) {
  const std::string s(trim(text));
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str())
    return fail("", fmt::format("expected a number with its unit like \"{}\", got \"{}\"", example, s));
  const std::string unit(trim(std::string_view(end)));
  if (unit.empty())
    return fail("", fmt::format("a unit is required, like \"{}\"; got \"{}\"", example, s));
  if (v < 0) return fail("", fmt::format("must not be negative, got \"{}\"", s));
  return std::make_pair(v, unit);
}

bool is_currency(const std::string& c) {
  if (c.size() != 3) return false;
  for (char ch : c)
    if (!std::isupper(static_cast<unsigned char>(ch))) return false;
  return true;
}

}  // namespace

Result<Money> parse_money(std::string_view text) {
  WORTHIT_TRY(nu, number_and_unit(text, "4500 EUR"));
  if (!is_currency(nu.second))
    return fail("", fmt::format("expected an ISO 4217 currency like EUR or USD, got \"{}\"", nu.second));
  return Money{nu.first, nu.second};
}

Result<EnergyPrice> parse_energy_price(std::string_view text) {
  WORTHIT_TRY(nu, number_and_unit(text, "0.40 EUR/kWh"));
  const auto slash = nu.second.find('/');
  const std::string cur = nu.second.substr(0, slash);
  const std::string per = slash == std::string::npos ? "" : nu.second.substr(slash + 1);
  if (!is_currency(cur) || (per != "kWh" && per != "MWh"))
    return fail("", fmt::format("expected a price per energy like \"0.40 EUR/kWh\", got \"{}\"",
                                std::string(trim(text))));
  return EnergyPrice{per == "MWh" ? nu.first / 1000.0 : nu.first, cur};
}

Result<Flops> parse_flops(std::string_view text) {
  WORTHIT_TRY(nu, number_and_unit(text, "12 TFLOP"));
  static const std::pair<const char*, double> kUnits[] = {
      {"FLOP", 1.0}, {"kFLOP", 1e3}, {"MFLOP", 1e6}, {"GFLOP", 1e9}, {"TFLOP", 1e12}, {"PFLOP", 1e15}};
  for (const auto& [u, k] : kUnits)
    if (nu.second == u) return Flops{nu.first * k};
  return fail("", fmt::format("unknown FLOP unit \"{}\"", nu.second), "FLOP, GFLOP, TFLOP or PFLOP");
}

namespace {

/// Reads the override's value as TOML, or as a plain string when it is not TOML.
toml::table value_table(const std::string& text) {
  try {
    return toml::parse("v = " + text);
  } catch (const toml::parse_error&) {
    toml::table t;
    t.insert("v", text);
    return t;
  }
}

std::vector<std::string> keys_of(const toml::table& t) {
  std::vector<std::string> v;
  for (const auto& [k, n] : t) v.emplace_back(k.str());
  return v;
}

Result<toml::node*> step(toml::node* cur, const std::string& key, const std::string& where) {
  if (toml::table* t = cur->as_table()) {
    toml::node* n = t->get(key);
    if (!n) return fail(where, fmt::format("the profile has no '{}'", key), did_you_mean(key, keys_of(*t)));
    return n;
  }
  if (toml::array* arr = cur->as_array()) {
    char* end = nullptr;
    const long idx = std::strtol(key.c_str(), &end, 10);
    if (key.empty() || *end != '\0' || idx < 0)
      return fail(where, fmt::format("expected an index into a list, got '{}'", key));
    if (size_t(idx) >= arr->size())
      return fail(where, fmt::format("index {} is out of range: the list has {} entries", idx, arr->size()));
    return arr->get(size_t(idx));
  }
  return fail(where, fmt::format("'{}' is below a value, not a table", key));
}

}  // namespace

Status apply_set(toml::table& root, const std::string& assignment) {
  const std::string where = "--set " + assignment;
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    return fail(where, "expected key=value", "e.g. --set workload.0.users=4");
  const std::string path(trim(std::string_view(assignment).substr(0, eq)));
  const std::string text(trim(std::string_view(assignment).substr(eq + 1)));
  const std::vector<std::string> keys = split(path, '.');
  toml::node* cur = &root;
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    WORTHIT_TRY(next, step(cur, keys[i], where));
    cur = next;
  }
  toml::table* t = cur->as_table();
  if (!t) return fail(where, "a value must be set on a key of a table");
  toml::table v = value_table(text);
  v.get("v")->visit([&](auto&& node) { t->insert_or_assign(keys.back(), node); });
  return Ok{};
}

namespace {

template <class T>
Result<std::optional<T>> opt_parsed(TomlReader& r, std::string_view key,
                                    Result<T> (*parse)(std::string_view)) {
  WORTHIT_TRY(s, r.opt_string(key));
  if (!s) return std::optional<T>{};
  auto v = parse(*s);
  if (!v) return fail(r.error_at(key, v.error().what, v.error().hint));
  return std::optional<T>{*v};
}

Result<WorkloadKind> workload_kind(TomlReader& r) {
  WORTHIT_TRY(kind, r.opt_string("kind"));
  const std::string k = kind.value_or("chat");
  if (k == "chat") return WorkloadKind::Chat;
  if (k == "agent") return WorkloadKind::Agent;
  if (k == "batch") return WorkloadKind::Batch;
  return fail(r.error_at("kind", fmt::format("unknown workload kind '{}'", k), "chat, agent or batch"));
}

Result<ProfileWorkload> read_workload(TomlReader& r) {
  ProfileWorkload w;
  WORTHIT_TRY(name, r.opt_string("name"));
  WORTHIT_TRY(kind, workload_kind(r));
  WORTHIT_TRY(model, r.string("model"));
  WORTHIT_TRY(quant, r.opt_string("quant"));
  WORTHIT_TRY(runtime, r.opt_string("runtime"));
  WORTHIT_TRY(kv, r.opt_string("kv_cache"));
  WORTHIT_TRY(prompt, r.integer("prompt_tokens"));
  WORTHIT_TRY(answer, r.integer("answer_tokens"));
  WORTHIT_TRY(ctx, r.opt_int("context_tokens"));
  WORTHIT_TRY(window, r.opt_int("context_window_tokens"));
  WORTHIT_TRY(users, r.opt_int("users"));
  WORTHIT_TRY(hours, r.opt_number("hours_per_day"));
  if (users && *users < 1) return fail(r.error_at("users", "must be at least 1"));
  if (hours && *hours > 24) return fail(r.error_at("hours_per_day", "must be at most 24"));
  if (answer <= 0) return fail(r.error_at("answer_tokens", "must be positive"));
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  w.name = name.value_or(model);
  w.kind = kind;
  w.model = model;
  w.quant = quant.value_or("");
  w.runtime = runtime.value_or("");
  w.kv_cache = kv.value_or("");
  w.prompt_tokens = prompt;
  w.answer_tokens = answer;
  w.context_tokens = ctx.value_or(0);
  w.context_window_tokens = window.value_or(0);
  w.users = users.value_or(1);
  w.hours_per_day = hours.value_or(0);
  return w;
}

Result<Resident> read_resident(TomlReader& r) {
  Resident m;
  WORTHIT_TRY(name, r.opt_string("name"));
  WORTHIT_TRY(kind, r.string("kind"));
  auto k = parse_resident_kind(kind);
  if (!k) return fail(r.error_at("kind", k.error().what, k.error().hint));
  WORTHIT_TRY(ref, r.opt_string("ref"));
  WORTHIT_TRY(quant, r.opt_string("quant"));
  WORTHIT_TRY(mem, r.opt_quantity<Bytes>("memory", parse_bytes));
  WORTHIT_TRY(flop, opt_parsed<Flops>(r, "flop_per_request", parse_flops));
  WORTHIT_TRY(rate, r.opt_number("requests_per_hour"));
  if (!ref && !mem) return fail(r.error_at("ref", "give a catalog id (ref) or the memory it needs"));
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  m.ref = ref.value_or("");
  m.name = name.value_or(m.ref);
  m.kind = *k;
  m.quant = quant.value_or("");
  m.memory = mem;
  m.flop_per_request = flop;
  m.requests_per_hour = rate.value_or(0);
  return m;
}

Result<FinetuneJob> read_finetune(TomlReader& r) {
  FinetuneJob j;
  WORTHIT_TRY(name, r.opt_string("name"));
  WORTHIT_TRY(model, r.string("model"));
  WORTHIT_TRY(method, r.string("method"));
  auto m = parse_train_method(method);
  if (!m) return fail(r.error_at("method", m.error().what, m.error().hint));
  WORTHIT_TRY(opt, r.opt_string("optimizer"));
  auto o = parse_train_optimizer(opt.value_or("adamw"));
  if (!o) return fail(r.error_at("optimizer", o.error().what, o.error().hint));
  WORTHIT_TRY(seq, r.opt_int("seq_tokens"));
  WORTHIT_TRY(batch, r.opt_int("batch"));
  WORTHIT_TRY(rank, r.opt_int("lora_rank"));
  WORTHIT_TRY(ckpt, r.opt_bool("grad_checkpointing"));
  WORTHIT_TRY(tokens, r.opt_number("tokens_per_month"));
  if (seq && *seq < 1) return fail(r.error_at("seq_tokens", "must be positive"));
  if (batch && *batch < 1) return fail(r.error_at("batch", "must be positive"));
  if (rank && *rank < 1) return fail(r.error_at("lora_rank", "must be positive"));
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  j.model = model;
  j.name = name.value_or(model);
  j.request.method = *m;
  j.request.optimizer = *o;
  j.request.seq_tokens = seq.value_or(2048);
  j.request.batch = batch.value_or(1);
  j.request.lora_rank = static_cast<int>(rank.value_or(16));
  j.request.grad_checkpointing = ckpt.value_or(true);
  j.tokens_per_month = tokens.value_or(0);
  return j;
}

template <class T>
Status read_list(TomlReader& r, std::string_view key, Result<T> (*read)(TomlReader&),
                 std::vector<T>& out) {
  WORTHIT_TRY(tables, r.tables(key));
  for (auto& t : tables) {
    WORTHIT_TRY(v, read(t));
    out.push_back(std::move(v));
  }
  return Ok{};
}

Status read_top(TomlReader& r, Profile& p) {
  WORTHIT_TRY(id, r.string("id"));
  WORTHIT_TRY(name, r.opt_string("name"));
  WORTHIT_TRY(sources, r.strings("sources"));
  WORTHIT_TRY(system, r.string("system"));
  WORTHIT_TRY(price, opt_parsed<EnergyPrice>(r, "electricity_price", parse_energy_price));
  WORTHIT_TRY(budget, opt_parsed<Money>(r, "budget", parse_money));
  WORTHIT_TRY(comfort, r.opt_number("comfort_tps"));
  if (comfort && *comfort <= 0) return fail(r.error_at("comfort_tps", "must be positive"));
  WORTHIT_TRY(years, r.opt_number("amortization_years"));
  if (years && (*years <= 0 || *years > 30)) return fail(r.error_at("amortization_years", "must be in (0, 30]"));
  WORTHIT_TRY(always_on, r.opt_bool("always_on"));
  WORTHIT_TRY(cloud, r.opt_string("cloud_device"));
  p.id = id;
  p.name = name.value_or(id);
  p.sources = sources;
  p.system = system;
  p.electricity_price = price;
  p.budget = budget;
  p.comfort_tps = comfort.value_or(p.comfort_tps);
  p.amortization_years = years.value_or(p.amortization_years);
  p.always_on = always_on.value_or(p.always_on);
  p.cloud_device = cloud.value_or(p.cloud_device);
  return Ok{};
}

}  // namespace

Result<Profile> profile_from_table(const toml::table& t, const std::string& file) {
  TomlReader r(t, file);
  Profile p;
  p.file = file;
  if (auto s = read_top(r, p); !s) return fail(s.error());
  if (auto s = read_list<ProfileWorkload>(r, "workload", read_workload, p.workloads); !s) return fail(s.error());
  if (auto s = read_list<Resident>(r, "resident", read_resident, p.residents); !s) return fail(s.error());
  if (auto s = read_list<FinetuneJob>(r, "finetune", read_finetune, p.finetune); !s) return fail(s.error());
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  return p;
}

namespace {

/// "workload.0.users" as TomlReader names it: "workload[0].users".
std::string reader_path(const std::string& dotted) {
  std::string out;
  for (const auto& k : split(dotted, '.')) {
    const bool index = !k.empty() && k.find_first_not_of("0123456789") == std::string::npos;
    out += index ? "[" + k + "]" : (out.empty() ? "" : ".") + k;
  }
  return out;
}

/// Rewrites an error located at an overridden field so that it names the override.
Error blame_override(Error e, const std::vector<std::string>& sets) {
  const auto colon = e.where.rfind(": ");
  const std::string field = colon == std::string::npos ? e.where : e.where.substr(colon + 2);
  for (const auto& s : sets) {
    const std::string key(trim(std::string_view(s).substr(0, s.find('='))));
    if (reader_path(key) == field) {
      e.where = "--set " + s;
      return e;
    }
  }
  return e;
}

}  // namespace

Result<Profile> load_profile(const std::string& path, const std::vector<std::string>& sets) {
  WORTHIT_TRY(tbl, parse_toml_file(path));
  for (const auto& s : sets)
    if (auto st = apply_set(tbl, s); !st) return fail(st.error());
  auto p = profile_from_table(tbl, path);
  if (!p) return fail(blame_override(p.error(), sets));
  return p;
}

Status resolve_residents(Profile& p, const std::vector<ResidentEntry>& catalog) {
  for (size_t i = 0; i < p.residents.size(); ++i) {
    Resident& m = p.residents[i];
    if (m.memory || m.kind == ResidentKind::Llm) continue;
    auto e = find_resident(catalog, m.ref);
    // A vision resident may be a vision LLM from the model catalog, sized by the caller.
    if (!e && m.kind == ResidentKind::Vision) continue;
    if (!e)
      return fail(fmt::format("{}: resident[{}].ref", p.file, i), e.error().what, e.error().hint);
    m.memory = e->memory;
  }
  return Ok{};
}

}  // namespace worthit
