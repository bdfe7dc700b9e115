// SPDX-License-Identifier: MIT
// `worthit calibrate --from-db [--system S]`: fits the efficiency parameters of one machine from
// its stored runs, writes a per-system overlay that `predict` applies, and prints the residuals
// before and after. Runs are split: every fourth case is held out (when there are four or more)
// so the overlay is also checked on runs it was not fitted on.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "calibrate/fitter.h"
#include "calibrate/overlay.h"
#include "calibrate_local.h"
#include "db_option.h"

namespace worthit::app {
namespace {

std::string now_utc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

Result<std::string> pick_system(const std::vector<measure::Run>& runs, const std::string& wanted) {
  if (!wanted.empty()) return wanted;
  std::set<std::string> systems;
  for (const auto& r : runs) if (!r.system.empty()) systems.insert(r.system);
  if (systems.size() == 1) return *systems.begin();
  std::string list;
  for (const auto& s : systems) list += (list.empty() ? "" : ", ") + s;
  return fail("--system", systems.empty() ? "no stored run names its system" : "runs of several systems are stored: " + list,
              "pass --system S");
}

nlohmann::json residual_row(const Sample& s, double before, double after, bool held_out) {
  return {{"run", s.case_id}, {"test", s.test}, {"measured_tps", s.measured_tps},
          {"before_tps", before}, {"after_tps", after}, {"before_error", before / s.measured_tps - 1},
          {"after_error", after / s.measured_tps - 1}, {"held_out", held_out}};
}

Status write_overlay(const std::string& path, const Overlay& o) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  {
    std::ofstream out(path + ".tmp", std::ios::trunc);
    out << overlay_toml(o);
    if (!out.flush()) return fail(path, "cannot write the overlay");
  }
  std::error_code ec;
  std::filesystem::rename(path + ".tmp", path, ec);
  if (ec) return fail(path, "cannot write the overlay: " + ec.message());
  return Ok{};
}

}  // namespace

