#include "tests/testing/stored_events.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "daemon/store/sqlite_event_query.h"

namespace culprit::testing {

std::vector<store::StoredEvent> AllStoredEvents(const std::string& db_path) {
  auto q = store::SqliteEventQuery::Open(db_path);
  if (!q.ok()) {
    ADD_FAILURE() << q.status().message();
    return {};
  }
  store::EventFilter all;
  // Years -10000 .. 10000: wider than any time a parser accepts.
  all.from = FromUnixMicros(-400'000'000'000'000'000);
  all.to = FromUnixMicros(400'000'000'000'000'000);
  all.limit = std::numeric_limits<int32_t>::max();
  auto events = (*q)->FindEvents(all);
  if (!events.ok()) {
    ADD_FAILURE() << events.status().message();
    return {};
  }
  std::sort(events->begin(), events->end(),
            [](const store::StoredEvent& a, const store::StoredEvent& b) { return a.id < b.id; });
  return std::move(*events);
}

}  // namespace culprit::testing
