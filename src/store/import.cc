// SPDX-License-Identifier: MIT
#include "store/import.h"

#include <fmt/format.h>

#include <array>

#include "core/text.h"

namespace worthit::store {

namespace {

constexpr std::array<ImportFormat, 4> kFormats = {
    ImportFormat::LlamaBenchJson, ImportFormat::LlamaBenchJsonl, ImportFormat::LlamaBenchCsv,
    ImportFormat::OllamaVerbose};

/// The first line that is not blank.
std::string_view first_line(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const size_t nl = std::min(text.find('\n', at), text.size());
    const std::string_view l = trim(text.substr(at, nl - at));
    if (!l.empty()) return l;
    at = nl + 1;
  }
  return {};
}

}  // namespace

const char* format_name(ImportFormat f) {
  switch (f) {
    case ImportFormat::LlamaBenchJson:
      return "llama-bench-json";
    case ImportFormat::LlamaBenchJsonl:
      return "llama-bench-jsonl";
    case ImportFormat::LlamaBenchCsv:
      return "llama-bench-csv";
    case ImportFormat::OllamaVerbose:
      return "ollama-verbose";
  }
  return "?";
}

Result<ImportFormat> parse_format(const std::string& name) {
  std::vector<std::string> names;
  for (ImportFormat f : kFormats) {
    if (name == format_name(f)) return f;
    names.push_back(format_name(f));
  }
  const std::string hint = did_you_mean(name, names);
  return fail("--format", fmt::format("unknown format '{}'", name),
              hint.empty() ? "auto, llama-bench-json, llama-bench-jsonl, llama-bench-csv or "
                             "ollama-verbose"
                           : hint);
}

Result<ImportFormat> detect_format(std::string_view text, const std::string& file) {
  const std::string_view first = first_line(text);
  if (!first.empty() && first[0] == '[') return ImportFormat::LlamaBenchJson;
  if (!first.empty() && first[0] == '{') return ImportFormat::LlamaBenchJsonl;
  if (first.find("model_type") != std::string_view::npos &&
      first.find(',') != std::string_view::npos)
    return ImportFormat::LlamaBenchCsv;
  for (const char* key : {"total duration:", "eval count:", "eval duration:", "eval rate:"})
    if (text.find(key) != std::string_view::npos) return ImportFormat::OllamaVerbose;
  return fail(file,
              "cannot tell the format: not llama-bench json/jsonl/csv output, no ollama "
              "--verbose statistics",
              "name it with --format");
}

Result<std::vector<measure::Run>> parse_import(ImportFormat f, std::string_view text,
                                               const ImportOptions& o) {
  switch (f) {
    case ImportFormat::LlamaBenchJson:
      return parse_llama_bench_json(text, o);
    case ImportFormat::LlamaBenchJsonl:
      return parse_llama_bench_jsonl(text, o);
    case ImportFormat::LlamaBenchCsv:
      return parse_llama_bench_csv(text, o);
    case ImportFormat::OllamaVerbose:
      return parse_ollama_verbose(text, o);
  }
  return fail(o.file, "unknown format");
}

}  // namespace worthit::store
