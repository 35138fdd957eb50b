#include "daemon/store/sqlite/db.h"

#include <sqlite3.h>

#include "base/log.h"

namespace culprit::store::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

std::string Abbrev(std::string_view sql) {
  // Messages quote the SQL; keep them short and on one line.
  std::string out;
  for (char c : sql) {
    if (out.size() >= 200) {
      out += "...";
      break;
    }
    out += (c == '\n' || c == '\t') ? ' ' : c;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, Mode mode) {
  sqlite3* raw = nullptr;
  const int flags = (mode == Mode::kReadWrite ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
                                              : SQLITE_OPEN_READONLY) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open database \"" + path + "\": " +
                      (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    sqlite3_close(raw);
    return Status::Unavailable(std::move(msg));
  }
  std::unique_ptr<Db> db(new Db(raw, path, mode));
  sqlite3_extended_result_codes(raw, 1);
  if (sqlite3_busy_timeout(raw, kBusyTimeoutMs) != SQLITE_OK) return db->LastError("busy_timeout");

  // The first statement that reads the file tells us whether it is a database
  // at all ("file is not a database") or locked by another process.
  auto check = [&](std::string_view what, Status s) -> Status {
    if (s.ok()) return s;
    return Status::Unavailable("database \"" + path + "\": " + std::string(what) + ": " +
                               s.message());
  };
  if (mode == Mode::kReadWrite) {
    // A new file gets 16 KiB pages (an existing one keeps its size): a
    // group of packed events spans fewer overflow pages, and the WAL and
    // checkpoints move the same bytes in a quarter of the writes.
    CULPRIT_RETURN_IF_ERROR(check("pragma", db->Exec("PRAGMA page_size=16384;")));
    auto jm = db->Prepare("PRAGMA journal_mode=WAL");
    if (!jm.ok()) return check("cannot read", jm.status());
    auto row = jm->Step();
    if (!row.ok()) return check("cannot read", row.status());
    if (!*row || jm->ColumnText(0) != "wal") {
      return Status::Unavailable("database \"" + path + "\": cannot switch to WAL mode");
    }
  } else {
    auto v = db->QueryInt("PRAGMA schema_version");
    if (!v.ok()) return check("cannot read", v.status());
  }
  CULPRIT_RETURN_IF_ERROR(check("pragma", db->Exec("PRAGMA synchronous=NORMAL;"
                                                   "PRAGMA temp_store=MEMORY;")));
  if (mode == Mode::kReadWrite) {
    // The writer's connection. Foreign keys are declared for documentation
    // and for readers, but not enforced here: every id the writer binds comes
    // from a row it wrote itself, and enforcement costs four index lookups
    // per event. Every index the writer fills grows at its end (schema 4),
    // so an 8 MiB page cache holds the pages it touches (64 MiB measured
    // no faster, and cost 50 MB of RSS). Checkpointing the WAL every ~40 MB
    // instead of every 4 MB halves the number of times each page is copied.
    CULPRIT_RETURN_IF_ERROR(check("pragma", db->Exec("PRAGMA foreign_keys=OFF;"
                                                     "PRAGMA cache_size=-8192;")));
    if (sqlite3_wal_autocheckpoint(raw, kWalAutocheckpointPages) != SQLITE_OK) {
      return db->LastError("wal_autocheckpoint");
    }
  } else {
    // A reader's lookups come back to the same recent pages (the spans,
    // the newest groups): 16 MiB keeps them without a read() each.
    CULPRIT_RETURN_IF_ERROR(check("pragma", db->Exec("PRAGMA cache_size=-16384;")));
  }
  return db;
}

Db::~Db() {
  for (sqlite3_stmt* s : txn_statements_) sqlite3_finalize(s);  // null: a no-op
  // Other statements are finalized by their owners first; close_v2 would
  // defer if any were left, which would be a leak we want to hear about.
  if (sqlite3_close(db_) != SQLITE_OK) {
    CULPRIT_LOG(kError) << "closing database \"" << path_ << "\": " << sqlite3_errmsg(db_);
    sqlite3_close_v2(db_);
  }
}

Status Db::LastError(std::string_view what) const {
  const int code = sqlite3_extended_errcode(db_);
  std::string msg = std::string(sqlite3_errmsg(db_)) + " (in: " + Abbrev(what) + ")";
  const int primary = code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Status::Unavailable("database \"" + path_ + "\" is locked: " + msg);
  }
  if (primary == SQLITE_FULL) return Status::ResourceExhausted(std::move(msg));
  if (primary == SQLITE_INTERRUPT) return Status::Cancelled(std::move(msg));
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    return Status::DataLoss("database \"" + path_ + "\": " + msg);
  }
  if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) {
    return Status::Unavailable("database \"" + path_ + "\": " + msg);
  }
  return Status::Internal(std::move(msg));
}

Status Db::Exec(std::string_view sql) {
  const std::string copy(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    return LastError(sql);
  }
  return Status();
}

Status Db::Run(TxnStatement which) {
  static constexpr const char* kSql[] = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};
  const int i = static_cast<int>(which);
  sqlite3_stmt*& stmt = txn_statements_[i];
  if (stmt == nullptr &&
      sqlite3_prepare_v3(db_, kSql[i], -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
          SQLITE_OK) {
    return LastError(kSql[i]);
  }
  const int rc = sqlite3_step(stmt);
  // The error is the connection's until the next call: read it before reset.
  Status st = rc == SQLITE_DONE ? Status() : LastError(kSql[i]);
  sqlite3_reset(stmt);
  return st;
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return LastError(sql);
  if (stmt == nullptr) return Status::Internal("empty SQL statement: " + Abbrev(sql));
  Stmt out(stmt, db_);
  for (const char* p = tail; p && p < sql.data() + sql.size(); ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\t' && *p != ';') {
      return Status::Internal("more than one SQL statement in Prepare(): " + Abbrev(sql));
    }
  }
  return out;
}

