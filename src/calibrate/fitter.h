// SPDX-License-Identifier: MIT
// Fits the efficiency parameters to measured speeds (least squares on log rates, Nelder-Mead
// within each parameter's physical bounds) and cross-validates them.
#pragma once

#include <string>
#include <vector>

#include "calibrate/samples.h"
#include "perf/efficiency.h"

namespace worthit {

/// Error of one prediction: predicted / measured - 1.
struct Residual {
  std::string case_id, test, system;
  bool decode = false;
  bool held_out = false;
  double measured_tps = 0, predicted_tps = 0;
  double error() const { return predicted_tps / measured_tps - 1.0; }
};

struct FitReport {
  Efficiency fitted;
  double cost_before = 0, cost_after = 0;  ///< mean squared log error
  int evaluations = 0;
  std::vector<Residual> residuals;         ///< cross-validated: each from a fit without it
  double tg_median_abs = 0, pp_median_abs = 0;  ///< held-out median |error|
  /// 80% range factors: 10th and 90th percentile of measured/predicted, held out.
  double tg_low = 1, tg_high = 1, pp_low = 1, pp_high = 1;
  std::vector<Residual> power;  ///< measured vs predicted watts (in-sample: three parameters)
};

/// Fits power_busy, power_wait and power_idle to the samples with a measured power (a grid
/// search on the log error); the rate parameters of `e` are kept.
Efficiency fit_power(const std::vector<Sample>& samples, const Efficiency& e);

/// Median and largest absolute value of `errors` (0 when empty).
double median_abs(std::vector<double> errors);
double max_abs(const std::vector<double>& errors);

/// Mean squared log error of `e` over `samples`.
double log_cost(const std::vector<Sample>& samples, const Efficiency& e);

/// Fits from `start` on all samples (max_evals bounds the work).
Efficiency fit_efficiency(const std::vector<Sample>& samples, const Efficiency& start,
                          int max_evals, int* evaluations = nullptr);

/// The parameters that belong to the machine of `samples` (its backends' bandwidth and FLOP/s
/// fractions, per-layer and per-token overheads): what a per-system overlay may move.
std::vector<std::string> local_param_names(const std::vector<Sample>& samples);

/// Fits only `names` from `start`, minimising the mean squared log error plus `weight` x the sum
/// of each parameter's squared log distance from its `start` value (so that a few measurements
/// cannot push a parameter far).
Efficiency fit_local(const std::vector<Sample>& samples, const Efficiency& start,
                     const std::vector<std::string>& names, double weight, int max_evals);

/// Fits on all samples, then `folds`-fold cross-validation (by case) for the residuals.
FitReport calibrate(const std::vector<Sample>& samples, const Efficiency& start, int folds,
                    int max_evals);

}  // namespace worthit
