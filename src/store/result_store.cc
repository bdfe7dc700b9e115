// SPDX-License-Identifier: MIT
#include "store/result_store.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <utility>

#include "store/schema.h"
#include "store/sqlite.h"

namespace worthit::store {

namespace {

namespace fs = std::filesystem;

// Long enough for another process's whole run (dozens of samples) to commit first.
constexpr int kBusyTimeoutMs = 30000;

constexpr const char* kInsertRun = R"sql(
INSERT INTO runs (worthit_version, source, host, system, server, server_url, server_build,
  model, model_name, quant, test, n_prompt_tokens, n_gen_tokens, depth_tokens, users,
  warmup_reps, started_utc, settings, notes)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
)sql";

constexpr const char* kRunColumns = R"sql(
SELECT id, worthit_version, source, host, system, server, server_url, server_build, model,
  model_name, quant, test, n_prompt_tokens, n_gen_tokens, depth_tokens, users, warmup_reps,
  started_utc, settings, notes FROM runs
)sql";

constexpr const char* kInsertSample = R"sql(
INSERT INTO samples (run_id, rep, user, ok, error, prompt_cache_hit, prompt_tokens, prompt_s,
  gen_tokens, gen_s, cached_tokens, load_s, server_total_s, first_byte_s, first_token_s,
  last_token_s, client_total_s, chunk_gaps_s, content_chunks, gpu_energy_j, gpu_power_avg_w,
  gpu_power_max_w, gpu_power_samples, gpu_memory_used_bytes, server_rss_bytes, cpu_energy_j)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
  ?20, ?21, ?22, ?23, ?24, ?25, ?26)
)sql";

constexpr const char* kSelectSamples = R"sql(
SELECT rep, user, ok, error, prompt_cache_hit, prompt_tokens, prompt_s, gen_tokens, gen_s,
  cached_tokens, load_s, server_total_s, first_byte_s, first_token_s, last_token_s,
  client_total_s, chunk_gaps_s, content_chunks, gpu_energy_j, gpu_power_avg_w, gpu_power_max_w,
  gpu_power_samples, gpu_memory_used_bytes, server_rss_bytes, cpu_energy_j
FROM samples WHERE run_id = ?1 ORDER BY id
)sql";

void bind_run(sql::Statement& st, const measure::Run& r) {
  const nlohmann::json notes = r.notes;
  st.bind(1, r.worthit_version).bind(2, r.source).bind(3, r.host).bind(4, r.system);
  st.bind(5, r.server).bind(6, r.server_url).bind(7, r.server_build).bind(8, r.model);
  st.bind(9, r.model_name).bind(10, r.quant).bind(11, r.test).bind(12, r.n_prompt);
  st.bind(13, r.n_gen).bind(14, r.depth).bind(15, int64_t{r.users});
  st.bind(16, int64_t{r.warmup}).bind(17, r.started_utc).bind(18, r.settings.dump());
  st.bind(19, notes.dump());
}

void bind_sample(sql::Statement& st, int64_t run_id, const measure::Sample& s) {
  const auto& v = s.server;
  const auto& c = s.client;
  const auto& t = s.telemetry;
  st.bind(1, run_id).bind(2, int64_t{s.rep}).bind(3, int64_t{s.user});
  st.bind(4, int64_t{s.ok ? 1 : 0}).bind(5, s.error).bind(6, int64_t{s.prompt_cache_hit ? 1 : 0});
  st.bind(7, v.prompt_tokens).bind(8, v.prompt_s).bind(9, v.gen_tokens).bind(10, v.gen_s);
  st.bind(11, v.cached_tokens).bind(12, v.load_s).bind(13, v.total_s);
  st.bind(14, c.first_byte_s).bind(15, c.first_token_s).bind(16, c.last_token_s);
  st.bind(17, c.total_s).bind(18, nlohmann::json(c.chunk_gaps_s).dump());
  st.bind(19, c.content_chunks).bind(20, t.gpu_energy_j).bind(21, t.gpu_power_avg_w);
  st.bind(22, t.gpu_power_max_w).bind(23, t.gpu_power_samples);
  st.bind(24, t.gpu_memory_used_bytes).bind(25, t.server_rss_bytes).bind(26, t.cpu_energy_j);
}

/// Parses a JSON text column; a damaged value names the run and column.
Result<nlohmann::json> json_column(const std::string& text, const std::string& where) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail(where, "stored JSON is damaged: '" + text.substr(0, 60) + "'");
  return j;
}

