#ifndef CULPRIT_TESTS_CORRELATE_FAKE_EVENT_QUERY_H_
#define CULPRIT_TESTS_CORRELATE_FAKE_EVENT_QUERY_H_

// FakeEventQuery: store::EventQuery over an in-memory vector of events, with
// exactly the EventFilter semantics of daemon/store/event_query.h. For
// correlator tests: no SQLite, fixed data, deterministic order.
//
// Thread-compatible (one thread at a time, like the real one). Counts the
// FindEvents() calls so tests can bound the correlator's query budget.

#include <cstddef>
#include <utility>
#include <vector>

#include "daemon/store/event_query.h"

namespace culprit::correlate_test {

class FakeEventQuery : public store::EventQuery {
 public:
  FakeEventQuery() = default;
  explicit FakeEventQuery(std::vector<store::StoredEvent> events);

  // Appends an event. An id of 0 is replaced by the next free id (ids stay
  // increasing in insertion order, as events.id does).
  void Add(store::StoredEvent event);
  void SetSources(std::vector<store::SourceStats> sources) { sources_ = std::move(sources); }
  // Makes every later FindEvents() fail with `status` (REQUIRES: !status.ok()).
  void FailWith(Status status) { fail_ = std::move(status); }

  Result<std::vector<store::SourceStats>> ListSources() override;
  Result<std::vector<store::StoredEvent>> FindEvents(const store::EventFilter& filter) override;
  // Counts the held events with a cause in the range (no reports here).
  // Counts the reports added with AddReport().
  Result<int64_t> CountReports(const IpAddress& client, Timestamp from, Timestamp to) override;
  void AddReport(const IpAddress& client, Timestamp at) { reports_.push_back({client, at}); }
  Result<std::vector<store::CauseCount>> CountCauses(Timestamp from, Timestamp to) override;

  size_t find_calls() const { return find_calls_; }
  size_t size() const { return events_.size(); }

  // True if `e` satisfies every set field of `filter` (the time range
  // included). Exposed for the fake's own tests.
  static bool Matches(const store::EventFilter& filter, const store::StoredEvent& e);

 private:
  std::vector<store::StoredEvent> events_;
  std::vector<store::SourceStats> sources_;
  Status fail_;
  int64_t next_id_ = 1;
  size_t find_calls_ = 0;
  std::vector<std::pair<IpAddress, Timestamp>> reports_;
};

}  // namespace culprit::correlate_test

#endif  // CULPRIT_TESTS_CORRELATE_FAKE_EVENT_QUERY_H_
