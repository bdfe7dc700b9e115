// SPDX-License-Identifier: MIT
#include "bench_output.h"

#include <fmt/format.h>

#include <functional>
#include <optional>
#include <string>

#include "bench/summary.h"
#include "common.h"

namespace worthit::app {
namespace {

using bench::RunSummary;
using bench::Stats;

/// One summary column: a metric, its unit and where it comes from.
struct SummaryColumn {
  const char* name;
  const char* unit;
  const char* source;  ///< server / client / telemetry
  int precision;
  std::function<const std::optional<Stats>&(const RunSummary&)> get;
  bool concurrency_only = false;
};

const std::vector<SummaryColumn>& summary_columns() {
  static const std::vector<SummaryColumn> kColumns = {
      {"eval rate", "t/s", "server", 2,
       [](const RunSummary& s) -> const auto& {return s.eval_rate_tps;
}
}  // namespace
, {"prompt eval rate", "t/s", "server", 2,
   [](const RunSummary& s) -> const auto& {return s.prompt_eval_rate_tps;
}  // namespace worthit::app
}
, {"TTFT", "s", "client", 3, [](const RunSummary& s) -> const auto& {return s.ttft_s;
}
}
, {"eval rate", "t/s", "client", 2,
   [](const RunSummary& s) -> const auto& {return s.eval_rate_tps_client;
}
}
, {"aggregate", "t/s", "client", 2, [](const RunSummary& s) -> const auto& {return s.aggregate_tps;
}
, true
}
, {"GPU power", "W", "telemetry", 0,
   [](const RunSummary& s) -> const auto& {return s.gpu_power_avg_w;
}
}
,
}
;
return kColumns;
}

std::string mean_sd(const std::optional<Stats>& s, int precision) {
  if (!s) return "-";
  if (!s->stddev) return fmt::format("{:.{}f}", s->mean, precision);
  return fmt::format("{:.{}f} ± {:.{}f}", s->mean, precision, *s->stddev, precision);
}

std::string percentiles(const std::optional<Stats>& s) {
  if (!s) return "-";
  return fmt::format("{:.3f} / {:.3f} / {:.3f}", s->median, s->p90, s->p99);
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

Table summary_table(const std::vector<measure::Run>& runs) {
  bool users = false;
  for (const auto& r : runs) users = users || r.users > 1;
  Table t;
  t.header = {"test", "ok"};
  for (const auto& c : summary_columns())
    if (!c.concurrency_only || users)
      t.header.push_back(fmt::format("{} {} ({})", c.name, c.unit, c.source));
  if (users) t.header.push_back("TTFT p50/p90/p99 s (client)");
  for (const auto& r : runs) {
    const RunSummary s = bench::summarize_run(r);
    std::vector<std::string> row = {r.users > 1 ? fmt::format("{} x{}", r.test, r.users) : r.test,
                                    fmt::format("{}/{}", s.ok, s.ok + s.failed)};
    for (const auto& c : summary_columns())
      if (!c.concurrency_only || users) row.push_back(mean_sd(c.get(s), c.precision));
    if (users) row.push_back(percentiles(s.ttft_s));
    t.rows.push_back(std::move(row));
  }
  return t;
}

size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;  // count UTF-8 code points ("±")
  return n;
}

void print_text_table(const Table& t, std::ostream& out) {
  std::vector<size_t> w(t.header.size(), 0);
  auto widen = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], display_width(row[i]));
  };
  widen(t.header);
  for (const auto& r : t.rows) widen(r);
  auto line = [&](const std::vector<std::string>& row) {
    std::string s;
    for (size_t i = 0; i < row.size(); ++i)
      s += row[i] + std::string(w[i] - display_width(row[i]) + (i + 1 < row.size() ? 2 : 0), ' ');
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << "\n";
  };
  line(t.header);
  for (const auto& r : t.rows) line(r);
}

void print_markdown_table(const Table& t, std::ostream& out) {
  auto line = [&](const std::vector<std::string>& row) {
    out << "|";
    for (const auto& c : row) out << " " << c << " |";
    out << "\n";
  };
  line(t.header);
  out << "|";
  for (size_t i = 0; i < t.header.size(); ++i) out << (i < 2 ? " --- |" : " ---: |");
  out << "\n";
  for (const auto& r : t.rows) line(r);
}

void print_header(const std::vector<measure::Run>& runs, std::ostream& out) {
  const measure::Run& r = runs.front();
  out << fmt::format(
      "worthit bench: {}{} at {}, model {}, {} repetition(s) after {} warm-up, {} user(s)\n",
      r.server, r.server_build.empty() ? "" : " " + r.server_build, r.server_url, r.model_name,
      r.settings.value("reps", 0), r.warmup, r.users);
}

void print_failures_and_notes(const std::vector<measure::Run>& runs, std::ostream& out) {
  for (const auto& r : runs) {
    for (const auto& s : r.samples)
      if (!s.ok)
        out << fmt::format("{} rep {} user {}: failed: {}\n", r.test, s.rep, s.user, s.error);
    for (const auto& n : r.notes) out << fmt::format("{}: note: {}\n", r.test, n);
  }
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_value(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_field(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// One row per sample; the columns are sample_json's keys, prefixed with their source.
void print_csv(const std::vector<measure::Run>& runs, std::ostream& out) {
  static const char* kServer[] = {
      "prompt_tokens", "prompt_s", "gen_tokens",    "gen_s",
      "cached_tokens", "load_s",   "eval_rate_tps", "prompt_eval_rate_tps"};
  static const char* kClient[] = {"start_s", "first_byte_s", "ttft_s",        "last_token_s",
                                  "total_s", "tpot_s",       "eval_rate_tps", "content_chunks"};
  static const char* kTelemetry[] = {"gpu_energy_j", "gpu_power_avg_w", "gpu_power_max_w",
                                     "cpu_energy_j"};
  out << "test,server,model,users,rep,user,ok,error,prompt_cache_hit";
  for (auto k : kServer) out << ",server_" << k;
  for (auto k : kClient) out << ",client_" << k;
  for (auto k : kTelemetry) out << ",telemetry_" << k;
  out << "\n";
  for (const auto& r : runs)
    for (const auto& s : r.samples) {
      const nlohmann::json j = bench::sample_json(s);
      out << fmt::format("{},{},{},{},{},{},{},{},{}", csv_field(r.test), r.server,
                         csv_field(r.model_name), r.users, s.rep, s.user, s.ok, csv_field(s.error),
                         s.prompt_cache_hit);
      for (auto k : kServer) out << "," << csv_value(j["server"][k]);
      for (auto k : kClient) out << "," << csv_value(j["client"][k]);
      for (auto k : kTelemetry) out << "," << csv_value(j["telemetry"][k]);
      out << "\n";
    }
}

}  // namespace

void print_bench(const std::vector<measure::Run>& runs, BenchFormat format, std::ostream& out) {
  if (format == BenchFormat::Json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : runs) arr.push_back(bench::run_json(r));
    print_json("bench", {{"runs", arr}});
    return;
  }
  if (format == BenchFormat::Csv) return print_csv(runs, out);
  if (runs.empty()) return;
  if (format == BenchFormat::Markdown) {
    print_markdown_table(summary_table(runs), out);
    return;
  }
  print_header(runs, out);
  print_text_table(summary_table(runs), out);
  out << "mean ± sample stddev over the successful repetitions; server = the server's own counts "
         "and "
         "durations, client = worthit's clock (see docs/metrics.md)\n";
  print_failures_and_notes(runs, out);
}

}  // namespace worthit::app
