// SPDX-License-Identifier: MIT
// The results store: measured runs and their samples in one SQLite file, schema versioned with
// `PRAGMA user_version` and an ordered list of migrations (docs/results-store.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "measure/record.h"

struct sqlite3;

namespace worthit::store {

/// Oldest schema this build can migrate from, and the one it writes.
constexpr int kOldestSupportedSchema = 1;
constexpr int kCurrentSchema = 2;

/// `$XDG_DATA_HOME/worthit/results.db`, else `~/.local/share/worthit/results.db`; "" when
/// neither XDG_DATA_HOME nor HOME is set.
std::string default_db_path();

/// Which runs to list; an empty field matches everything.
struct RunFilter {
  std::string system;
  std::string model;  ///< matches the catalog id or the name the server used
  std::string server;
  std::string test;
  std::string source;
  std::string since_utc;  ///< ISO 8601; runs started at or after it
};

/// Called by add_run after each sample is written, inside the transaction, with the 0-based
/// index of that sample. A failure rolls the whole run back. Tests use it to kill a writer or
/// to simulate a full disk mid-run.
using SampleHook = std::function<Status(size_t sample_index)>;

/// Owner of one SQLite connection to a results database. Move-only; not for use from several
/// threads at once (each process or thread opens its own).
class ResultStore {
 public:
  /// Opens or creates the database at `path` (parent directories are created), refuses a file
  /// that is not SQLite or was written by a newer worthit (the file is left untouched), then
  /// migrates an older schema to kCurrentSchema. WAL mode and a busy timeout let several
  /// processes write at once.
  static Result<ResultStore> open(const std::string& path);

  ResultStore(ResultStore&&) noexcept;
  ResultStore& operator=(ResultStore&&) noexcept;
  ~ResultStore();

  /// Stores a run with all its samples in one transaction; returns the new run id. On any
  /// error nothing of the run is stored.
  Result<int64_t> add_run(const measure::Run& run);

  /// Runs matching `f`, oldest first, each with its samples.
  Result<std::vector<measure::Run>> runs(const RunFilter& f) const;

  /// One run with its samples; an error naming the id when there is none.
  Result<measure::Run> run(int64_t id) const;

  /// The schema version of the open database (kCurrentSchema after open).
  Result<int> schema_version() const;

  /// Installs the test hook (see SampleHook); an empty function removes it.
  void set_sample_hook(SampleHook hook) { hook_ = std::move(hook); }

  /// The path the store was opened with.
  const std::string& path() const { return path_; }

 private:
  ResultStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status insert_samples(int64_t run_id, const std::vector<measure::Sample>& samples);
  Status load_samples(measure::Run& run) const;

  sqlite3* db_ = nullptr;
  std::string path_;
  SampleHook hook_;
};

}  // namespace worthit::store
