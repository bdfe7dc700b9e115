// SPDX-License-Identifier: MIT
#include "store/schema.h"

#include <fmt/format.h>

#include "store/result_store.h"
#include "store/sqlite.h"

namespace worthit::store {

namespace {

// Version 1: runs with provenance, samples with server-reported and client-observed numbers.
// Frozen: a later change is a new migration, never an edit here.
constexpr const char* kV1 = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  worthit_version TEXT NOT NULL,
  source TEXT NOT NULL,
  host TEXT NOT NULL,
  system TEXT NOT NULL,
  server TEXT NOT NULL,
  server_url TEXT NOT NULL,
  server_build TEXT NOT NULL,
  model TEXT NOT NULL,
  model_name TEXT NOT NULL,
  quant TEXT NOT NULL,
  test TEXT NOT NULL,
  n_prompt_tokens INTEGER NOT NULL,
  n_gen_tokens INTEGER NOT NULL,
  depth_tokens INTEGER NOT NULL,
  users INTEGER NOT NULL,
  warmup_reps INTEGER NOT NULL,
  started_utc TEXT NOT NULL,
  settings TEXT NOT NULL,
  notes TEXT NOT NULL
);
CREATE TABLE samples (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  rep INTEGER NOT NULL,
  user INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  error TEXT NOT NULL,
  prompt_cache_hit INTEGER NOT NULL,
  prompt_tokens INTEGER,
  prompt_s REAL,
  gen_tokens INTEGER,
  gen_s REAL,
  cached_tokens INTEGER,
  load_s REAL,
  server_total_s REAL,
  first_byte_s REAL,
  first_token_s REAL,
  last_token_s REAL,
  client_total_s REAL,
  chunk_gaps_s TEXT NOT NULL,
  content_chunks INTEGER
);
CREATE INDEX samples_by_run ON samples(run_id);
)sql";

// Version 2: device telemetry per sample, and an index for the usual filters.
constexpr const char* kV2 = R"sql(
ALTER TABLE samples ADD COLUMN gpu_energy_j REAL;
ALTER TABLE samples ADD COLUMN gpu_power_avg_w REAL;
ALTER TABLE samples ADD COLUMN gpu_power_max_w REAL;
ALTER TABLE samples ADD COLUMN gpu_power_samples INTEGER;
ALTER TABLE samples ADD COLUMN gpu_memory_used_bytes INTEGER;
ALTER TABLE samples ADD COLUMN server_rss_bytes INTEGER;
ALTER TABLE samples ADD COLUMN cpu_energy_j REAL;
CREATE INDEX runs_by_system_model ON runs(system, model, test);
)sql";

Result<bool> has_tables(sqlite3* db, const std::string& where) {
  WORTHIT_TRY(st, sql::Statement::prepare(
                      db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", where));
  WORTHIT_TRY(row, st.step());
  return row && st.int64(0) > 0;
}

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kAll = {
      {1, "runs and samples", kV1},
      {2, "telemetry columns on samples; index on runs(system, model, test)", kV2},
  };
  return kAll;
}

Result<int> read_user_version(sqlite3* db, const std::string& where) {
  auto st = sql::Statement::prepare(db, "PRAGMA user_version", where);
  if (!st) return fail(st.error());
  auto row = st->step();
  if (!row) return fail(row.error());
  if (!*row) return fail(where, "PRAGMA user_version returned no row");
  return static_cast<int>(st->int64(0));
}

Status migrate(sqlite3* db, const std::string& where) {
  WORTHIT_TRY(tx, sql::Transaction::begin(db, where));
  // Re-read under the write lock: another process may have migrated meanwhile.
  WORTHIT_TRY(version, read_user_version(db, where));
  if (version == 0) {
    WORTHIT_TRY(tables, has_tables(db, where));
    if (tables)
      return fail(where, "not a worthit results database (it has tables but no schema version)",
                  "use another --db PATH");
  }
  for (const Migration& m : migrations()) {
    if (m.to_version <= version) continue;
    auto done = sql::exec(db, m.sql, where);
    if (!done)
      return fail(where, fmt::format("migrating to schema version {} ({}): {}", m.to_version,
                                     m.description, done.error().what));
  }
  // The version is a compile-time constant, not input: PRAGMA takes no bound parameters.
  const std::string set = fmt::format("PRAGMA user_version = {}", kCurrentSchema);
  if (Status s = sql::exec(db, set.c_str(), where); !s) return fail(s.error());
  return tx.commit();
}

}  // namespace worthit::store
