// SPDX-License-Identifier: MIT
#include "advise/residency.h"

#include <fmt/format.h>

#include <algorithm>

namespace worthit {
namespace {

/// Splits `need` over the free room of every pool (largest free first); empty when it cannot.
std::string split_over(const std::vector<ResidencyPool>& pools, std::vector<double>& used, double need) {
  double free_total = 0;
  for (size_t i = 0; i < pools.size(); ++i) free_total += pools[i].capacity_bytes - used[i];
  if (free_total < need) return "";
  std::vector<size_t> order(pools.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return pools[a].capacity_bytes - used[a] > pools[b].capacity_bytes - used[b];
  });
  std::string ids;
  for (size_t i : order) {
    if (need <= 0) break;
    const double take = std::min(need, pools[i].capacity_bytes - used[i]);
    if (take <= 0) continue;
    used[i] += take;
    need -= take;
    ids += (ids.empty() ? "" : "+") + pools[i].id;
  }
  return ids;
}

}  // namespace

ResidencyResult place_residents(std::vector<ResidentNeed> models, const std::vector<ResidencyPool>& pools,
                                double storage_read_bps) {
  ResidencyResult r;
  r.storage_read_bps = storage_read_bps;
  r.pool_used_bytes.assign(pools.size(), 0.0);
  for (const auto& p : pools) r.capacity_bytes += p.capacity_bytes;
  std::stable_sort(models.begin(), models.end(),
                   [](const ResidentNeed& a, const ResidentNeed& b) { return a.bytes > b.bytes; });
  std::vector<std::string> swapped;
  for (const auto& m : models) {
    r.total_bytes += m.bytes;
    PlacedModel pm{m.name, m.kind, "", m.bytes, m.source};
    for (size_t i = 0; i < pools.size() && pm.pool.empty(); ++i)
      if (pools[i].capacity_bytes - r.pool_used_bytes[i] >= m.bytes) {
        r.pool_used_bytes[i] += m.bytes;
        pm.pool = pools[i].id;
      }
    if (pm.pool.empty() && m.splittable) pm.pool = split_over(pools, r.pool_used_bytes, m.bytes);
    if (pm.pool.empty()) {
      const double load = m.bytes / storage_read_bps + kStartupSeconds;
      const double uses = m.uses_per_hour > 0 ? m.uses_per_hour : kDefaultUsesPerHour;
      r.load_s += load;
      r.swaps_per_hour += uses;
      r.seconds_per_hour += uses * load;
      swapped.push_back(fmt::format("{} ({:.1f} GiB)", m.name, m.bytes / (1024.0 * 1024 * 1024)));
    }
    r.models.push_back(pm);
  }
  r.fits = swapped.empty();
  if (!r.fits) {
    std::string list;
    for (const auto& s : swapped) list += (list.empty() ? "" : ", ") + s;
    r.reason = fmt::format("{:.1f} GiB of models, {:.1f} GiB of GPU memory: {} must be loaded from "
                           "storage when used", r.total_bytes / (1024.0 * 1024 * 1024),
                           r.capacity_bytes / (1024.0 * 1024 * 1024), list);
  }
  return r;
}

}  // namespace worthit
