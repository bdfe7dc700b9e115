// SPDX-License-Identifier: MIT
// Prices, power, electricity, cost per million tokens and the cloud break-even.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "advise/cost.h"
#include "hw/catalog.h"

namespace worthit {
namespace {

const std::string kData = WORTHIT_DATA_DIR;

std::vector<FxRate> fx() { return {{"EUR", "USD", "2025-02-28", "test", 1.25}}; }

TEST(Cost, YearlyCostByHand) {
  CostInputs in;
  in.purchase = 3000;
  in.years = 3;
  in.load_w = 200;
  in.idle_w = 20;
  in.load_hours_per_day = 4;
  in.always_on = true;
  in.price_per_kwh = 0.40;
  in.tokens_per_hour = 100000;  // about 28 t/s
  const CostResult r = yearly_cost(in);
  // (200 W x 4 h + 20 W x 20 h) = 1200 Wh a day = 438 kWh a year; x 0.40 = 175.2
  EXPECT_NEAR(r.energy_kwh_per_year, 438.0, 1e-9);
  EXPECT_NEAR(r.electricity_per_year, 175.2, 1e-9);
  EXPECT_NEAR(r.cost_per_year, 1000 + 175.2, 1e-9);
  EXPECT_NEAR(r.tokens_per_year, 365.0 * 4 * 100000, 1e-6);
  EXPECT_NEAR(r.cost_per_mtok, 1175.2 / 146.0, 1e-9);
  in.always_on = false;
  EXPECT_NEAR(yearly_cost(in).energy_kwh_per_year, 292.0, 1e-9);
}

TEST(Cost, BreakEvenIsWhereBothCostTheSame) {
  CostInputs in;
  in.purchase = 4000;
  in.years = 3;
  in.load_w = 150;
  in.idle_w = 30;
  in.always_on = true;
  in.price_per_kwh = 0.40;
  const double rent = 2.0;
  const auto h = break_even_hours_per_day(in, rent);
  ASSERT_TRUE(h);
  in.load_hours_per_day = *h;
  EXPECT_NEAR(yearly_cost(in).cost_per_year, cloud_per_year(rent, *h), 1e-6);
  // Cheaper rent moves the break-even later; renting at under the electricity cost never breaks even.
  EXPECT_GT(*break_even_hours_per_day(in, 1.0), *h);
  EXPECT_FALSE(break_even_hours_per_day(in, 0.01));
}

TEST(Cost, PricePrefersTheConditionThenTheCurrencyAndConverts) {
  const std::vector<Price> gpu = {{2000, "USD", "2025-01", "launch", "a"},
                                  {3200, "EUR", "2026-02", "street", "b"},
                                  {1500, "EUR", "2026-03", "used", "c"}};
  PurchasePrice p = choose_price({gpu}, "EUR", false, fx());
  ASSERT_TRUE(p.known);
  EXPECT_DOUBLE_EQ(p.amount, 3200);
  p = choose_price({gpu}, "EUR", true, fx());
  EXPECT_DOUBLE_EQ(p.amount, 1500);
  EXPECT_EQ(p.condition, "used");
  p = choose_price({{{2500, "USD", "2026-01", "street", "d"}}}, "EUR", false, fx());
  EXPECT_DOUBLE_EQ(p.amount, 2000);
  EXPECT_NE(p.note.find("converted"), std::string::npos);
  p = choose_price({gpu, {}}, "EUR", false, fx());  // one part without any price
  EXPECT_FALSE(p.known);
  EXPECT_NE(p.missing.find("part 2"), std::string::npos);
  EXPECT_FALSE(convert(fx(), 1, "GBP", "EUR"));
}

TEST(Cost, PowerNamesDevicesWithoutAFigure) {
  const HwCatalog hw = *load_hw_catalog(kData);
  const SystemPower spark = system_power(*resolve_system(hw, "dgx-spark"), 0.2);
  EXPECT_DOUBLE_EQ(spark.max_w, 240);
  EXPECT_TRUE(spark.missing.empty());
  const SystemPower mac = system_power(*resolve_system(hw, "mac-mini-m4-pro-64gb"), 0.2);
  EXPECT_DOUBLE_EQ(mac.max_w, 0);  // Apple publishes no figure in the catalog: never a made-up zero draw
  EXPECT_FALSE(mac.missing.empty());
}

TEST(Cost, FxFileErrorsNameTheLine) {
  const auto path = std::filesystem::temp_directory_path() / "worthit-bad-fx.toml";
  std::ofstream(path) << "sources = []\n[[rate]]\nfrom = \"EUR\"\nto = \"USD\"\nrate = -1\ndate = \"x\"\nsource = \"s\"\n";
  auto r = load_fx(path.string());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("rate"), std::string::npos) << r.error().message();
  std::filesystem::remove(path);
  ASSERT_TRUE(load_fx(kData + "/fx.toml"));
}

}  // namespace
}  // namespace worthit
