// SPDX-License-Identifier: MIT
// Published measurements: every file loads, every case names catalog ids, test names parse.
#include <gtest/gtest.h>

#include <filesystem>

#include "calibrate/published.h"
#include "hw/catalog.h"
#include "hw/device.h"
#include "model/model_catalog.h"
#include "model/quant.h"
#include "plan/fit.h"

namespace worthit {
namespace {

TEST(BenchTest, ParsesLlamaBenchNames) {
  auto pp = parse_bench_test("pp512");
  ASSERT_TRUE(pp);
  EXPECT_EQ(pp->n_prompt, 512);
  EXPECT_EQ(pp->n_gen, 0);
  auto tg = parse_bench_test("tg128");
  ASSERT_TRUE(tg);
  EXPECT_EQ(tg->n_gen, 128);
  auto both = parse_bench_test("pp512+tg128");
  ASSERT_TRUE(both);
  EXPECT_EQ(both->n_prompt, 512);
  EXPECT_EQ(both->n_gen, 128);
  auto deep = parse_bench_test("pp2048@d4096");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->n_prompt, 2048);
  EXPECT_EQ(deep->depth, 4096);
}

TEST(BenchTest, RejectsMalformedNames) {
  EXPECT_EQ(parse_bench_test("xx512").error().message(),
            "expected a test like pp512, tg128, pp512+tg128 or pp2048@d4096, got 'xx512'");
  EXPECT_EQ(parse_bench_test("pp512@dx").error().message(), "bad depth in test name 'pp512@dx'");
  EXPECT_FALSE(parse_bench_test("pp"));
  EXPECT_FALSE(parse_bench_test("tg-5"));
}

TEST(Published, EveryFileLoadsAndNamesCatalogIds) {
  const std::string data = WORTHIT_DATA_DIR;
  auto hw = load_hw_catalog(data);
  ASSERT_TRUE(hw) << hw.error().message();
  auto models = load_model_catalog(data + "/models");
  ASSERT_TRUE(models) << models.error().message();
  int files = 0, cases = 0, results = 0;
  for (const auto& e : std::filesystem::directory_iterator(data + "/published")) {
    if (e.path().extension() != ".toml") continue;
    ++files;
    auto list = load_published(e.path().string());
    ASSERT_TRUE(list) << list.error().message();
    for (const auto& c : *list) {
      ++cases;
      results += static_cast<int>(c.bench.size());
      EXPECT_TRUE(resolve_system(*hw, c.system)) << e.path() << " " << c.id;
      EXPECT_TRUE(find_model(*models, c.model)) << e.path() << " " << c.id;
      if (!c.quant.empty()) {
        EXPECT_TRUE(parse_file_type(c.quant)) << e.path() << " " << c.id;
      }
      EXPECT_TRUE(c.runtime == "llama.cpp" || c.runtime == "ollama") << c.id;
    }
  }
  EXPECT_GE(files, 2);
  EXPECT_GE(cases, 100);
  EXPECT_GE(results, 200);
}

TEST(Published, SeedHasTheElevenMeasuredSpeedCases) {
  auto list = load_published(std::string(WORTHIT_DATA_DIR) + "/published/seed.toml");
  ASSERT_TRUE(list) << list.error().message();
  int speed = 0;
  for (const auto& c : *list) speed += c.eval_rate_tps.has_value();
  EXPECT_EQ(speed, 11);
}

TEST(SplitArgs, GroupsQuotedWords) {
  EXPECT_EQ(split_args("-ngl 40  -ot 'a b=CPU' \"x\""),
            (std::vector<std::string>{"-ngl", "40", "-ot", "a b=CPU", "x"}));
  EXPECT_TRUE(split_args("   ").empty());
}

}  // namespace
}  // namespace worthit

namespace worthit {
namespace {

TEST(Pcie, BandwidthPerDirectionFromGenerationAndLanes) {
  // Per-lane rates after encoding (facts.md B3): gen 4 x16 = 31.5 GB/s, gen 5 x16 = 63 GB/s.
  EXPECT_NEAR(to_gbs(*pcie_bandwidth("PCIe 4.0 x16")), 31.5, 0.1);
  EXPECT_NEAR(to_gbs(*pcie_bandwidth("PCIe 5.0 x16")), 63.0, 0.1);
  EXPECT_NEAR(to_gbs(*pcie_bandwidth("PCIe 4.0 x8")), 15.75, 0.1);
  EXPECT_NEAR(to_gbs(*pcie_bandwidth("PCIe 3.0 x4")), 3.94, 0.01);
  EXPECT_NEAR(to_gbs(*pcie_bandwidth("PCIe 4.0 x1")), 1.969, 0.001);
  EXPECT_EQ(pcie_bandwidth("NVLink").error().message(),
            "link: expected a PCIe link like \"PCIe 4.0 x16\", got \"NVLink\"");
}

}  // namespace
}  // namespace worthit

namespace worthit {
namespace {

TEST(RuntimeArgs, ReadsLlamaBenchFlags) {
  auto o = parse_runtime_args(split_args("-ngl 99 -fa 1 -ub 2048 -mmp 0 -p 512 -n 128 -ctk q8_0 "
                                         "-ts 3,1 -ot exps=CPU -ncmoe 4 -nkvo"),
                              FitOptions{});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->n_gpu_layers, 99);
  EXPECT_EQ(o->flash_attn, FlashAttn::On);
  EXPECT_EQ(o->n_ubatch, 2048);
  EXPECT_EQ(o->type_k, GgmlType::Q8_0);
  EXPECT_EQ(o->type_v, GgmlType::F16);
  EXPECT_EQ(o->tensor_split, (std::vector<double>{3, 1}));
  ASSERT_EQ(o->overrides.size(), 1u);
  EXPECT_EQ(o->overrides[0].device, "CPU");
  EXPECT_EQ(o->n_cpu_moe, 4);
  EXPECT_FALSE(o->kv_offload);
}

TEST(RuntimeArgs, ErrorsNameTheFlag) {
  EXPECT_EQ(parse_runtime_args({"-ngl", "lots"}, FitOptions{}).error().message(),
            "-ngl: expected an integer, got 'lots'");
  EXPECT_EQ(parse_runtime_args({"--frob", "1"}, FitOptions{}).error().message(),
            "--frob: unknown flag (worthit reads -ngl -c -b -ub -np -fa -ctk -ctv -ts -ot -ncmoe)");
  EXPECT_EQ(parse_runtime_args({"-ts", "3,-1"}, FitOptions{}).error().message(),
            "-ts: expected numbers like 3,1, got '3,-1'");
  EXPECT_EQ(parse_runtime_args({"-c"}, FitOptions{}).error().message(), "-c: missing value");
}

}  // namespace
}  // namespace worthit