int run_calibrate_local(const LocalCalibrateArgs& a) {
  auto db = open_db(a.db);
  if (!db) return report_error(db.error());
  store::RunFilter filter;
  filter.system = a.system;
  auto runs = db->runs(filter);
  if (!runs) return report_error(runs.error());
  if (runs->empty())
    return report_error(Error{db->path(), a.system.empty() ? "the results store has no runs"
                                                           : fmt::format("no stored runs for system '{}'", a.system),
                              "measure with `worthit bench --system S --db ...` or `worthit import`"});
  auto system = pick_system(*runs, a.system);
  if (!system) return report_error(system.error());
  std::vector<std::string> skipped;
  std::vector<measure::Run> mine;
  for (const auto& r : *runs) if (r.system == *system) mine.push_back(r);
  const auto cases = cases_from_runs(mine, &skipped);
  std::vector<UnfitCase> unfit;
  auto samples = samples_from_cases(data_dir(a.g), cases, nullptr, &unfit);
  if (!samples) return report_error(samples.error());
  for (const auto& u : unfit) skipped.push_back(u.case_id + ": does not fit: " + u.reason);
  if (samples->empty())
    return report_error(Error{db->path(), fmt::format("no usable run for system '{}'", *system),
                              skipped.empty() ? "" : skipped.front()});
  auto base = load_efficiency(data_dir(a.g) + "/calibration.toml");
  if (!base) return report_error(base.error());
  // Hold out every fourth case when there are four or more.
  std::vector<std::string> ids;
  for (const auto& s : *samples) if (ids.empty() || ids.back() != s.case_id) ids.push_back(s.case_id);
  auto held = [&](const Sample& s) {
    if (ids.size() < 4) return false;
    const size_t i = std::find(ids.begin(), ids.end(), s.case_id) - ids.begin();
    return i % 4 == 3;
  };
  std::vector<Sample> train;
  for (const auto& s : *samples) if (!held(s)) train.push_back(s);
  const auto names = local_param_names(train);
  const Efficiency fitted = fit_local(train, *base, names, a.weight, a.max_evals);
  Overlay o;
  o.system = *system;
  o.fitted_utc = now_utc();
  o.db = db->path();
  std::set<int64_t> used;
  for (const auto& s : train) used.insert(std::stoll(s.case_id.substr(4)));
  o.runs.assign(used.begin(), used.end());
  for (const auto& n : names)
    for (const auto& p : efficiency_params())
      if (n == p.name) o.params.emplace_back(n, fitted.*p.field);
  const std::string path = (a.overlay_dir.empty() ? default_overlay_dir() : a.overlay_dir) + "/" +
                           overlay_file_name(*system);
  if (!a.dry_run)
    if (auto s = write_overlay(path, o); !s) return report_error(s.error());
  nlohmann::json rows = nlohmann::json::array();
  double worst_fit = 0;
  int held_total = 0, held_in_range = 0;
  for (const auto& s : *samples) {
    const double before = predict_sample(s, *base), after = predict_sample(s, fitted);
    const bool h = held(s);
    rows.push_back(residual_row(s, before, after, h));
    const double ratio = s.measured_tps / after;
    if (!h) worst_fit = std::max(worst_fit, std::abs(after / s.measured_tps - 1));
    else {
      ++held_total;
      const bool tg = s.decode;
      held_in_range += ratio >= (tg ? fitted.range_tg_low : fitted.range_pp_low) &&
                       ratio <= (tg ? fitted.range_tg_high : fitted.range_pp_high);
    }
  }
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [n, v] : o.params) params[n] = {{"shipped", (*base).*(std::find_if(efficiency_params().begin(), efficiency_params().end(), [&](const EfficiencyParam& p) { return n == p.name; })->field)}, {"fitted", v}};
  if (a.g.json) {
    print_json("calibrate", {{"system", *system}, {"overlay", a.dry_run ? nlohmann::json(nullptr) : nlohmann::json(path)},
                             {"parameters", params}, {"residuals", rows}, {"skipped", skipped},
                             {"worst_fitted_abs_error", worst_fit}, {"held_out", held_total},
                             {"held_out_in_range", held_in_range}});
    return kExitOk;
  }
  std::cout << fmt::format("{}: {} rates from {} runs ({} skipped)\n", *system, samples->size(), ids.size(), skipped.size());
  for (const auto& s : skipped) std::cout << "  skipped " << s << "\n";
  for (const auto& [n, v] : params.items())
    std::cout << fmt::format("  {:<16} {:>8.4g} -> {:.4g}\n", n, v["shipped"].get<double>(), v["fitted"].get<double>());
  std::cout << fmt::format("{:<10} {:<14} {:>10} {:>10} {:>10} {:>8} {:>8}\n", "run", "test", "measured", "before", "after", "before", "after");
  for (const auto& r : rows)
    std::cout << fmt::format("{:<10} {:<14} {:>10.2f} {:>10.2f} {:>10.2f} {:>+7.1f}% {:>+7.1f}%{}\n",
                             r["run"].get<std::string>(), r["test"].get<std::string>(), r["measured_tps"].get<double>(),
                             r["before_tps"].get<double>(), r["after_tps"].get<double>(), 100 * r["before_error"].get<double>(),
                             100 * r["after_error"].get<double>(), r["held_out"].get<bool>() ? "  (held out)" : "");
  std::cout << fmt::format("fitted runs: worst |error| {:.1f}%; held-out rates inside the 80% range: {} of {}\n",
                           100 * worst_fit, held_in_range, held_total);
  std::cout << (a.dry_run ? std::string("--dry-run: overlay not written\n") : "overlay written to " + path + "\n");
  return kExitOk;
}

}  // namespace worthit::app

namespace worthit::app {

Result<Efficiency> efficiency_for(const GlobalOptions& g, const std::string& system_spec, bool use,
                                  const std::string& overlay_dir, nlohmann::json* applied) {
  WORTHIT_TRY(base, load_efficiency(data_dir(g) + "/calibration.toml"));
  if (applied) *applied = nullptr;
  const std::string path = (overlay_dir.empty() ? default_overlay_dir() : overlay_dir) + "/" +
                           overlay_file_name(system_spec);
  if (!use || !std::filesystem::exists(path)) return base;
  WORTHIT_TRY(o, load_overlay(path));
  if (applied) {
    nlohmann::json ps = nlohmann::json::object();
    for (const auto& [n, v] : o.params) ps[n] = v;
    *applied = {{"file", path}, {"fitted_utc", o.fitted_utc}, {"runs", o.runs}, {"parameters", ps}};
  }
  return apply_overlay(base, o);
}

}  // namespace worthit::app
