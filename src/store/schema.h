// SPDX-License-Identifier: MIT
// The results database's schema as an ordered list of migrations: entry i takes a database
// from `PRAGMA user_version` i to i + 1. A new database runs them all, so every migration is
// exercised on every fresh store.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

struct sqlite3;

namespace worthit::store {

/// One schema step.
struct Migration {
  int to_version;           ///< user_version after this step
  const char* description;  ///< for docs and error messages
  const char* sql;          ///< constant DDL, no values
};

/// All migrations, in order (to_version 1, 2, ...).
const std::vector<Migration>& migrations();

/// Reads `PRAGMA user_version`; fails (without writing) on a file that is not SQLite.
Result<int> read_user_version(sqlite3* db, const std::string& where);

/// Brings the database to the newest schema inside one IMMEDIATE transaction, so that two
/// processes opening a new file at once migrate it exactly once.
Status migrate(sqlite3* db, const std::string& where);

}  // namespace worthit::store
