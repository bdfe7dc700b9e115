// SPDX-License-Identifier: MIT
// Shared pieces of the subcommands: catalog loading, model sources, output and exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "calibrate/fitter.h"
#include "core/error.h"
#include "hw/catalog.h"
#include "model/arch.h"
#include "model/tensor.h"

namespace worthit::app {

/// Version of every JSON document worthit prints.
constexpr int kSchemaVersion = 1;

/// Exit codes.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

/// Options every command has.
struct GlobalOptions {
  std::string data_dir;  ///< catalogs; default: $WORTHIT_DATA or the source tree's data/
  bool json = false;
};

/// Adds --data and --json to a subcommand.
void add_global_options(CLI::App* cmd, GlobalOptions& g);

/// The catalog directory to use.
std::string data_dir(const GlobalOptions& g);

/// A model ready for planning: architecture plus its tensors.
struct ModelSource {
  ModelArch arch;
  std::vector<TensorInfo> tensors;
  std::string quant;   ///< "Q4_K_M", or the GGUF's file type
  std::string origin;  ///< "catalog", "gguf" or "hf-config"
  uint64_t file_bytes = 0;  ///< real size on disk (gguf), else the derived tensor bytes
};

/// The quantization a model is usually distributed in when --quant is not given:
/// MXFP4_MOE for gpt-oss (its native format), Q4_K_M otherwise.
std::string default_quant(const ModelArch& a);

/// Resolves --model (catalog id, .gguf path, or config.json path) and --quant.
Result<ModelSource> load_model_source(const GlobalOptions& g, const std::string& model,
                                      const std::string& quant);

/// Prints an error to stderr and returns its exit code: 2 when a flag is at fault
/// (the error's `where` starts with '-'), else 1.
int report_error(const Error& e);

/// Prints a JSON document with schema_version and the command name added.
void print_json(const std::string& command, nlohmann::json body);

/// llama.cpp spells several long options with one dash ("-ngl 40"); CLI11 reads one-dash names
/// as bundles of one-letter flags, so they are rewritten to their long forms first.
std::vector<std::string> normalize_llama_flags(std::vector<std::string> args);

/// One measured-vs-predicted rate as JSON (calibrate, compare).
nlohmann::json residual_json(const Residual& r);

/// Registration of each subcommand (one file each).
void register_systems(CLI::App& app, int& exit_code);
void register_models(CLI::App& app, int& exit_code);
void register_fit(CLI::App& app, int& exit_code);
void register_calibrate(CLI::App& app, int& exit_code);
void register_predict(CLI::App& app, int& exit_code);
void register_compare(CLI::App& app, int& exit_code);
void register_sweep(CLI::App& app, int& exit_code);
void register_train(CLI::App& app, int& exit_code);
void register_bench(CLI::App& app, int& exit_code);
void register_results(CLI::App& app, int& exit_code);
void register_import(CLI::App& app, int& exit_code);
void register_probe(CLI::App& app, int& exit_code);
void register_advise(CLI::App& app, int& exit_code);
void register_report(CLI::App& app, int& exit_code);

}  // namespace worthit::app
