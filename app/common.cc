// SPDX-License-Identifier: MIT
#include "common.h"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <map>

#include "model/gguf.h"
#include "model/hf_config.h"
#include "model/model_catalog.h"
#include "model/recipe.h"

namespace worthit::app {

void add_global_options(CLI::App* cmd, GlobalOptions& g) {
  cmd->add_option("--data", g.data_dir,
                  "Catalog directory (default: $WORTHIT_DATA, else the source tree's data/)");
  cmd->add_flag("--json", g.json, "Print one JSON document (with schema_version)");
}

std::string data_dir(const GlobalOptions& g) {
  if (!g.data_dir.empty()) return g.data_dir;
  if (const char* env = std::getenv("WORTHIT_DATA"); env && *env) return env;
  return WORTHIT_DATA_DIR;
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Result<ModelSource> from_gguf(const std::string& path, const std::string& quant) {
  WORTHIT_TRY(m, load_gguf_model(path));
  if (!quant.empty())
    return fail("--quant", "a GGUF file has its own quantization; leave out --quant");
  ModelSource s;
  s.arch = m.arch;
  s.tensors = m.tensors;
  s.quant = m.file_type ? file_type_name(*m.file_type) : "mixed";
  s.origin = "gguf";
  s.file_bytes = m.file_bytes;
  return s;
}

}  // namespace

std::string default_quant(const ModelArch& a) {
  return a.arch == "gpt-oss" ? "MXFP4_MOE" : "Q4_K_M";
}

Result<ModelSource> load_model_source(const GlobalOptions& g, const std::string& model,
                                      const std::string& quant) {
  if (ends_with(model, ".gguf")) return from_gguf(model, quant);
  ModelSource s;
  if (ends_with(model, ".json")) {
    WORTHIT_TRY(a, arch_from_hf_config(model));
    s.arch = a;
    s.origin = "hf-config";
  } else {
    WORTHIT_TRY(cat, load_model_catalog(data_dir(g) + "/models"));
    WORTHIT_TRY(a, find_model(cat, model));
    s.arch = a;
    s.origin = "catalog";
  }
  const std::string q = quant.empty() ? default_quant(s.arch) : quant;
  WORTHIT_TRY(ft, parse_file_type(q));
  s.tensors = derive_tensors(s.arch, ft);
  s.quant = file_type_name(ft);
  s.file_bytes = total_bytes(s.tensors);
  return s;
}

std::vector<std::string> normalize_llama_flags(std::vector<std::string> args) {
  static const std::map<std::string, std::string> kLlamaStyle = {
      {"-ngl", "--n-gpu-layers"}, {"-ts", "--tensor-split"}, {"-ot", "--override-tensor"},
      {"-ctk", "--cache-type-k"}, {"-ctv", "--cache-type-v"}, {"-np", "--parallel"},
      {"-ub", "--ubatch-size"},   {"-fa", "--flash-attn"},   {"-nkvo", "--no-kv-offload"},
      {"-fit", "--fit"},         {"-fitt", "--fit-target"},
      {"-ncmoe", "--n-cpu-moe"},  {"-cmoe", "--cpu-moe"}};
  for (auto& a : args) {
    const auto eq = a.find('=');
    auto it = kLlamaStyle.find(a.substr(0, eq));
    if (it != kLlamaStyle.end()) a = it->second + (eq == std::string::npos ? "" : a.substr(eq));
  }
  return args;
}

int report_error(const Error& e) {
  std::cerr << "worthit: error: " << e.message() << "\n";
  return !e.where.empty() && e.where[0] == '-' ? kExitUsage : kExitFailure;
}

nlohmann::json residual_json(const Residual& x) {
  return {{"case", x.case_id},           {"test", x.test},
          {"system", x.system},          {"measured_tps", x.measured_tps},
          {"predicted_tps", x.predicted_tps}, {"error", x.error()},
          {"held_out", x.held_out}};
}

void print_json(const std::string& command, nlohmann::json body) {
  nlohmann::json doc = nlohmann::json::object();
  doc["schema_version"] = kSchemaVersion;
  doc["command"] = command;
  for (auto& [k, v] : body.items()) doc[k] = v;
  std::cout << doc.dump(2) << "\n";
}

}  // namespace worthit::app
