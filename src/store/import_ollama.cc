// SPDX-License-Identifier: MIT
// `ollama run --verbose` transcripts. After each answer ollama prints its statistics (cmd/cmd.go,
// api.Metrics), one per line, durations in Go's time.Duration format:
//   total duration:       9.423183375s
//   load duration:        25.843792ms
//   prompt eval count:    26 token(s)
//   prompt eval duration: 156.446ms
//   prompt eval rate:     166.19 tokens/s
//   eval count:           364 token(s)
//   eval duration:        9.239137s
//   eval rate:            39.40 tokens/s
// Lines whose value is zero are left out by ollama. Everything else in the file is ignored.
#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <set>

#include "core/text.h"
#include "store/import.h"
#include "store/model_mapping.h"

namespace worthit::store {

namespace {

enum class Stat {
  TotalDuration,
  LoadDuration,
  PromptCount,
  PromptDuration,
  PromptRate,
  EvalCount,
  EvalDuration,
  EvalRate
};

struct Key {
  const char* label;
  Stat stat;
};

constexpr std::array<Key, 8> kKeys = {{{"total duration", Stat::TotalDuration},
                                       {"load duration", Stat::LoadDuration},
                                       {"prompt eval count", Stat::PromptCount},
                                       {"prompt eval duration", Stat::PromptDuration},
                                       {"prompt eval rate", Stat::PromptRate},
                                       {"eval count", Stat::EvalCount},
                                       {"eval duration", Stat::EvalDuration},
                                       {"eval rate", Stat::EvalRate}}};

/// One statistics block: one answer, one sample.
struct Block {
  measure::Sample sample;
  std::set<Stat> seen;
};

/// The number before `suffix` ("26 token(s)", "39.40 tokens/s"), or nullopt.
template <class T>
std::optional<T> number_before(std::string_view v, std::string_view suffix) {
  if (v.size() >= suffix.size() && v.substr(v.size() - suffix.size()) == suffix)
    v = trim(v.substr(0, v.size() - suffix.size()));
  T out{};
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || out < 0) return std::nullopt;
  return out;
}

Status apply(Block& b, Stat stat, std::string_view v, const std::string& where) {
  auto& s = b.sample.server;
  const bool is_duration = stat == Stat::TotalDuration || stat == Stat::LoadDuration ||
                           stat == Stat::PromptDuration || stat == Stat::EvalDuration;
  if (is_duration) {
    const auto sec = parse_go_duration(v);
    if (!sec)
      return fail(where, fmt::format("expected a Go duration like 1.234s, 245.3ms or 1m2.5s, "
                                     "got '{}'",
                                     v));
    if (stat == Stat::TotalDuration) s.total_s = sec;
    if (stat == Stat::LoadDuration) s.load_s = sec;
    if (stat == Stat::PromptDuration) s.prompt_s = sec;
    if (stat == Stat::EvalDuration) s.gen_s = sec;
  } else if (stat == Stat::PromptCount || stat == Stat::EvalCount) {
    const auto n = number_before<int64_t>(v, "token(s)");
    if (!n)
      return fail(where, fmt::format("expected a token count like '26 token(s)', got '{}'", v));
    (stat == Stat::PromptCount ? s.prompt_tokens : s.gen_tokens) = n;
  } else if (!number_before<double>(v, "tokens/s")) {
    // Rates are recomputed from counts and durations, but a damaged one is still reported.
    return fail(where, fmt::format("expected a rate like '39.40 tokens/s', got '{}'", v));
  }
  return Ok{};
}

/// The model named on an `ollama run MODEL ...` command line in the transcript, or "".
std::string model_on_command_line(std::string_view line) {
  const size_t at = line.find("ollama run ");
  if (at == std::string_view::npos) return {};
  for (const std::string& w : split(line.substr(at + 11), ' '))
    if (!w.empty() && w[0] != '-') return w;
  return {};
}

struct Transcript {
  std::vector<Block> blocks;
  std::string model;  ///< from an `ollama run` line, when present
};

Result<Transcript> read_blocks(std::string_view text, const std::string& file) {
  Transcript t;
  int line_no = 0;
  for (const std::string& raw : split(text, '\n')) {
    ++line_no;
    const std::string_view line = trim(raw);
    if (t.model.empty()) t.model = model_on_command_line(line);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = trim(line.substr(0, colon));
    const Key* k = nullptr;
    for (const Key& cand : kKeys)
      if (key == cand.label) k = &cand;
    if (!k) continue;
    const bool fresh = t.blocks.empty() || t.blocks.back().seen.count(k->stat) ||
                       (k->stat == Stat::TotalDuration && !t.blocks.back().seen.empty());
    if (fresh) t.blocks.emplace_back();
    Block& b = t.blocks.back();
    b.seen.insert(k->stat);
    const std::string where = fmt::format("{}:{}: {}", file, line_no, k->label);
    if (Status s = apply(b, k->stat, trim(line.substr(colon + 1)), where); !s)
      return fail(s.error());
  }
  if (t.blocks.empty())
    return fail(file, "no `ollama run --verbose` statistics found",
                "expected lines like 'eval rate:            39.40 tokens/s'");
  return t;
}

void set_model(const std::string& name, const ImportOptions& o, measure::Run& run) {
  run.model_name = name;
  if (name.empty()) {
    run.notes.push_back("model: the transcript does not name it; pass --model");
    return;
  }
  if (!o.catalog) return;
  const ModelMatch m = match_model_name(*o.catalog, name);
  run.model = m.model, run.quant = m.quant;
  if (!m.note.empty()) run.notes.push_back(m.note);
}

}  // namespace

std::optional<double> parse_go_duration(std::string_view s) {
  if (s == "0") return 0.0;
  if (s.empty()) return std::nullopt;
  double total = 0;
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data() + start, s.data() + i, v);
    if (i == start || ec != std::errc() || end != s.data() + i) return std::nullopt;
    const size_t u = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    const std::string_view unit = s.substr(u, i - u);
    double scale = 0;
    if (unit == "h")
      scale = 3600;
    else if (unit == "m")
      scale = 60;
    else if (unit == "s")
      scale = 1;
    else if (unit == "ms")
      scale = 1e-3;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      scale = 1e-6;  // µs, μs
    else if (unit == "ns")
      scale = 1e-9;
    else
      return std::nullopt;
    total += v * scale;
  }
  return total;
}

Result<std::vector<measure::Run>> parse_ollama_verbose(std::string_view text,
                                                       const ImportOptions& o) {
  WORTHIT_TRY(t, read_blocks(text, o.file));
  measure::Run run;
  run.worthit_version = WORTHIT_VERSION;
  run.source = "import:ollama-verbose", run.server = "ollama", run.system = o.system;
  run.test = o.test.empty() ? "ollama-run" : o.test;
  set_model(o.model.empty() ? t.model : o.model, o, run);
  for (size_t i = 0; i < t.blocks.size(); ++i) {
    measure::Sample s = std::move(t.blocks[i].sample);
    s.rep = static_cast<int>(i);
    run.samples.push_back(std::move(s));
  }
  run.notes.push_back("imported from " + o.file);
  return std::vector<measure::Run>{std::move(run)};
}

}  // namespace worthit::store
