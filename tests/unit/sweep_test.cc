// SPDX-License-Identifier: MIT
// The sweep grid, the seed prompt's token counts, the power model, and the rule that no
// prediction reads the measurement it is checked against.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "calibrate/fitter.h"
#include "calibrate/samples.h"
#include "hw/catalog.h"
#include "model/model_catalog.h"
#include "model/recipe.h"
#include "perf/seed_prompt.h"
#include "perf/sweep.h"

namespace worthit {
namespace {

const std::string kData = WORTHIT_DATA_DIR;

Efficiency shipped() { return *load_efficiency(kData + "/calibration.toml"); }

TEST(SeedPrompt, TemplatesGiveEachSeedModelItsCount) {
  auto p = load_seed_prompt(kData + "/prompts/seed-tokyo.toml");
  ASSERT_TRUE(p) << p.error().message();
  std::string name;
  EXPECT_EQ(p->prompt_tokens("ministral-3-8b", &name), 575);
  EXPECT_EQ(name, "ollama-ministral-3");
  EXPECT_EQ(p->prompt_tokens("llama-3.3-70b"), 46);
  EXPECT_EQ(p->prompt_tokens("gpt-oss-120b"), 101);
  EXPECT_EQ(p->prompt_tokens("qwen3-8b", &name), p->default_prompt_tokens);
  EXPECT_EQ(name, "default");
  EXPECT_EQ(p->answer_tokens, 1000);
  EXPECT_NE(p->text.find("Tokyo"), std::string::npos);
}

TEST(SeedPrompt, MalformedFileNamesTheLine) {
  const auto path = std::filesystem::temp_directory_path() / "worthit-bad-prompt.toml";
  std::ofstream(path) << "prompt = \"x\"\nanswer_tokens = 1000\ndefault_prompt_tokens = 46\n"
                         "[[template]]\nname = \"t\"\nmodels = [\"a\"]\nprompt_tokens = -3\n"
                         "source = \"s\"\n";
  auto p = load_seed_prompt(path.string());
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find(":7:"), std::string::npos) << p.error().message();
  EXPECT_NE(p.error().message().find("template[0].prompt_tokens"), std::string::npos)
      << p.error().message();
  std::filesystem::remove(path);
}

SweepSpec small_spec() {
  const HwCatalog hw = *load_hw_catalog(kData);
  const auto models = *load_model_catalog(kData + "/models");
  SweepSpec s;
  for (const char* id : {"rtx-4090", "dgx-spark", "seed-desktop"}) {
    s.system_ids.push_back(id);
    s.systems.push_back(*resolve_system(hw, id));
  }
  for (const char* id : {"llama-3.1-8b", "llama-3.3-70b"}) s.models.push_back(*find_model(models, id));
  s.quants = {FileType::Q4_K_M, FileType::Q8_0};
  s.contexts = {4096, 131072};
  s.workload = Workload{512, 128, 0};
  return s;
}

const SweepRow& row(const std::vector<SweepRow>& rows, const std::string& sys,
                    const std::string& model, const std::string& quant, int64_t ctx) {
  for (const auto& r : rows)
    if (r.system == sys && r.model == model && r.quant == quant && r.ctx == ctx) return r;
  throw std::runtime_error("row missing");
}

TEST(Sweep, CoversTheGridAndAgreesWithFitAndPredict) {
  const auto rows = run_sweep(small_spec(), shipped());
  ASSERT_EQ(rows.size(), 3u * 2 * 2 * 2);
  // 8B Q4_K_M fits a 24 GB card; the 70B at Q8_0 (75 GB) does not fit one, but fits the Spark.
  const auto& small = row(rows, "rtx-4090", "llama-3.1-8b", "Q4_K_M", 4096);
  EXPECT_TRUE(small.fits);
  EXPECT_GT(small.eval_rate_tps, 50);
  EXPECT_GT(small.headroom_bytes, 0);
  EXPECT_TRUE(row(rows, "dgx-spark", "llama-3.3-70b", "Q8_0", 4096).fits);
  // More context never speeds anything up and never adds headroom.
  const auto& longer = row(rows, "rtx-4090", "llama-3.1-8b", "Q4_K_M", 131072);
  if (longer.fits) {
    EXPECT_LE(longer.headroom_bytes, small.headroom_bytes);
    EXPECT_LE(longer.eval_rate_tps, small.eval_rate_tps * 1.0001);
  }
  // The seed desktop runs a 70B with part of it in DDR4, which bounds its decode.
  const auto& desk = row(rows, "seed-desktop", "llama-3.3-70b", "Q4_K_M", 4096);
  ASSERT_TRUE(desk.fits);
  EXPECT_LT(desk.gpu_layers, desk.layers_total);
  EXPECT_NE(desk.decode_bottleneck.find("CPU"), std::string::npos) << desk.decode_bottleneck;
}

TEST(Sweep, ContextBeyondTheTrainedOneIsReportedNotFitted) {
  SweepSpec s = small_spec();
  s.contexts = {1 << 20};
  for (const auto& r : run_sweep(s, shipped())) {
    EXPECT_FALSE(r.fits);
    EXPECT_NE(r.reason.find("trained"), std::string::npos);
  }
}

TEST(Power, StaysBetweenIdleAndMaxAndGivesEnergyPerToken) {
  const HwCatalog hw = *load_hw_catalog(kData);
  const auto models = *load_model_catalog(kData + "/models");
  const ModelArch m = *find_model(models, "llama-3.1-8b");
  const auto tensors = derive_tensors(m, FileType::Q4_K_M);
  FitOptions o;
  o.n_ctx = 4096;
  const auto f = *fit(*resolve_system(hw, "rtx-4090"), m, tensors, o);
  const Efficiency e = shipped();
  const Prediction p = predict(m, tensors, f, Workload{64, 256, 0}, 512, e);
  ASSERT_GT(p.power_w, 0);
  EXPECT_LE(p.power_w, 450.0);  // the 4090's board limit; the CPU has no figure in the catalog
  EXPECT_NEAR(p.energy_j_per_token, p.power_w / p.eval_rate_tps, 1e-9);
  EXPECT_NE(p.power_scope.find("not counted"), std::string::npos) << p.power_scope;
}

// A prediction must not depend on the measurement it is compared with: change every measured
// rate of the held-out cases and their cross-validated predictions must stay the same.
TEST(Honesty, HeldOutPredictionsIgnoreTheirOwnMeasurements) {
  auto all = build_samples(kData, nullptr);
  ASSERT_TRUE(all) << all.error().message();
  std::vector<Sample> s(all->begin(), all->begin() + std::min<size_t>(all->size(), 60));
  const Efficiency start = shipped();
  for (const auto& x : s) {
    Sample y = x;
    y.measured_tps *= 7.0;
    EXPECT_EQ(predict_sample(x, start), predict_sample(y, start));
  }
  // Change only the cases of fold 0: their cross-validated predictions come from parameters
  // fitted on the other folds and must not move.
  std::vector<Sample> t(all->begin(), all->begin() + std::min<size_t>(all->size(), 60));
  const FitReport c = calibrate(t, start, 3, 80);
  std::set<std::string> fold0;
  for (const auto& x : t)
    if (std::hash<std::string>{}(x.file + "/" + x.case_id) % 3 == 0) fold0.insert(x.case_id);
  for (auto& x : t)
    if (fold0.count(x.case_id)) x.measured_tps *= 7.0;
  const FitReport d = calibrate(t, start, 3, 80);
  int compared = 0;
  for (size_t i = 0; i < c.residuals.size(); ++i)
    if (fold0.count(c.residuals[i].case_id)) {
      EXPECT_DOUBLE_EQ(c.residuals[i].predicted_tps, d.residuals[i].predicted_tps)
          << c.residuals[i].case_id;
      ++compared;
    }
  EXPECT_GT(compared, 0);
}

}  // namespace
}  // namespace worthit
