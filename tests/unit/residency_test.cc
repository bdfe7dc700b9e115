// SPDX-License-Identifier: MIT
// Several models resident at once: placement on pools and the cost of swapping.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "advise/residency.h"
#include "hw/catalog.h"

namespace worthit {
namespace {

constexpr double GiB = 1024.0 * 1024.0 * 1024.0;

TEST(Residency, LargestFirstOnePoolEach) {
  const std::vector<ResidencyPool> pools = {{"GPU0", "vram", 23 * GiB}, {"GPU1", "vram", 15 * GiB}};
  const auto r = place_residents({{"stt", "stt", 9 * GiB, false, 0, ""},
                                  {"image", "image", 22 * GiB, false, 0, ""},
                                  {"tts", "tts", 0.5 * GiB, false, 0, ""}},
                                 pools, 3.5e9);
  ASSERT_TRUE(r.fits) << r.reason;
  EXPECT_EQ(r.models[0].name, "image");
  EXPECT_EQ(r.models[0].pool, "GPU0");
  EXPECT_EQ(r.models[1].pool, "GPU1");
  EXPECT_EQ(r.models[2].pool, "GPU0");
  EXPECT_DOUBLE_EQ(r.pool_used_bytes[0] + r.pool_used_bytes[1], r.total_bytes);
  EXPECT_DOUBLE_EQ(r.seconds_per_hour, 0);
}

TEST(Residency, AnLlmMaySplitOverGpusOthersMayNot) {
  const std::vector<ResidencyPool> pools = {{"GPU0", "vram", 10 * GiB}, {"GPU1", "vram", 10 * GiB}};
  auto r = place_residents({{"llm", "llm", 16 * GiB, true, 0, ""}}, pools, 3.5e9);
  ASSERT_TRUE(r.fits);
  EXPECT_EQ(r.models[0].pool, "GPU0+GPU1");
  r = place_residents({{"image", "image", 16 * GiB, false, 0, ""}}, pools, 3.5e9);
  EXPECT_FALSE(r.fits);
  EXPECT_TRUE(r.models[0].pool.empty());
}

TEST(Residency, JustFitsAndJustDoesNot) {
  const std::vector<ResidencyPool> pools = {{"U", "unified", 48 * GiB}};
  EXPECT_TRUE(place_residents({{"a", "image", 48 * GiB, false, 0, ""}}, pools, 3.5e9).fits);
  EXPECT_FALSE(place_residents({{"a", "image", 48 * GiB + 1, false, 0, ""}}, pools, 3.5e9).fits);
}

TEST(Residency, SwapCostIsBytesOverReadSpeedPerUse) {
  const std::vector<ResidencyPool> pools = {{"GPU0", "vram", 20 * GiB}};
  const auto r = place_residents({{"image", "image", 18 * GiB, false, 0, ""},
                                  {"vision", "vision", 7e9, false, 6, ""}},
                                 pools, 3.5e9);
  ASSERT_FALSE(r.fits);
  EXPECT_NEAR(r.load_s, 7e9 / 3.5e9 + kStartupSeconds, 1e-9);
  EXPECT_NEAR(r.seconds_per_hour, 6 * (2.0 + kStartupSeconds), 1e-9);
  const auto faster = place_residents({{"image", "image", 18 * GiB, false, 0, ""},
                                       {"vision", "vision", 7e9, false, 6, ""}},
                                      pools, 7e9);
  EXPECT_LT(faster.seconds_per_hour, r.seconds_per_hour);
  EXPECT_NE(r.reason.find("vision"), std::string::npos);
}

}  // namespace
}  // namespace worthit

namespace worthit {
namespace {
TEST(Residency, SystemFilesGiveTheirStorageSpeed) {
  const auto path = std::filesystem::temp_directory_path() / "worthit-storage-sys.toml";
  std::ofstream(path) << "id = \"box\"\ndevice = \"dgx-spark\"\n[storage]\nread = \"6.5 GB/s\"\nsource = \"test\"\n";
  auto sys = resolve_system(*load_hw_catalog(WORTHIT_DATA_DIR), path.string());
  ASSERT_TRUE(sys) << sys.error().message();
  ASSERT_TRUE(sys->storage_read);
  EXPECT_DOUBLE_EQ(sys->storage_read->base(), 6.5e9);
  std::ofstream(path) << "id = \"box\"\ndevice = \"dgx-spark\"\n[storage]\nread = \"fast\"\nsource = \"test\"\n";
  auto bad = resolve_system(*load_hw_catalog(WORTHIT_DATA_DIR), path.string());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find(":4"), std::string::npos) << bad.error().message();
  std::filesystem::remove(path);
}
}  // namespace
}  // namespace worthit
