// SPDX-License-Identifier: MIT
// Verdict rules, the decision tree and the seed's claims, on hand-made evaluations.
#include <gtest/gtest.h>

#include "advise/seed_claims.h"
#include "advise/verdict.h"

namespace worthit {
namespace {

WorkloadEval wl(const std::string& name, double tps, bool fits = true, bool offloaded = false,
                bool moe = false) {
  WorkloadEval w;
  w.name = name;
  w.model = name + "-model";
  w.fits = fits;
  w.reason = fits ? "" : "short by 5000 MiB";
  w.offloaded = offloaded;
  w.moe = moe;
  w.eval_tps = w.per_user_tps = tps;
  w.eval_low_tps = 0.9 * tps;
  w.eval_high_tps = 1.1 * tps;
  w.prompt_tps = 10 * tps;
  w.max_comfortable_users = tps >= 15 ? 1 : 0;
  return w;
}

CandidateEval cand(const std::string& id, const std::string& kind, std::vector<WorkloadEval> w) {
  CandidateEval c;
  c.id = id;
  c.name = id;
  c.kind = kind;
  c.workloads = std::move(w);
  return c;
}

bool has(const std::vector<Reason>& rs, const std::string& topic_part) {
  for (const auto& r : rs)
    if (r.topic.find(topic_part) != std::string::npos) return true;
  return false;
}

TEST(Verdict, SlowerForAModelThatFitsIsNotWorthIt) {
  const auto owned = cand("owned", "owned", {wl("small", 125)});
  const auto spark = cand("spark", "buy", {wl("small", 36)});
  const Verdict v = judge(spark, owned, 15, std::nullopt);
  EXPECT_TRUE(v.worth_it_for.empty());
  ASSERT_EQ(v.not_worth_it_for.size(), 1u);
  EXPECT_NE(v.not_worth_it_for[0].text.find("slower"), std::string::npos);
  EXPECT_NE(v.not_worth_it_for[0].text.find("36.0"), std::string::npos) << "the numbers are in the text";
  EXPECT_NE(v.summary.find("Not worth it"), std::string::npos);
}

TEST(Verdict, AClearSpeedupOnAComfortableWorkloadIsWorthIt) {
  // The seed: 19.7 t/s on the desktop is "acceptable", 52.8 on the Spark "genuinely fast".
  const auto owned = cand("owned", "owned", {wl("moe", 19.7, true, true, true)});
  const auto spark = cand("spark", "buy", {wl("moe", 52.8, true, false, true)});
  const Verdict v = judge(spark, owned, 15, std::nullopt);
  ASSERT_EQ(v.worth_it_for.size(), 1u);
  EXPECT_NE(v.worth_it_for[0].text.find("2.7x faster"), std::string::npos) << v.worth_it_for[0].text;
}

TEST(Verdict, SmallGainsAndFasterButStillUnusableAreNotWorthIt) {
  const auto owned = cand("owned", "owned", {wl("a", 100), wl("b", 1.0, true, true)});
  const auto x = cand("x", "buy", {wl("a", 120), wl("b", 2.5)});
  const Verdict v = judge(x, owned, 15, std::nullopt);
  EXPECT_TRUE(v.worth_it_for.empty());
  ASSERT_EQ(v.not_worth_it_for.size(), 2u);
  EXPECT_NE(v.not_worth_it_for[0].text.find("only 1.20x"), std::string::npos);
  EXPECT_NE(v.not_worth_it_for[1].text.find("still unusable"), std::string::npos);
}

TEST(Verdict, RunningWhatTheOwnedMachineCannotIsWorthIt) {
  const auto owned = cand("owned", "owned", {wl("big", 0, false)});
  const auto x = cand("x", "buy", {wl("big", 4.5)});
  const Verdict v = judge(x, owned, 15, std::nullopt);
  ASSERT_EQ(v.worth_it_for.size(), 1u);
  EXPECT_NE(v.worth_it_for[0].text.find("where your machine cannot"), std::string::npos);
  EXPECT_NE(v.worth_it_for[0].text.find("usable but slow"), std::string::npos);
}

TEST(Verdict, OverBudgetIsAReason) {
  auto owned = cand("owned", "owned", {wl("big", 0, false)});
  auto x = cand("x", "buy", {wl("big", 30)});
  x.cost.known = true;
  x.cost.purchase = 5000;
  x.cost.currency = "EUR";
  const Verdict v = judge(x, owned, 15, 4500.0);
  EXPECT_TRUE(has(v.not_worth_it_for, "budget"));
  EXPECT_NE(v.summary.find("Over budget"), std::string::npos);
}

TEST(Verdict, FineTuningOnOneDeviceBeatsShardingAndNotFitting) {
  auto owned = cand("owned", "owned", {});
  auto x = cand("x", "buy", {});
  FinetuneEval o{"lora-13b", "llama-2-13b", "lora", 13, true, 2, 28, 24, 7, "GPU0+GPU1"};
  FinetuneEval s{"lora-13b", "llama-2-13b", "lora", 13, true, 1, 28, 112, 19, "unified0"};
  owned.finetune = {o};
  x.finetune = {s};
  Verdict v = judge(x, owned, 15, std::nullopt);
  ASSERT_EQ(v.worth_it_for.size(), 1u);
  EXPECT_NE(v.worth_it_for[0].text.find("shard"), std::string::npos);
  owned.finetune[0].devices = 1;  // fits one GPU: not worth it
  v = judge(x, owned, 15, std::nullopt);
  EXPECT_TRUE(v.worth_it_for.empty());
  x.finetune[0].fits = false;
  v = judge(x, owned, 15, std::nullopt);
  EXPECT_NE(v.not_worth_it_for[0].text.find("more than"), std::string::npos);
}

TEST(DecisionTree, KeepsTheOwnedMachineForComfortableSmallModels) {
  const std::vector<CandidateEval> cs = {cand("owned", "owned", {wl("small", 125), wl("moe", 19.7, true, true, true)}),
                                         cand("spark", "buy", {wl("small", 36), wl("moe", 52.8, true, false, true)})};
  const auto tree = decision_tree(cs, 0, 15);
  ASSERT_GE(tree.size(), 2u);
  EXPECT_NE(tree[0].answer.find("Keep your machine"), std::string::npos) << tree[0].answer;
  EXPECT_NE(tree[1].question.find("MoE"), std::string::npos);
  EXPECT_NE(tree[1].answer.find("Your machine works"), std::string::npos) << tree[1].answer;
  EXPECT_NE(tree[1].answer.find("spark"), std::string::npos) << "names the faster option";
}

TEST(SeedClaims, FollowTheNumbersNotTheSeed) {
  // A world where the Spark were faster for the small model: the claim must then disagree.
  std::vector<CandidateEval> cs = {cand("owned", "owned", {wl("small", 125)}),
                                   cand("dgx-spark", "buy", {wl("small", 36)})};
  auto claims = check_seed_claims(cs, 0, 1, 15);
  ASSERT_FALSE(claims.empty());
  EXPECT_TRUE(claims[0].agrees);
  cs[1].workloads[0].per_user_tps = 200;
  claims = check_seed_claims(cs, 0, 1, 15);
  EXPECT_FALSE(claims[0].agrees);
}

TEST(SeedClaims, MinistralIsDense) {
  WorkloadEval m = wl("chat", 125);
  m.model = "ministral-3-8b";
  const std::vector<CandidateEval> cs = {cand("owned", "owned", {m}), cand("dgx-spark", "buy", {m})};
  const auto claims = check_seed_claims(cs, 0, 1, 15);
  ASSERT_FALSE(claims.empty());
  EXPECT_EQ(claims.back().claim, "Ministral 3 is a sparse (MoE) model");
  EXPECT_FALSE(claims.back().agrees);
  m.moe = true;
  const std::vector<CandidateEval> moe = {cand("owned", "owned", {m}), cand("dgx-spark", "buy", {m})};
  EXPECT_TRUE(check_seed_claims(moe, 0, 1, 15).back().agrees);
}

TEST(SeedClaims, NeedTheSpark) {
  const std::vector<CandidateEval> cs = {cand("owned", "owned", {wl("small", 125)})};
  EXPECT_TRUE(check_seed_claims(cs, 0, 1, 15).empty());
}

}  // namespace
}  // namespace worthit
