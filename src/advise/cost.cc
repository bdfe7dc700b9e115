// SPDX-License-Identifier: MIT
#include "advise/cost.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/toml_reader.h"

namespace worthit {
namespace {

/// The observation of one part to use: the wanted condition first, then the wanted currency,
/// then the latest date.
const Price* pick(const std::vector<Price>& list, const std::string& currency, bool used) {
  const Price* best = nullptr;
  auto rank = [&](const Price& p) {
    const bool cond = used ? p.kind == "used" : p.kind != "used";
    return std::make_tuple(cond, p.currency == currency, p.date);
  };
  for (const auto& p : list) {
    if (p.kind == "rental_per_hour") continue;
    if (!best || rank(p) > rank(*best)) best = &p;
  }
  return best;
}

std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty() || a.find(b) != std::string::npos) return a;
  return a + "; " + b;
}

}  // namespace

Result<std::vector<FxRate>> load_fx(const std::string& path) {
  WORTHIT_TRY(t, parse_toml_file(path));
  TomlReader r(t, path);
  WORTHIT_TRY(sources, r.strings("sources"));
  (void)sources;
  WORTHIT_TRY(list, r.tables("rate"));
  std::vector<FxRate> out;
  for (auto& x : list) {
    FxRate f;
    WORTHIT_TRY(from, x.string("from"));
    WORTHIT_TRY(to, x.string("to"));
    WORTHIT_TRY(rate, x.opt_number("rate"));
    WORTHIT_TRY(date, x.string("date"));
    WORTHIT_TRY(src, x.string("source"));
    if (!rate || *rate <= 0) return fail(x.error_at("rate", "must be a positive number"));
    if (from.size() != 3 || to.size() != 3)
      return fail(x.error_at("from", "currencies are 3-letter ISO 4217 codes"));
    f.from = from;
    f.to = to;
    f.rate = *rate;
    f.date = date;
    f.source = src;
    if (auto s = x.check_unknown(); !s) return fail(s.error());
    out.push_back(f);
  }
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  return out;
}

Result<double> convert(const std::vector<FxRate>& fx, double amount, const std::string& from,
                       const std::string& to, std::string* note) {
  if (from == to) return amount;
  for (const auto& f : fx) {
    const bool direct = f.from == from && f.to == to, inverse = f.from == to && f.to == from;
    if (!direct && !inverse) continue;
    if (note)
      *note = fmt::format("converted from {:.0f} {} at 1 {} = {} {} ({}, {})", amount, from, f.from,
                          f.rate, f.to, f.date, f.source);
    return direct ? amount * f.rate : amount / f.rate;
  }
  return fail("data/fx.toml", fmt::format("no exchange rate between {} and {}", from, to),
              "add a [[rate]] with from, to, rate, date and source");
}

PurchasePrice choose_price(const std::vector<std::vector<Price>>& parts, const std::string& currency,
                           bool used, const std::vector<FxRate>& fx) {
  PurchasePrice out;
  out.currency = currency;
  out.condition = used ? "used" : "new";
  out.known = !parts.empty();
  for (size_t i = 0; i < parts.size(); ++i) {
    const Price* p = pick(parts[i], currency, used);
    if (!p) {
      out.known = false;
      out.missing = join(out.missing, fmt::format("part {} has no price", i + 1));
      continue;
    }
    std::string note;
    auto v = convert(fx, p->amount, p->currency, currency, &note);
    if (!v) {
      out.known = false;
      out.missing = join(out.missing, v.error().what);
      continue;
    }
    out.amount += *v;
    if (used && p->kind != "used") out.condition = "new";
    out.date = join(out.date, p->date);
    out.source = join(out.source, p->source);
    out.note = join(out.note, note);
  }
  return out;
}

SystemPower system_power(const System& s, double idle_fraction) {
  SystemPower out;
  auto add = [&](const std::string& name, const PowerSpec& p) {
    if (p.max.base() <= 0) {
      out.missing = join(out.missing, name);
      return;
    }
    out.max_w += p.max.base();
    double idle = p.idle.base();
    if (idle <= 0) {
      idle = idle_fraction * p.max.base();
      out.idle_assumed = true;
    }
    out.idle_w += idle;
    out.scope = join(out.scope, name + " (" + (p.scope.empty() ? "board" : p.scope) + ")");
  };
  for (const auto& n : s.nodes) {
    if (n.soc) add(n.soc->name, n.soc->power);
    for (const auto& g : n.gpus) add(g.device.name, g.device.power);
    if (n.host && n.host->power.max.base() > 0) add(n.host->cpu + " host", n.host->power);
  }
  return out;
}

CostResult yearly_cost(const CostInputs& in) {
  CostResult r;
  const double h = std::clamp(in.load_hours_per_day, 0.0, 24.0);
  const double wh_per_day = in.load_w * h + (in.always_on ? in.idle_w * (24.0 - h) : 0.0);
  r.energy_kwh_per_year = 365.0 * wh_per_day / 1000.0;
  r.electricity_per_year = r.energy_kwh_per_year * in.price_per_kwh;
  r.cost_per_year = (in.years > 0 ? in.purchase / in.years : 0.0) + r.electricity_per_year;
  r.tokens_per_year = 365.0 * h * in.tokens_per_hour;
  r.cost_per_mtok = r.tokens_per_year > 0 ? r.cost_per_year / (r.tokens_per_year / 1e6) : 0.0;
  return r;
}

double cloud_per_year(double price_per_hour, double hours_per_day) {
  return 365.0 * price_per_hour * std::clamp(hours_per_day, 0.0, 24.0);
}

std::optional<double> break_even_hours_per_day(const CostInputs& own, double cloud_price_per_hour) {
  // own(h) = P/Y + 365 (L h + [always on] I (24 - h)) e / 1000;  cloud(h) = 365 c h.
  const double e = own.price_per_kwh / 1000.0;
  const double idle = own.always_on ? own.idle_w : 0.0;
  const double fixed = (own.years > 0 ? own.purchase / own.years : 0.0) + 365.0 * 24.0 * idle * e;
  const double per_hour = 365.0 * (cloud_price_per_hour - (own.load_w - idle) * e);
  if (per_hour <= 0) return std::nullopt;  // running it costs more per hour than renting
  const double h = fixed / per_hour;
  if (h > 24.0) return std::nullopt;        // renting is cheaper at any use
  return h;
}

}  // namespace worthit
