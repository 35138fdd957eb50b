#include "daemon/store/retention.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <string>

#include "daemon/store/sqlite/db.h"

namespace culprit::store {
namespace {

// Events with a cause (every `events` row since schema 4), then ordinary
// rows stored before schema 4: the oldest `?2` before `?1`, by time index.
constexpr char kDeleteCausedEventsSql[] =
    "DELETE FROM events WHERE id IN (SELECT id FROM events INDEXED BY events_with_cause_by_time "
    "WHERE cause <> 0 AND ts_us < ?1 ORDER BY ts_us LIMIT ?2)";
constexpr char kCausedEventsLeftSql[] =
    "SELECT EXISTS (SELECT 1 FROM events INDEXED BY events_with_cause_by_time "
    "WHERE cause <> 0 AND ts_us < ?1)";
constexpr char kDeleteOrdinaryEventsSql[] =
    "DELETE FROM events WHERE id IN (SELECT id FROM events INDEXED BY "
    "events_without_cause_by_time WHERE cause = 0 AND ts_us < ?1 ORDER BY ts_us LIMIT ?2)";
constexpr char kOrdinaryEventsLeftSql[] =
    "SELECT EXISTS (SELECT 1 FROM events INDEXED BY events_without_cause_by_time "
    "WHERE cause = 0 AND ts_us < ?1)";

// The walk over write transactions (event_spans_by_seq, schema 5).
constexpr char kNextSeqSql[] =
    "SELECT seq FROM event_spans INDEXED BY event_spans_by_seq WHERE seq > ?1 "
    "ORDER BY seq LIMIT 1";
constexpr char kFirstSecondSql[] =
    "SELECT second FROM event_spans INDEXED BY event_spans_by_seq WHERE seq = ?1 "
    "ORDER BY second LIMIT 1";
constexpr char kLastSecondSql[] =
    "SELECT second FROM event_spans INDEXED BY event_spans_by_seq WHERE seq = ?1 "
    "ORDER BY second DESC LIMIT 1";
constexpr char kHasGroupsSql[] =
    "SELECT EXISTS (SELECT 1 FROM event_groups INDEXED BY event_groups_by_seq WHERE seq = ?1)";
// A transaction's groups with their sizes (`count` precedes the packed
// events in the row, so reading it reads no overflow page).
constexpr char kGroupsOfSeqSql[] =
    "SELECT id, count FROM event_groups INDEXED BY event_groups_by_seq WHERE seq = ?1 LIMIT ?2";
constexpr char kDeleteGroupSql[] = "DELETE FROM event_groups WHERE id = ?1";
constexpr char kDeleteSpansSql[] =
    "DELETE FROM event_spans WHERE seq = ?1 AND second IN (SELECT second FROM event_spans "
    "INDEXED BY event_spans_by_seq WHERE seq = ?1 AND second < ?2 ORDER BY second LIMIT ?3)";

// Rowid tables whose time column is the server's clock at insert: the
// oldest rows come first in rowid order.
constexpr char kOldestRejectedSql[] = "SELECT id, seen_us FROM rejected_lines ORDER BY id LIMIT ?1";
constexpr char kDeleteRejectedSql[] = "DELETE FROM rejected_lines WHERE id <= ?1";
constexpr char kOldestReportsSql[] = "SELECT id, received_us FROM reports ORDER BY id LIMIT ?1";
constexpr char kDeleteReportsSql[] = "DELETE FROM reports WHERE id <= ?1";

// Transactions kept because they straddle the cutoff, remembered in memory.
// Such a transaction mixes lines written days apart (a backlog read with
// current lines), so there are few; past this many the walk waits for them
// to expire rather than remember more.
constexpr size_t kMaxHeld = 1024;
// A transaction whose first second is this far past `now` has event times
// from a wrong clock; the walk passes it (keeping it) instead of taking it
// for the present and waiting behind it.
constexpr int64_t kFutureSlackSeconds = 86400;

constexpr int64_t kMicrosPerSecond = 1'000'000;

// floor(a / b) for b > 0 (C++ division truncates toward zero).
int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// `text` for a message: control bytes and bytes >= 0x80 as \xNN.
std::string Printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 64)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      out += buf;
    }
  }
  if (text.size() > 64) out += "...";
  return out;
}

