#ifndef CULPRIT_DAEMON_STORE_WRITE_BATCH_H_
#define CULPRIT_DAEMON_STORE_WRITE_BATCH_H_

// WriteBatch: what the ingest side hands to the writer. Lines of one or more
// files, each line either parsed (an Event) or rejected (a reason), plus each
// file's new checkpoint. The writer stores a batch in one transaction, so a
// file's lines and its checkpoint commit together or not at all.
//
// A batch is built by one thread and then moved to the writer; it is meant
// to be recycled (Clear() keeps every buffer's capacity, and the Event pool
// keeps its strings' capacity), so steady-state ingestion does not allocate
// per line.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.h"
#include "base/result.h"
#include "base/time.h"
#include "parsers/event.h"

namespace culprit::store {

// The identity of a file a source reads (see daemon/tail/tailer.h).
struct FileKey {
  uint64_t dev = 0;
  uint64_t inode = 0;
  std::string fingerprint;  // the file's first bytes (up to 64)
};

// One file's share of a batch: records [first_record, first_record + count).
struct FileSegment {
  int64_t source_id = 0;
  std::string path;
  FileKey key;
  int64_t end_offset = 0;       // the checkpoint to commit: just after the last line
  bool finished = false;        // rotated away / deleted and read to its end
  bool truncated_file = false;  // copytruncate detected before these lines
  size_t first_record = 0;
  size_t record_count = 0;
};

struct LineRecord {
  int64_t offset = 0;       // of the line's first byte in its file
  uint32_t raw_pos = 0;     // the line's text in WriteBatch::raw
  uint32_t raw_size = 0;
  bool truncated = false;   // cut at the source's max_line_bytes
  // >= 0: index of the parsed event in WriteBatch::events;
  // < 0: rejected, reason in WriteBatch::reasons[-index - 1].
  int32_t event_index = 0;
};

// A client's reset report and the diagnosis it got (table `reports`).
struct ReportRecord {
  int64_t received_us = 0;
  int64_t reported_us = 0;
  int64_t clock_uncertainty_us = 0;
  std::optional<IpAddress> client_ip;
  uint16_t client_port = 0;
  std::optional<IpAddress> server_ip;
  uint16_t server_port = 0;
  std::string server_name;
  std::string error;
  std::string phase;
  std::string request_id;
  std::string labels_json;  // {"app":"..."} or empty
  Cause cause = Cause::kNoneOnServer;
  double confidence = 0;
  std::string diagnosis_json;
  // Called by the writer thread once the report is committed (with its
  // id), or when it never will be (the daemon is stopping).
  std::function<void(Result<int64_t>)> done;
};

class WriteBatch {
 public:
  std::vector<ReportRecord> reports;
  std::vector<FileSegment> segments;
  std::vector<LineRecord> records;
  std::string raw;  // line texts, back to back
  std::vector<std::string> reasons;
  Timestamp read_at;  // when the lines were read (rejected_lines.seen_us)

  // Starts a segment for the next records. Returns it for filling in.
  FileSegment& BeginSegment();
  // Appends a line's text and returns its record, to be completed with
  // AddEvent() or Reject(). REQUIRES: a segment was begun.
  LineRecord& AddLine(int64_t offset, std::string_view text, bool truncated);
  // A cleared Event to fill for the last added line.
  parsers::Event& AddEvent();
  // Marks the last added line rejected (also after AddEvent() for it).
  void Reject(std::string reason);
  // Drops the last added line (it produced nothing storable).
  void DropLast();

  size_t event_count() const { return events_used_; }
  size_t line_count() const { return records.size(); }
  const parsers::Event& event(int32_t index) const { return events_[index]; }
  parsers::Event& mutable_event(int32_t index) { return events_[index]; }
  std::string_view Raw(const LineRecord& r) const {
    return std::string_view(raw).substr(r.raw_pos, r.raw_size);
  }

  // Empties the batch, keeping capacity.
  void Clear();

 private:
  std::vector<parsers::Event> events_;  // pool; [0, events_used_) are live
  size_t events_used_ = 0;
};

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_WRITE_BATCH_H_
