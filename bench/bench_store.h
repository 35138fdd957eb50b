#ifndef CULPRIT_BENCH_BENCH_STORE_H_
#define CULPRIT_BENCH_BENCH_STORE_H_

// Fills a benchmark database through the production EventWriter, so the
// stored layout (rows for events with a cause, per-client groups for the
// rest, transaction spans) is exactly what culpritd writes. Lines are
// collected per source and written in transactions of `lines_per_txn`.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "daemon/store/event_writer.h"
#include "daemon/store/write_batch.h"

namespace culprit::bench {

class StoreFiller {
 public:
  // `paths[i]` is the file source_ids[i]'s lines are said to come from.
  StoreFiller(store::EventWriter* writer, std::vector<int64_t> source_ids,
              std::vector<std::string> paths, size_t lines_per_txn = 8192);

  // The event to fill for a line of source `index` (its offset is counted).
  parsers::Event& Add(size_t index, std::string_view raw);
  // Writes what is pending. False (with a message on stderr) on failure.
  bool Flush();

 private:
  store::EventWriter* writer_;
  std::vector<int64_t> source_ids_;
  std::vector<std::string> paths_;
  size_t lines_per_txn_;
  std::vector<store::WriteBatch> batches_;
  std::vector<int64_t> offsets_;
  size_t pending_ = 0;
};

}  // namespace culprit::bench

#endif  // CULPRIT_BENCH_BENCH_STORE_H_