// Runs a one-row, one-column query with the given integer parameters;
// nullopt when it returns no row.
template <typename... Args>
Result<std::optional<int64_t>> QueryOne(sqlite::Stmt& stmt, Args... args) {
  sqlite::ResetOnExit reset(&stmt);
  int i = 0;
  for (const int64_t v : {static_cast<int64_t>(args)...}) {
    CULPRIT_RETURN_IF_ERROR(stmt.BindInt(i++, v));
  }
  CULPRIT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || stmt.ColumnIsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt.ColumnInt(0));
}

// Runs a statement that returns no rows; returns the rows it changed.
template <typename... Args>
Result<int64_t> Change(sqlite::Db& db, sqlite::Stmt& stmt, Args... args) {
  int i = 0;
  for (const int64_t v : {static_cast<int64_t>(args)...}) {
    CULPRIT_RETURN_IF_ERROR(stmt.BindInt(i++, v));
  }
  CULPRIT_RETURN_IF_ERROR(stmt.Run());
  return static_cast<int64_t>(sqlite3_changes(db.raw()));
}

}  // namespace

Result<Duration> ParseRetention(std::string_view text) {
  if (text.empty() || text == "0") return Duration::zero();
  auto d = ParseDuration(text);
  if (!d.ok()) {
    return Status::InvalidArgument("retention: \"" + Printable(text) +
                                   "\" is not a duration (use 14d, 36h, 90m)");
  }
  if (*d == Duration::zero()) return Duration::zero();
  if (*d < std::chrono::hours(1)) {
    return Status::InvalidArgument("retention: \"" + Printable(text) +
                                   "\" is under an hour; keep at least 1h (e.g. 14d), "
                                   "or 0 to keep everything");
  }
  return *d;
}

struct Retention::Statements {
  sqlite::Stmt delete_caused_events;
  sqlite::Stmt caused_events_left;
  sqlite::Stmt delete_ordinary_events;
  sqlite::Stmt ordinary_events_left;
  sqlite::Stmt next_seq;
  sqlite::Stmt first_second;
  sqlite::Stmt last_second;
  sqlite::Stmt has_groups;
  sqlite::Stmt groups_of_seq;
  sqlite::Stmt delete_group;
  sqlite::Stmt delete_spans;
  sqlite::Stmt oldest_rejected;
  sqlite::Stmt delete_rejected;
  sqlite::Stmt oldest_reports;
  sqlite::Stmt delete_reports;
};

Retention::Retention(sqlite::Db* db, RetentionOptions options)
    : db_(db), options_(options), cursor_seq_(std::numeric_limits<int64_t>::min()) {}
Retention::~Retention() = default;

