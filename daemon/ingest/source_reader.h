#ifndef CULPRIT_DAEMON_INGEST_SOURCE_READER_H_
#define CULPRIT_DAEMON_INGEST_SOURCE_READER_H_

// SourceReader: one configured source, read step by step. ReadInto() polls
// the source's Tailer once, parses every new line with the source's parser
// and appends the results to a WriteBatch: parsed lines as events, others as
// rejected lines with the parser's reason, and each file's new checkpoint.
// Blank lines (empty or only spaces and tabs) are skipped: they carry
// nothing, and counting them as rejected would only be noise.
//
// It also counts what it read (counts(), LagBytes()) for the metrics
// endpoint: plain atomics added to once per ReadInto(), never per line.
//
// Thread-compatible: one thread (the ingest thread, or a test) drives it;
// counts() and LagBytes() may be read from any thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/time.h"
#include "base/time_zone.h"
#include "daemon/store/event_writer.h"
#include "daemon/store/write_batch.h"
#include "daemon/tail/tailer.h"
#include "parsers/line_parser.h"

namespace culprit::ingest {

class SourceReader {
 public:
  struct Options {
    int64_t source_id = 0;
    std::string name;
    tail::Tailer::Options tail;
    TimeZone zone;
  };

  // `committed`: the source's active checkpoints from the store; `retired`:
  // those of files it read to their end (never read again).
  // REQUIRES: fs outlives the reader; parser != nullptr.
  SourceReader(tail::FileSystem* fs, Options options,
               std::unique_ptr<parsers::LineParser> parser,
               const std::vector<store::StoredCheckpoint>& committed,
               const std::vector<store::StoredCheckpoint>& retired = {});

  struct Step {
    size_t lines = 0;     // lines added to the batch
    bool more = false;    // the byte budget cut the pass short: read again soon
  };
  // Polls once and appends what was read to *batch, stamped with `now`.
  Step ReadInto(store::WriteBatch* batch, Timestamp now);

  int64_t source_id() const { return options_.source_id; }
  const std::string& name() const { return options_.name; }
  const std::string& pattern() const { return options_.tail.pattern; }

  // Totals since construction (not persisted: a restart starts at 0, as a
  // Prometheus counter may). Updated at the end of each ReadInto().
  struct Counts {
    std::atomic<int64_t> lines_read{0};       // complete lines, blank ones included
    std::atomic<int64_t> lines_parsed{0};     // stored as events
    std::atomic<int64_t> lines_rejected{0};   // stored as rejected lines
    std::atomic<int64_t> lines_truncated{0};  // cut at tail.max_line_bytes
    std::atomic<int64_t> rotations{0};  // files finished after a rotation or deletion
    std::atomic<int64_t> truncations{0};  // copytruncates detected
    std::atomic<int64_t> files{0};        // files followed after the last pass
  };
  const Counts& counts() const { return counts_; }

  // Bytes written to the source's files and not read yet: for each followed
  // file still at its path, its current size minus the offset read up to
  // (as of the last ReadInto()). One Stat() per followed file. An estimate:
  // files no pass has seen yet (one just rotated in) are not counted.
  // Any thread.
  int64_t LagBytes() const;

 private:
  struct Position {
    std::string path;
    uint64_t dev = 0;
    uint64_t inode = 0;
    int64_t offset = 0;
  };
  void UpdatePositions();

  tail::FileSystem* fs_;
  Options options_;
  std::unique_ptr<parsers::LineParser> parser_;
  tail::Tailer tailer_;
  std::string last_problem_;  // to log a repeating problem once
  Counts counts_;
  mutable std::mutex positions_mu_;
  std::vector<Position> positions_;  // guarded by positions_mu_
  bool positions_known_ = false;     // ingest thread only
};

}  // namespace culprit::ingest

#endif  // CULPRIT_DAEMON_INGEST_SOURCE_READER_H_
