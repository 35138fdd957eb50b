#include "daemon/ingest/ingester.h"

#include <pthread.h>

#include "daemon/tail/change_watcher.h"

#include "base/log.h"

namespace culprit::ingest {

Ingester::Ingester(std::vector<std::unique_ptr<SourceReader>> readers, WriterThread* writer,
                   const Clock* clock, Options options)
    : readers_(std::move(readers)), writer_(writer), clock_(clock), options_(options) {}

Ingester::~Ingester() { Stop(); }

bool Ingester::RunOnce() {
  bool more = false;
  auto batch = writer_->Acquire();
  for (auto& reader : readers_) {
    SourceReader::Step step = reader->ReadInto(batch.get(), clock_->Now());
    more = more || step.more;
    if (batch->line_count() >= options_.max_batch_lines) {
      writer_->Submit(std::move(batch));
      batch = writer_->Acquire();
    }
  }
  // Segments without lines still matter: a finished file, a truncation.
  if (!batch->segments.empty()) writer_->Submit(std::move(batch));
  return more;
}

void Ingester::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  auto watcher = tail::ChangeWatcher::Create();
  if (watcher.ok()) {
    watcher_ = std::move(*watcher);
    for (const auto& reader : readers_) {
      Status st = watcher_->AddPath(reader->pattern());
      if (!st.ok()) {
        CULPRIT_LOG(kWarning) << "source \"" << reader->name() << "\": " << st.message()
                              << "; it is polled every " << FormatDuration(options_.poll_interval);
      }
    }
  } else {
    CULPRIT_LOG(kWarning) << "no change notifications (" << watcher.status().message()
                          << "); polling every " << FormatDuration(options_.poll_interval);
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "culprit-ingest");  // for top -H, perf
    Run();
  });
}

void Ingester::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (watcher_) watcher_->Wake();
  if (thread_.joinable()) thread_.join();
}

void Ingester::Run() {
  while (!stopping_) {
    const bool more = RunOnce();
    if (stopping_) break;
    if (more) continue;
    if (watcher_) {
      watcher_->Wait(options_.poll_interval);
    } else {
      std::unique_lock lock(stop_mu_);
      stop_cv_.wait_for(lock, options_.poll_interval, [&] { return stopping_.load(); });
    }
  }
}

}  // namespace culprit::ingest
