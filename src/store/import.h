// SPDX-License-Identifier: MIT
// Importers: llama-bench output (-o json, jsonl, csv) and `ollama run --verbose` transcripts
// as measure::Run records. Pure: text in, runs out; errors name file:line and the field.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "measure/record.h"
#include "model/arch.h"

namespace worthit::store {

/// The input formats, as `--format` spells them.
enum class ImportFormat { LlamaBenchJson, LlamaBenchJsonl, LlamaBenchCsv, OllamaVerbose };

/// "llama-bench-json", "llama-bench-jsonl", "llama-bench-csv", "ollama-verbose".
const char* format_name(ImportFormat f);

/// Parses a --format value (not "auto").
Result<ImportFormat> parse_format(const std::string& name);

/// Tells the format from the text: a JSON array, JSON lines, llama-bench's CSV header, or
/// ollama's statistics lines; an error naming `file` when none fits.
Result<ImportFormat> detect_format(std::string_view text, const std::string& file);

/// What the caller knows that the file does not say.
struct ImportOptions {
  std::string file;    ///< shown in error messages and notes
  std::string system;  ///< --system: the machine the file was measured on
  std::string model;   ///< --model: the model (ollama transcripts do not name it)
  std::string test;    ///< --test: workload name for ollama transcripts (default "ollama-run")
  const std::vector<ModelArch>* catalog = nullptr;  ///< for mapping names; null: no mapping
};

/// llama-bench `-o json`: an array of objects, one per test, each with samples_ns.
Result<std::vector<measure::Run>> parse_llama_bench_json(std::string_view text,
                                                         const ImportOptions& o);
/// llama-bench `-o jsonl`: one object per line.
Result<std::vector<measure::Run>> parse_llama_bench_jsonl(std::string_view text,
                                                          const ImportOptions& o);
/// llama-bench `-o csv`: a header line and one quoted row per test (means only, no samples).
Result<std::vector<measure::Run>> parse_llama_bench_csv(std::string_view text,
                                                        const ImportOptions& o);
/// `ollama run --verbose` transcripts: each statistics block is one sample of one run.
Result<std::vector<measure::Run>> parse_ollama_verbose(std::string_view text,
                                                       const ImportOptions& o);

/// Dispatches on `f`.
Result<std::vector<measure::Run>> parse_import(ImportFormat f, std::string_view text,
                                               const ImportOptions& o);

/// A Go duration as `time.Duration` prints it ("1.234s", "245.3ms", "1m2.5s", "850µs",
/// "1h2m3s", "0s") in seconds; nullopt when it is not one.
std::optional<double> parse_go_duration(std::string_view s);

}  // namespace worthit::store
