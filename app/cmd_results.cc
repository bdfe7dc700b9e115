// SPDX-License-Identifier: MIT
// `worthit results`: lists the stored runs with per-run statistics, shows one run with every
// sample, or prints the seed study's tables with this machine as a new column.
#include <fmt/format.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <map>

#include "calibrate/published.h"
#include "common.h"
#include "db_option.h"
#include "store/run_json.h"
#include "store/run_summary.h"
#include "text_table.h"

namespace worthit::app {

namespace {

struct ResultsArgs {
  GlobalOptions g;
  std::string db;
  std::string db_shown;  ///< the path in messages (the store may be an empty one in memory)
  store::RunFilter filter;
  int64_t run_id = 0;
  bool csv = false, md = false, seed_table = false;
};

/// A value of one cell: null (unset), a number or text; formatted per output style.
using Cell = nlohmann::json;

template <class T>
Cell opt(const std::optional<T>& v) {
  return v ? Cell(*v) : Cell(nullptr);
}

/// One column, defined once for text, Markdown, CSV and JSON (STYLE.md).
template <class Row>
struct Column {
  const char* key;     ///< JSON and CSV name, with its unit
  const char* header;  ///< text and Markdown header
  int precision;       ///< decimals for non-integral numbers
  std::function<Cell(const Row&)> get;
};

std::string cell_text(const Cell& v, int precision, TableStyle style) {
  if (v.is_null() || (v.is_string() && v.get<std::string>().empty()))
    return style == TableStyle::Csv ? "" : "—";
  if (v.is_number_float()) return fmt::format("{:.{}f}", v.get<double>(), precision);
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

template <class Row>
void print_rows(const std::vector<Column<Row>>& cols, const std::vector<Row>& rows,
                TableStyle style) {
  TextTable t;
  for (const auto& c : cols) {
    t.headers.push_back(style == TableStyle::Csv ? c.key : c.header);
    t.right.push_back(c.precision >= 0);
  }
  for (const Row& r : rows) {
    std::vector<std::string> cells;
    for (const auto& c : cols) cells.push_back(cell_text(c.get(r), c.precision, style));
    t.rows.push_back(std::move(cells));
  }
  print_table(std::cout, t, style);
}

template <class Row>
nlohmann::json rows_json(const std::vector<Column<Row>>& cols, const std::vector<Row>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const Row& r : rows) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& c : cols) o[c.key] = c.get(r);
    out.push_back(std::move(o));
  }
  return out;
}

TableStyle style_of(const ResultsArgs& a) {
  return a.csv ? TableStyle::Csv : a.md ? TableStyle::Markdown : TableStyle::Text;
}

// ---- the list of runs ----------------------------------------------------------------------

struct RunRow {
  const measure::Run* run;
  store::RunSummary sum;
};

const std::vector<Column<RunRow>>& run_columns() {
  using R = const RunRow&;
  static const std::vector<Column<RunRow>> cols = {
      {"id", "id", 0, [](R r) { return opt(r.run->id); }},
      {"started_utc", "started (UTC)", -1, [](R r) { return Cell(r.run->started_utc); }},
      {"system", "system", -1, [](R r) { return Cell(r.run->system); }},
      {"model", "model", -1,
       [](R r) { return Cell(r.run->model.empty() ? r.run->model_name : r.run->model); }},
      {"quant", "quant", -1, [](R r) { return Cell(r.run->quant); }},
      {"server", "server", -1, [](R r) { return Cell(r.run->server); }},
      {"test", "test", -1, [](R r) { return Cell(r.run->test); }},
      {"samples_ok", "ok", 0, [](R r) { return Cell(r.sum.samples_ok); }},
      {"samples_failed", "failed", 0, [](R r) { return Cell(r.sum.samples_failed); }},
      {"eval_rate_tps_mean", "eval t/s", 2, [](R r) { return opt(r.sum.eval_rate_tps.mean); }},
      {"eval_rate_tps_stddev", "±", 2, [](R r) { return opt(r.sum.eval_rate_tps.stddev); }},
      {"prompt_eval_rate_tps_mean", "prompt t/s", 2,
       [](R r) { return opt(r.sum.prompt_eval_rate_tps.mean); }},
      {"prompt_eval_rate_tps_stddev", "±", 2,
       [](R r) { return opt(r.sum.prompt_eval_rate_tps.stddev); }},
      {"ttft_s_mean", "TTFT s", 3, [](R r) { return opt(r.sum.ttft_s.mean); }},
      {"ttft_s_stddev", "±", 3, [](R r) { return opt(r.sum.ttft_s.stddev); }},
  };
  return cols;
}

