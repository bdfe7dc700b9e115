// SPDX-License-Identifier: MIT
// `worthit compare --seed|--published`: measured speeds against predictions that never saw
// them (cross-validated: each rate is predicted by parameters fitted without its case).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "calibrate/fitter.h"
#include "common.h"

namespace worthit::app {
namespace {

struct CompareArgs {
  GlobalOptions g;
  bool seed = false, published = false;
  int folds = 5, max_evals = 1200;
};

int run(const CompareArgs& a) {
  if (a.seed == a.published)
    return report_error(Error{"--seed", "pass exactly one of --seed and --published", ""});
  auto samples = build_samples(data_dir(a.g), nullptr);
  if (!samples) return report_error(samples.error());
  auto start = load_efficiency(data_dir(a.g) + "/calibration.toml");
  if (!start) return report_error(start.error());
  FitReport r = calibrate(*samples, *start, a.folds, a.max_evals);
  std::vector<Residual> rows;
  for (const auto& x : r.residuals)
    if (!a.seed || x.test == "eval_rate" || x.test == "prompt_eval_rate") rows.push_back(x);
  std::sort(rows.begin(), rows.end(), [](const Residual& p, const Residual& q) {
    return std::tie(p.case_id, p.test) < std::tie(q.case_id, q.test);
  });
  std::vector<double> tg, pp;
  for (const auto& x : rows) (x.decode ? tg : pp).push_back(x.error());
  if (a.g.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& x : rows)
      list.push_back(residual_json(x));
    print_json("compare", {{"rows", list}, {"tg_median_abs_error", median_abs(tg)},
                           {"tg_worst_abs_error", max_abs(tg)}, {"pp_median_abs_error", median_abs(pp)},
                           {"pp_worst_abs_error", max_abs(pp)}});
    return kExitOk;
  }
  std::cout << fmt::format("{:<40} {:<18} {:>11} {:>11} {:>8}\n", "case", "test", "measured",
                           "predicted", "error");
  for (const auto& x : rows)
    std::cout << fmt::format("{:<40} {:<18} {:>11.2f} {:>11.2f} {:>+7.1f}%\n", x.case_id.substr(0, 40),
                             x.test, x.measured_tps, x.predicted_tps, 100 * x.error());
  std::cout << fmt::format("token generation: median |error| {:.1f}%, worst {:.1f}%; prompt "
                           "processing: median {:.1f}%, worst {:.1f}% (held out, {}-fold by case)\n",
                           100 * median_abs(tg), 100 * max_abs(tg), 100 * median_abs(pp), 100 * max_abs(pp), a.folds);
  return kExitOk;
}

}  // namespace

void register_compare(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand("compare", "Measured speeds against cross-validated predictions");
  cmd->add_flag("--seed", a->seed, "The seed study's eval and prompt eval rates");
  cmd->add_flag("--published", a->published, "Every rate in data/published");
  cmd->add_option("--folds", a->folds, "Cross-validation folds (by case)")->capture_default_str();
  cmd->add_option("--max-evals", a->max_evals, "Nelder-Mead evaluations per fit")->capture_default_str();
  add_global_options(cmd, a->g);
  cmd->callback([a, &exit_code] { exit_code = run(*a); });
}

}  // namespace worthit::app
