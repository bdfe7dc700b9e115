// SPDX-License-Identifier: MIT
// Profiles: the seed author's profile loads and resolves; bad files give whole, located
// messages; `--set` overrides change values and name themselves in errors.
#include "advise/profile.h"

#include <gtest/gtest.h>

#include <string>

namespace worthit {
namespace {

const std::string kData = WORTHIT_DATA_DIR;
const std::string kSeed = kData + "/profiles/seed-author.toml";
const std::string kBad = WORTHIT_TEST_DATA "/bad/profile/";

template <class T>
std::string err(const Result<T>& r) {
  return r ? "<ok>" : r.error().message();
}

std::vector<ResidentEntry> residents() {
  auto c = load_resident_catalog(kData + "/resident");
  if (!c) ADD_FAILURE() << c.error().message();
  return c ? *c : std::vector<ResidentEntry>{};
}

TEST(Profile, SeedAuthorLoads) {
  auto p = load_profile(kSeed);
  ASSERT_TRUE(p) << err(p);
  EXPECT_EQ(p->id, "seed-author");
  EXPECT_EQ(p->system, "seed-desktop");
  ASSERT_TRUE(p->electricity_price);
  EXPECT_DOUBLE_EQ(p->electricity_price->per_kwh, 0.3992);
  EXPECT_EQ(p->electricity_price->currency, "EUR");
  ASSERT_TRUE(p->budget);
  EXPECT_DOUBLE_EQ(p->budget->amount, 4500);
  EXPECT_DOUBLE_EQ(p->comfort_tps, 15.0);
  ASSERT_EQ(p->workloads.size(), 4u);
  EXPECT_EQ(p->workloads[0].model, "ministral-3-8b");
  EXPECT_EQ(p->workloads[1].kv_cache, "q8_0");
  EXPECT_EQ(p->workloads[2].context_window_tokens, 131072);
  EXPECT_EQ(p->workloads[3].users, 4);
  ASSERT_EQ(p->residents.size(), 5u);
  ASSERT_EQ(p->finetune.size(), 4u);
  EXPECT_EQ(p->finetune[1].request.method, TrainMethod::Qlora);
  EXPECT_TRUE(p->finetune[1].request.grad_checkpointing);
}

TEST(Profile, SeedAuthorResidentsResolve) {
  auto p = load_profile(kSeed);
  ASSERT_TRUE(p) << err(p);
  ASSERT_TRUE(resolve_residents(*p, residents()));
  EXPECT_FALSE(p->residents[0].memory);  // the LLM: sized from the model catalog by the caller
  ASSERT_TRUE(p->residents[1].memory);
  EXPECT_DOUBLE_EQ(p->residents[1].memory->base(), 24e9);  // FLUX.1 dev bf16
  EXPECT_DOUBLE_EQ(p->residents[2].memory->base(), 10e9);  // Whisper large-v3
  EXPECT_FALSE(p->residents[4].memory);  // gemma-3-4b: a vision LLM from the model catalog
}

TEST(Profile, SetOverridesValues) {
  auto p = load_profile(kSeed, {"workload.0.users=4", "electricity_price=0.30 EUR/kWh",
                                "comfort_tps=20", "finetune.0.method=qlora", "budget=3000 EUR"});
  ASSERT_TRUE(p) << err(p);
  EXPECT_EQ(p->workloads[0].users, 4);
  EXPECT_DOUBLE_EQ(p->electricity_price->per_kwh, 0.30);
  EXPECT_DOUBLE_EQ(p->comfort_tps, 20);
  EXPECT_EQ(p->finetune[0].request.method, TrainMethod::Qlora);
  EXPECT_DOUBLE_EQ(p->budget->amount, 3000);
}

TEST(Profile, SetAddsAnOptionalKey) {
  auto p = load_profile(kSeed, {"workload.0.context_tokens=8000"});
  ASSERT_TRUE(p) << err(p);
  EXPECT_EQ(p->workloads[0].context_tokens, 8000);
}

struct SetCase {
  const char* set;
  const char* message;
};

TEST(Profile, SetErrorsNameTheOverride) {
  const SetCase cases[] = {
      {"workload.0.usrs=4", "--set workload.0.usrs=4: unknown field (did you mean 'users'?)"},
      {"workloads.0.users=4",
       "--set workloads.0.users=4: the profile has no 'workloads' (did you mean 'workload'?)"},
      {"workload.9.users=4",
       "--set workload.9.users=4: index 9 is out of range: the list has 4 entries"},
      {"workload.0.users=0", "--set workload.0.users=0: must be at least 1"},
      {"workload.0.users=four", "--set workload.0.users=four: expected an integer"},
      {"electricity_price=cheap",
       "--set electricity_price=cheap: expected a number with its unit like \"0.40 EUR/kWh\", "
       "got \"cheap\""},
      {"users", "--set users: expected key=value (e.g. --set workload.0.users=4)"},
      {"electricity_pric=0.3 EUR/kWh",
       "--set electricity_pric=0.3 EUR/kWh: unknown field (did you mean 'electricity_price'?)"},
  };
  for (const auto& c : cases) {
    auto p = load_profile(kSeed, {c.set});
    EXPECT_EQ(err(p), c.message) << c.set;
  }
}

struct BadCase {
  const char* file;
  const char* message;  // after "<path>:"
};

TEST(Profile, BadFilesGiveLocatedMessages) {
  const BadCase cases[] = {
      {"missing-unit-price.toml",
       "3: electricity_price: a unit is required, like \"0.40 EUR/kWh\"; got \"0.40\""},
      {"bad-currency.toml",
       "3: budget: expected an ISO 4217 currency like EUR or USD, got \"euro\""},
      {"unknown-key.toml", "8: workload[0].hours_per_dy: unknown field (did you mean 'hours_per_day'?)"},
      {"zero-users.toml", "8: workload[0].users: must be at least 1"},
      {"wrong-type.toml", "6: workload[0].prompt_tokens: expected an integer"},
      {"bad-resident-kind.toml", "5: resident[0].kind: unknown kind 'imgae' (did you mean 'image'?)"},
      {"bad-method.toml", "6: finetune[0].method: unknown method 'dora' (full, lora or qlora)"},
      {"missing-system.toml", "1: system: required field is missing"},
      {"syntax-error.toml",
       "3:21: Error while parsing string: unescaped control characters other than TAB (U+0009) "
       "are explicitly prohibited"},
  };
  for (const auto& c : cases) {
    const std::string path = kBad + c.file;
    auto p = load_profile(path);
    EXPECT_EQ(err(p), path + ":" + c.message) << c.file;
  }
}

TEST(Profile, UnknownResidentHasDidYouMean) {
  const std::string path = kBad + "unknown-resident.toml";
  auto p = load_profile(path);
  ASSERT_TRUE(p) << err(p);
  auto s = resolve_residents(*p, residents());
  EXPECT_EQ(err(s), path + ": resident[0].ref: unknown resident model 'whisper-large' "
                           "(did you mean 'whisper-large-v3'?)");
}

TEST(Units, MoneyEnergyAndFlops) {
  EXPECT_DOUBLE_EQ(parse_energy_price("300 EUR/MWh")->per_kwh, 0.3);
  EXPECT_EQ(parse_money("3999 USD")->currency, "USD");
  EXPECT_DOUBLE_EQ(parse_flops("12 TFLOP")->base(), 12e12);
  EXPECT_FALSE(parse_flops("12"));
  EXPECT_FALSE(parse_money("-5 EUR"));
}

TEST(ResidentCatalog, EveryEntryHasMemoryAndSources) {
  const auto cat = residents();
  ASSERT_GE(cat.size(), 5u);
  for (const auto& e : cat) {
    EXPECT_GT(e.memory.base(), 0) << e.id;
    EXPECT_FALSE(e.sources.empty()) << e.id;
  }
}

}  // namespace
}  // namespace worthit