int list_runs(const ResultsArgs& a, const store::ResultStore& db) {
  auto runs = db.runs(a.filter);
  if (!runs) return report_error(runs.error());
  std::vector<RunRow> rows;
  for (const auto& r : *runs) rows.push_back({&r, store::summarize(r)});
  if (a.g.json) {
    print_json("results", {{"db", a.db_shown}, {"runs", rows_json(run_columns(), rows)}});
    return kExitOk;
  }
  if (rows.empty() && !a.csv) {
    std::cout << "no stored runs match (" << a.db_shown << ")\n";
    return kExitOk;
  }
  print_rows(run_columns(), rows, style_of(a));
  return kExitOk;
}

// ---- one run with every sample -------------------------------------------------------------

const std::vector<Column<measure::Sample>>& sample_columns() {
  using S = const measure::Sample&;
  auto rate = [](std::optional<int64_t> n, std::optional<double> s) {
    return n && s && *s > 0 ? Cell(static_cast<double>(*n) / *s) : Cell(nullptr);
  };
  static const std::vector<Column<measure::Sample>> cols = {
      {"rep", "rep", 0, [](S s) { return Cell(s.rep); }},
      {"user", "user", 0, [](S s) { return Cell(s.user); }},
      {"ok", "ok", -1, [](S s) { return Cell(s.ok ? "yes" : "no"); }},
      {"prompt_tokens", "prompt tok", 0, [](S s) { return opt(s.server.prompt_tokens); }},
      {"prompt_s", "prompt s", 3, [](S s) { return opt(s.server.prompt_s); }},
      {"gen_tokens", "gen tok", 0, [](S s) { return opt(s.server.gen_tokens); }},
      {"gen_s", "gen s", 3, [](S s) { return opt(s.server.gen_s); }},
      {"prompt_eval_rate_tps", "prompt t/s", 2,
       [rate](S s) { return rate(s.server.prompt_tokens, s.server.prompt_s); }},
      {"eval_rate_tps", "eval t/s", 2,
       [rate](S s) { return rate(s.server.gen_tokens, s.server.gen_s); }},
      {"first_token_s", "TTFT s", 3, [](S s) { return opt(s.client.first_token_s); }},
      {"server_total_s", "total s", 3, [](S s) { return opt(s.server.total_s); }},
      {"gpu_energy_j", "GPU J", 1, [](S s) { return opt(s.telemetry.gpu_energy_j); }},
      {"error", "error", -1, [](S s) { return Cell(s.error); }},
  };
  return cols;
}

void print_run_header(const measure::Run& r) {
  const auto line = [](const char* k, const std::string& v) {
    if (!v.empty()) std::cout << fmt::format("{:<14}{}\n", k, v);
  };
  line("run", std::to_string(r.id.value_or(0)));
  line("started (UTC)", r.started_utc);
  line("source", r.source);
  line("system", r.system);
  line("host", r.host);
  line("server", r.server + (r.server_url.empty() ? "" : " at " + r.server_url));
  line("server build", r.server_build);
  line("model", r.model.empty() ? r.model_name : r.model + " (" + r.model_name + ")");
  line("quant", r.quant);
  line("test", fmt::format("{} (prompt {}, gen {}, depth {} tokens; {} user(s))", r.test,
                           r.n_prompt, r.n_gen, r.depth, r.users));
  line("worthit", r.worthit_version);
  for (const auto& n : r.notes) line("note", n);
  std::cout << "\n";
}

