#ifndef CULPRIT_DAEMON_INGEST_WRITER_THREAD_H_
#define CULPRIT_DAEMON_INGEST_WRITER_THREAD_H_

// WriterThread: the one thread that writes to the database. Readers hand it
// WriteBatches through a bounded queue; it commits whatever is queued in one
// transaction (group commit), so a busy pipeline writes big transactions and
// a quiet one commits each batch at once.
//
// Backpressure: Submit() blocks while `max_queued` batches wait, so a burst
// slows the readers down instead of growing memory. A failed transaction
// (disk full, I/O error) is retried with a growing delay until it succeeds or
// the thread is stopped; nothing is dropped.
//
// With Options::metrics it exports culprit_batch_commit_seconds (the time of
// each successful transaction), culprit_batch_commit_failures_total and
// culprit_events_stored_total{cause}: counted per transaction on the writer
// thread, off the readers' path. With Options::checkpointer too, the WAL's:
// culprit_wal_checkpoints_total{by}, culprit_wal_writer_waits_total and
// culprit_wal_frames.
//
// Thread-safe: any thread may Submit/Acquire/Flush; the EventWriter is used
// only by the writer thread once Start() has been called.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "daemon/metrics/registry.h"
#include "daemon/store/event_writer.h"
#include "daemon/store/wal_checkpointer.h"
#include "daemon/store/write_batch.h"
#include "parsers/event.h"

namespace culprit::ingest {

class WriterThread {
 public:
  struct Options {
    // Batches waiting. Two keep the reader a batch ahead of the writer;
    // four held more memory (each batch is up to 8192 lines with their
    // events) and measured slower.
    size_t max_queued = 2;
    Duration first_retry = std::chrono::milliseconds(100);
    Duration max_retry = std::chrono::seconds(5);
    // Work done on the writer thread between transactions (deleting expired
    // rows): one short, bounded step per call, returning true while more is
    // waiting. It runs after a commit, at most once per
    // `maintenance_interval` unless the last step said more (then after
    // every commit, so deletion keeps pace with a busy ingest), and
    // back-to-back while the queue is empty. Unset: none.
    std::function<bool()> maintenance;
    Duration maintenance_interval = std::chrono::seconds(1);
    // Where to export the writer's metrics; null: none. Must outlive the
    // WriterThread.
    metrics::Registry* metrics = nullptr;
    // The checkpointer attached to the writer's connection, whose counters
    // are exported with the writer's metrics; null: none. Must outlive the
    // WriterThread.
    const store::WalCheckpointer* checkpointer = nullptr;
  };

  // REQUIRES: writer outlives the thread.
  WriterThread(store::EventWriter* writer, Options options);
  ~WriterThread();  // Stop()s
  WriterThread(const WriterThread&) = delete;
  WriterThread& operator=(const WriterThread&) = delete;

  void Start();
  // Commits everything queued, then ends the thread. Idempotent. Batches
  // still failing to commit when asked to stop are left uncommitted (a
  // restart reads those lines again from the committed checkpoints).
  void Stop();

  // An empty batch, recycled from earlier ones when possible.
  std::unique_ptr<store::WriteBatch> Acquire();
  // Queues a batch for writing; blocks while the queue is full.
  void Submit(std::unique_ptr<store::WriteBatch> batch);
  // Queues a client report for storing; record.done is called from the
  // writer thread with its id once committed, or with UNAVAILABLE if the
  // writer stops first. Blocks while the queue is full.
  void SubmitReport(store::ReportRecord record);

  // Blocks until every batch submitted before the call is committed (or the
  // thread stopped). Returns the last write error if the queue is stuck on
  // one, OK otherwise.
  Status Flush();

  // Runs `fn` on the writer thread between two transactions (so it may use
  // the EventWriter and its connection), once every batch submitted before
  // the call is committed, and returns its result; blocks until then. Before Start(), runs it on the calling thread. UNAVAILABLE
  // once stopping.
  Status Call(std::function<Status()> fn);

  // The error of the last failed transaction, OK after a success.
  Status last_error() const;
  // While transactions fail: the last error and since when (wall clock).
  struct Failure {
    Status error;
    Timestamp since;
  };
  std::optional<Failure> failing() const;
  int64_t batches_committed() const;

 private:
  void Run();
  // Runs a maintenance step if one is due; called without the lock held.
  void MaybeMaintain(bool idle);
  // Records one transaction's outcome in the metrics (if any).
  void RecordCommit(const std::vector<std::unique_ptr<store::WriteBatch>>& batches, bool ok,
                    std::chrono::steady_clock::duration took);

  store::EventWriter* writer_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<store::WriteBatch>> queue_;
  struct PendingCall {
    std::function<Status()> fn;
    std::promise<Status> done;
    int64_t after = 0;  // runs once this many batches are committed
  };
  std::deque<PendingCall> calls_;
  std::vector<std::unique_ptr<store::WriteBatch>> free_;
  int64_t submitted_ = 0;
  int64_t committed_ = 0;
  bool stopping_ = false;
  bool started_ = false;
  Status last_error_;
  std::chrono::system_clock::time_point failing_since_;  // set with the first error
  std::thread thread_;
  // Writer-thread only.
  std::chrono::steady_clock::time_point last_maintenance_{};
  bool maintenance_more_ = true;  // a first step runs soon after start
  // Null without Options::metrics; owned by the registry.
  metrics::Histogram* commit_seconds_ = nullptr;
  metrics::Counter* commit_failures_ = nullptr;
  metrics::Counter* events_by_cause_[kCauseCount] = {};
  metrics::CollectorHandle wal_collector_;  // with Options::checkpointer
};

}  // namespace culprit::ingest

#endif  // CULPRIT_DAEMON_INGEST_WRITER_THREAD_H_
