#ifndef CULPRIT_DAEMON_INGEST_SOURCE_READER_H_
#define CULPRIT_DAEMON_INGEST_SOURCE_READER_H_

// SourceReader: one configured source, read step by step. ReadInto() polls
// the source's Tailer once, parses every new line with the source's parser
// and appends the results to a WriteBatch: parsed lines as events, others as
// rejected lines with the parser's reason, and each file's new checkpoint.
// Blank lines (empty or only spaces and tabs) are skipped: they carry
// nothing, and counting them as rejected would only be noise.
//
// Thread-compatible: one thread (the ingest thread, or a test) drives it.

#include <cstdint>
#include <memory>
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

 private:
  Options options_;
  std::unique_ptr<parsers::LineParser> parser_;
  tail::Tailer tailer_;
  std::string last_problem_;  // to log a repeating problem once
};

}  // namespace culprit::ingest

#endif  // CULPRIT_DAEMON_INGEST_SOURCE_READER_H_