int show_run(const ResultsArgs& a, const store::ResultStore& db) {
  auto run = db.run(a.run_id);
  if (!run) return report_error(run.error());
  if (a.g.json) {
    nlohmann::json j = store::run_json(*run, true);
    j["samples_table"] = rows_json(sample_columns(), run->samples);
    print_json("results", {{"db", a.db_shown}, {"run", j}});
    return kExitOk;
  }
  if (!a.csv) print_run_header(*run);
  print_rows(sample_columns(), run->samples, style_of(a));
  return kExitOk;
}

// ---- the seed study's tables with this machine as a new column -----------------------------

struct SeedRow {
  std::string model, label;
  std::map<std::string, const PublishedCase*> by_system;
  const measure::Run* mine = nullptr;  ///< latest stored "seed" run of this model
  store::RunSummary mine_sum;
};

struct SeedTables {
  std::vector<std::string> systems;  ///< in the order the seed lists them
  std::vector<SeedRow> rows;         ///< one per model (test)
};

SeedTables group_seed(const std::vector<PublishedCase>& cases) {
  SeedTables t;
  for (const auto& c : cases) {
    if (std::find(t.systems.begin(), t.systems.end(), c.system) == t.systems.end())
      t.systems.push_back(c.system);
    auto it = std::find_if(t.rows.begin(), t.rows.end(),
                           [&](const SeedRow& r) { return r.model == c.model; });
    if (it == t.rows.end()) {
      t.rows.push_back({c.model, c.test.substr(0, c.test.find(" (")), {}, nullptr, {}});
      it = std::prev(t.rows.end());
    }
    it->by_system[c.system] = &c;
  }
  return t;
}

using Metric = std::optional<double> PublishedCase::*;

Cell seed_cell(const SeedRow& r, const std::string& system, Metric m) {
  auto it = r.by_system.find(system);
  if (it == r.by_system.end()) return Cell(nullptr);
  const PublishedCase& c = *it->second;
  if (c.*m) return Cell(*(c.*m));
  return c.expect_fits == false ? Cell("does not fit") : Cell(nullptr);
}

Cell mine_cell(const SeedRow& r, bool eval) {
  if (!r.mine) return Cell(nullptr);
  return opt(eval ? r.mine_sum.eval_rate_tps.mean : r.mine_sum.prompt_eval_rate_tps.mean);
}

void print_seed_table(const SeedTables& t, const std::string& mine_label, bool eval,
                      TableStyle style) {
  TextTable tt;
  tt.headers = {eval ? "eval rate (t/s)" : "prompt eval rate (t/s)"};
  tt.right = {false};
  for (const auto& s : t.systems) tt.headers.push_back(s), tt.right.push_back(true);
  tt.headers.push_back(mine_label), tt.right.push_back(true);
  const Metric m = eval ? &PublishedCase::eval_rate_tps : &PublishedCase::prompt_eval_rate_tps;
  for (const auto& r : t.rows) {
    std::vector<std::string> cells = {r.label};
    for (const auto& s : t.systems) cells.push_back(cell_text(seed_cell(r, s, m), 2, style));
    cells.push_back(cell_text(mine_cell(r, eval), 2, style));
    tt.rows.push_back(std::move(cells));
  }
  print_table(std::cout, tt, style);
}

nlohmann::json seed_json(const SeedTables& t) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : t.rows) {
    nlohmann::json seed = nlohmann::json::object();
    for (const auto& s : t.systems)
      seed[s] = {{"eval_rate_tps", seed_cell(r, s, &PublishedCase::eval_rate_tps)},
                 {"prompt_eval_rate_tps", seed_cell(r, s, &PublishedCase::prompt_eval_rate_tps)}};
    nlohmann::json mine = nullptr;
    if (r.mine)
      mine = {{"run_id", opt(r.mine->id)},
              {"system", r.mine->system},
              {"eval_rate_tps", mine_cell(r, true)},
              {"eval_rate_tps_stddev", opt(r.mine_sum.eval_rate_tps.stddev)},
              {"prompt_eval_rate_tps", mine_cell(r, false)},
              {"prompt_eval_rate_tps_stddev", opt(r.mine_sum.prompt_eval_rate_tps.stddev)}};
    rows.push_back({{"model", r.model}, {"test", r.label}, {"seed", seed}, {"this_machine", mine}});
  }
  return rows;
}

