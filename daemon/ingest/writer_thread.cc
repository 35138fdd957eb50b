#include "daemon/ingest/writer_thread.h"

#include <pthread.h>

#include <algorithm>

#include "base/log.h"
#include "daemon/metrics/registry.h"

namespace culprit::ingest {

WriterThread::WriterThread(store::EventWriter* writer, Options options)
    : writer_(writer), options_(options) {
  if (metrics::Registry* m = options_.metrics) {
    commit_seconds_ = m->AddHistogram("culprit_batch_commit_seconds",
                                      "Time to commit one transaction of batches (events, "
                                      "rejected lines, checkpoints, reports) to the database.",
                                      {}, metrics::LatencyBuckets())
                          ->Get({});
    commit_failures_ = m->AddCounter("culprit_batch_commit_failures_total",
                                     "Transactions that failed and will be retried.")
                           ->Get({});
    auto* events = m->AddCounter("culprit_events_stored_total",
                                 "Parsed events committed to the database, by the reset cause "
                                 "their line indicates (NONE: no cause).",
                                 {"cause"});
    // Every cause up front, so each series exists (at 0) before its first
    // event and rate() works from the start.
    for (int c = 0; c < kCauseCount; ++c) {
      events_by_cause_[c] = events->Get({CauseName(static_cast<Cause>(c))});
    }
    if (const store::WalCheckpointer* c = options_.checkpointer) {
      wal_collector_ = m->AddCollector([c](std::vector<metrics::FamilySnapshot>* out) {
        const store::WalCheckpointer::Stats s = c->stats();
        auto family = [out](const char* name, const char* help, metrics::MetricType type,
                            std::vector<std::string> labels) -> metrics::FamilySnapshot& {
          metrics::FamilySnapshot& f = out->emplace_back();
          f.name = name;
          f.help = help;
          f.type = type;
          f.label_names = std::move(labels);
          return f;
        };
        auto& passes = family(
            "culprit_wal_checkpoints_total",
            "Checkpoints copying the write-ahead log into the database: by the checkpointer "
            "thread (background), or of a pass's short tail by the writer thread (writer).",
            metrics::MetricType::kCounter, {"by"});
        passes.Add({"background"}, static_cast<double>(s.background_passes));
        passes.Add({"writer"}, static_cast<double>(s.tail_passes));
        family("culprit_wal_writer_waits_total",
               "Commits that waited for a checkpoint because the WAL had grown large.",
               metrics::MetricType::kCounter, {})
            .Add({}, static_cast<double>(s.writer_waits));
        family("culprit_wal_frames",
               "Pages in the write-ahead log after the last commit. It keeps growing only while "
               "a reader holds an old snapshot.",
               metrics::MetricType::kGauge, {})
            .Add({}, static_cast<double>(s.wal_frames));
      });
    }
  }
}

WriterThread::~WriterThread() {
  wal_collector_.Reset();
  Stop();
}

void WriterThread::Start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "culprit-writer");  // for top -H, perf
    Run();
  });
}

void WriterThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    // Calls queued after the thread's last look (none normally).
    std::lock_guard lock(mu_);
    for (PendingCall& c : calls_) c.done.set_value(Status::Unavailable("the writer stopped"));
    calls_.clear();
  }
  // Reports that could not be committed: their submitters must hear it.
  std::deque<std::unique_ptr<store::WriteBatch>> left;
  {
    std::lock_guard lock(mu_);
    left.swap(queue_);
  }
  for (auto& b : left) {
    for (store::ReportRecord& r : b->reports) {
      if (r.done) r.done(Status::Unavailable("culpritd is stopping; the report was not stored"));
    }
  }
}

std::unique_ptr<store::WriteBatch> WriterThread::Acquire() {
  std::lock_guard lock(mu_);
  if (free_.empty()) return std::make_unique<store::WriteBatch>();
  auto b = std::move(free_.back());
  free_.pop_back();
  return b;
}

void WriterThread::Submit(std::unique_ptr<store::WriteBatch> batch) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return queue_.size() < options_.max_queued || stopping_; });
  queue_.push_back(std::move(batch));
  ++submitted_;
  changed_.notify_all();
}

void WriterThread::SubmitReport(store::ReportRecord record) {
  bool stopping;
  {
    std::lock_guard lock(mu_);
    stopping = stopping_;
  }
  if (stopping) {
    if (record.done) {
      record.done(Status::Unavailable("culpritd is stopping; the report was not stored"));
    }
    return;
  }
  // Reports waiting together commit together: a report joins the
  // report-only batch still queued, if there is one, so 64 clients
  // submitting at once make one transaction, not 64.
  {
    std::lock_guard lock(mu_);
    if (!queue_.empty() && queue_.back()->segments.empty() && !queue_.back()->reports.empty()) {
      queue_.back()->reports.push_back(std::move(record));
      return;
    }
  }
  auto batch = Acquire();
  batch->reports.push_back(std::move(record));
  Submit(std::move(batch));
}

Status WriterThread::Flush() {
  std::unique_lock lock(mu_);
  const int64_t target = submitted_;
  // Wait for the commit, or give up when the writer is stuck on an error or
  // gone: the caller learns why instead of hanging.
  changed_.wait(lock, [&] {
    return committed_ >= target || stopping_ || !started_ || !last_error_.ok();
  });
  if (committed_ >= target) return Status::Ok();
  if (!last_error_.ok()) return last_error_;
  return Status::Unavailable("the writer is not running");
}

Status WriterThread::Call(std::function<Status()> fn) {
  std::future<Status> result;
  {
    std::lock_guard lock(mu_);
    if (!started_) return fn();  // no thread: the caller is the only user
    if (stopping_) return Status::Unavailable("the writer is stopping");
    calls_.push_back({std::move(fn), {}, submitted_});
    result = calls_.back().done.get_future();
  }
  changed_.notify_all();
  return result.get();
}

