#ifndef CULPRIT_DAEMON_INGEST_INGESTER_H_
#define CULPRIT_DAEMON_INGEST_INGESTER_H_

// Ingester: the ingest loop. One thread reads every source (tail + parse)
// and hands batches to the WriterThread; a ChangeWatcher (inotify, with a
// polling fallback) wakes it when a file changes, so a line is committed
// within milliseconds of being written, and a periodic poll catches anything
// a notification missed.
//
// RunOnce() is the loop's body, for tests: one pass over every source, no
// waiting.
//
// With Options::metrics, each source's counts (SourceReader::counts()) and
// its lag in bytes are exported at scrape time, labelled source="<name>";
// nothing is added to the ingest path.
//
// Thread-safe: Start()/Stop() from the owning thread; RunOnce() only when the
// thread is not running.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/time.h"
#include "daemon/ingest/source_reader.h"
#include "daemon/ingest/writer_thread.h"
#include "daemon/metrics/registry.h"

namespace culprit::tail {
class ChangeWatcher;
}

namespace culprit::ingest {

class Ingester {
 public:
  struct Options {
    // How often every source is polled even without a notification.
    Duration poll_interval = std::chrono::milliseconds(500);
    // A batch is handed to the writer once it holds this many lines, at the
    // end of a pass that left more to read (backfill), or, once every
    // source has caught up, when its first line has waited
    // `max_batch_delay` (the loop keeps filling it until then). A live log
    // written a few lines at a time thus makes one transaction per 50 ms,
    // not one per wake-up: a lookup costs an index seek per transaction of
    // its window, and a line is still queryable within ~50 ms.
    size_t max_batch_lines = 8192;
    Duration max_batch_delay = std::chrono::milliseconds(50);
    // Where to export the per-source metrics; null: none. Must outlive the
    // Ingester.
    metrics::Registry* metrics = nullptr;
  };

  // REQUIRES: writer and clock outlive the Ingester.
  Ingester(std::vector<std::unique_ptr<SourceReader>> readers, WriterThread* writer,
           const Clock* clock, Options options);
  ~Ingester();  // Stop()s
  Ingester(const Ingester&) = delete;
  Ingester& operator=(const Ingester&) = delete;

  // One pass over every source; its batches are submitted to the writer
  // (all of them: the delay applies to the running loop only). Returns true
  // when some source has more to read right away.
  bool RunOnce();

  void Start();
  // Ends the loop after the current pass (its lines are submitted).
  void Stop();

  size_t source_count() const { return readers_.size(); }

 private:
  void Run();
  // One pass into pending_; hands it to the writer when full, when
  // `hand_over` is set, or when it has waited max_batch_delay.
  bool Pass(bool hand_over);
  // The per-source families, read from the readers (a scrape-time collector).
  void Collect(std::vector<metrics::FamilySnapshot>* out) const;

  std::vector<std::unique_ptr<SourceReader>> readers_;
  WriterThread* writer_;
  const Clock* clock_;
  Options options_;
  std::unique_ptr<tail::ChangeWatcher> watcher_;
  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;  // for the wait when there is no watcher
  std::condition_variable stop_cv_;
  std::thread thread_;
  // The loop's batch being filled across passes, and when its first line
  // was read (loop thread only).
  std::unique_ptr<store::WriteBatch> pending_;
  std::chrono::steady_clock::time_point pending_since_;
  // Declared last: unregistered first, before the readers it reads go.
  metrics::CollectorHandle collector_;
};

}  // namespace culprit::ingest

#endif  // CULPRIT_DAEMON_INGEST_INGESTER_H_