int seed_table(const ResultsArgs& a, const store::ResultStore& db) {
  auto cases = load_published(data_dir(a.g) + "/published/seed.toml");
  if (!cases) return report_error(cases.error());
  store::RunFilter f;
  f.test = "seed";
  f.system = a.filter.system;
  auto runs = db.runs(f);
  if (!runs) return report_error(runs.error());
  SeedTables t = group_seed(*cases);
  for (auto& row : t.rows)
    for (const auto& run : *runs)  // oldest first: the last match is the latest run
      if (run.model == row.model) row.mine = &run, row.mine_sum = store::summarize(run);
  const std::string label =
      a.filter.system.empty() ? "this machine" : "this machine (" + a.filter.system + ")";
  if (a.g.json) {
    print_json(
        "results",
        {{"db", a.db_shown}, {"this_machine_system", a.filter.system}, {"rows", seed_json(t)}});
    return kExitOk;
  }
  const TableStyle style = style_of(a);
  print_seed_table(t, label, true, style);
  std::cout << "\n";
  print_seed_table(t, label, false, style);
  if (style != TableStyle::Csv) {
    std::cout << "\nseed: " << data_dir(a.g) << "/published/seed.toml; " << label
              << ": the latest stored run with test \"seed\" per model (—: none)\n";
    for (const auto& r : t.rows)
      if (r.mine) std::cout << fmt::format("  {}: run {}\n", r.model, r.mine->id.value_or(0));
  }
  return kExitOk;
}

int run(ResultsArgs a) {
  if (a.csv + a.md + a.g.json > 1)
    return report_error(Error{"--json", "choose one of --json, --csv and --md", ""});
  a.db_shown = a.db.empty() ? store::default_db_path() : a.db;
  // Listing creates nothing: with no database yet, an empty store in memory answers.
  std::error_code ec;
  const bool missing = !a.db_shown.empty() && !std::filesystem::exists(a.db_shown, ec);
  if (missing && a.run_id > 0)
    return report_error(Error{a.db_shown, "no results database here yet",
                              "worthit import or worthit bench store runs"});
  auto db = open_db(missing ? ":memory:" : a.db_shown);
  if (!db) return report_error(db.error());
  if (a.seed_table) return seed_table(a, *db);
  if (a.run_id > 0) return show_run(a, *db);
  return list_runs(a, *db);
}

}  // namespace

void register_results(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ResultsArgs>();
  CLI::App* cmd = app.add_subcommand("results",
                                     "List stored runs, show one, or print the seed's "
                                     "tables with this machine as a new column");
  add_global_options(cmd, args->g);
  add_db_option(cmd, args->db);
  cmd->add_option("--system", args->filter.system, "Only runs on this system");
  cmd->add_option("--model", args->filter.model, "Only runs of this model (catalog id or name)");
  cmd->add_option("--server", args->filter.server,
                  "Only runs against this server (ollama, llama-server, llama-bench, ...)");
  cmd->add_option("--test", args->filter.test, "Only runs of this test (seed, pp512, tg128, ...)");
  cmd->add_option("--source", args->filter.source,
                  "Only runs from this source (bench, import:llama-bench, import:ollama-verbose)");
  cmd->add_option("--since", args->filter.since_utc,
                  "Only runs started at or after this UTC time (2026-01-31, 2026-01-31T12:00:00Z)");
  cmd->add_option("--run", args->run_id, "Show this run with every sample")
      ->check(CLI::PositiveNumber);
  cmd->add_flag(
      "--seed-table", args->seed_table,
      "The seed study's tables with this machine (stored runs with test \"seed\") as a new column");
  cmd->add_flag("--csv", args->csv, "Print CSV");
  cmd->add_flag("--md", args->md, "Print Markdown tables");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace worthit::app
