// SPDX-License-Identifier: MIT
// Summary statistics of repeated measurements (like google/benchmark's aggregates and
// llama-bench's avg/stddev): mean, sample standard deviation, median, p90, p99, CV.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace worthit::bench {

/// Statistics of n values.
struct Stats {
  int64_t n = 0;
  double mean = 0;
  std::optional<double> stddev;  ///< sample standard deviation (n - 1); none when n < 2
  double median = 0;
  double p90 = 0;
  double p99 = 0;
  double min = 0;
  double max = 0;
  std::optional<double> cv;  ///< stddev / mean; none when n < 2 or mean == 0
};

/// The p-th percentile (0 <= p <= 100) of ascending `sorted` values, interpolating linearly
/// between closest ranks (numpy's default). `sorted` must not be empty.
double percentile(const std::vector<double>& sorted, double p);

/// Statistics of `values`; none when empty.
std::optional<Stats> summarize(std::vector<double> values);

}  // namespace worthit::bench
