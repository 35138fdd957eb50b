#include "daemon/store/write_batch.h"

#include "base/check.h"

namespace culprit::store {

FileSegment& WriteBatch::BeginSegment() {
  FileSegment& s = segments.emplace_back();
  s.first_record = records.size();
  return s;
}

LineRecord& WriteBatch::AddLine(int64_t offset, std::string_view text, bool truncated) {
  CULPRIT_CHECK(!segments.empty());
  LineRecord& r = records.emplace_back();
  r.offset = offset;
  r.raw_pos = static_cast<uint32_t>(raw.size());
  r.raw_size = static_cast<uint32_t>(text.size());
  r.truncated = truncated;
  raw.append(text);
  segments.back().record_count++;
  return r;
}

parsers::Event& WriteBatch::AddEvent() {
  CULPRIT_CHECK(!records.empty());
  if (events_used_ == events_.size()) events_.emplace_back();
  parsers::Event& e = events_[events_used_];
  e.Clear();
  records.back().event_index = static_cast<int32_t>(events_used_);
  ++events_used_;
  return e;
}

void WriteBatch::Reject(std::string reason) {
  CULPRIT_CHECK(!records.empty());
  LineRecord& r = records.back();
  // A line whose event was started and then failed to parse gives its event
  // slot back.
  if (r.event_index >= 0 && static_cast<size_t>(r.event_index) + 1 == events_used_) {
    --events_used_;
  }
  reasons.push_back(std::move(reason));
  records.back().event_index = -static_cast<int32_t>(reasons.size());
}

void WriteBatch::DropLast() {
  CULPRIT_CHECK(!records.empty());
  const LineRecord& r = records.back();
  if (r.event_index >= 0 && static_cast<size_t>(r.event_index) + 1 == events_used_) {
    --events_used_;
  } else if (r.event_index < 0 && static_cast<size_t>(-r.event_index) == reasons.size()) {
    reasons.pop_back();
  }
  raw.resize(r.raw_pos);
  records.pop_back();
  segments.back().record_count--;
}

void WriteBatch::Clear() {
  reports.clear();
  segments.clear();
  records.clear();
  raw.clear();
  reasons.clear();
  events_used_ = 0;
}

}  // namespace culprit::store
