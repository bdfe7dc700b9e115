// SPDX-License-Identifier: MIT
// Workload profiles (data/profiles/*.toml, format in docs/profiles.md): what a user runs, on
// which machine, at what electricity price and budget; plus `--set key=value` overrides.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "advise/resident.h"
#include "advise/train.h"
#include "core/error.h"
#include "core/units.h"

namespace worthit {

/// An amount of money: "4500 EUR" (ISO 4217 code after the number).
struct Money {
  double amount = 0;
  std::string currency;
};

/// A price of electrical energy: "0.3992 EUR/kWh".
struct EnergyPrice {
  double per_kwh = 0;
  std::string currency;
};

/// Parses "4500 EUR" / "3999 USD"; the currency is a 3-letter upper-case code.
Result<Money> parse_money(std::string_view text);
/// Parses "0.40 EUR/kWh" (also "/MWh", converted to per kWh).
Result<EnergyPrice> parse_energy_price(std::string_view text);
/// Parses a FLOP count: "12 TFLOP", "3.5 GFLOP", "1 PFLOP", "800 FLOP".
Result<Flops> parse_flops(std::string_view text);

/// How text is generated: interactive chat (streaming speed matters), an agent (many calls,
/// long contexts) or batch work (only throughput matters).
enum class WorkloadKind { Chat, Agent, Batch };

/// One LLM workload.
struct ProfileWorkload {
  std::string name;
  WorkloadKind kind = WorkloadKind::Chat;
  std::string model;    ///< catalog id
  std::string quant;    ///< llama.cpp file type; empty: the model's usual one
  std::string runtime;  ///< "ollama", "llama.cpp", "vllm"; empty: ollama
  std::string kv_cache;  ///< KV cache type ("f16", "q8_0"); empty: the runtime's default
  int64_t prompt_tokens = 0;
  int64_t answer_tokens = 0;
  int64_t context_tokens = 0;         ///< conversation already in context before the prompt
  int64_t context_window_tokens = 0;  ///< configured context (-c / num_ctx); 0: default
  int64_t users = 1;                  ///< users at once
  double hours_per_day = 0;
};

/// A model that must stay resident together with the others.
struct Resident {
  std::string name;
  ResidentKind kind = ResidentKind::Image;
  std::string ref;    ///< resident-catalog id, or a model-catalog id for llm/vision LLMs
  std::string quant;  ///< for LLMs
  std::optional<Bytes> memory;            ///< given, or filled from the catalog
  std::optional<Flops> flop_per_request;  ///< compute per request when known
  double requests_per_hour = 0;
};

/// A fine-tuning job the user runs regularly.
struct FinetuneJob {
  std::string name;
  std::string model;
  TrainRequest request;  ///< method, seq, batch, optimizer, checkpointing, rank
  double tokens_per_month = 0;
};

/// A whole profile.
struct Profile {
  std::string id, name, file;
  std::vector<std::string> sources;
  std::string system;  ///< the machine the user has (system spec)
  std::optional<EnergyPrice> electricity_price;
  std::optional<Money> budget;
  double comfort_tps = 15.0;  ///< per-user eval rate below which chat is uncomfortable
  double amortization_years = 3.0;  ///< purchase price spread over this many years
  bool always_on = false;     ///< the machine idles when not generating (else it is off)
  std::string cloud_device = "h100-sxm";  ///< the rentable GPU owning is compared with
  std::vector<ProfileWorkload> workloads;
  std::vector<Resident> residents;
  std::vector<FinetuneJob> finetune;
};

/// Applies one override "path=value" to a parsed profile: the path is dotted keys with array
/// indices ("workload.0.users"); the value is read as TOML (4, 0.5, true, "x") and otherwise
/// taken as a string ("0.30 EUR/kWh"). Errors name the override ("--set ...").
Status apply_set(toml::table& profile, const std::string& assignment);

/// Reads a profile from a parsed table (`file` names it in errors).
Result<Profile> profile_from_table(const toml::table& t, const std::string& file);

/// Reads a profile file, applies `sets` in order, and checks it. An error caused by an
/// override names the override ("--set workload.0.usrs=4: unknown field (did you mean ...)").
Result<Profile> load_profile(const std::string& path, const std::vector<std::string>& sets = {});

/// Fills the memory of residents that reference the resident catalog; unknown ids are errors
/// with "did you mean". LLM and vision residents that name a model-catalog id are left as
/// they are (the caller sizes them from the model).
Status resolve_residents(Profile& p, const std::vector<ResidentEntry>& catalog);

}  // namespace worthit
