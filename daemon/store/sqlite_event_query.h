#ifndef CULPRIT_DAEMON_STORE_SQLITE_EVENT_QUERY_H_
#define CULPRIT_DAEMON_STORE_SQLITE_EVENT_QUERY_H_

// SqliteEventQuery: EventQuery over a read-only SQLite connection.
// One instance per reader thread.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "daemon/store/event_query.h"

namespace culprit::store {

namespace sqlite {
class Db;
class Stmt;
class Txn;
}

class SqliteEventQuery final : public EventQuery {
 public:
  // Opens `path` read-only. Fails if the database is missing or its schema is
  // not the one this binary writes.
  static Result<std::unique_ptr<SqliteEventQuery>> Open(const std::string& path);
  ~SqliteEventQuery() override;

  Status InOneSnapshot(const std::function<void()>& fn) override;
  Result<std::vector<SourceStats>> ListSources() override;
  Result<std::vector<StoredEvent>> FindEvents(const EventFilter& filter) override;
  Result<int64_t> CountReports(const IpAddress& client, Timestamp from, Timestamp to) override;
  Result<std::vector<CauseCount>> CountCauses(Timestamp from, Timestamp to) override;

  // The SQL and bindings FindEvents() runs for `filter` (for EXPLAIN QUERY
  // PLAN tests). The SQL holds placeholders only, never values.
  struct Query {
    std::string sql;
    std::vector<std::variant<int64_t, std::string, IpAddress::KeyBytes>> args;  // in order
  };
  // The ids and times (columns 0 and 1) of the `events` rows that match,
  // in the filter's order, at most filter.limit; with `count`, the query
  // counts them instead. `every_row_has_cause`: the database holds no rows
  // of ordinary events (stored before schema 4), so a client's lookup of
  // events with a cause need not read each row to test its cause.
  static Result<Query> BuildQuery(const EventFilter& filter, bool count = false,
                                  bool every_row_has_cause = false);
  // The SQL that reads the event_groups rows (ordinary events, schema 4)
  // `filter` may match, or nullopt when it asks only for events with a
  // cause. Rows hold packed events: FindEvents() decodes and filters them.
  static std::optional<Query> BuildGroupQuery(const EventFilter& filter);
  // For a client's lookup, the SQL that reads a sequence listed in
  // open_sequences: its groups overlap, so every one holding the client.
  static std::string OverlappingGroupsSql(bool with_port);

 private:
  explicit SqliteEventQuery(std::unique_ptr<sqlite::Db> db);
  struct Picks;
  // Offers the grouped events matching `filter` to `*picks`.
  Status ReadGroups(const EventFilter& filter, Picks* picks);
  // The `events` row `id`, whole but for its path.
  Status ReadRow(int64_t id, StoredEvent* out);
  // Sets every_row_has_cause_ once the database holds no ordinary rows.
  Status CheckRowsHaveCause();
  Result<std::string> FilePath(int64_t file_id);
  // The prepared statement for `sql`, kept across calls (a lookup runs the
  // same few shapes again and again), reset and with no bindings.
  Result<sqlite::Stmt*> Statement(const std::string& sql);
  // Drops the cached statements when there are too many; only at the start
  // of a public call, when none is being stepped.
  void TrimStatements();
  // The read transaction of one public call, or none (nullopt) inside
  // InOneSnapshot(), whose transaction the call reads in.
  Result<std::optional<sqlite::Txn>> BeginRead();
  static Status EndRead(std::optional<sqlite::Txn>& txn);

  std::unique_ptr<sqlite::Db> db_;
  bool in_snapshot_ = false;
  bool every_row_has_cause_ = false;
  std::map<std::string, sqlite::Stmt> statements_;
};

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_SQLITE_EVENT_QUERY_H_
