// SPDX-License-Identifier: MIT
// The --db option shared by the commands that read or write the results store.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "store/result_store.h"

namespace worthit::app {

/// Adds `--db PATH` (default: store::default_db_path()).
inline void add_db_option(CLI::App* cmd, std::string& db) {
  cmd->add_option("--db", db,
                  "Results database (default: $XDG_DATA_HOME/worthit/results.db, else "
                  "~/.local/share/worthit/results.db)");
}

/// Opens the store named by --db, or the default one.
inline Result<store::ResultStore> open_db(const std::string& db) {
  return store::ResultStore::open(db.empty() ? store::default_db_path() : db);
}

}  // namespace worthit::app