Result<std::unique_ptr<Retention>> Retention::Create(sqlite::Db* db, RetentionOptions options) {
  if (options.keep <= Duration::zero()) {
    return Status::InvalidArgument(
        "retention: keep must be positive (0 keeps everything: "
        "then do not create a Retention)");
  }
  if (options.batch_rows < 1 || options.vacuum_pages < 0) {
    return Status::InvalidArgument(
        "retention: batch_rows must be >= 1 and vacuum_pages >= 0 (got " +
        std::to_string(options.batch_rows) + ", " + std::to_string(options.vacuum_pages) + ")");
  }
  std::unique_ptr<Retention> r(new Retention(db, options));
  auto prepare = [&](const char* sql) { return db->Prepare(sql); };
  CULPRIT_ASSIGN_OR_RETURN(auto delete_caused_events, prepare(kDeleteCausedEventsSql));
  CULPRIT_ASSIGN_OR_RETURN(auto caused_events_left, prepare(kCausedEventsLeftSql));
  CULPRIT_ASSIGN_OR_RETURN(auto delete_ordinary_events, prepare(kDeleteOrdinaryEventsSql));
  CULPRIT_ASSIGN_OR_RETURN(auto ordinary_events_left, prepare(kOrdinaryEventsLeftSql));
  CULPRIT_ASSIGN_OR_RETURN(auto next_seq, prepare(kNextSeqSql));
  CULPRIT_ASSIGN_OR_RETURN(auto first_second, prepare(kFirstSecondSql));
  CULPRIT_ASSIGN_OR_RETURN(auto last_second, prepare(kLastSecondSql));
  CULPRIT_ASSIGN_OR_RETURN(auto has_groups, prepare(kHasGroupsSql));
  CULPRIT_ASSIGN_OR_RETURN(auto groups_of_seq, prepare(kGroupsOfSeqSql));
  CULPRIT_ASSIGN_OR_RETURN(auto delete_group, prepare(kDeleteGroupSql));
  CULPRIT_ASSIGN_OR_RETURN(auto delete_spans, prepare(kDeleteSpansSql));
  CULPRIT_ASSIGN_OR_RETURN(auto oldest_rejected, prepare(kOldestRejectedSql));
  CULPRIT_ASSIGN_OR_RETURN(auto delete_rejected, prepare(kDeleteRejectedSql));
  CULPRIT_ASSIGN_OR_RETURN(auto oldest_reports, prepare(kOldestReportsSql));
  CULPRIT_ASSIGN_OR_RETURN(auto delete_reports, prepare(kDeleteReportsSql));
  r->stmts_.reset(new Statements{
      std::move(delete_caused_events), std::move(caused_events_left),
      std::move(delete_ordinary_events), std::move(ordinary_events_left), std::move(next_seq),
      std::move(first_second), std::move(last_second), std::move(has_groups),
      std::move(groups_of_seq), std::move(delete_group), std::move(delete_spans),
      std::move(oldest_rejected), std::move(delete_rejected), std::move(oldest_reports),
      std::move(delete_reports)});
  // 0 none, 1 full, 2 incremental. A full-vacuum file shrinks at every
  // commit by itself; only incremental needs the pragma.
  CULPRIT_ASSIGN_OR_RETURN(const int64_t mode, db->QueryInt("PRAGMA auto_vacuum"));
  r->incremental_vacuum_ = mode == 2;
  return r;
}

Result<RetentionStep> Retention::Step(Timestamp now) {
  const int64_t now_us = ToUnixMicros(now);
  const int64_t keep_us = options_.keep.count();
  // Saturate rather than overflow for a `now` near the start of time.
  const int64_t cutoff_us = now_us < std::numeric_limits<int64_t>::min() + keep_us
                                ? std::numeric_limits<int64_t>::min()
                                : now_us - keep_us;
  // A span's second s holds events with ts_us < (s + 1) * 1e6 (SQLite
  // divides toward zero, so this holds for negative times too): all of them
  // are before the cutoff exactly when s < floor(cutoff / 1e6).
  const int64_t expired_below_second = FloorDiv(cutoff_us, kMicrosPerSecond);

  RetentionStep out;
  // The walk's position is memory; restore it if the transaction rolls back
  // so no transaction is passed over without being deleted.
  const int64_t saved_cursor = cursor_seq_;
  std::map<int64_t, int64_t> saved_held = held_;
  Status st = [&]() -> Status {
    CULPRIT_ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(*db_));
    CULPRIT_RETURN_IF_ERROR(DeleteEvents(cutoff_us, &out));
    CULPRIT_RETURN_IF_ERROR(DeleteTransactions(now_us, expired_below_second, &out));
    CULPRIT_RETURN_IF_ERROR(DeleteOldestRows(stmts_->oldest_rejected, stmts_->delete_rejected,
                                             cutoff_us, &out.rejected_deleted, &out.more));
    CULPRIT_RETURN_IF_ERROR(DeleteOldestRows(stmts_->oldest_reports, stmts_->delete_reports,
                                             cutoff_us, &out.reports_deleted, &out.more));
    CULPRIT_RETURN_IF_ERROR(Vacuum(&out));
    return txn.Commit();
  }();
  if (!st.ok()) {
    cursor_seq_ = saved_cursor;
    held_ = std::move(saved_held);
    return st.WithContext("retention step");
  }
  return out;
}

