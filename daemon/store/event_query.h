#ifndef CULPRIT_DAEMON_STORE_EVENT_QUERY_H_
#define CULPRIT_DAEMON_STORE_EVENT_QUERY_H_

// EventQuery: the read side of the store, as a plain interface. The service
// and the correlator depend on this header only, never on SQLite.
//
// An EventQuery instance is used by one thread at a time (each reader thread
// owns one: it wraps a read-only connection). Results are snapshots: they
// reflect the transactions committed when the call began.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "base/result.h"
#include "base/time.h"
#include "parsers/event.h"

namespace culprit::store {

// The committed position in one file a source has read.
struct FileCheckpoint {
  int64_t file_id = 0;
  std::string path;
  uint64_t dev = 0;
  uint64_t inode = 0;
  int64_t offset = 0;
  bool active = true;  // still followed (not rotated away and finished)
};

// What the database knows about a source.
struct SourceStats {
  int64_t id = 0;
  std::string name;
  std::string path;
  std::string format;
  int64_t lines_parsed = 0;
  int64_t lines_rejected = 0;
  int64_t lines_truncated = 0;
  int64_t truncations = 0;
  std::optional<Timestamp> newest_event;
  std::vector<FileCheckpoint> files;  // active checkpoints, by file id
};

// One stored event with where it came from.
struct StoredEvent {
  int64_t id = 0;         // events.id: stable, increasing in insertion order
  int64_t source_id = 0;
  int64_t file_id = 0;
  std::string path;       // the file's path when it was read
  int64_t offset = 0;     // of the line in that file
  parsers::Event event;   // extra holds what was stored (events with a cause)
  std::string raw;        // the line as read
};

// Which events FindEvents() returns. Every set field must match.
struct EventFilter {
  Timestamp from;  // ts_us >= from
  Timestamp to;    // ts_us <= to
  // The client address, exactly, or a CIDR range (low and high keys, as
  // IpPrefix::LowKey()/HighKey() give them). At most one of the two.
  std::optional<IpAddress> client_ip;
  std::optional<IpPrefix> client_prefix;
  uint16_t client_port = 0;  // 0 = any
  uint16_t server_port = 0;  // 0 = any
  std::optional<int64_t> source_id;
  std::optional<EventKind> kind;
  std::optional<Cause> cause;
  bool with_cause_only = false;  // cause != NONE
  std::string conn_id;     // exact, when not empty
  std::string request_id;  // exact, when not empty
  bool newest_first = false;  // default: oldest first (ts_us, then id)
  size_t limit = 1000;        // at most this many; REQUIRES: >= 1
};

// How often each cause appeared in a time range.
struct CauseCount {
  Cause cause = Cause::kNone;
  int64_t reports = 0;  // client reports whose top verdict was this cause
  int64_t events = 0;   // server-side events that indicate it
};

class EventQuery {
 public:
  virtual ~EventQuery() = default;

  // Calls `fn` once; every call `fn` makes on this object reads the same
  // snapshot of the store (one read transaction), so the lookups of one
  // diagnosis agree with each other, and the snapshot is opened once rather
  // than per lookup. fn's results travel through what it captures; the
  // returned status is opening or closing the snapshot's. A call inside
  // `fn` to InOneSnapshot just calls its function. The default (a store
  // without snapshots, e.g. a test's) calls `fn`.
  virtual Status InOneSnapshot(const std::function<void()>& fn) {
    fn();
    return Status::Ok();
  }

  // Every source in the database, by id.
  virtual Result<std::vector<SourceStats>> ListSources() = 0;

  // Events matching `filter`, ordered by time (then id), at most
  // filter.limit. A lookup by client address and a window of seconds is the
  // fast path (one index seek per write transaction that stored events in
  // the window's seconds); other filters read every event those
  // transactions stored in the range. Errors: INVALID_ARGUMENT for a filter that makes no
  // sense (to < from, limit 0), UNAVAILABLE/INTERNAL from the database.
  virtual Result<std::vector<StoredEvent>> FindEvents(const EventFilter& filter) = 0;

  // How many client reports from `client` were received with a reported
  // time in [from, to]. Errors: UNAVAILABLE/INTERNAL from the database.
  virtual Result<int64_t> CountReports(const IpAddress& client, Timestamp from, Timestamp to) = 0;

  // Per cause (NONE excluded for events, NONE_ON_SERVER included for
  // reports): counts of reports seen in [from, to] and of events in it, by
  // cause code. Causes with no count are left out. Scans the range's index
  // entries: cost grows with the number of events in the range.
  virtual Result<std::vector<CauseCount>> CountCauses(Timestamp from, Timestamp to) = 0;
};

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_EVENT_QUERY_H_