Result<int64_t> Db::QueryInt(std::string_view sql) {
  CULPRIT_ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql));
  CULPRIT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::Internal("no row from: " + Abbrev(sql));
  return stmt.ColumnInt(0);
}

int64_t Db::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

void Db::Interrupt() { sqlite3_interrupt(db_); }

Stmt::Stmt(Stmt&& other) noexcept : stmt_(other.stmt_), db_(other.db_) {
  other.stmt_ = nullptr;
}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    db_ = other.db_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Status Stmt::Check(int rc, std::string_view what) const {
  if (rc == SQLITE_OK) return Status();
  return Status::Internal(std::string(what) + ": " + sqlite3_errmsg(db_) + " (in: " +
                          Abbrev(sql()) + ")");
}

Status Stmt::BindInt(int i, int64_t v) {
  return Check(sqlite3_bind_int64(stmt_, i + 1, v), "bind");
}
Status Stmt::BindDouble(int i, double v) {
  return Check(sqlite3_bind_double(stmt_, i + 1, v), "bind");
}
Status Stmt::BindText(int i, std::string_view v) {
  return Check(sqlite3_bind_text64(stmt_, i + 1, v.data(), v.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8),
               "bind");
}
Status Stmt::BindTextStatic(int i, std::string_view v) {
  return Check(
      sqlite3_bind_text64(stmt_, i + 1, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8),
      "bind");
}
Status Stmt::BindBlob(int i, std::span<const uint8_t> v) {
  // SQLite binds a null pointer as NULL; an empty blob is a zero-length blob.
  if (v.empty()) return Check(sqlite3_bind_zeroblob(stmt_, i + 1, 0), "bind");
  return Check(sqlite3_bind_blob64(stmt_, i + 1, v.data(), v.size(), SQLITE_TRANSIENT), "bind");
}
Status Stmt::BindBlobStatic(int i, std::span<const uint8_t> v) {
  if (v.empty()) return Check(sqlite3_bind_zeroblob(stmt_, i + 1, 0), "bind");
  return Check(sqlite3_bind_blob64(stmt_, i + 1, v.data(), v.size(), SQLITE_STATIC), "bind");
}
Status Stmt::BindNull(int i) { return Check(sqlite3_bind_null(stmt_, i + 1), "bind"); }
Status Stmt::BindOptionalInt(int i, std::optional<int64_t> v) {
  return v ? BindInt(i, *v) : BindNull(i);
}

Result<bool> Stmt::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Reset so the statement can be reused; the error stays on the connection.
  const int code = sqlite3_extended_errcode(db_);
  std::string msg = std::string(sqlite3_errmsg(db_)) + " (in: " + Abbrev(sql()) + ")";
  sqlite3_reset(stmt_);
  const int primary = code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Status::Unavailable("database is locked: " + msg);
  }
  if (primary == SQLITE_FULL) return Status::ResourceExhausted(std::move(msg));
  if (primary == SQLITE_INTERRUPT) return Status::Cancelled(std::move(msg));
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Status::DataLoss(std::move(msg));
  if (primary == SQLITE_IOERR || primary == SQLITE_READONLY) {
    return Status::Unavailable(std::move(msg));
  }
  if (primary == SQLITE_CONSTRAINT) return Status::FailedPrecondition(std::move(msg));
  return Status::Internal(std::move(msg));
}

Status Stmt::Run() {
  auto row = Step();
  Reset();
  if (!row.ok()) return row.status();
  if (*row) return Status::Internal("statement returned rows: " + Abbrev(sql()));
  return Status();
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Stmt::ColumnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
int64_t Stmt::ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
double Stmt::ColumnDouble(int i) const { return sqlite3_column_double(stmt_, i); }
std::string_view Stmt::ColumnText(int i) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
  if (p == nullptr) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))};
}
std::span<const uint8_t> Stmt::ColumnBlob(int i) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, i));
  if (p == nullptr) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))};
}
std::optional<int64_t> Stmt::ColumnOptionalInt(int i) const {
  if (ColumnIsNull(i)) return std::nullopt;
  return ColumnInt(i);
}

std::string_view Stmt::sql() const {
  const char* s = stmt_ ? sqlite3_sql(stmt_) : nullptr;
  return s ? std::string_view(s) : std::string_view();
}

Result<Txn> Txn::Begin(Db& db, Kind kind) {
  CULPRIT_RETURN_IF_ERROR(db.Run(kind == Kind::kImmediate ? Db::TxnStatement::kBeginImmediate
                                                           : Db::TxnStatement::kBegin));
  return Txn(&db);
}

Txn::~Txn() {
  // A failed COMMIT (disk full, I/O error) may have rolled the transaction
  // back already: then there is nothing left to roll back.
  if (db_ != nullptr && !sqlite3_get_autocommit(db_->raw())) {
    Status s = db_->Run(Db::TxnStatement::kRollback);
    if (!s.ok()) CULPRIT_LOG(kError) << "rollback failed: " << s.message();
  }
}

Status Txn::Commit() {
  if (db_ == nullptr) return Status::Internal("transaction already finished");
  Status s = db_->Run(Db::TxnStatement::kCommit);
  if (s.ok()) db_ = nullptr;
  return s;
}

}  // namespace culprit::store::sqlite
