// SPDX-License-Identifier: MIT
#include "advise/cloud.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "core/text.h"
#include "core/toml_reader.h"

namespace worthit {
namespace {

const char* const kKinds[] = {"on_demand", "spot", "serverless", "capacity_block", "community"};

Status check_kind(TomlReader& r, const std::string& kind) {
  std::vector<std::string> names(std::begin(kKinds), std::end(kKinds));
  if (std::find(names.begin(), names.end(), kind) != names.end()) return Ok{};
  const std::string hint = did_you_mean(kind, names);
  return fail(r.error_at("kind", fmt::format("unknown offer kind '{}'", kind),
                         hint.empty() ? "on_demand, spot, serverless, capacity_block or community"
                                      : hint));
}

/// The price keys: exactly one of price_usd_per_hour / price_eur_per_hour, with an optional
/// upper end of the range in the same currency.
Status read_price(TomlReader& r, CloudOffer& o) {
  WORTHIT_TRY(usd, r.opt_number("price_usd_per_hour"));
  WORTHIT_TRY(eur, r.opt_number("price_eur_per_hour"));
  WORTHIT_TRY(usd_max, r.opt_number("price_usd_per_hour_max"));
  WORTHIT_TRY(eur_max, r.opt_number("price_eur_per_hour_max"));
  if (usd.has_value() == eur.has_value())
    return fail(r.error_at("price_usd_per_hour", "give exactly one of price_usd_per_hour and "
                                                 "price_eur_per_hour"));
  o.currency = usd ? "USD" : "EUR";
  o.price_per_hour = usd ? *usd : *eur;
  const auto& max = usd ? usd_max : eur_max;
  if ((usd && eur_max) || (eur && usd_max))
    return fail(r.error_at(usd ? "price_eur_per_hour_max" : "price_usd_per_hour_max",
                           "the range must be in the same currency as the price"));
  o.price_per_hour_max = max.value_or(0);
  if (o.price_per_hour <= 0)
    return fail(r.error_at(usd ? "price_usd_per_hour" : "price_eur_per_hour", "must be positive"));
  if (max && *max < o.price_per_hour)
    return fail(r.error_at(usd ? "price_usd_per_hour_max" : "price_eur_per_hour_max",
                           "the upper end is below the price"));
  return Ok{};
}

Result<CloudOffer> read_offer(TomlReader& r, const CloudOffer& base) {
  CloudOffer o = base;
  o.where = r.error_at("device", "").where;
  WORTHIT_TRY(gpu, r.string("gpu"));
  WORTHIT_TRY(device, r.string("device"));
  WORTHIT_TRY(gpus, r.opt_int("gpus"));
  if (auto s = read_price(r, o); !s) return fail(s.error());
  WORTHIT_TRY(kind, r.string("kind"));
  if (auto s = check_kind(r, kind); !s) return fail(s.error());
  WORTHIT_TRY(date, r.string("date"));
  static const std::regex kDate(R"(\d{4}-\d{2}(-\d{2})?)");
  if (!std::regex_match(date, kDate))
    return fail(r.error_at("date", fmt::format("expected YYYY-MM or YYYY-MM-DD, got '{}'", date)));
  WORTHIT_TRY(source, r.string("source"));
  WORTHIT_TRY(note, r.opt_string("note"));
  if (gpus && *gpus < 1) return fail(r.error_at("gpus", "must be at least 1"));
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  o.gpu = gpu;
  o.device = device;
  o.gpus = static_cast<int>(gpus.value_or(1));
  o.kind = kind;
  o.date = date;
  o.source = source;
  o.note = note.value_or("");
  return o;
}

}  // namespace

Result<std::vector<CloudOffer>> load_cloud_file(const std::string& path) {
  WORTHIT_TRY(tbl, parse_toml_file(path));
  TomlReader r(tbl, path);
  CloudOffer base;
  base.file = path;
  WORTHIT_TRY(provider, r.string("provider"));
  WORTHIT_TRY(name, r.opt_string("name"));
  WORTHIT_TRY(sources, r.strings("sources"));
  if (sources.empty()) return fail(r.error_at("sources", "required field is missing"));
  base.provider = provider;
  base.provider_name = name.value_or(provider);
  WORTHIT_TRY(tables, r.tables("offer"));
  if (tables.empty()) return fail(r.error_at("offer", "a provider file needs at least one [[offer]]"));
  std::vector<CloudOffer> out;
  for (auto& t : tables) {
    WORTHIT_TRY(o, read_offer(t, base));
    out.push_back(std::move(o));
  }
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  return out;
}

Result<std::vector<CloudOffer>> load_cloud_catalog(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(dir, ec))
    if (f.path().extension() == ".toml") files.push_back(f.path().string());
  if (ec) return fail(dir, "cannot read the cloud price catalog: " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<CloudOffer> all;
  for (const auto& f : files) {
    WORTHIT_TRY(offers, load_cloud_file(f));
    all.insert(all.end(), offers.begin(), offers.end());
  }
  return all;
}

Status check_cloud_devices(const std::vector<CloudOffer>& offers, const HwCatalog& hw) {
  for (const auto& o : offers) {
    auto d = find_device(hw, o.device);
    if (!d) return fail(o.where, d.error().what, d.error().hint);
  }
  return Ok{};
}

std::vector<CloudOffer> offers_for_device(const std::vector<CloudOffer>& offers,
                                          const std::string& device) {
  std::vector<CloudOffer> out;
  for (const auto& o : offers)
    if (to_lower(o.device) == to_lower(device)) out.push_back(o);
  std::stable_sort(out.begin(), out.end(), [](const CloudOffer& a, const CloudOffer& b) {
    if (a.currency != b.currency) return a.currency < b.currency;
    return a.price_per_gpu_hour() < b.price_per_gpu_hour();
  });
  return out;
}

}  // namespace worthit
