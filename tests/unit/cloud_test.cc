// SPDX-License-Identifier: MIT
// Cloud rental prices: every file in data/cloud loads, every offer maps onto a catalog device,
// and bad files give whole, located messages.
#include "advise/cloud.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace worthit {
namespace {

const std::string kData = WORTHIT_DATA_DIR;
const std::string kBad = WORTHIT_TEST_DATA "/bad/cloud/";

template <class T>
std::string err(const Result<T>& r) {
  return r ? "<ok>" : r.error().message();
}

const HwCatalog& hw() {
  static const HwCatalog cat = [] {
    auto c = load_hw_catalog(kData);
    return c ? *c : HwCatalog{};
  }();
  return cat;
}

TEST(Cloud, CatalogLoadsAndMapsOntoDevices) {
  auto offers = load_cloud_catalog(kData + "/cloud");
  ASSERT_TRUE(offers) << err(offers);
  EXPECT_TRUE(check_cloud_devices(*offers, hw()));
  std::set<std::string> devices;
  for (const auto& o : *offers) {
    devices.insert(o.device);
    EXPECT_GT(o.price_per_gpu_hour(), 0) << o.gpu;
    EXPECT_FALSE(o.source.empty()) << o.gpu;
  }
  for (const char* d : {"h100-sxm", "a100-80gb-sxm", "l40s", "rtx-4090", "h200", "b200"})
    EXPECT_EQ(devices.count(d), 1u) << d;
}

TEST(Cloud, PerGpuHourAndCheapestFirst) {
  auto offers = load_cloud_catalog(kData + "/cloud");
  ASSERT_TRUE(offers) << err(offers);
  const auto h100 = offers_for_device(*offers, "h100-sxm");
  ASSERT_GE(h100.size(), 3u);
  for (size_t i = 1; i < h100.size(); ++i) {
    if (h100[i].currency == h100[i - 1].currency) {
      EXPECT_LE(h100[i - 1].price_per_gpu_hour(), h100[i].price_per_gpu_hour());
    }
  }
  bool aws = false;
  for (const auto& o : h100)
    if (o.provider == "aws" && o.kind == "capacity_block") {
      aws = true;
      EXPECT_EQ(o.gpus, 8);
      EXPECT_NEAR(o.price_per_gpu_hour(), 4.916, 0.001);  // AWS: $4.916 per accelerator-hour
    }
  EXPECT_TRUE(aws);
}

struct BadCase {
  const char* file;
  const char* message;  // after "<path>:"
};

TEST(Cloud, BadFilesGiveLocatedMessages) {
  const BadCase cases[] = {
      {"two-prices.toml",
       "7: offer[0].price_usd_per_hour: give exactly one of price_usd_per_hour and "
       "price_eur_per_hour"},
      {"bad-date.toml", "9: offer[0].date: expected YYYY-MM or YYYY-MM-DD, got 'May 2026'"},
      {"bad-kind.toml", "8: offer[0].kind: unknown offer kind 'ondemand' (did you mean 'on_demand'?)"},
      {"missing-source.toml", "4: offer[0].source: required field is missing"},
  };
  for (const auto& c : cases) {
    const std::string path = kBad + c.file;
    EXPECT_EQ(err(load_cloud_file(path)), path + ":" + c.message) << c.file;
  }
}

TEST(Cloud, UnknownDeviceHasDidYouMean) {
  const std::string path = kBad + "unknown-device.toml";
  auto offers = load_cloud_file(path);
  ASSERT_TRUE(offers) << err(offers);
  EXPECT_EQ(err(check_cloud_devices(*offers, hw())),
            path + ":6: offer[0].device: unknown device 'h100-sxn' (did you mean 'h100-sxm'?)");
}

}  // namespace
}  // namespace worthit
