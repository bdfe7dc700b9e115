// SPDX-License-Identifier: MIT
// Several users at once: batched decode physics, the engines' scheduling rules, memory per user,
// and published multi-user throughput on a DGX Spark.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "hw/catalog.h"
#include "model/model_catalog.h"
#include "model/recipe.h"
#include "perf/concurrency.h"

namespace worthit {
namespace {

const std::string kData = WORTHIT_DATA_DIR;

struct Case {
  ModelArch arch;
  std::vector<TensorInfo> tensors;
  System sys;
  Runtime runtime = Runtime::LlamaCpp;
  Efficiency eff;
  FitFn fit() const {
    return [this](int slots, int64_t n_ctx) -> Result<FitResult> {
      FitOptions o;
      o.runtime = runtime;
      o.n_parallel = slots;
      o.n_ctx = n_ctx >= 0 ? std::max<int64_t>(n_ctx, 256) : 8192;
      return worthit::fit(sys, arch, tensors, o);
    };
  }
};

Case make(const std::string& system, const std::string& model, FileType q, Runtime rt = Runtime::LlamaCpp) {
  const HwCatalog hw = *load_hw_catalog(kData);
  const auto models = *load_model_catalog(kData + "/models");
  Case c;
  c.arch = *find_model(models, model);
  c.tensors = derive_tensors(c.arch, q);
  c.sys = *resolve_system(hw, system);
  c.runtime = rt;
  c.eff = *load_efficiency(kData + "/calibration.toml");
  return c;
}

ConcurrencyResult run(const Case& c, ServeEngine engine, int users, int slots = -1,
                      Workload w = {1024, 128, 0}) {
  ConcurrencyRequest r{engine, users, slots, w, 512, 15.0, 10.0};
  auto out = predict_concurrency(c.arch, c.tensors, c.fit(), r, c.eff);
  EXPECT_TRUE(out) << out.error().message();
  return *out;
}

TEST(Concurrency, BatchingRaisesTheAggregateButNeverBeyondBTimesOneStream) {
  const Case c = make("dgx-spark", "llama-3.1-8b", FileType::Q4_K_M);
  double prev_aggregate = 0, prev_per_user = 1e9;
  const double single = run(c, ServeEngine::Vllm, 1).per_user_eval_rate_tps;
  for (int b : {1, 2, 4, 8, 16, 32, 64}) {
    const ConcurrencyResult r = run(c, ServeEngine::Vllm, b);
    EXPECT_EQ(r.batch, b);
    EXPECT_GE(r.aggregate_eval_rate_tps, prev_aggregate) << b;
    EXPECT_LE(r.per_user_eval_rate_tps, prev_per_user * 1.0000001) << b;
    EXPECT_LE(r.aggregate_eval_rate_tps, b * single * 1.0000001) << b;
    prev_aggregate = r.aggregate_eval_rate_tps;
    prev_per_user = r.per_user_eval_rate_tps;
  }
  // A large batch of short requests turns a memory-bound step compute-bound (with long ones,
  // each sequence's own KV cache keeps it memory-bound).
  EXPECT_NE(run(c, ServeEngine::Vllm, 256, -1, {64, 16, 0}).decode_bottleneck.find("compute"), std::string::npos);
  EXPECT_EQ(run(c, ServeEngine::Vllm, 1, -1, {64, 16, 0}).decode_bottleneck.find("compute"), std::string::npos);
}

TEST(Concurrency, OllamasDefaultQueuesRequestsOneAfterAnother) {
  const Case c = make("rtx-4090", "llama-3.1-8b", FileType::Q4_K_M, Runtime::Ollama);
  const ConcurrencyResult one = run(c, ServeEngine::Ollama, 1);
  const ConcurrencyResult four = run(c, ServeEngine::Ollama, 4);
  EXPECT_EQ(four.slots, 1);
  EXPECT_EQ(four.batch, 1);
  EXPECT_DOUBLE_EQ(four.per_user_eval_rate_tps, one.per_user_eval_rate_tps);
  EXPECT_DOUBLE_EQ(four.aggregate_eval_rate_tps, one.aggregate_eval_rate_tps);
  // The last of 4 waits for three whole requests: ttft = 3 x (prefill + 128 steps) + its own ttft.
  const double request_s = one.ttft_p50_s + 127.0 / one.per_user_eval_rate_tps;
  EXPECT_NEAR(four.ttft_p99_s, one.ttft_p50_s + 3 * request_s, 0.05 * request_s);
  // With OLLAMA_NUM_PARALLEL=4 they decode together.
  const ConcurrencyResult par = run(c, ServeEngine::Ollama, 4, 4);
  EXPECT_EQ(par.batch, 4);
  EXPECT_GT(par.aggregate_eval_rate_tps, 2 * one.aggregate_eval_rate_tps);
  EXPECT_LT(par.ttft_p99_s, four.ttft_p99_s);
}

TEST(Concurrency, LlamaServerDefaultsToFourSlotsAndTheRestQueue) {
  const Case c = make("dgx-spark", "gpt-oss-20b", FileType::MXFP4_MOE);
  const ConcurrencyResult r = run(c, ServeEngine::LlamaServer, 6);
  EXPECT_EQ(r.slots, 4);
  EXPECT_EQ(r.batch, 4);
  EXPECT_GT(r.ttft_p99_s, r.ttft_p50_s);  // users 5 and 6 wait for a slot
}

TEST(Concurrency, MoreContextPerUserFitsFewerUsers) {
  const Case c = make("rtx-4090", "llama-3.1-8b", FileType::Q4_K_M);
  const int short_ctx = run(c, ServeEngine::Vllm, 1, -1, {1000, 500, 0}).max_users_in_memory;
  const int long_ctx = run(c, ServeEngine::Vllm, 1, -1, {1000, 500, 30000}).max_users_in_memory;
  EXPECT_GT(short_ctx, 4);
  EXPECT_GT(long_ctx, 0);
  EXPECT_LT(long_ctx, short_ctx);
}

TEST(Concurrency, ComfortableUsersFollowTheThreshold) {
  const Case c = make("dgx-spark", "llama-3.1-8b", FileType::Q4_K_M);
  const ConcurrencyResult r = run(c, ServeEngine::Vllm, 4);
  ASSERT_GT(r.max_comfortable_users, 0);
  const ConcurrencyResult at = run(c, ServeEngine::Vllm, r.max_comfortable_users);
  const ConcurrencyResult over = run(c, ServeEngine::Vllm, r.max_comfortable_users + 1);
  EXPECT_TRUE(at.comfortable);
  EXPECT_FALSE(over.comfortable);
}

TEST(Concurrency, PublishedSparkMultiUserThroughput) {
  // kubis.ai, "GPT-OSS-120B: Topology Benchmark on DGX Spark" (2026-03-22): vLLM on one Spark,
  // llama-benchy pp1024 tg128, aggregate decode t/s at concurrency 1..32 (the "Solo" column).
  // vLLM runs MXFP4 weights with its own kernels; worthit predicts llama.cpp's MXFP4_MOE file
  // with the shipped calibration and vLLM's batching. worthit assumes the tokens of different
  // users route to experts independently, which overstates the expert bytes of large batches
  // (real routing overlaps), so it falls behind from 8 users on: measured median |error| 21%,
  // worst -47% at 32 users (docs/concurrency.md).
  const Case c = make("dgx-spark", "gpt-oss-120b", FileType::MXFP4_MOE);
  const std::vector<std::pair<int, double>> measured = {{1, 57.5}, {2, 78.4}, {4, 107.9}, {8, 153.5},
                                                        {16, 218.5}, {32, 318.7}};
  std::vector<double> errors;
  for (const auto& [users, tps] : measured) {
    const double p = run(c, ServeEngine::Vllm, users).aggregate_eval_rate_tps;
    errors.push_back(std::abs(p / tps - 1.0));
    EXPECT_LT(errors.back(), 0.5) << users << " users: predicted " << p << ", measured " << tps;
    if (users <= 4) {
      EXPECT_LT(errors.back(), 0.15) << users << " users: predicted " << p << ", measured " << tps;
    }
  }
  std::sort(errors.begin(), errors.end());
  EXPECT_LT((errors[2] + errors[3]) / 2, 0.25);
}

TEST(Concurrency, EngineNamesAndPercentiles) {
  EXPECT_EQ(*parse_serve_engine("llama.cpp"), ServeEngine::LlamaServer);
  EXPECT_FALSE(parse_serve_engine("tgi"));
  EXPECT_EQ(default_slots(ServeEngine::Ollama), 1);
  EXPECT_EQ(default_slots(ServeEngine::LlamaServer), 4);
  EXPECT_DOUBLE_EQ(percentile({3, 1, 2, 4}, 50), 2);
  EXPECT_DOUBLE_EQ(percentile({3, 1, 2, 4}, 90), 4);
  EXPECT_DOUBLE_EQ(percentile({}, 90), 0);
}

}  // namespace
}  // namespace worthit
