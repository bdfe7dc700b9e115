// SPDX-License-Identifier: MIT
// llama-bench results (tools/llama-bench/llama-bench.cpp): every output format prints the same
// fields (`test::get_fields()`); json and jsonl add the per-repetition `samples_ns` and
// `samples_ts`, csv has only the means (`avg_ns`, `stddev_ns`, `avg_ts`, `stddev_ts`).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <type_traits>

#include "core/text.h"
#include "store/import.h"
#include "store/model_mapping.h"

namespace worthit::store {

namespace {

/// One llama-bench result as field -> value (numbers, or strings when read from csv).
struct Record {
  nlohmann::json fields;
  std::string where;  ///< "file:line: test k"
};

int line_at(std::string_view text, size_t byte) {
  byte = std::min(byte, text.size());
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(byte), '\n'));
}

/// nlohmann's parse message without its own prefix and position.
std::string json_reason(const std::string& what) {
  const size_t col = what.find("column ");
  const size_t colon = col == std::string::npos ? std::string::npos : what.find(": ", col);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

Result<nlohmann::json> parse_json(std::string_view text, const std::string& file, int line0) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const int line = line0 + line_at(text, e.byte == 0 ? 0 : e.byte - 1) - 1;
    return fail(fmt::format("{}:{}", file, line), "not valid JSON: " + json_reason(e.what()),
                "a truncated file? llama-bench writes the closing ']' last");
  }
}

/// Line of each object that opens directly inside the top-level array.
std::vector<int> object_lines(std::string_view text) {
  std::vector<int> lines;
  int depth = 0, line = 1;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (c == '\n') ++line;
    if (in_string) {
      escaped = !escaped && c == '\\';
      if (c == '"' && !escaped) in_string = false;
      continue;
    }
    if (c == '"') in_string = true, escaped = false;
    if (c == '{' && depth == 1) lines.push_back(line);
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
  }
  return lines;
}

Result<std::vector<Record>> json_records(std::string_view text, const std::string& file) {
  WORTHIT_TRY(doc, parse_json(text, file, 1));
  if (!doc.is_array())
    return fail(
        file + ":1", "expected a JSON array of llama-bench results (-o json)",
        doc.is_object() ? "one object per line is -o jsonl: --format llama-bench-jsonl" : "");
  const std::vector<int> lines = object_lines(text);
  std::vector<Record> out;
  for (size_t i = 0; i < doc.size(); ++i) {
    const int line = i < lines.size() ? lines[i] : 1;
    std::string where = fmt::format("{}:{}: test {}", file, line, i + 1);
    if (!doc[i].is_object()) return fail(where, "expected an object");
    out.push_back({std::move(doc[i]), std::move(where)});
  }
  return out;
}

Result<std::vector<Record>> jsonl_records(std::string_view text, const std::string& file) {
  std::vector<Record> out;
  int line = 0;
  for (const std::string& l : split(text, '\n')) {
    ++line;
    if (trim(l).empty()) continue;
    WORTHIT_TRY(obj, parse_json(l, file, line));
    std::string where = fmt::format("{}:{}: test {}", file, line, out.size() + 1);
    if (!obj.is_object()) return fail(where, "expected one JSON object per line (-o jsonl)");
    out.push_back({std::move(obj), std::move(where)});
  }
  return out;
}

/// Splits one csv line: fields separated by ',', optionally in double quotes ("" is a quote).
Result<std::vector<std::string>> csv_fields(std::string_view line, const std::string& where) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"')
      out.back() += '"', ++i;
    else if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      out.emplace_back();
    else
      out.back() += c;
  }
  if (quoted) return fail(where, "unterminated quoted field");
  return out;
}

Result<std::vector<Record>> csv_records(std::string_view text, const std::string& file) {
  std::vector<std::string> header;
  std::vector<Record> out;
  int line = 0;
  for (std::string l : split(text, '\n')) {
    ++line;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (trim(l).empty()) continue;
    const std::string at = fmt::format("{}:{}", file, line);
    WORTHIT_TRY(f, csv_fields(l, at));
    if (header.empty()) {
      header = std::move(f);
      continue;
    }
    std::string where = fmt::format("{}: row {}", at, out.size() + 1);
    if (f.size() != header.size())
      return fail(where, fmt::format("{} fields, but the header has {}", f.size(), header.size()));
    nlohmann::json obj = nlohmann::json::object();
    for (size_t i = 0; i < f.size(); ++i) obj[header[i]] = f[i];
    out.push_back({std::move(obj), std::move(where)});
  }
  return out;
}

