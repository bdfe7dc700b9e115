// SPDX-License-Identifier: MIT
// Money and energy: the purchase price of a system (in the profile's currency), its draw at
// idle and under load, electricity per year, cost per million generated tokens, and renting a
// cloud GPU instead (break-even hours per day). Pure functions; formulas in docs/cost.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "hw/device.h"

namespace worthit {

/// One exchange rate: 1 `from` = `rate` `to`.
struct FxRate {
  std::string from, to, date, source;
  double rate = 0;
};

/// Reads data/fx.toml; errors name file:line: field.
Result<std::vector<FxRate>> load_fx(const std::string& path);

/// `amount` in `from` converted to `to` (directly or by the inverse rate). `note` receives
/// "converted from 2000 USD at 1 EUR = 1.0411 USD (2025-02-28)" when a rate was used.
Result<double> convert(const std::vector<FxRate>& fx, double amount, const std::string& from,
                       const std::string& to, std::string* note = nullptr);

/// A purchase price chosen from catalog observations.
struct PurchasePrice {
  bool known = false;
  double amount = 0;         ///< in `currency`
  std::string currency;
  std::string condition;     ///< "new" or "used"
  std::string date, source;  ///< of the parts' observations, joined with "; "
  std::string note;          ///< conversions, what is not priced
  std::string missing;       ///< parts without a price (known = false)
};

/// What a candidate costs to buy. `parts` are the price lists of what must be bought (the whole
/// system's list, or each new device's); per part the observation in `currency` is preferred,
/// then the latest; `used` prefers used prices and falls back to new ones.
PurchasePrice choose_price(const std::vector<std::vector<Price>>& parts, const std::string& currency,
                           bool used, const std::vector<FxRate>& fx);

/// Idle and full draw of a system from its devices' [power] tables. Devices without a maximum
/// are named in `missing`; an unknown idle is `idle_fraction` of the maximum (assumed).
struct SystemPower {
  double idle_w = 0, max_w = 0;
  std::string scope, missing;
  bool idle_assumed = false;
};
SystemPower system_power(const System& s, double idle_fraction);

/// Inputs of the yearly cost.
struct CostInputs {
  double purchase = 0;         ///< in the profile's currency (0: already owned)
  double years = 3;            ///< amortisation period
  double load_w = 0, idle_w = 0;
  double load_hours_per_day = 0;
  bool always_on = false;      ///< idle draw for the rest of the day
  double price_per_kwh = 0;
  double tokens_per_hour = 0;  ///< generated tokens per hour of load (all users)
};

struct CostResult {
  double energy_kwh_per_year = 0;
  double electricity_per_year = 0;
  double cost_per_year = 0;     ///< purchase / years + electricity
  double tokens_per_year = 0;
  double cost_per_mtok = 0;     ///< 0 when no tokens
};
CostResult yearly_cost(const CostInputs& in);

/// Renting for the same hours: price_per_hour x hours x 365.
double cloud_per_year(double price_per_hour, double hours_per_day);

/// Hours of use per day at which owning (purchase / years, electricity) costs as much as renting
/// at `cloud_price_per_hour`; nullopt when renting is cheaper at every hour (or owning is).
std::optional<double> break_even_hours_per_day(const CostInputs& own, double cloud_price_per_hour);

}  // namespace worthit
