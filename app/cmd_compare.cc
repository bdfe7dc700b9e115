// SPDX-License-Identifier: MIT
// `worthit compare --seed|--published`: measured speeds against predictions that never saw
// them (cross-validated: each rate is predicted by parameters fitted without its case).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "calibrate/fitter.h"
#include "common.h"

namespace worthit::app {
namespace {

struct CompareArgs {
  GlobalOptions g;
  bool seed = false, published = false, md = false;
  int folds = 5, max_evals = 1200;
};

int run(const CompareArgs& a) {
  if (a.seed == a.published)
    return report_error(Error{"--seed", "pass exactly one of --seed and --published", ""});
  std::vector<UnfitCase> unfit;
  auto samples = build_samples(data_dir(a.g), nullptr, &unfit);
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
  std::vector<Residual> power;
  if (a.seed) power = r.power;
  // The seed's cases are those of data/published/seed.toml, whichever their ids.
  std::vector<UnfitCase> no_fit;
  for (const auto& u : unfit)
    if (!a.seed || std::filesystem::path(u.file).filename() == "seed.toml") no_fit.push_back(u);
  if (a.g.json) {
    nlohmann::json list = nlohmann::json::array(), pw = nlohmann::json::array(),
                   nf = nlohmann::json::array();
    for (const auto& x : rows) {
      nlohmann::json j = residual_json(x);
      j["used_in_shipped_fit"] = true;  // data/calibration.toml is fitted on every row
      list.push_back(j);
    }
    for (const auto& x : power)
      pw.push_back({{"case", x.case_id}, {"measured_power_w", x.measured_tps},
                    {"predicted_power_w", x.predicted_tps}, {"error", x.error()}});
    for (const auto& u : no_fit) nf.push_back({{"case", u.case_id}, {"reason", u.reason}});
    print_json("compare", {{"rows", list}, {"power", pw}, {"does_not_fit", nf},
                           {"tg_median_abs_error", median_abs(tg)}, {"tg_worst_abs_error", max_abs(tg)},
                           {"pp_median_abs_error", median_abs(pp)}, {"pp_worst_abs_error", max_abs(pp)},
                           {"folds", a.folds}});
    return kExitOk;
  }
  const bool md = a.md;
  const char* fmt_head = md ? "| {} | {} | {} | {} | {} |\n" : "{:<40} {:<18} {:>11} {:>11} {:>8}\n";
  std::cout << fmt::format(fmt::runtime(fmt_head), "case", "test", "measured", "predicted", "error");
  if (md) std::cout << "|---|---|---:|---:|---:|\n";
  auto line = [&](const std::string& c, const std::string& t, double m, double p) {
    if (md)
      std::cout << fmt::format("| {} | {} | {:.2f} | {:.2f} | {:+.1f}% |\n", c, t, m, p, 100 * (p / m - 1));
    else
      std::cout << fmt::format("{:<40} {:<18} {:>11.2f} {:>11.2f} {:>+7.1f}%\n", c.substr(0, 40), t, m,
                               p, 100 * (p / m - 1));
  };
  for (const auto& x : rows) line(x.case_id, x.test, x.measured_tps, x.predicted_tps);
  for (const auto& x : power) line(x.case_id, "power_w", x.measured_tps, x.predicted_tps);
  for (const auto& u : no_fit)
    std::cout << (md ? fmt::format("| {} | fits | does not fit | {} | |\n", u.case_id, u.reason)
                     : fmt::format("{:<40} does not fit: {}\n", u.case_id, u.reason));
  std::cout << fmt::format("{}token generation: median |error| {:.1f}%, worst {:.1f}%; prompt "
                           "processing: median {:.1f}%, worst {:.1f}% (held out, {}-fold by case; power "
                           "in-sample)\n", md ? "\n" : "",
                           100 * median_abs(tg), 100 * max_abs(tg), 100 * median_abs(pp), 100 * max_abs(pp), a.folds);
  return kExitOk;
}

}  // namespace

void register_compare(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand("compare", "Measured speeds against cross-validated predictions");
  cmd->add_flag("--seed", a->seed, "The seed study's eval and prompt eval rates");
  cmd->add_flag("--published", a->published, "Every rate in data/published");
  cmd->add_flag("--md", a->md, "Markdown table");
  cmd->add_option("--folds", a->folds, "Cross-validation folds (by case)")->capture_default_str();
  cmd->add_option("--max-evals", a->max_evals, "Nelder-Mead evaluations per fit")->capture_default_str();
  add_global_options(cmd, a->g);
  cmd->callback([a, &exit_code] { exit_code = run(*a); });
}

}  // namespace worthit::app
