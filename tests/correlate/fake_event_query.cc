#include "tests/correlate/fake_event_query.h"

#include <map>

#include <algorithm>
#include <utility>

namespace culprit::correlate_test {

FakeEventQuery::FakeEventQuery(std::vector<store::StoredEvent> events) {
  for (store::StoredEvent& e : events) Add(std::move(e));
}

void FakeEventQuery::Add(store::StoredEvent event) {
  if (event.id == 0) event.id = next_id_;
  next_id_ = std::max(next_id_, event.id + 1);
  events_.push_back(std::move(event));
}

Result<std::vector<store::SourceStats>> FakeEventQuery::ListSources() { return sources_; }

bool FakeEventQuery::Matches(const store::EventFilter& f, const store::StoredEvent& s) {
  const parsers::Event& e = s.event;
  if (e.time < f.from || e.time > f.to) return false;
  if (f.client_ip && (!e.client_ip || *e.client_ip != *f.client_ip)) return false;
  if (f.client_prefix) {
    if (!e.client_ip) return false;
    const auto& key = e.client_ip->Key();
    if (key < f.client_prefix->LowKey() || key > f.client_prefix->HighKey()) return false;
  }
  if (f.client_port != 0 && e.client_port != f.client_port) return false;
  if (f.server_port != 0 && e.server_port != f.server_port) return false;
  if (f.source_id && s.source_id != *f.source_id) return false;
  if (f.kind && e.kind != *f.kind) return false;
  if (f.cause && e.cause != *f.cause) return false;
  if (f.with_cause_only && e.cause == Cause::kNone) return false;
  if (!f.conn_id.empty() && e.conn_id != f.conn_id) return false;
  if (!f.request_id.empty() && e.request_id != f.request_id) return false;
  return true;
}

Result<std::vector<store::StoredEvent>> FakeEventQuery::FindEvents(
    const store::EventFilter& filter) {
  ++find_calls_;
  if (!fail_.ok()) return fail_;
  if (filter.to < filter.from) {
    return Status::InvalidArgument("filter: to is before from");
  }
  if (filter.limit == 0) return Status::InvalidArgument("filter: limit is 0");
  if (filter.client_ip && filter.client_prefix) {
    return Status::InvalidArgument("filter: both client_ip and client_prefix are set");
  }
  std::vector<const store::StoredEvent*> hits;
  for (const store::StoredEvent& e : events_) {
    if (Matches(filter, e)) hits.push_back(&e);
  }
  auto older = [](const store::StoredEvent* a, const store::StoredEvent* b) {
    if (a->event.time != b->event.time) return a->event.time < b->event.time;
    return a->id < b->id;
  };
  if (filter.newest_first) {
    std::sort(hits.begin(), hits.end(), [&](auto* a, auto* b) { return older(b, a); });
  } else {
    std::sort(hits.begin(), hits.end(), older);
  }
  if (hits.size() > filter.limit) hits.resize(filter.limit);
  std::vector<store::StoredEvent> out;
  out.reserve(hits.size());
  for (const store::StoredEvent* e : hits) out.push_back(*e);
  return out;
}

Result<int64_t> FakeEventQuery::CountReports(const IpAddress& client, Timestamp from,
                                             Timestamp to) {
  ++find_calls_;
  if (!fail_.ok()) return fail_;
  int64_t n = 0;
  for (const auto& [ip, at] : reports_) n += ip == client && at >= from && at <= to ? 1 : 0;
  return n;
}

Result<std::vector<store::CauseCount>> FakeEventQuery::CountCauses(Timestamp from, Timestamp to) {
  std::map<int, store::CauseCount> counts;
  for (const store::StoredEvent& e : events_) {
    if (e.event.cause == Cause::kNone || e.event.time < from || e.event.time > to) continue;
    store::CauseCount& c = counts[static_cast<int>(e.event.cause)];
    c.cause = e.event.cause;
    c.events++;
  }
  std::vector<store::CauseCount> out;
  for (const auto& [code, c] : counts) out.push_back(c);
  return out;
}

}  // namespace culprit::correlate_test
