// SPDX-License-Identifier: MIT
// `worthit import`: llama-bench output and `ollama run --verbose` transcripts into the store.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "common.h"
#include "db_option.h"
#include "model/model_catalog.h"
#include "store/import.h"
#include "store/run_summary.h"

namespace worthit::app {

namespace {

struct ImportArgs {
  GlobalOptions g;
  std::string file, format = "auto", system, model, test, db;
};

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(path, "cannot read the file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Checks --system against the catalog (ids, compositions, system files).
Status check_system(const ImportArgs& a) {
  if (a.system.empty()) return Ok{};
  WORTHIT_TRY(cat, load_hw_catalog(data_dir(a.g)));
  auto sys = resolve_system(cat, a.system);
  if (sys) return Ok{};
  const Error& e = sys.error();
  return fail(e.where.rfind("--system", 0) == 0 ? e : e.within("--system"));
}

/// --model as a catalog id where it is one; llama-bench files need a catalog id.
Result<std::string> resolve_model(const ImportArgs& a, const std::vector<ModelArch>& catalog,
                                  store::ImportFormat f) {
  if (a.model.empty()) return a.model;
  auto m = find_model(catalog, a.model);
  if (m) return m->id;
  // An ollama name ("llama3.3:70b") is mapped by the importer.
  if (f == store::ImportFormat::OllamaVerbose) return a.model;
  return fail(m.error().within("--model"));
}

Result<std::vector<measure::Run>> parse(const ImportArgs& a) {
  if (Status s = check_system(a); !s) return fail(s.error());
  WORTHIT_TRY(text, read_text(a.file));
  WORTHIT_TRY(format, a.format == "auto" ? store::detect_format(text, a.file)
                                         : store::parse_format(a.format));
  WORTHIT_TRY(catalog, load_model_catalog(data_dir(a.g) + "/models"));
  WORTHIT_TRY(model, resolve_model(a, catalog, format));
  store::ImportOptions o;
  o.file = a.file, o.system = a.system, o.model = model, o.test = a.test;
  o.catalog = &catalog;
  return store::parse_import(format, text, o);
}

std::string describe(const measure::Run& r) {
  const store::RunSummary s = store::summarize(r);
  std::string rates;
  if (s.eval_rate_tps.mean) rates += fmt::format(", eval {:.2f} t/s", *s.eval_rate_tps.mean);
  if (s.prompt_eval_rate_tps.mean)
    rates += fmt::format(", prompt eval {:.2f} t/s", *s.prompt_eval_rate_tps.mean);
  return fmt::format("{} {} {}{} ({} sample(s){})", r.server, r.test,
                     r.model.empty() ? r.model_name : r.model, r.quant.empty() ? "" : " " + r.quant,
                     r.samples.size(), rates);
}

int run(const ImportArgs& a) {
  auto runs = parse(a);
  if (!runs) return report_error(runs.error());
  auto db = open_db(a.db);
  if (!db) return report_error(db.error());
  nlohmann::json stored = nlohmann::json::array();
  for (const auto& r : *runs) {
    auto id = db->add_run(r);
    if (!id) {
      // Each run is its own transaction: the ones before this stay stored, and are listed.
      if (!a.g.json)
        std::cout << fmt::format("stored {} of {} runs\n", stored.size(), runs->size());
      return report_error(id.error());
    }
    stored.push_back({{"id", *id},
                      {"test", r.test},
                      {"model", r.model},
                      {"model_name", r.model_name},
                      {"quant", r.quant},
                      {"samples", r.samples.size()},
                      {"notes", r.notes}});
    if (!a.g.json) std::cout << fmt::format("stored run {}: {}\n", *id, describe(r));
  }
  if (a.g.json)
    print_json("import", {{"db", db->path()}, {"file", a.file}, {"runs", stored}});
  else
    std::cout << fmt::format("{} run(s) stored in {}\n", stored.size(), db->path());
  return kExitOk;
}

}  // namespace

void register_import(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd =
      app.add_subcommand("import",
                         "Store llama-bench output (-o json, jsonl, csv) or `ollama run --verbose` "
                         "transcripts as runs");
  add_global_options(cmd, args->g);
  add_db_option(cmd, args->db);
  cmd->add_option("file", args->file, "The file to import")->required();
  cmd->add_option("--format", args->format,
                  "auto, llama-bench-json, llama-bench-jsonl, llama-bench-csv or ollama-verbose")
      ->capture_default_str();
  cmd->add_option("--system", args->system,
                  "The system it was measured on (catalog id or system file)");
  cmd->add_option(
      "--model", args->model,
      "The model: catalog id (overrides the mapping) or, for ollama, its name (llama3.3:70b)");
  cmd->add_option("--test", args->test,
                  "Workload name for ollama transcripts (default ollama-run; \"seed\" for the "
                  "seed's Tokyo prompt)");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace worthit::app
