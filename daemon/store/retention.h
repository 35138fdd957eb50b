#ifndef CULPRIT_DAEMON_STORE_RETENTION_H_
#define CULPRIT_DAEMON_STORE_RETENTION_H_

// Retention: deletes what is older than `[daemon] retention` (events,
// rejected lines, reports) in small steps, so that the database file stops
// growing under steady ingest without ever stalling ingestion.
//
// What is deleted, and how it is found without scanning a table
// (schema/README.md, "Retention"):
//   * `events` rows whose ts_us is before the cutoff, oldest first, through
//     the time indexes (events_with_cause_by_time; events_without_cause_by_time
//     for ordinary rows written before schema 4);
//   * `event_groups` and `event_spans` by whole write transaction (seq), in
//     seq order: a transaction's groups are deleted only once every second it
//     stored events in (its spans) is before the cutoff. A transaction that
//     straddles the cutoff is kept whole until its newest second expires;
//   * `rejected_lines` and `reports` by rowid, oldest first, while seen_us
//     (received_us) is before the cutoff: rowids follow the server clock that
//     wrote those columns, so no index is needed.
// Never deleted: `sources`, `checkpoints` (exactly-once resumes from them and
// events name their file), `store_state`, the code tables.
//
// Space: deleted pages go to SQLite's free list and new rows reuse them, so
// under steady ingest the file levels off at about `keep` worth of data. A
// file created with auto_vacuum = INCREMENTAL (OpenForWriting does this for
// new files) also gives free pages back to the file system, a bounded number
// per step; older files without it stay at their high-water mark.
//
// Thread-compatible: Step() runs on the connection's one thread (the writer
// thread, between its write transactions).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace culprit::store {

namespace sqlite {
class Db;
class Stmt;
}  // namespace sqlite

// Parses the `retention` setting: a duration such as "14d", "36h", "90m" or
// "1d12h". "0" and "" mean keep forever and return Duration::zero().
// Fails with INVALID_ARGUMENT naming the value, e.g.
//   retention: "14x" is not a duration (use 14d, 36h, 90m)
// and for a retention under one hour (a typo, most likely: reports ask about
// resets seen minutes to hours ago, and would find no evidence).
Result<Duration> ParseRetention(std::string_view text);

struct RetentionOptions {
  // How long to keep things, measured back from Step()'s `now`. > 0.
  Duration keep{};
  // Bounds each step's work (see Step()): at most this many of each of
  //   * `events` rows;
  //   * events packed in `event_groups` rows, counted by the rows' `count`,
  //     plus `event_spans` rows (whole groups: a group larger than this
  //     still goes, alone, in one step);
  //   * `rejected_lines` rows;
  //   * `reports` rows.
  int batch_rows = 2000;
  // Free pages returned to the file system per step when the file uses
  // auto_vacuum = INCREMENTAL; 0 disables.
  int vacuum_pages = 256;
};

struct RetentionStep {
  int64_t events_deleted = 0;          // `events` rows
  int64_t groups_deleted = 0;          // `event_groups` rows
  int64_t grouped_events_deleted = 0;  // the events they held
  int64_t spans_deleted = 0;           // `event_spans` rows
  int64_t rejected_deleted = 0;        // `rejected_lines` rows
  int64_t reports_deleted = 0;         // `reports` rows
  int64_t pages_freed = 0;             // pages the file shrank by (incremental vacuum)
  // True when the step stopped at its row bound: call Step() again soon.
  // (It may then find nothing left.) False: nothing expired remains; the
  // next expiry is at least a second away.
  bool more = false;
};

class Retention {
 public:
  // Prepares the statements and reads the file's auto_vacuum mode.
  // Fails with INVALID_ARGUMENT when keep <= 0 or batch_rows < 1 or
  // vacuum_pages < 0, or with the SQLite error when a statement does not
  // prepare (a schema older than version 5).
  // REQUIRES: db is read-write, migrated, used by this thread only, and
  // outlives the Retention.
  static Result<std::unique_ptr<Retention>> Create(sqlite::Db* db, RetentionOptions options);
  ~Retention();
  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;

  // One bounded step, in its own IMMEDIATE transaction: deletes up to
  // batch_rows of each kind of expired row (older than now - keep; see
  // RetentionOptions::batch_rows), oldest first, then runs
  // `PRAGMA incremental_vacuum(vacuum_pages)` when the file uses it. On
  // failure the transaction rolls back, nothing is deleted and the Retention
  // stays usable.
  // REQUIRES: no transaction is open on the connection.
  //
  // Cost: every row is found by an index seek or a rowid range, never a
  // table scan, so a step's work does not grow with the database. Measured
  // on a 500 MiB file of 2M lines, deleting 1M of them with the defaults:
  // median 0.8 ms, mean 3-5 ms a step, plus the WAL checkpoint a commit
  // triggers every ~60 steps (~100 ms, as for the writer's own commits).
  // Call it between write transactions: again after the next one while
  // `more`, otherwise about once a minute.
  Result<RetentionStep> Step(Timestamp now);

  const RetentionOptions& options() const { return options_; }

 private:
  struct Statements;
  Retention(sqlite::Db* db, RetentionOptions options);

  Status DeleteEvents(int64_t cutoff_us, RetentionStep* out);
  Status DeleteTransactions(int64_t now_us, int64_t expired_below_second, RetentionStep* out);
  // Deletes seq's groups (counted by their events) and then its spans with
  // a second below `below_second`, within *budget, which it lowers. Returns
  // true when none of them remain.
  Result<bool> DeleteSeq(int64_t seq, int64_t below_second, int64_t* budget, RetentionStep* out);
  // Deletes the oldest rows of a rowid table while their time is before
  // the cutoff, up to batch_rows.
  Status DeleteOldestRows(sqlite::Stmt& oldest, sqlite::Stmt& remove, int64_t cutoff_us,
                          int64_t* deleted, bool* more);
  Status Vacuum(RetentionStep* out);

  sqlite::Db* db_;
  RetentionOptions options_;
  std::unique_ptr<Statements> stmts_;
  bool incremental_vacuum_ = false;
  // The walk over write transactions in seq order: the last seq passed
  // (deleted, or kept because it straddles the cutoff). Starts below any seq.
  int64_t cursor_seq_;
  // Transactions passed but kept, by seq: the last second they stored events
  // in. Deleted once that second expires. Bounded by kMaxHeld (retention.cc);
  // lost on restart, when the walk starts from the lowest seq again.
  std::map<int64_t, int64_t> held_;
  std::vector<int64_t> group_ids_;  // reused by DeleteSeq()
};

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_RETENTION_H_
