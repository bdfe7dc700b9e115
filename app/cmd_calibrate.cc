// SPDX-License-Identifier: MIT
// `worthit calibrate --fit`: fits the efficiency parameters to data/published and reports
// cross-validated errors; `--write` stores them in data/calibration.toml.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "calibrate/fitter.h"
#include "calibrate_local.h"
#include "common.h"
#include "db_option.h"

namespace worthit::app {
namespace {

struct CalibrateArgs {
  GlobalOptions g;
  bool fit = false, write = false, from_db = false;
  int folds = 5, max_evals = 1500;
  LocalCalibrateArgs local;
};

Efficiency start_point(const GlobalOptions& g) {
  auto e = load_efficiency(data_dir(g) + "/calibration.toml");
  return e ? *e : Efficiency{};
}

int run(CalibrateArgs& a) {
  if (a.fit == a.from_db) return report_error(Error{"--fit", "pass one of --fit and --from-db", ""});
  if (a.from_db) {
    a.local.g = a.g;
    return run_calibrate_local(a.local);
  }
  if (a.folds < 2) return report_error(Error{"--folds", "must be at least 2", ""});
  int skipped = 0;
  auto samples = build_samples(data_dir(a.g), &skipped);
  if (!samples) return report_error(samples.error());
  FitReport r = calibrate(*samples, start_point(a.g), a.folds, a.max_evals);
  if (a.write) {
    const std::string path = data_dir(a.g) + "/calibration.toml";
    std::ofstream out(path + ".tmp");
    out << efficiency_toml(r.fitted, fmt::format(
        "# Fitted by `worthit calibrate --fit --write` on {} measured rates from data/published\n"
        "# (mean squared log error {:.4f} -> {:.4f}; held-out median |error| tg {:.1f}%, pp {:.1f}%).\n"
        "source = \"worthit calibrate --fit\"\n", samples->size(), r.cost_before, r.cost_after,
        100 * r.tg_median_abs, 100 * r.pp_median_abs));
    out << fmt::format("range_tg_low = {:.4g}\nrange_tg_high = {:.4g}\nrange_pp_low = {:.4g}\nrange_pp_high = {:.4g}\n",
                       r.tg_low, r.tg_high, r.pp_low, r.pp_high);
    out.close();
    if (!out) return report_error(Error{path, "could not write the calibration", ""});
    std::rename((path + ".tmp").c_str(), path.c_str());
  }
  nlohmann::json params = nlohmann::json::object();
  for (const auto& p : efficiency_params()) params[p.name] = r.fitted.*p.field;
  if (a.g.json) {
    nlohmann::json res = nlohmann::json::array();
    for (const auto& x : r.residuals)
      res.push_back(residual_json(x));
    print_json("calibrate", {{"samples", samples->size()}, {"skipped_cases", skipped},
                             {"cost_before", r.cost_before}, {"cost_after", r.cost_after},
                             {"parameters", params}, {"tg_heldout_median_abs_error", r.tg_median_abs},
                             {"pp_heldout_median_abs_error", r.pp_median_abs}, {"residuals", res},
                             {"power", [&] {
                               nlohmann::json pw = nlohmann::json::array();
                               for (const auto& x : r.power)
                                 pw.push_back({{"case", x.case_id}, {"measured_power_w", x.measured_tps},
                                               {"predicted_power_w", x.predicted_tps}});
                               return pw;
                             }()}});
    return kExitOk;
  }
  std::cout << fmt::format("{} measured rates ({} cases skipped: they do not fit), {} evaluations\n",
                           samples->size(), skipped, r.evaluations);
  std::cout << fmt::format("mean squared log error: {:.4f} before, {:.4f} after\n", r.cost_before, r.cost_after);
  for (const auto& p : efficiency_params())
    std::cout << fmt::format("  {:<16} {:>8.4g}  {}\n", p.name, r.fitted.*p.field, p.meaning);
  std::cout << fmt::format("held out ({}-fold by case): median |error| token generation {:.1f}%, "
                           "prompt processing {:.1f}%\n", a.folds, 100 * r.tg_median_abs, 100 * r.pp_median_abs);
  std::cout << fmt::format("80% ranges (measured/predicted): tg {:.2f}..{:.2f}, pp {:.2f}..{:.2f}\n",
                           r.tg_low, r.tg_high, r.pp_low, r.pp_high);
  for (const auto& x : r.power)
    std::cout << fmt::format("  power {:<12} measured {:5.0f} W, predicted {:5.0f} W ({:+.0f}%)\n",
                             x.case_id, x.measured_tps, x.predicted_tps, 100 * x.error());
  return kExitOk;
}

}  // namespace

void register_calibrate(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand("calibrate", "Fit the performance model's efficiency parameters to published measurements");
  cmd->add_flag("--fit", a->fit, "Fit to every rate in data/published (and cross-validate)");
  cmd->add_flag("--write", a->write, "Store the fitted parameters in data/calibration.toml");
  cmd->add_flag("--from-db", a->from_db, "Fit this machine's own parameters from its stored runs and write an overlay that predict applies (docs/calibrate-local.md)");
  add_db_option(cmd, a->local.db);
  cmd->add_option("--system", a->local.system, "With --from-db: the system whose runs to fit (needed when several are stored)");
  cmd->add_option("--overlay-dir", a->local.overlay_dir, "With --from-db: where overlays live (default $XDG_DATA_HOME/worthit/overlays)");
  cmd->add_flag("--dry-run", a->local.dry_run, "With --from-db: print the residuals, do not write the overlay");
  cmd->add_option("--folds", a->folds, "Cross-validation folds (by case)")->capture_default_str();
  cmd->add_option("--max-evals", a->max_evals, "Nelder-Mead evaluations per fit")->capture_default_str();
  add_global_options(cmd, a->g);
  cmd->callback([a, &exit_code] { exit_code = run(*a); });
}

}  // namespace worthit::app
