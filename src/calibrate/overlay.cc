// SPDX-License-Identifier: MIT
#include "calibrate/overlay.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "core/text.h"
#include "core/toml_reader.h"

namespace worthit {
namespace {

const EfficiencyParam* param(const std::string& name) {
  for (const auto& p : efficiency_params())
    if (name == p.name) return &p;
  return nullptr;
}

/// llama.cpp flags from a run's settings (llama-bench's own fields, or worthit bench's).
std::string args_of(const nlohmann::json& settings) {
  std::string out;
  auto add = [&](const char* flag, const nlohmann::json& v) {
    if (v.is_number_integer()) out += fmt::format(" {} {}", flag, v.get<int64_t>());
    else if (v.is_string() && !v.get<std::string>().empty()) out += fmt::format(" {} {}", flag, v.get<std::string>());
  };
  if (settings.contains("llama_bench") && settings["llama_bench"].is_object()) {
    const auto& lb = settings["llama_bench"];
    for (const auto& [key, flag] : std::vector<std::pair<const char*, const char*>>{
             {"n_gpu_layers", "-ngl"}, {"n_batch", "-b"}, {"n_ubatch", "-ub"}, {"type_k", "-ctk"}, {"type_v", "-ctv"}})
      if (lb.contains(key)) add(flag, lb[key]);
    if (lb.contains("flash_attn") && (lb["flash_attn"].is_boolean() || lb["flash_attn"].is_number()))
      out += lb["flash_attn"].get<int>() ? " -fa on" : " -fa off";
  }
  if (settings.contains("n_ctx_tokens")) add("-c", settings["n_ctx_tokens"]);
  return out.empty() ? out : out.substr(1);
}

/// Mean tokens and tokens/s over the successful samples with both a count and a time.
struct Rate {
  int n = 0;
  double tokens = 0, tps = 0;
};
Rate rate(const std::vector<measure::Sample>& samples, bool prompt) {
  Rate r;
  for (const auto& s : samples) {
    const auto& t = prompt ? s.server.prompt_tokens : s.server.gen_tokens;
    const auto& d = prompt ? s.server.prompt_s : s.server.gen_s;
    if (!s.ok || !t || !d || *t <= 0 || *d <= 0 || (prompt && s.prompt_cache_hit)) continue;
    ++r.n;
    r.tokens += double(*t);
    r.tps += double(*t) / *d;
  }
  if (r.n > 0) {
    r.tokens /= r.n;
    r.tps /= r.n;
  }
  return r;
}

}  // namespace

Result<Overlay> load_overlay(const std::string& path) {
  WORTHIT_TRY(t, parse_toml_file(path));
  TomlReader r(t, path);
  Overlay o;
  o.file = path;
  WORTHIT_TRY(system, r.string("system"));
  WORTHIT_TRY(when, r.opt_string("fitted_utc"));
  WORTHIT_TRY(db, r.opt_string("db"));
  o.system = system;
  o.fitted_utc = when.value_or("");
  o.db = db.value_or("");
  WORTHIT_TRY(runs, r.opt_string("runs"));
  for (const auto& id : split(runs.value_or(""), ' '))
    if (!id.empty()) {
      char* end = nullptr;
      const long long v = std::strtoll(id.c_str(), &end, 10);
      if (!end || *end) return fail(r.error_at("runs", fmt::format("'{}' is not a run id", id)));
      o.runs.push_back(v);
    }
  WORTHIT_TRY(ps_opt, r.table("parameters"));
  if (!ps_opt) return fail(r.error_at("parameters", "required table is missing"));
  TomlReader& ps = *ps_opt;
  for (const auto& [key, node] : *t["parameters"].as_table()) {
    (void)node;
    const std::string name(key.str());
    const EfficiencyParam* p = param(name);
    if (!p) return fail(ps.error_at(name, fmt::format("unknown parameter '{}'", name)));
    WORTHIT_TRY(v, ps.opt_number(name));
    if (!v || !std::isfinite(*v) || *v < p->lo || *v > p->hi)
      return fail(ps.error_at(name, fmt::format("must be a number in [{}, {}]", p->lo, p->hi)));
    o.params.emplace_back(name, *v);
  }
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  return o;
}

std::string overlay_toml(const Overlay& o) {
  std::string runs;
  for (auto id : o.runs) runs += (runs.empty() ? "" : " ") + std::to_string(id);
  std::string s = fmt::format(
      "# Per-system calibration overlay, fitted by `worthit calibrate --from-db` (docs/calibrate-local.md).\n"
      "# `worthit predict --system {0}` applies it; `--no-overlay` ignores it.\n"
      "system = \"{0}\"\nfitted_utc = \"{1}\"\ndb = \"{2}\"\nruns = \"{3}\"  # run ids in the results store\n\n[parameters]\n",
      o.system, o.fitted_utc, o.db, runs);
  for (const auto& [name, v] : o.params) s += fmt::format("{} = {:.6g}\n", name, v);
  return s;
}

Efficiency apply_overlay(const Efficiency& base, const Overlay& o) {
  Efficiency e = base;
  for (const auto& [name, v] : o.params)
    if (const EfficiencyParam* p = param(name)) e.*(p->field) = v;
  return e;
}

std::string default_overlay_dir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/worthit/overlays";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/worthit/overlays";
}

std::string overlay_file_name(const std::string& spec) {
  std::string out;
  for (char c : spec) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' || c == '-') ? c : '_';
  return out + ".toml";
}

std::vector<PublishedCase> cases_from_runs(const std::vector<measure::Run>& runs,
                                           std::vector<std::string>* skipped) {
  std::vector<PublishedCase> out;
  for (const auto& run : runs) {
    const std::string id = fmt::format("run-{}", run.id.value_or(0));
    auto skip = [&](const std::string& why) { if (skipped) skipped->push_back(id + ": " + why); };
    if (run.system.empty()) { skip("no system recorded (bench --system / import --system)"); continue; }
    if (run.model.empty()) { skip(fmt::format("model '{}' is not mapped to the catalog", run.model_name)); continue; }
    if (run.quant.empty()) { skip("quantization unknown"); continue; }
    PublishedCase c;
    c.id = id;
    c.file = "results store";
    c.test = run.test;
    c.system = run.system;
    c.model = run.model;
    c.quant = run.quant;
    c.runtime = run.server == "ollama" ? "ollama" : "llama.cpp";
    c.args = args_of(run.settings);
    const Rate pp = rate(run.samples, true), tg = rate(run.samples, false);
    if (pp.n > 0) {
      const auto n = int64_t(std::lround(pp.tokens));
      c.bench.push_back({fmt::format("pp{}@d{}", n, run.depth), n, 0, run.depth, pp.tps});
    }
    if (tg.n > 0) {
      const auto n = int64_t(std::lround(tg.tokens));
      const int64_t depth = run.depth + (pp.n > 0 ? int64_t(std::lround(pp.tokens)) : run.n_prompt);
      c.bench.push_back({fmt::format("tg{}@d{}", n, depth), 0, n, depth, tg.tps});
    }
    if (c.bench.empty()) { skip("no successful sample with server-reported token counts and times"); continue; }
    out.push_back(c);
  }
  return out;
}

}  // namespace worthit