Result<measure::Run> read_run_row(const sql::Statement& st, const std::string& where) {
  measure::Run r;
  r.id = st.int64(0);
  const std::string at = fmt::format("{}: run {}", where, *r.id);
  r.worthit_version = st.text(1), r.source = st.text(2), r.host = st.text(3);
  r.system = st.text(4), r.server = st.text(5), r.server_url = st.text(6);
  r.server_build = st.text(7), r.model = st.text(8), r.model_name = st.text(9);
  r.quant = st.text(10), r.test = st.text(11), r.n_prompt = st.int64(12);
  r.n_gen = st.int64(13), r.depth = st.int64(14), r.users = static_cast<int>(st.int64(15));
  r.warmup = static_cast<int>(st.int64(16)), r.started_utc = st.text(17);
  WORTHIT_TRY(settings, json_column(st.text(18), at + ": settings"));
  r.settings = std::move(settings);
  WORTHIT_TRY(notes, json_column(st.text(19), at + ": notes"));
  if (!notes.is_array()) return fail(at + ": notes", "expected a JSON array of strings");
  for (const auto& n : notes) r.notes.push_back(n.is_string() ? n.get<std::string>() : n.dump());
  return r;
}

Result<measure::Sample> read_sample_row(const sql::Statement& st, const std::string& where) {
  measure::Sample s;
  s.rep = static_cast<int>(st.int64(0)), s.user = static_cast<int>(st.int64(1));
  s.ok = st.int64(2) != 0, s.error = st.text(3), s.prompt_cache_hit = st.int64(4) != 0;
  auto& v = s.server;
  v.prompt_tokens = st.opt_int64(5), v.prompt_s = st.opt_real(6);
  v.gen_tokens = st.opt_int64(7), v.gen_s = st.opt_real(8), v.cached_tokens = st.opt_int64(9);
  v.load_s = st.opt_real(10), v.total_s = st.opt_real(11);
  auto& c = s.client;
  c.first_byte_s = st.opt_real(12), c.first_token_s = st.opt_real(13);
  c.last_token_s = st.opt_real(14), c.total_s = st.opt_real(15);
  WORTHIT_TRY(gaps, json_column(st.text(16), where + ": chunk_gaps_s"));
  if (!gaps.is_array()) return fail(where + ": chunk_gaps_s", "expected a JSON array");
  for (const auto& g : gaps) c.chunk_gaps_s.push_back(g.is_number() ? g.get<double>() : 0.0);
  c.content_chunks = st.opt_int64(17);
  auto& t = s.telemetry;
  t.gpu_energy_j = st.opt_real(18), t.gpu_power_avg_w = st.opt_real(19);
  t.gpu_power_max_w = st.opt_real(20), t.gpu_power_samples = st.opt_int64(21);
  t.gpu_memory_used_bytes = st.opt_int64(22), t.server_rss_bytes = st.opt_int64(23);
  t.cpu_energy_j = st.opt_real(24);
  return s;
}

Status prepare_parent(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) return fail(path, "cannot create the directory " + parent.string() + ": " + ec.message());
  if (fs::is_directory(path, ec)) return fail(path, "is a directory, not a database file");
  return Ok{};
}

/// Checks the version found in an existing file before anything is written to it.
Status check_version(int version, const std::string& path) {
  if (version > kCurrentSchema)
    return fail(path,
                fmt::format("written by a newer worthit (schema version {}; this worthit reads "
                            "versions {} to {})",
                            version, kOldestSupportedSchema, kCurrentSchema),
                "upgrade worthit, or use another --db PATH");
  if (version < 0) return fail(path, fmt::format("unknown schema version {}", version));
  return Ok{};
}

}  // namespace

std::string default_db_path() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    return (fs::path(xdg) / "worthit" / "results.db").string();
  if (const char* home = std::getenv("HOME"); home && *home)
    return (fs::path(home) / ".local" / "share" / "worthit" / "results.db").string();
  return {};
}

Result<ResultStore> ResultStore::open(const std::string& path) {
  if (path.empty())
    return fail("--db", "no database path (set HOME or XDG_DATA_HOME, or pass --db)");
  if (Status s = prepare_parent(path); !s) return fail(s.error());
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  ResultStore store(db, path);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) return fail(sql::last_error(db, path, "cannot open"));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // Reading the header first: a file that is not SQLite fails here, before any write.
  auto version = read_user_version(db, path);
  if (!version)
    return fail(path, std::string("cannot read it as a SQLite database: ") + sqlite3_errmsg(db),
                "the file was left untouched; move it away or use another --db PATH");
  if (Status s = check_version(*version, path); !s) return fail(s.error());
  // Switching to WAL needs a moment of exclusive access, and SQLite reports "locked" at once
  // rather than waiting when another process is opening the same new file: retry briefly.
  Status wal = sql::exec(db, "PRAGMA journal_mode = WAL", path);
  for (int i = 0; !wal && i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    wal = sql::exec(db, "PRAGMA journal_mode = WAL", path);
  }
  if (!wal) return fail(wal.error());
  // NORMAL in WAL mode: a power cut may lose the last commits, never half of one.
  const char* kPragmas = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL";
  if (Status s = sql::exec(db, kPragmas, path); !s) return fail(s.error());
  if (*version < kCurrentSchema) {
    if (Status s = migrate(db, path); !s) return fail(s.error());
  }
  return store;
}