// ---- field readers: json numbers, or the same numbers as csv text -------------------------

const nlohmann::json* field(const Record& r, const char* name) {
  auto it = r.fields.find(name);
  return it == r.fields.end() || it->is_null() ? nullptr : &*it;
}

Result<std::string> text_field(const Record& r, const char* name, bool required) {
  const nlohmann::json* v = field(r, name);
  if (!v) {
    if (required) return fail(r.where, fmt::format("missing field '{}'", name));
    return std::string();
  }
  return v->is_string() ? v->get<std::string>() : v->dump();
}

template <class T>
Result<std::optional<T>> number_field(const Record& r, const char* name, bool required) {
  const nlohmann::json* v = field(r, name);
  if (!v) {
    if (required) return fail(r.where, fmt::format("missing field '{}'", name));
    return std::optional<T>();
  }
  const char* kind = std::is_integral_v<T> ? "an integer" : "a number";
  if (v->is_number_integer() || (v->is_number() && !std::is_integral_v<T>))
    return std::optional<T>(v->get<T>());
  const std::string s = v->is_string() ? std::string(trim(v->get<std::string>())) : "";
  T out{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    return fail(r.where + ": " + name, fmt::format("expected {}, got {}", kind, v->dump()));
  return std::optional<T>(out);
}

Result<std::vector<double>> samples_ns(const Record& r) {
  const nlohmann::json* v = field(r, "samples_ns");
  std::vector<double> out;
  if (!v) return out;
  if (!v->is_array()) return fail(r.where + ": samples_ns", "expected an array of nanoseconds");
  for (size_t i = 0; i < v->size(); ++i) {
    const auto& x = (*v)[i];
    if (!x.is_number() || x.get<double>() <= 0)
      return fail(fmt::format("{}: samples_ns[{}]", r.where, i),
                  "expected a positive number of nanoseconds, got " + x.dump());
    out.push_back(x.get<double>());
  }
  const nlohmann::json* ts = field(r, "samples_ts");
  if (ts && (!ts->is_array() || ts->size() != v->size()))
    return fail(r.where + ": samples_ts",
                fmt::format("expected an array of {} rates like samples_ns", v->size()));
  return out;
}

// ---- one record -> one run ---------------------------------------------------------------

std::string test_name(int64_t n_prompt, int64_t n_gen, int64_t depth) {
  std::string t = n_gen == 0      ? fmt::format("pp{}", n_prompt)
                  : n_prompt == 0 ? fmt::format("tg{}", n_gen)
                                  : fmt::format("pp{}+tg{}", n_prompt, n_gen);
  return depth > 0 ? fmt::format("{}@d{}", t, depth) : t;
}

/// One timed repetition: llama-bench times prompt and generation together.
measure::Sample make_sample(int rep, double ns, int64_t n_prompt, int64_t n_gen) {
  measure::Sample s;
  s.rep = rep;
  const double sec = ns / 1e9;
  s.server.total_s = sec;
  if (n_prompt > 0) s.server.prompt_tokens = n_prompt;
  if (n_gen > 0) s.server.gen_tokens = n_gen;
  if (n_gen == 0) s.server.prompt_s = sec;
  if (n_prompt == 0) s.server.gen_s = sec;
  return s;
}

Status set_workload(const Record& r, measure::Run& run) {
  WORTHIT_TRY(np, number_field<int64_t>(r, "n_prompt", true));
  WORTHIT_TRY(ng, number_field<int64_t>(r, "n_gen", true));
  WORTHIT_TRY(nd, number_field<int64_t>(r, "n_depth", false));
  run.n_prompt = *np, run.n_gen = *ng, run.depth = nd.value_or(0);
  if (run.n_prompt < 0 || run.n_gen < 0 || run.depth < 0 || run.n_prompt + run.n_gen == 0)
    return fail(r.where, fmt::format("n_prompt {} and n_gen {}: expected counts, not both 0",
                                     run.n_prompt, run.n_gen));
  run.test = test_name(run.n_prompt, run.n_gen, run.depth);
  return Ok{};
}

Status set_samples(const Record& r, measure::Run& run) {
  WORTHIT_TRY(ns, samples_ns(r));
  WORTHIT_TRY(avg_ns, number_field<double>(r, "avg_ns", false));
  // Read so that a damaged mean is reported even though the samples carry the numbers.
  WORTHIT_TRY(avg_ts, number_field<double>(r, "avg_ts", false));
  WORTHIT_TRY(stddev_ts, number_field<double>(r, "stddev_ts", false));
  for (size_t i = 0; i < ns.size(); ++i)
    run.samples.push_back(make_sample(static_cast<int>(i), ns[i], run.n_prompt, run.n_gen));
  if (!ns.empty()) return Ok{};
  if (!avg_ns || *avg_ns <= 0)
    return fail(r.where, "missing field 'samples_ns' (json, jsonl) or 'avg_ns' (csv)");
  run.samples.push_back(make_sample(0, *avg_ns, run.n_prompt, run.n_gen));
  std::string note =
      "llama-bench csv has no per-repetition samples: the one sample is the mean (avg_ns)";
  if (avg_ts && stddev_ts)
    note += fmt::format("; reported avg_ts {} ± {} t/s", *avg_ts, *stddev_ts);
  run.notes.push_back(note);
  return Ok{};
}

Status set_model(const Record& r, const ImportOptions& o, measure::Run& run) {
  WORTHIT_TRY(type, text_field(r, "model_type", true));
  WORTHIT_TRY(file, text_field(r, "model_filename", false));
  WORTHIT_TRY(params, number_field<int64_t>(r, "model_n_params", false));
  run.model_name = file.empty() ? type : std::filesystem::path(file).filename().string();
  if (!o.catalog) return Ok{};
  ModelMatch m = match_llama_bench_model(*o.catalog, file, type, params.value_or(0));
  if (!o.model.empty()) m.model = o.model, m.note.clear();  // --model overrides the mapping
  run.model = m.model, run.quant = m.quant;
  if (!m.note.empty()) run.notes.push_back(m.note);
  return Ok{};
}

Result<measure::Run> to_run(const Record& r, const ImportOptions& o) {
  measure::Run run;
  run.worthit_version = WORTHIT_VERSION;
  run.source = "import:llama-bench", run.server = "llama-bench", run.system = o.system;
  if (Status s = set_workload(r, run); !s) return fail(s.error());
  if (Status s = set_model(r, o, run); !s) return fail(s.error());
  if (Status s = set_samples(r, run); !s) return fail(s.error());
  WORTHIT_TRY(commit, text_field(r, "build_commit", false));
  WORTHIT_TRY(number, text_field(r, "build_number", false));
  run.server_build = number.empty() ? commit : fmt::format("{} ({})", commit, number);
  WORTHIT_TRY(time, text_field(r, "test_time", false));
  run.started_utc = time;
  nlohmann::json verbatim = r.fields;
  verbatim.erase("samples_ns");
  verbatim.erase("samples_ts");
  run.settings["llama_bench"] = std::move(verbatim);
  run.notes.push_back("imported from " + o.file);
  return run;
}

Result<std::vector<measure::Run>> to_runs(Result<std::vector<Record>> records,
                                          const ImportOptions& o) {
  if (!records) return fail(records.error());
  if (records->empty()) return fail(o.file, "no llama-bench results in the file");
  std::vector<measure::Run> out;
  for (const Record& r : *records) {
    WORTHIT_TRY(run, to_run(r, o));
    out.push_back(std::move(run));
  }
  return out;
}

}  // namespace

Result<std::vector<measure::Run>> parse_llama_bench_json(std::string_view text,
                                                         const ImportOptions& o) {
  return to_runs(json_records(text, o.file), o);
}

Result<std::vector<measure::Run>> parse_llama_bench_jsonl(std::string_view text,
                                                          const ImportOptions& o) {
  return to_runs(jsonl_records(text, o.file), o);
}

Result<std::vector<measure::Run>> parse_llama_bench_csv(std::string_view text,
                                                        const ImportOptions& o) {
  return to_runs(csv_records(text, o.file), o);
}

}  // namespace worthit::store