Status Retention::DeleteEvents(int64_t cutoff_us, RetentionStep* out) {
  int64_t budget = options_.batch_rows;
  struct Pass {
    sqlite::Stmt* remove;
    sqlite::Stmt* left;
  };
  const Pass passes[] = {{&stmts_->delete_caused_events, &stmts_->caused_events_left},
                         {&stmts_->delete_ordinary_events, &stmts_->ordinary_events_left}};
  for (const Pass& p : passes) {
    if (budget > 0) {
      CULPRIT_ASSIGN_OR_RETURN(const int64_t n, Change(*db_, *p.remove, cutoff_us, budget));
      out->events_deleted += n;
      budget -= n;
    }
    CULPRIT_ASSIGN_OR_RETURN(const std::optional<int64_t> left, QueryOne(*p.left, cutoff_us));
    if (left.value_or(0) != 0) out->more = true;
  }
  return Status::Ok();
}

Result<bool> Retention::DeleteSeq(int64_t seq, int64_t below_second, int64_t* budget,
                                  RetentionStep* out) {
  // Groups first: while a group remains, so do its spans, which is how the
  // walk (and a lookup) finds it.
  CULPRIT_ASSIGN_OR_RETURN(const std::optional<int64_t> has_groups,
                           QueryOne(stmts_->has_groups, seq));
  if (has_groups.value_or(0) != 0) {
    if (*budget <= 0) return false;
    // Whole groups while their events fit the budget, but at least one per
    // step, so that a group larger than the whole budget goes too.
    const bool step_began = *budget == options_.batch_rows;
    group_ids_.clear();
    bool all = true;
    {
      sqlite::Stmt& list = stmts_->groups_of_seq;
      sqlite::ResetOnExit reset(&list);
      CULPRIT_RETURN_IF_ERROR(list.BindInt(0, seq));
      CULPRIT_RETURN_IF_ERROR(list.BindInt(1, *budget + 1));
      while (true) {
        CULPRIT_ASSIGN_OR_RETURN(bool row, list.Step());
        if (!row) break;
        const int64_t count = list.ColumnInt(1);
        if (count > *budget && !(step_began && group_ids_.empty())) {
          all = false;
          break;
        }
        group_ids_.push_back(list.ColumnInt(0));
        out->grouped_events_deleted += count;
        *budget -= std::max<int64_t>(count, 1);
        if (*budget <= 0) {
          CULPRIT_ASSIGN_OR_RETURN(const bool another, list.Step());
          all = !another;
          break;
        }
      }
    }
    for (const int64_t id : group_ids_) {
      CULPRIT_RETURN_IF_ERROR(stmts_->delete_group.BindInt(0, id));
      CULPRIT_RETURN_IF_ERROR(stmts_->delete_group.Run());
    }
    out->groups_deleted += static_cast<int64_t>(group_ids_.size());
    if (!all) return false;
  }
  if (*budget <= 0) return false;
  const int64_t limit = *budget;
  CULPRIT_ASSIGN_OR_RETURN(const int64_t n,
                           Change(*db_, stmts_->delete_spans, seq, below_second, limit));
  out->spans_deleted += n;
  *budget -= n;
  // n == limit: perhaps more spans; the next step finds out.
  return n < limit;
}