ResultStore::ResultStore(ResultStore&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)), hook_(std::move(o.hook_)) {}

ResultStore& ResultStore::operator=(ResultStore&& o) noexcept {
  if (this != &o) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
    hook_ = std::move(o.hook_);
  }
  return *this;
}

ResultStore::~ResultStore() { sqlite3_close_v2(db_); }

Result<int> ResultStore::schema_version() const { return read_user_version(db_, path_); }

Result<int64_t> ResultStore::add_run(const measure::Run& run) {
  WORTHIT_TRY(tx, sql::Transaction::begin(db_, path_));
  WORTHIT_TRY(st, sql::Statement::prepare(db_, kInsertRun, path_));
  bind_run(st, run);
  if (Status s = st.run(); !s) return fail(s.error());
  const int64_t id = sqlite3_last_insert_rowid(db_);
  if (Status s = insert_samples(id, run.samples); !s) return fail(s.error());
  if (Status s = tx.commit(); !s) return fail(s.error());
  return id;
}

Status ResultStore::insert_samples(int64_t run_id, const std::vector<measure::Sample>& samples) {
  WORTHIT_TRY(st, sql::Statement::prepare(db_, kInsertSample, path_));
  for (size_t i = 0; i < samples.size(); ++i) {
    if (Status s = st.reset(); !s) return fail(s.error());
    bind_sample(st, run_id, samples[i]);
    auto done = st.run();
    if (!done) return fail(done.error().within(fmt::format("sample {}", i)));
    if (hook_) {
      if (Status s = hook_(i); !s) return fail(s.error());
    }
  }
  return Ok{};
}

Status ResultStore::load_samples(measure::Run& run) const {
  WORTHIT_TRY(st, sql::Statement::prepare(db_, kSelectSamples, path_));
  st.bind(1, *run.id);
  const std::string where = fmt::format("{}: run {}", path_, *run.id);
  for (;;) {
    WORTHIT_TRY(row, st.step());
    if (!row) break;
    WORTHIT_TRY(s, read_sample_row(st, where));
    run.samples.push_back(std::move(s));
  }
  return Ok{};
}

Result<std::vector<measure::Run>> ResultStore::runs(const RunFilter& f) const {
  // Only the shape of the query depends on the filter; every value is a bound parameter.
  std::string q = std::string(kRunColumns) + " WHERE 1 = 1";
  std::vector<std::string> values;
  auto add = [&](const std::string& v, const char* clause) {
    if (v.empty()) return;
    values.push_back(v);
    q += fmt::format(fmt::runtime(clause), values.size());
  };
  add(f.system, " AND system = ?{0}");
  add(f.model, " AND (model = ?{0} OR model_name = ?{0})");
  add(f.server, " AND server = ?{0}");
  add(f.test, " AND test = ?{0}");
  add(f.source, " AND source = ?{0}");
  add(f.since_utc, " AND started_utc >= ?{0}");
  q += " ORDER BY id";
  WORTHIT_TRY(st, sql::Statement::prepare(db_, q, path_));
  for (size_t i = 0; i < values.size(); ++i) st.bind(static_cast<int>(i + 1), values[i]);
  std::vector<measure::Run> out;
  for (;;) {
    WORTHIT_TRY(row, st.step());
    if (!row) break;
    WORTHIT_TRY(r, read_run_row(st, path_));
    out.push_back(std::move(r));
  }
  for (auto& r : out) {
    if (Status s = load_samples(r); !s) return fail(s.error());
  }
  return out;
}

Result<measure::Run> ResultStore::run(int64_t id) const {
  WORTHIT_TRY(st, sql::Statement::prepare(db_, std::string(kRunColumns) + " WHERE id = ?1", path_));
  st.bind(1, id);
  WORTHIT_TRY(row, st.step());
  if (!row)
    return fail(path_, fmt::format("no run with id {}", id), "worthit results lists the ids");
  WORTHIT_TRY(r, read_run_row(st, path_));
  if (Status s = load_samples(r); !s) return fail(s.error());
  return r;
}

}  // namespace worthit::store
