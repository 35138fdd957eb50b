#ifndef CULPRIT_DAEMON_STORE_EVENT_WRITER_H_
#define CULPRIT_DAEMON_STORE_EVENT_WRITER_H_

// EventWriter: the only code that writes events. It owns the read-write
// connection (one writer thread uses it) and stores WriteBatches so that a
// file's events, rejected lines, its new checkpoint and its source's counters
// commit in ONE transaction: after a crash at any moment, the checkpoint and
// the events it covers are both there or both not, and a restart resumes from
// the checkpoint with nothing lost and nothing stored twice.
//
// Every event keeps its raw line. An event with a reset cause is a row of
// `events` (with its extra fields as JSON); every other event is packed into
// the one `event_groups` row of its client address and transaction, without
// extra fields (re-parsing the raw line gives them). See schema/0004.
//
// Thread-compatible: one thread (the writer thread) drives an EventWriter.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "daemon/store/event_codec.h"
#include "daemon/store/write_batch.h"

namespace culprit::store {

namespace sqlite {
class Db;
class Stmt;
}  // namespace sqlite

// A committed position, as the tailer needs it to resume.
struct StoredCheckpoint {
  int64_t file_id = 0;
  std::string path;
  FileKey key;
  int64_t offset = 0;
};

class EventWriter {
 public:
  // Prepares the statements and loads the active checkpoints.
  // REQUIRES: db is read-write and migrated, and outlives the writer; clock
  // outlives the writer.
  static Result<std::unique_ptr<EventWriter>> Create(sqlite::Db* db, const Clock* clock);
  ~EventWriter();
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  // The active (still followed) checkpoints of a source, by file id.
  std::vector<StoredCheckpoint> ActiveCheckpoints(int64_t source_id) const;
  // Checkpoints of files the source read to their end (rotated away), by
  // file id: the tailer must not read them again if they turn up under a
  // name the source's pattern matches.
  std::vector<StoredCheckpoint> RetiredCheckpoints(int64_t source_id) const;

  // Stores the batches in one transaction. On failure nothing of them is
  // stored (the transaction rolls back) and the writer stays usable: the
  // caller may retry the same batches.
  Status Write(std::span<const WriteBatch* const> batches);

  // Ids of the reports stored by the last successful Write(), in the order
  // of the batches' `reports`.
  const std::vector<int64_t>& report_ids() const { return report_ids_; }

  struct Totals {
    int64_t events = 0;
    int64_t rejected = 0;
    int64_t transactions = 0;
    int64_t compactions = 0;  // sequences of several transactions rewritten
  };
  const Totals& totals() const { return totals_; }

 private:
  struct Statements;
  struct CachedFile {
    int64_t file_id = 0;
    std::string path;
    std::string fingerprint;
    int64_t offset = 0;
    bool active = true;
  };
  using CacheKey = std::tuple<int64_t, uint64_t, uint64_t>;  // source, dev, inode

  EventWriter(sqlite::Db* db, const Clock* clock);
  Status LoadCheckpoints();
  Status WriteSegment(const WriteBatch& batch, const FileSegment& seg, int64_t now_us);
  Status WriteSpans();
  Status WriteGroups();
  // One ordinary event packed (event_codec.h) in a buffer, with what
  // grouping needs.
  struct PackedEntry {
    bool has_client = false;
    uint64_t key_hi = 0;  // the client address key, as sortable integers
    uint64_t key_lo = 0;
    int64_t id = 0;
    uint16_t port = 0;
    size_t offset = 0;  // in the buffer
    size_t size = 0;
  };
  // Sorts `entries` by client and inserts them as event_groups rows of seq,
  // adding how many to *inserted.
  Status InsertGroups(int64_t seq, std::vector<PackedEntry>& entries, std::string_view packed,
                      int64_t* inserted);
  // Rewrites compact_'s sequence's groups as one transaction's would be.
  Status CompactSequence();
  Result<int64_t> FileIdFor(const FileSegment& seg, int64_t now_us);
  Result<int64_t> InsertReport(const ReportRecord& r);

  sqlite::Db* db_;
  const Clock* clock_;
  std::unique_ptr<Statements> stmts_;
  std::map<CacheKey, CachedFile> files_;  // the newest checkpoint of each file
  Totals totals_;
  std::string extra_json_;  // reused buffer
  std::vector<int64_t> report_ids_;
  // The sequence number (events.seq) this transaction stores under and the
  // seconds of event time it stored events in (event_spans), unsorted.
  // Consecutive small transactions (a live log committed every 50 ms)
  // share a sequence number for up to kSeqSpan of wall time or kSeqEvents
  // events (what one backlog transaction holds), while their events' times
  // stay within kSeqSeconds of each other: a lookup costs a seek per
  // sequence number in its window, and 20 a second made a 45 s window 900
  // seeks. A transaction as large as a sequence has its own.
  static constexpr Duration kSeqSpan = std::chrono::seconds(4);
  static constexpr int64_t kSeqEvents = 8192;
  static constexpr int64_t kSeqSeconds = 6;
  // Starts the next sequence; with `compact`, the one ended is rewritten by
  // the next transaction if it had several.
  void EndSequence(bool compact);
  int64_t seq_ = 1;
  std::optional<Timestamp> seq_opened_;  // when seq_ first stored events
  int64_t seq_events_ = 0;               // events stored under seq_
  int64_t seq_first_second_ = 0;         // of the events stored under seq_
  int64_t seq_last_second_ = 0;
  int64_t seq_txns_ = 0;                 // transactions that stored under seq_
  int64_t seq_groups_ = 0;               // event_groups rows they wrote
  int64_t txn_groups_ = 0;               // of this transaction
  std::vector<PackedEntry> seq_entries_;  // seq_'s ordinary events, packed
  std::string seq_packed_;
  struct Compaction {
    bool pending = false;
    int64_t seq = 0;
    int64_t groups = 0;  // rows its transactions wrote
    std::vector<PackedEntry> entries;
    std::string packed;
  } compact_;
  std::vector<int64_t> span_seconds_;
  // The next event id (store_state.next_event_id), and this transaction's
  // ordinary events, packed into event_groups rows at its end.
  int64_t next_id_ = 1;
  struct GroupedEvent {
    const parsers::Event* event = nullptr;  // in a batch being written
    std::string_view raw;
    PackedEventOrigin origin;
    uint32_t flags = 0;
    bool has_client = false;
    uint64_t key_hi = 0;  // the client address key, as sortable integers
    uint64_t key_lo = 0;
  };
  std::vector<GroupedEvent> grouped_;
  std::vector<PackedEntry> txn_entries_;  // grouped_, packed
  std::string txn_packed_;
  std::string group_data_;     // reused buffers
  std::string group_stored_;   // group_data_ compressed (CompressGroup)
  std::string group_clients_;
  PortFilterBuilder port_filter_;
};

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_EVENT_WRITER_H_