Status Retention::DeleteTransactions(int64_t now_us, int64_t expired_below_second,
                                     RetentionStep* out) {
  constexpr int64_t kAll = std::numeric_limits<int64_t>::max();
  int64_t budget = options_.batch_rows;
  // Transactions kept earlier whose newest second has now expired.
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->second >= expired_below_second) {
      ++it;
      continue;
    }
    CULPRIT_ASSIGN_OR_RETURN(const bool done, DeleteSeq(it->first, kAll, &budget, out));
    if (!done) {
      out->more = true;
      return Status::Ok();
    }
    it = held_.erase(it);
  }
  // The walk, in seq (write) order from where the last step stopped. Event
  // time follows write order closely, so the walk deletes transactions until
  // it meets one that is entirely after the cutoff: the present. Everything
  // after it is newer still, except lines read late (a backlog of old
  // files), which then wait for the transactions before them to expire.
  const int64_t now_second = FloorDiv(now_us, kMicrosPerSecond);
  while (true) {
    if (budget <= 0) {
      out->more = true;
      return Status::Ok();
    }
    CULPRIT_ASSIGN_OR_RETURN(const std::optional<int64_t> next,
                             QueryOne(stmts_->next_seq, cursor_seq_));
    if (!next) return Status::Ok();  // no transaction left
    const int64_t seq = *next;
    CULPRIT_ASSIGN_OR_RETURN(const std::optional<int64_t> first,
                             QueryOne(stmts_->first_second, seq));
    CULPRIT_ASSIGN_OR_RETURN(const std::optional<int64_t> last, QueryOne(stmts_->last_second, seq));
    if (!first || !last) return Status::Internal("event_spans changed during a transaction");
    if (*last < expired_below_second) {
      CULPRIT_ASSIGN_OR_RETURN(const bool done, DeleteSeq(seq, kAll, &budget, out));
      if (!done) {
        out->more = true;
        return Status::Ok();
      }
      cursor_seq_ = seq;
      continue;
    }
    if (*first >= expired_below_second && *first <= now_second + kFutureSlackSeconds) {
      return Status::Ok();  // the present: nothing after the cutoff yet
    }
    // The transaction straddles the cutoff (or its times are far in the
    // future): keep its groups whole until its newest second expires, and
    // pass it so the transactions after it are not held up.
    if (held_.size() >= kMaxHeld) return Status::Ok();
    CULPRIT_ASSIGN_OR_RETURN(const std::optional<int64_t> has_groups,
                             QueryOne(stmts_->has_groups, seq));
    if (has_groups.value_or(0) == 0) {
      // Only `events` rows, which go by their own time: its expired spans
      // point at nothing that is kept. (Also the one transaction, seq 0,
      // that schema 3 gave every row stored before it.)
      CULPRIT_ASSIGN_OR_RETURN(const bool done, DeleteSeq(seq, expired_below_second, &budget, out));
      if (!done) {
        out->more = true;
        return Status::Ok();
      }
    }
    held_[seq] = *last;
    cursor_seq_ = seq;
  }
}

Status Retention::DeleteOldestRows(sqlite::Stmt& oldest, sqlite::Stmt& remove, int64_t cutoff_us,
                                   int64_t* deleted, bool* more) {
  const int64_t budget = options_.batch_rows;
  // The expired prefix in rowid order, up to budget rows (one more tells
  // whether more remain). It stops at the first row that is not expired: a
  // server clock set back leaves rows behind it for a later step.
  int64_t count = 0;
  int64_t last_id = 0;
  {
    sqlite::ResetOnExit reset(&oldest);
    CULPRIT_RETURN_IF_ERROR(oldest.BindInt(0, budget + 1));
    while (true) {
      CULPRIT_ASSIGN_OR_RETURN(bool row, oldest.Step());
      if (!row || oldest.ColumnInt(1) >= cutoff_us) break;
      if (count == budget) {
        *more = true;
        break;
      }
      last_id = oldest.ColumnInt(0);
      ++count;
    }
  }
  if (count == 0) return Status::Ok();
  CULPRIT_ASSIGN_OR_RETURN(*deleted, Change(*db_, remove, last_id));
  return Status::Ok();
}

Status Retention::Vacuum(RetentionStep* out) {
  if (!incremental_vacuum_ || options_.vacuum_pages == 0) return Status::Ok();
  CULPRIT_ASSIGN_OR_RETURN(const int64_t free_pages, db_->QueryInt("PRAGMA freelist_count"));
  if (free_pages == 0) return Status::Ok();
  CULPRIT_ASSIGN_OR_RETURN(const int64_t before, db_->QueryInt("PRAGMA page_count"));
  // Moves pages from the end of the file into free slots and truncates the
  // freed tail (at the next WAL checkpoint). Exec steps it to completion.
  CULPRIT_RETURN_IF_ERROR(
      db_->Exec("PRAGMA incremental_vacuum(" + std::to_string(options_.vacuum_pages) + ")"));
  CULPRIT_ASSIGN_OR_RETURN(const int64_t after, db_->QueryInt("PRAGMA page_count"));
  out->pages_freed = before - after;
  return Status::Ok();
}

}  // namespace culprit::store
