#include "daemon/ingest/ingester.h"

#include <pthread.h>

#include <algorithm>

#include "daemon/tail/change_watcher.h"

#include "base/log.h"

namespace culprit::ingest {

Ingester::Ingester(std::vector<std::unique_ptr<SourceReader>> readers, WriterThread* writer,
                   const Clock* clock, Options options)
    : readers_(std::move(readers)), writer_(writer), clock_(clock), options_(options) {
  if (options_.metrics != nullptr) {
    collector_ = options_.metrics->AddCollector(
        [this](std::vector<metrics::FamilySnapshot>* out) { Collect(out); });
  }
}

Ingester::~Ingester() {
  collector_.Reset();
  Stop();
}

void Ingester::Collect(std::vector<metrics::FamilySnapshot>* out) const {
  using metrics::MetricType;
  struct Def {
    const char* name;
    const char* help;
    MetricType type;
    std::atomic<int64_t> SourceReader::Counts::*field;  // null: the lag
  };
  static constexpr Def kDefs[] = {
      {"culprit_source_lines_read_total",
       "Complete lines read from the source's files, blank lines included.",
       MetricType::kCounter, &SourceReader::Counts::lines_read},
      {"culprit_source_lines_parsed_total", "Lines parsed into events.", MetricType::kCounter,
       &SourceReader::Counts::lines_parsed},
      {"culprit_source_lines_rejected_total",
       "Lines the source's format did not parse, stored as rejected lines.",
       MetricType::kCounter, &SourceReader::Counts::lines_rejected},
      {"culprit_source_lines_truncated_total",
       "Lines longer than the source's maximum, cut to it.", MetricType::kCounter,
       &SourceReader::Counts::lines_truncated},
      {"culprit_source_rotations_total",
       "Files read to their end after being rotated away or deleted.", MetricType::kCounter,
       &SourceReader::Counts::rotations},
      {"culprit_source_truncations_total",
       "Files found truncated in place (copytruncate) and read again from the start.",
       MetricType::kCounter, &SourceReader::Counts::truncations},
      {"culprit_source_files", "Files the source follows.", MetricType::kGauge,
       &SourceReader::Counts::files},
      {"culprit_source_lag_bytes",
       "Bytes written to the source's files and not read yet.", MetricType::kGauge, nullptr},
  };
  for (const Def& def : kDefs) {
    metrics::FamilySnapshot f;
    f.name = def.name;
    f.help = def.help;
    f.type = def.type;
    f.label_names = {"source"};
    for (const auto& reader : readers_) {
      const int64_t v = def.field != nullptr
                            ? (reader->counts().*def.field).load(std::memory_order_relaxed)
                            : reader->LagBytes();
      f.Add({reader->name()}, static_cast<double>(v));
    }
    out->push_back(std::move(f));
  }
}

bool Ingester::RunOnce() { return Pass(/*hand_over=*/true); }

bool Ingester::Pass(bool hand_over) {
  bool more = false;
  if (!pending_) pending_ = writer_->Acquire();
  for (auto& reader : readers_) {
    const bool was_empty = pending_->segments.empty();
    SourceReader::Step step = reader->ReadInto(pending_.get(), clock_->Now());
    more = more || step.more;
    if (was_empty && !pending_->segments.empty()) {
      pending_since_ = std::chrono::steady_clock::now();
    }
    if (pending_->line_count() >= options_.max_batch_lines) {
      writer_->Submit(std::move(pending_));
      pending_ = writer_->Acquire();
    }
  }
  // Segments without lines still matter: a finished file, a truncation.
  // While backfilling (a source has more right away) every pass's batch
  // goes at once, as before: holding it made batches of 8,192 lines and
  // more, which took more memory and commit time than they saved. Only a
  // caught-up source's trickle is held.
  if (!pending_->segments.empty() &&
      (hand_over || more ||
       std::chrono::steady_clock::now() - pending_since_ >= options_.max_batch_delay)) {
    writer_->Submit(std::move(pending_));
  }
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
    const bool more = Pass(/*hand_over=*/false);
    if (stopping_) break;
    if (more) continue;
    // Wake for the next change, the periodic poll, or the held batch's
    // deadline, whichever comes first.
    Duration wait = options_.poll_interval;
    if (pending_ && !pending_->segments.empty()) {
      const auto due = pending_since_ + options_.max_batch_delay - std::chrono::steady_clock::now();
      wait = std::clamp(std::chrono::duration_cast<Duration>(due), Duration(0), wait);
    }
    if (watcher_) {
      watcher_->Wait(wait);
    } else {
      std::unique_lock lock(stop_mu_);
      stop_cv_.wait_for(lock, wait, [&] { return stopping_.load(); });
    }
  }
  // What was read goes to the writer before the loop ends.
  if (pending_ && !pending_->segments.empty()) writer_->Submit(std::move(pending_));
  pending_.reset();
}

}  // namespace culprit::ingest
