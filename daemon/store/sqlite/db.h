#ifndef CULPRIT_DAEMON_STORE_SQLITE_DB_H_
#define CULPRIT_DAEMON_STORE_SQLITE_DB_H_

// RAII wrappers over the SQLite C API: Db (a connection), Stmt (a prepared
// statement) and Txn (a transaction that rolls back unless committed).
//
// Every sqlite3_* return code is checked; failures become a Status carrying
// sqlite3_errmsg() and the SQL that failed.
//
// Thread-safety: a Db and its Stmts belong to one thread at a time. Never
// share a connection across threads; open one per thread (WAL mode lets any
// number of read-only connections run beside the one writer).
//
// Indexes of Bind*() and Column*() are 0-based (SQLite's bind is 1-based;
// this class hides that).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace culprit::store::sqlite {

class Stmt;

// A read-write connection checkpoints the WAL after a commit leaves this many
// frames in it (16 KiB pages: ~40 MiB), unless a WalCheckpointer took over.
inline constexpr int kWalAutocheckpointPages = 2500;

class Db {
 public:
  enum class Mode {
    kReadWrite,  // creates the file if missing; sets WAL and the pragmas below
    kReadOnly,   // the file must exist; SQLITE_OPEN_READONLY
  };

  // Opens `path` and sets, checking each result: journal_mode=WAL (read-write
  // only), synchronous=NORMAL, busy_timeout, temp_store=MEMORY; read-write
  // also cache_size=8 MiB, wal_autocheckpoint=kWalAutocheckpointPages and
  // foreign_keys off (see db.cc for why). Fails with UNAVAILABLE naming the path when the file
  // cannot be opened, is not a database, or is locked past busy_timeout.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, Mode mode);

  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements that return no rows of interest (DDL, pragmas).
  Status Exec(std::string_view sql);

  // Prepares one statement. REQUIRES: `sql` holds exactly one statement.
  Result<Stmt> Prepare(std::string_view sql);

  // Runs a single-value query such as "PRAGMA user_version".
  Result<int64_t> QueryInt(std::string_view sql);

  int64_t LastInsertRowid() const;
  const std::string& path() const { return path_; }
  Mode mode() const { return mode_; }

  // Asks a running statement on this connection to stop (thread-safe; used to
  // enforce deadlines from another thread).
  void Interrupt();

  // For code in store/ that needs the raw handle (e.g. progress handlers).
  sqlite3* raw() const { return db_; }

  // Status for the connection's last error, e.g. "<errmsg> (in: <sql>)".
  Status LastError(std::string_view what) const;

  // BEGIN, BEGIN IMMEDIATE, COMMIT and ROLLBACK, for Txn: prepared once per
  // connection (a lookup opens a read transaction or more per call, and
  // parsing them each time was a tenth of a reader's work).
  enum class TxnStatement { kBegin, kBeginImmediate, kCommit, kRollback };
  Status Run(TxnStatement which);

 private:
  Db(sqlite3* db, std::string path, Mode mode) : db_(db), path_(std::move(path)), mode_(mode) {}
  sqlite3* db_;
  std::string path_;
  Mode mode_;
  sqlite3_stmt* txn_statements_[4] = {};
};

class Stmt {
 public:
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Bind values to the 0-based parameter `i`. Text and blobs are copied
  // (SQLITE_TRANSIENT) unless *Static, which requires the data to outlive the
  // next Step()/Reset().
  Status BindInt(int i, int64_t v);
  Status BindDouble(int i, double v);
  Status BindText(int i, std::string_view v);
  Status BindTextStatic(int i, std::string_view v);
  Status BindBlob(int i, std::span<const uint8_t> v);
  Status BindBlobStatic(int i, std::span<const uint8_t> v);
  Status BindNull(int i);
  // Binds v or NULL.
  Status BindOptionalInt(int i, std::optional<int64_t> v);

  // Advances: true when a row is ready, false when done. Errors carry the SQL.
  Result<bool> Step();
  // Steps a statement that must not return rows, then resets it.
  Status Run();

  // Readies the statement for reuse and clears its bindings.
  void Reset();

  bool ColumnIsNull(int i) const;
  int64_t ColumnInt(int i) const;
  double ColumnDouble(int i) const;
  std::string_view ColumnText(int i) const;  // valid until the next Step/Reset
  std::span<const uint8_t> ColumnBlob(int i) const;
  std::optional<int64_t> ColumnOptionalInt(int i) const;

  // The statement's SQL as written, for messages.
  std::string_view sql() const;

 private:
  friend class Db;
  Stmt(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  Status Check(int rc, std::string_view what) const;
  sqlite3_stmt* stmt_;
  sqlite3* db_;
};

// Resets a reused statement when the scope ends, however it ends: a
// statement left mid-way would hold its read snapshot open.
class ResetOnExit {
 public:
  explicit ResetOnExit(Stmt* stmt) : stmt_(stmt) {}
  ~ResetOnExit() { stmt_->Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Stmt* stmt_;
};

// A transaction: BEGIN on Begin(), ROLLBACK on destruction unless Commit()
// succeeded. Not nestable.
class Txn {
 public:
  enum class Kind { kDeferred, kImmediate };
  static Result<Txn> Begin(Db& db, Kind kind = Kind::kImmediate);
  Txn(Txn&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Txn& operator=(Txn&&) = delete;
  ~Txn();

  Status Commit();

 private:
  explicit Txn(Db* db) : db_(db) {}
  Db* db_;  // null once committed or rolled back
};

}  // namespace culprit::store::sqlite

#endif  // CULPRIT_DAEMON_STORE_SQLITE_DB_H_
