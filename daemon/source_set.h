#ifndef CULPRIT_DAEMON_SOURCE_SET_H_
#define CULPRIT_DAEMON_SOURCE_SET_H_

// SourceSet: culpritd's ingestion of the configured sources, and its
// replacement when the config is reloaded (SIGHUP): sources added, removed
// or changed take effect without a restart, and no committed line is read
// again.
//
// Reload(): stop reading (the current pass finishes and is handed to the
// writer), wait until everything read is committed, register the new
// source list and load each source's checkpoints on the writer thread, then
// read on from those checkpoints with the new readers. If anything fails on
// the way, the old readers resume where they stopped and the error says why.
//
// Thread-compatible: one thread (culpritd's main thread) drives it.

#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "daemon/config/config.h"
#include "daemon/ingest/ingester.h"
#include "daemon/ingest/writer_thread.h"
#include "parsers/line_parser.h"

namespace culprit {

namespace tail {
class FileSystem;
}
namespace store {
class EventWriter;
namespace sqlite {
class Db;
}
}  // namespace store

// Each source's parser, and a check of its time zone, before anything is
// opened: a bad log_format, regex or zone fails with every problem named by
// config file, line and source.
Result<std::vector<std::unique_ptr<parsers::LineParser>>> BuildParsers(const config::Config& cfg);

class SourceSet {
 public:
  // REQUIRES: every pointer outlives the SourceSet; `writer` is the
  // EventWriter `writer_thread` drives, on `db`.
  SourceSet(store::sqlite::Db* db, store::EventWriter* writer, ingest::WriterThread* writer_thread,
            tail::FileSystem* fs, const Clock* clock, ingest::Ingester::Options options);
  ~SourceSet();  // Stop()s
  SourceSet(const SourceSet&) = delete;
  SourceSet& operator=(const SourceSet&) = delete;

  // Registers cfg's sources and builds their readers (not reading yet).
  Status Init(const config::Config& cfg);
  // Starts reading. REQUIRES: Init() succeeded.
  void Start();
  // Replaces the sources with cfg's (see above). On failure the previous
  // sources go on being read. `summary` gets a line for the log: what was
  // added, removed and changed.
  Status Reload(const config::Config& cfg, std::string* summary);
  // Stops reading after the current pass (its lines go to the writer).
  void Stop();

  // The store ids of the current config's sources, in config order.
  const std::vector<int64_t>& ids() const { return ids_; }

 private:
  // Parsers, registration and readers for cfg; nothing is replaced.
  Result<std::unique_ptr<ingest::Ingester>> Build(const config::Config& cfg,
                                                  std::vector<int64_t>* ids);

  store::sqlite::Db* db_;
  store::EventWriter* writer_;
  ingest::WriterThread* writer_thread_;
  tail::FileSystem* fs_;
  const Clock* clock_;
  ingest::Ingester::Options options_;
  std::vector<config::SourceConfig> sources_;  // what is being read
  std::vector<int64_t> ids_;
  std::unique_ptr<ingest::Ingester> ingester_;
};

}  // namespace culprit

#endif  // CULPRIT_DAEMON_SOURCE_SET_H_
