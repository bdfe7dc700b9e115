// SPDX-License-Identifier: MIT
#include "advise/verdict.h"

#include <fmt/format.h>

#include <algorithm>

namespace worthit {
namespace {

/// The seed calls 4-5 t/s "usable but slow" and under 2 t/s "unusable"; with the default
/// comfort of 15 t/s this puts the usable line at 3 t/s.
constexpr double kUsableFraction = 1.0 / 5.0;

enum class Level { Unusable, Usable, Comfortable };

Level level(double tps, double comfort) {
  if (tps >= comfort) return Level::Comfortable;
  return tps >= comfort * kUsableFraction ? Level::Usable : Level::Unusable;
}

const char* level_name(Level l) {
  switch (l) {
    case Level::Comfortable: return "comfortable";
    case Level::Usable: return "usable but slow";
    case Level::Unusable: return "unusable";
  }
  return "";
}

std::string rate(const WorkloadEval& w) {
  if (w.users > 1)
    return fmt::format("{:.1f} t/s per user with {} users", w.per_user_tps, w.users);
  return fmt::format("{:.1f} t/s (80% range {:.1f}-{:.1f})", w.per_user_tps, w.eval_low_tps,
                     w.eval_high_tps);
}

std::string label(const WorkloadEval& w) { return fmt::format("{} ({})", w.name, w.model); }

/// Compares one workload on a candidate (x) with the user's machine (y).
void judge_workload(const WorkloadEval& x, const WorkloadEval& y, double comfort, Verdict& v) {
  const std::string topic = label(x);
  if (!x.fits) {
    v.not_worth_it_for.push_back(
        {topic, y.fits ? fmt::format("does not fit ({}); your machine runs it at {}", x.reason, rate(y))
                       : fmt::format("does not fit ({})", x.reason)});
    return;
  }
  const Level lx = level(x.per_user_tps, comfort);
  if (!y.fits) {
    v.worth_it_for.push_back({topic, fmt::format("runs it at {}, {}, where your machine cannot ({})",
                                                 rate(x), level_name(lx), y.reason)});
    return;
  }
  const Level ly = level(y.per_user_tps, comfort);
  const double r = x.per_user_tps / y.per_user_tps;
  const std::string both = fmt::format("{} vs {} on your machine", rate(x), rate(y));
  if (r >= kClearSpeedup && lx != Level::Unusable)
    v.worth_it_for.push_back({topic, fmt::format("{:.1f}x faster, {}: {}", r, level_name(lx), both)});
  else if (lx > ly)
    v.worth_it_for.push_back(
        {topic, fmt::format("goes from {} to {}: {}", level_name(ly), level_name(lx), both)});
  else if (r < 1)
    v.not_worth_it_for.push_back({topic, fmt::format("slower than what you have: {}", both)});
  else if (lx == Level::Unusable)
    v.not_worth_it_for.push_back({topic, fmt::format("{:.1f}x faster but still {}: {}", r,
                                                     level_name(lx), both)});
  else
    v.not_worth_it_for.push_back({topic, fmt::format("only {:.2f}x faster, and your machine is "
                                                     "already {}: {}", r, level_name(ly), both)});
}

void judge_finetune(const FinetuneEval& x, const FinetuneEval& y, Verdict& v) {
  const std::string topic = fmt::format("fine-tuning: {} {} ({:.0f}B)", x.method, x.model, x.params_b);
  if (!x.fits)
    v.not_worth_it_for.push_back(
        {topic, fmt::format("needs {:.1f} GiB, more than its {:.1f} GiB", x.memory_gib, x.capacity_gib)});
  else if (!y.fits)
    v.worth_it_for.push_back(
        {topic, fmt::format("needs {:.1f} GiB: fits in {} ({:.1f} GiB), not on your machine "
                            "({:.1f} GiB); {:.1f} h per month", x.memory_gib, x.where,
                            x.capacity_gib, y.capacity_gib, x.hours_per_month)});
  else if (y.devices > 1 && x.devices == 1)
    v.worth_it_for.push_back(
        {topic, fmt::format("needs {:.1f} GiB: fits on one device ({}), while your machine must "
                            "shard it over {} GPUs (FSDP / ZeRO-3, slower and harder to set up)",
                            x.memory_gib, x.where, y.devices)});
  else if (y.hours_per_month > kClearSpeedup * x.hours_per_month)
    v.worth_it_for.push_back({topic, fmt::format("{:.1f} h per month instead of {:.1f} h",
                                                 x.hours_per_month, y.hours_per_month)});
  else
    v.not_worth_it_for.push_back(
        {topic, fmt::format("your machine already fits it ({:.1f} GiB in {:.1f} GiB; {:.1f} h vs "
                            "{:.1f} h per month here)", y.memory_gib, y.capacity_gib,
                            y.hours_per_month, x.hours_per_month)});
}

void judge_residents(const ResidentsEval& x, const ResidentsEval& y, Verdict& v) {
  if (!x.known || !y.known) return;
  const std::string topic = "several models at once";
  if (!x.fits)
    v.not_worth_it_for.push_back(
        {topic, fmt::format("{:.1f} GiB of models do not fit in {:.1f} GiB: {:.0f} s per hour "
                            "spent loading", x.total_gib, x.capacity_gib, x.swap_s_per_hour)});
  else if (!y.fits)
    v.worth_it_for.push_back(
        {topic, fmt::format("keeps all {:.1f} GiB resident in {:.1f} GiB; your machine spends "
                            "{:.0f} s per hour loading models", x.total_gib, x.capacity_gib,
                            y.swap_s_per_hour)});
  else
    v.not_worth_it_for.push_back(
        {topic, fmt::format("your machine already keeps all {:.1f} GiB resident", y.total_gib)});
}

std::string topics(const std::vector<Reason>& rs) {
  std::string out;
  for (const auto& r : rs) out += (out.empty() ? "" : "; ") + r.topic;
  return out;
}

Verdict judge_owned(const CandidateEval& o, double comfort) {
  Verdict v;
  for (const auto& w : o.workloads) {
    if (!w.fits) {
      v.not_worth_it_for.push_back({label(w), fmt::format("does not fit ({})", w.reason)});
      continue;
    }
    const Level l = level(w.per_user_tps, comfort);
    (l == Level::Comfortable ? v.worth_it_for : v.not_worth_it_for)
        .push_back({label(w), fmt::format("{}: {}", level_name(l), rate(w))});
  }
  for (const auto& f : o.finetune)
    (f.fits ? v.worth_it_for : v.not_worth_it_for)
        .push_back({fmt::format("fine-tuning: {} {}", f.method, f.model),
                    f.devices > 1 ? fmt::format("needs {:.1f} GiB: only sharded over {} GPUs of {:.1f} GiB",
                                                f.memory_gib, f.devices, f.capacity_gib)
                                  : fmt::format("needs {:.1f} GiB of {:.1f} GiB", f.memory_gib, f.capacity_gib)});
  if (o.residents.known)
    (o.residents.fits ? v.worth_it_for : v.not_worth_it_for)
        .push_back({"several models at once",
                    fmt::format("{:.1f} GiB of {:.1f} GiB", o.residents.total_gib, o.residents.capacity_gib)});
  v.summary = fmt::format("Your machine. Handles: {}. Falls short on: {}.",
                          v.worth_it_for.empty() ? "nothing in the profile" : topics(v.worth_it_for),
                          v.not_worth_it_for.empty() ? "nothing" : topics(v.not_worth_it_for));
  return v;
}

}  // namespace

Verdict judge(const CandidateEval& c, const CandidateEval& owned, double comfort_tps,
              std::optional<double> budget) {
  if (c.kind == "owned") return judge_owned(c, comfort_tps);
  Verdict v;
  for (size_t i = 0; i < c.workloads.size() && i < owned.workloads.size(); ++i)
    judge_workload(c.workloads[i], owned.workloads[i], comfort_tps, v);
  for (size_t i = 0; i < c.finetune.size() && i < owned.finetune.size(); ++i)
    judge_finetune(c.finetune[i], owned.finetune[i], v);
  judge_residents(c.residents, owned.residents, v);
  const bool over = budget && c.cost.known && c.cost.purchase > *budget;
  if (over)
    v.not_worth_it_for.push_back(
        {"budget", fmt::format("costs {:.0f} {}, over the budget of {:.0f} {}", c.cost.purchase,
                               c.cost.currency, *budget, c.cost.currency)});
  const std::string money =
      !c.cost.known ? std::string(" Price unknown in the catalog.")
      : c.kind == "cloud" ? fmt::format(" Renting for the profile's hours: {:.0f} {} a year ({:.2f} {} per million tokens).",
                                        c.cost.cost_per_year, c.cost.currency, c.cost.cost_per_mtok, c.cost.currency)
                          : fmt::format(" Costs {:.0f} {}: {:.0f} {} a year with electricity ({:.2f} {} per million tokens).",
                                        c.cost.purchase, c.cost.currency, c.cost.cost_per_year, c.cost.currency,
                                        c.cost.cost_per_mtok, c.cost.currency);
  if (v.worth_it_for.empty())
    v.summary = fmt::format("Not worth it for this profile: it improves none of its workloads{}.",
                            over ? " and is over budget" : "");
  else
    v.summary = fmt::format("Worth it for: {}. Not worth it for: {}.{}", topics(v.worth_it_for),
                            v.not_worth_it_for.empty() ? "nothing" : topics(v.not_worth_it_for),
                            over ? " Over budget." : "");
  v.summary += money;
  return v;
}

}  // namespace worthit
