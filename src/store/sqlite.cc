// SPDX-License-Identifier: MIT
#include "store/sqlite.h"

#include <sqlite3.h>

#include <utility>

namespace worthit::store::sql {

Error last_error(sqlite3* db, const std::string& where, const std::string& doing) {
  const char* msg = db ? sqlite3_errmsg(db) : "out of memory";
  return Error{where, doing + ": " + msg, ""};
}

Status exec(sqlite3* db, const char* sql, const std::string& where) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    return fail(where, msg);
  }
  return Ok{};
}

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql, const std::string& where) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK)
    return fail(last_error(db, where, "preparing a statement"));
  return Statement(db, s, where);
}

Statement::Statement(Statement&& o) noexcept
    : db_(o.db_),
      s_(std::exchange(o.s_, nullptr)),
      where_(std::move(o.where_)),
      bind_rc_(o.bind_rc_) {}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    db_ = o.db_;
    s_ = std::exchange(o.s_, nullptr);
    where_ = std::move(o.where_);
    bind_rc_ = o.bind_rc_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(s_); }

void Statement::check_bind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
}

Statement& Statement::bind(int i, int64_t v) {
  check_bind(sqlite3_bind_int64(s_, i, v));
  return *this;
}

Statement& Statement::bind(int i, double v) {
  check_bind(sqlite3_bind_double(s_, i, v));
  return *this;
}

Statement& Statement::bind(int i, const std::string& v) {
  check_bind(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind(int i, std::optional<int64_t> v) {
  check_bind(v ? sqlite3_bind_int64(s_, i, *v) : sqlite3_bind_null(s_, i));
  return *this;
}

Statement& Statement::bind(int i, std::optional<double> v) {
  check_bind(v ? sqlite3_bind_double(s_, i, *v) : sqlite3_bind_null(s_, i));
  return *this;
}

Status Statement::reset() {
  sqlite3_reset(s_);  // returns the last step's error, which that step already reported
  sqlite3_clear_bindings(s_);
  bind_rc_ = 0;
  return Ok{};
}

Result<bool> Statement::step() {
  if (bind_rc_ != 0)
    return fail(where_, std::string("binding a parameter: ") + sqlite3_errstr(bind_rc_));
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(last_error(db_, where_, "writing or reading the database"));
}

Status Statement::run() {
  WORTHIT_TRY(row, step());
  while (row) {
    WORTHIT_TRY(next, step());
    row = next;
  }
  return Ok{};
}

int64_t Statement::int64(int col) const { return sqlite3_column_int64(s_, col); }

double Statement::real(int col) const { return sqlite3_column_double(s_, col); }

std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(s_, col);
  const int n = sqlite3_column_bytes(s_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

std::optional<int64_t> Statement::opt_int64(int col) const {
  if (sqlite3_column_type(s_, col) == SQLITE_NULL) return std::nullopt;
  return int64(col);
}

std::optional<double> Statement::opt_real(int col) const {
  if (sqlite3_column_type(s_, col) == SQLITE_NULL) return std::nullopt;
  return real(col);
}

Result<Transaction> Transaction::begin(sqlite3* db, const std::string& where) {
  if (Status s = exec(db, "BEGIN IMMEDIATE", where); !s) return fail(s.error());
  return Transaction(db, where);
}

Transaction::~Transaction() {
  // Not committed: an error (or a hook) left the transaction open; nothing of it may remain.
  if (db_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::commit() {
  if (Status s = exec(db_, "COMMIT", where_); !s) return fail(s.error());
  db_ = nullptr;
  return Ok{};
}

}  // namespace worthit::store::sql
