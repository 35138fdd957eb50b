#ifndef CULPRIT_DAEMON_STORE_EVENT_QUERY_H_
#define CULPRIT_DAEMON_STORE_EVENT_QUERY_H_

// EventQuery: the read side of the store, as a plain interface. The service
// and the correlator depend on this header only, never on SQLite.
//
// An EventQuery instance is used by one thread at a time (each reader thread
// owns one: it wraps a read-only connection). Results are snapshots: they
// reflect the transactions committed when the call began.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"

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

class EventQuery {
 public:
  virtual ~EventQuery() = default;

  // Every source in the database, by id.
  virtual Result<std::vector<SourceStats>> ListSources() = 0;
};

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_EVENT_QUERY_H_
