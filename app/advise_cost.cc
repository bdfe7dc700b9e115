// SPDX-License-Identifier: MIT
// Money and power of one advise candidate: its price in the profile's currency, its draw, the
// electricity of the profile's hours, cost per million tokens, and renting the profile's cloud
// GPU for the same hours instead. Formulas: src/advise/cost.h, docs/cost.md.
#include <fmt/format.h>

#include <algorithm>

#include "advise_internal.h"

namespace worthit::app {
namespace {

/// The cheapest offer of `device` per GPU-hour, converted to `currency`.
struct Rent {
  bool known = false;
  double per_hour = 0;
  nlohmann::json j;
};

Rent cheapest_rent(const Env& env, const std::string& device, int gpus, const std::string& currency) {
  Rent best;
  for (const auto& o : offers_for_device(env.cloud, device)) {
    std::string note;
    auto v = convert(env.fx, o.price_per_gpu_hour() * gpus, o.currency, currency, &note);
    if (!v || (best.known && *v >= best.per_hour)) continue;
    best = {true, *v,
            {{"provider", o.provider_name}, {"gpu", o.gpu}, {"device", o.device}, {"gpus", gpus},
             {"price_per_hour", *v}, {"currency", currency}, {"kind", o.kind}, {"date", o.date},
             {"source", o.source}, {"note", note}}};
  }
  return best;
}

int gpu_count(const System& s) {
  int n = 0;
  for (const auto& node : s.nodes) n += int(node.gpus.size()) + (node.soc ? 1 : 0);
  return std::max(n, 1);
}

/// Load hours a day, power while generating and tokens per hour, from the workloads that fit.
void load_profile(const CandidateEval& ev, double max_w, CostInputs& in) {
  double hours = 0, watt_hours = 0, tokens = 0;
  for (const auto& w : ev.workloads) {
    if (!w.fits || w.hours_per_day <= 0) continue;
    hours += w.hours_per_day;
    watt_hours += w.hours_per_day * (w.power_w > 0 ? w.power_w : max_w);
    tokens += w.hours_per_day * 3600.0 * w.aggregate_tps;
  }
  in.load_hours_per_day = std::min(hours, 24.0);
  in.load_w = hours > 0 ? watt_hours / hours : max_w;
  in.tokens_per_hour = hours > 0 ? tokens / hours : 0.0;
}

nlohmann::json num_or_null(bool known, double v) { return known ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

Result<CostEval> eval_cost(const Env& env, const Candidate& c, const CandidateEval& ev, nlohmann::json& j) {
  const Profile& p = env.prof;
  const std::string cur = p.electricity_price ? p.electricity_price->currency
                          : p.budget            ? p.budget->currency
                                                : "USD";
  CostEval out;
  out.currency = cur;
  // Price: nothing for the machine already owned; the rent for a cloud GPU.
  PurchasePrice price;
  if (c.kind == "buy" || c.kind == "upgrade") price = choose_price(c.parts, cur, c.used, env.fx);
  j["price"] = nullptr;
  if (c.kind == "buy" || c.kind == "upgrade")
    j["price"] = {{"known", price.known}, {"amount", num_or_null(price.known, price.amount)},
                  {"currency", cur}, {"condition", price.condition}, {"date", price.date},
                  {"source", {{"kind", "catalog"}, {"detail", price.source}}}, {"note", price.note},
                  {"missing", price.missing}};
  const SystemPower pw = system_power(c.sys, env.eff.power_idle);
  CostInputs in;
  in.purchase = price.known ? price.amount : 0.0;
  in.years = p.amortization_years;
  in.idle_w = pw.idle_w;
  in.always_on = p.always_on;
  in.price_per_kwh = p.electricity_price ? p.electricity_price->per_kwh : 0.0;
  load_profile(ev, pw.max_w, in);
  j["power"] = {{"idle_w", num_or_null(pw.max_w > 0, pw.idle_w)}, {"load_w", num_or_null(pw.max_w > 0, in.load_w)},
                {"max_w", num_or_null(pw.max_w > 0, pw.max_w)}, {"scope", pw.scope},
                {"idle_assumed", pw.idle_assumed}, {"missing", pw.missing},
                {"source", {{"kind", "predicted"}, {"detail", "device [power] tables; load from the workloads' predicted draw"}}}};
  const Rent own_rent = c.kind == "cloud" ? cheapest_rent(env, c.spec, gpu_count(c.sys), cur) : Rent{};
  j["cloud"] = c.kind == "cloud" ? (own_rent.known ? own_rent.j : nlohmann::json(nullptr)) : nlohmann::json(nullptr);
  CostResult r = yearly_cost(in);
  if (c.kind == "cloud") {
    r.electricity_per_year = r.energy_kwh_per_year = 0;
    r.cost_per_year = own_rent.known ? cloud_per_year(own_rent.per_hour, in.load_hours_per_day) : 0.0;
    r.cost_per_mtok = r.tokens_per_year > 0 ? r.cost_per_year / (r.tokens_per_year / 1e6) : 0.0;
  }
  const bool known = c.kind == "owned" || (c.kind == "cloud" ? own_rent.known : price.known);
  // What renting the profile's cloud GPU for the same hours would cost.
  const Rent ref = cheapest_rent(env, p.cloud_device, 1, cur);
  nlohmann::json curve = nlohmann::json::array();
  for (int h = 0; h <= 24; h += 2) {
    CostInputs at = in;
    at.load_hours_per_day = h;
    curve.push_back({{"hours_per_day", h}, {"own_per_year", c.kind == "cloud" ? nlohmann::json(nullptr) : nlohmann::json(yearly_cost(at).cost_per_year)},
                     {"cloud_per_year", num_or_null(ref.known, cloud_per_year(ref.per_hour, h))}});
  }
  const auto be = ref.known && c.kind != "cloud" ? break_even_hours_per_day(in, ref.per_hour) : std::nullopt;
  j["cost"] = {{"known", known}, {"currency", cur}, {"purchase_amount", in.purchase}, {"years", in.years},
               {"electricity_price_per_kwh", in.price_per_kwh}, {"load_hours_per_day", in.load_hours_per_day},
               {"always_on", in.always_on}, {"idle_w", pw.idle_w}, {"load_w", in.load_w},
               {"energy_kwh_per_year", r.energy_kwh_per_year}, {"electricity_per_year", r.electricity_per_year},
               {"cost_per_year", num_or_null(known, r.cost_per_year)}, {"tokens_per_year", r.tokens_per_year},
               {"cost_per_mtok", num_or_null(known && r.tokens_per_year > 0, r.cost_per_mtok)},
               {"cloud_reference", ref.known ? ref.j : nlohmann::json(nullptr)},
               {"cloud_equivalent_per_year", num_or_null(ref.known, cloud_per_year(ref.per_hour, in.load_hours_per_day))},
               {"break_even_hours_per_day", be ? nlohmann::json(*be) : nlohmann::json(nullptr)},
               {"curve", curve}};
  out.known = known;
  out.purchase = in.purchase;
  out.cost_per_year = r.cost_per_year;
  out.cost_per_mtok = r.cost_per_mtok;
  out.idle_w = pw.idle_w;
  out.load_w = pw.max_w > 0 ? in.load_w : 0.0;
  out.power_scope = pw.scope;
  if (c.kind == "upgrade")
    j["notes"].push_back(fmt::format(
        "assumes the machine has the slot, PCIe lanes and power supply for the added GPU: its "
        "devices' maximum draw totals {:.0f} W ({})", pw.max_w, pw.scope));
  return out;
}

}  // namespace worthit::app
