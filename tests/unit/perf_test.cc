// SPDX-License-Identifier: MIT
// Physics sanity of the performance model, with the shipped calibration.
#include <gtest/gtest.h>

#include "hw/catalog.h"
#include "model/model_catalog.h"
#include "model/recipe.h"
#include "perf/predict.h"

namespace worthit {
namespace {

class PerfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hw_ = *load_hw_catalog(WORTHIT_DATA_DIR);
    models_ = *load_model_catalog(std::string(WORTHIT_DATA_DIR) + "/models");
    auto e = load_efficiency(std::string(WORTHIT_DATA_DIR) + "/calibration.toml");
    ASSERT_TRUE(e) << e.error().message();
    eff_ = *e;
  }
  struct Case {
    ModelArch arch;
    std::vector<TensorInfo> tensors;
    FitResult fit;
  };
  Case make(const std::string& sys, const std::string& model, FitOptions o, FileType ft = FileType::Q4_K_M) {
    Case c;
    c.arch = *find_model(models_, model);
    c.tensors = derive_tensors(c.arch, ft);
    auto f = fit(*resolve_system(hw_, sys), c.arch, c.tensors, o);
    EXPECT_TRUE(f && f->fits);
    c.fit = *f;
    return c;
  }
  double tg(const Case& c, int64_t depth) {
    return 1.0 / decode_time(c.arch, c.tensors, c.fit, depth, eff_).time.base();
  }
  HwCatalog hw_;
  std::vector<ModelArch> models_;
  Efficiency eff_;
};

FitOptions ctx(int64_t n) {
  FitOptions o;
  o.n_ctx = n;
  o.fit_auto = false;
  return o;
}

TEST_F(PerfTest, DecodeNeverBeatsBandwidthOverBytesPerToken) {
  Case c = make("rtx-4090", "llama-3.1-8b", ctx(4096));
  // Every weight but the embedding rows is read once per token.
  double bytes = 0;
  for (const auto& t : c.tensors)
    if (t.role != TensorRole::TokenEmbd) bytes += double(t.bytes());
  EXPECT_LE(tg(c, 0), 1008e9 / bytes);
  EXPECT_GT(tg(c, 0), 0.3 * 1008e9 / bytes);
}

TEST_F(PerfTest, MoreContextIsNeverFaster) {
  Case c = make("dgx-spark", "gpt-oss-120b", ctx(131072), FileType::MXFP4_MOE);
  double prev = 1e12, prev_pp = 1e12;
  for (int64_t d : {0, 4096, 16384, 65536, 120000}) {
    const double r = tg(c, d);
    const double pp = 512.0 / prefill_time(c.arch, c.tensors, c.fit, 512, d, 512, eff_).time.base();
    EXPECT_LE(r, prev) << d;
    EXPECT_LE(pp, prev_pp) << d;
    prev = r;
    prev_pp = pp;
  }
}

TEST_F(PerfTest, MovingALayerFromVramToDdrIsNeverFasterInDecode) {
  double prev = 1e12;
  for (int ngl : {33, 30, 25, 16, 8, 0}) {
    FitOptions o = ctx(4096);
    o.n_gpu_layers = ngl;
    Case c = make("rtx-4090", "llama-3.1-8b", o);
    const double r = tg(c, 512);
    EXPECT_LE(r, prev) << ngl;
    prev = r;
  }
}

TEST_F(PerfTest, FewerActiveExpertsAreNeverSlower) {
  Case c = make("h200", "qwen3-30b-a3b", ctx(8192));
  double prev = 0;
  for (int used : {8, 6, 4, 2, 1}) {
    c.arch.moe.experts_used = used;
    const double r = tg(c, 1024);
    EXPECT_GE(r, prev) << used;
    prev = r;
  }
}

TEST_F(PerfTest, CpuExpertsMakeMoeSlowerThanAllOnGpu) {
  FitOptions all = ctx(8192);
  FitOptions cpu = ctx(8192);
  cpu.n_cpu_moe = 36;
  Case fast = make("h200", "gpt-oss-120b", all, FileType::MXFP4_MOE);
  Case slow = make("h200", "gpt-oss-120b", cpu, FileType::MXFP4_MOE);
  EXPECT_LT(tg(slow, 0), tg(fast, 0));
}

TEST_F(PerfTest, PredictionReportsTheBottleneckPool) {
  FitOptions o = ctx(8192);
  o.n_gpu_layers = 20;
  Case c = make("rtx-4090", "llama-3.3-70b", o);
  Prediction p = predict(c.arch, c.tensors, c.fit, Workload{512, 128, 0}, 512, eff_);
  EXPECT_NE(p.decode_bottleneck.find("CPU memory bandwidth"), std::string::npos) << p.decode_bottleneck;
  EXPECT_GT(p.ttft_s, 0);
  EXPECT_GT(p.total_s, p.ttft_s);
}

}  // namespace
}  // namespace worthit
