// SPDX-License-Identifier: MIT
// A thin RAII layer over the SQLite C API: prepared statements with bound parameters (never SQL
// built from values), optional columns as NULL, and IMMEDIATE transactions that roll back
// unless committed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace worthit::store::sql {

/// An Error for the connection's last failure: "where: doing: <sqlite message>".
Error last_error(sqlite3* db, const std::string& where, const std::string& doing);

/// Runs SQL without parameters or rows (DDL, PRAGMA, BEGIN). Only for constant text.
Status exec(sqlite3* db, const char* sql, const std::string& where);

/// One prepared statement. Parameters are 1-based as in SQLite, columns 0-based. A std::nullopt
/// binds NULL, and a NULL column reads back as std::nullopt.
class Statement {
 public:
  /// Prepares `sql`; `where` names the database in errors.
  static Result<Statement> prepare(sqlite3* db, std::string_view sql, const std::string& where);

  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&& o) noexcept;
  ~Statement();

  Statement& bind(int i, int64_t v);
  Statement& bind(int i, double v);
  Statement& bind(int i, const std::string& v);
  Statement& bind(int i, std::optional<int64_t> v);
  Statement& bind(int i, std::optional<double> v);

  /// Makes the statement ready to run again with new parameters.
  Status reset();
  /// Steps once: true when a row is available, false when done; an Error otherwise.
  Result<bool> step();
  /// Steps to completion, expecting no rows.
  Status run();

  int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  std::optional<int64_t> opt_int64(int col) const;
  std::optional<double> opt_real(int col) const;

 private:
  Statement(sqlite3* db, sqlite3_stmt* s, std::string where)
      : db_(db), s_(s), where_(std::move(where)) {}
  void check_bind(int rc);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
  std::string where_;
  int bind_rc_ = 0;  ///< first failed bind, reported by step()
};

/// BEGIN IMMEDIATE (takes the write lock at once, waiting up to the busy timeout); rolls back
/// in the destructor unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(sqlite3* db, const std::string& where);
  Transaction(Transaction&& o) noexcept : db_(o.db_), where_(std::move(o.where_)) {
    o.db_ = nullptr;
  }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  Transaction(sqlite3* db, std::string where) : db_(db), where_(std::move(where)) {}
  sqlite3* db_ = nullptr;  ///< null once committed or rolled back
  std::string where_;
};

}  // namespace worthit::store::sql