Status WriterThread::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

std::optional<WriterThread::Failure> WriterThread::failing() const {
  std::lock_guard lock(mu_);
  if (last_error_.ok()) return std::nullopt;
  return Failure{last_error_, Timestamp(std::chrono::duration_cast<Duration>(
                                  failing_since_.time_since_epoch()))};
}

int64_t WriterThread::batches_committed() const {
  std::lock_guard lock(mu_);
  return committed_;
}

void WriterThread::Run() {
  std::vector<std::unique_ptr<store::WriteBatch>> taken;
  std::vector<const store::WriteBatch*> view;
  Duration retry = options_.first_retry;
  std::unique_lock lock(mu_);
  while (true) {
    if (options_.maintenance) {
      // Idle: run maintenance back to back while it has more and nothing
      // is queued; otherwise wake once per interval to look.
      while (queue_.empty() && calls_.empty() && !stopping_) {
        if (!changed_.wait_for(lock, maintenance_more_ ? Duration(0) : options_.maintenance_interval,
                               [&] { return !queue_.empty() || !calls_.empty() || stopping_; })) {
          lock.unlock();
          MaybeMaintain(/*idle=*/true);
          lock.lock();
        }
      }
    } else {
      changed_.wait(lock, [&] { return !queue_.empty() || !calls_.empty() || stopping_; });
    }
    // Calls whose batches (those submitted before them) are committed.
    if (!calls_.empty() && calls_.front().after <= committed_) {
      std::deque<PendingCall> due;
      while (!calls_.empty() && calls_.front().after <= committed_) {
        due.push_back(std::move(calls_.front()));
        calls_.pop_front();
      }
      lock.unlock();
      for (PendingCall& c : due) c.done.set_value(c.fn());
      lock.lock();
      continue;
    }
    if (queue_.empty()) break;  // stopping, and everything is written
    // Take everything queued: one transaction for all of it.
    while (!queue_.empty()) {
      taken.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    changed_.notify_all();  // room in the queue for the readers
    lock.unlock();

    view.clear();
    for (const auto& b : taken) view.push_back(b.get());
    const auto write_start = std::chrono::steady_clock::now();
    Status st = writer_->Write(view);
    RecordCommit(taken, st.ok(), std::chrono::steady_clock::now() - write_start);

    if (st.ok()) {
      // Tell each report's submitter its id, outside the lock.
      size_t k = 0;
      const std::vector<int64_t>& ids = writer_->report_ids();
      for (auto& b : taken) {
        for (store::ReportRecord& r : b->reports) {
          if (r.done) {
            r.done(k < ids.size() ? Result<int64_t>(ids[k])
                                  : Result<int64_t>(Status::Internal("no report id")));
          }
          ++k;
        }
      }
      MaybeMaintain(/*idle=*/false);
    }
    lock.lock();
    if (st.ok()) {
      committed_ += static_cast<int64_t>(taken.size());
      if (!last_error_.ok()) {
        CULPRIT_LOG(kInfo) << "writing to the database works again, after "
                           << FormatDuration(std::chrono::duration_cast<Duration>(
                                  std::chrono::system_clock::now() - failing_since_))
                           << " of failures; nothing read meanwhile was lost";
      }
      last_error_ = Status::Ok();
      retry = options_.first_retry;
      for (auto& b : taken) {
        b->Clear();
        free_.push_back(std::move(b));
      }
      // Keep a few batches for reuse; drop the rest (a burst's worth).
      if (free_.size() > 2) free_.resize(2);
      taken.clear();
      changed_.notify_all();
      continue;
    }
    if (last_error_.ok()) failing_since_ = std::chrono::system_clock::now();
    if (last_error_.ok() || last_error_.message() != st.message()) {
      CULPRIT_LOG(kError) << "writing to the database failed (will retry; reading is paused "
                             "meanwhile): "
                          << st.message();
    }
    last_error_ = st;
    changed_.notify_all();
    // Put the batches back at the front, in order, and wait before retrying.
    for (auto it = taken.rbegin(); it != taken.rend(); ++it) queue_.push_front(std::move(*it));
    taken.clear();
    if (stopping_) break;
    changed_.wait_for(lock, retry, [&] { return stopping_; });
    if (stopping_) break;
    retry = std::min(retry * 2, options_.max_retry);
  }
}

void WriterThread::RecordCommit(const std::vector<std::unique_ptr<store::WriteBatch>>& batches,
                                bool ok, std::chrono::steady_clock::duration took) {
  if (commit_seconds_ == nullptr) return;
  if (!ok) {
    commit_failures_->Inc();
    return;
  }
  commit_seconds_->ObserveDuration(took);
  // One pass over the records the transaction just wrote, counted locally
  // and added once per cause.
  uint64_t counts[kCauseCount] = {};
  for (const auto& b : batches) {
    for (const store::LineRecord& r : b->records) {
      if (r.event_index < 0) continue;  // rejected
      const auto cause = static_cast<size_t>(b->event(r.event_index).cause);
      if (cause < static_cast<size_t>(kCauseCount)) ++counts[cause];
    }
  }
  for (int c = 0; c < kCauseCount; ++c) {
    if (counts[c] != 0) events_by_cause_[c]->Inc(counts[c]);
  }
}

void WriterThread::MaybeMaintain(bool idle) {
  if (!options_.maintenance) return;
  const auto now = std::chrono::steady_clock::now();
  if (!idle && !maintenance_more_ && now - last_maintenance_ < options_.maintenance_interval) return;
  last_maintenance_ = now;
  maintenance_more_ = options_.maintenance();
}

}  // namespace culprit::ingest
