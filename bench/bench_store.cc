#include "bench/bench_store.h"

#include <cstdio>

namespace culprit::bench {

StoreFiller::StoreFiller(store::EventWriter* writer, std::vector<int64_t> source_ids,
                         std::vector<std::string> paths, size_t lines_per_txn)
    : writer_(writer),
      source_ids_(std::move(source_ids)),
      paths_(std::move(paths)),
      lines_per_txn_(lines_per_txn),
      batches_(source_ids_.size()),
      offsets_(source_ids_.size(), 0) {}

parsers::Event& StoreFiller::Add(size_t index, std::string_view raw) {
  if (pending_ >= lines_per_txn_) Flush();
  store::WriteBatch& b = batches_[index];
  if (b.segments.empty()) {
    store::FileSegment& seg = b.BeginSegment();
    seg.source_id = source_ids_[index];
    seg.path = paths_[index];
    seg.key = {0, 1000 + index, "preloaded " + paths_[index]};
    seg.finished = true;  // history: nothing to resume
  }
  b.AddLine(offsets_[index], raw, false);
  offsets_[index] += static_cast<int64_t>(raw.size()) + 1;
  b.segments.back().end_offset = offsets_[index];
  ++pending_;
  return b.AddEvent();
}

bool StoreFiller::Flush() {
  std::vector<const store::WriteBatch*> batches;
  for (const store::WriteBatch& b : batches_) {
    if (!b.segments.empty()) batches.push_back(&b);
  }
  if (!batches.empty()) {
    const Status s = writer_->Write(batches);
    if (!s.ok()) {
      std::fprintf(stderr, "writing the benchmark database: %s\n", s.message().c_str());
      return false;
    }
  }
  for (store::WriteBatch& b : batches_) b.Clear();
  pending_ = 0;
  return true;
}

}  // namespace culprit::bench
