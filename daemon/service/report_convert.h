#ifndef CULPRIT_DAEMON_SERVICE_REPORT_CONVERT_H_
#define CULPRIT_DAEMON_SERVICE_REPORT_CONVERT_H_

// Between the wire (culprit.v1) and the correlator's plain types. Every
// field of a report is validated here: a bad one is INVALID_ARGUMENT naming
// it (`report.client: "10.0.0.300" is not an address`), before anything is
// looked up or stored.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "daemon/correlate/correlator.h"
#include "daemon/store/event_query.h"
#include "daemon/store/write_batch.h"

namespace google::protobuf {
class Timestamp;
}  // namespace google::protobuf

namespace culprit::v1 {
class TopCausesResponse;
class ResetReport;
class Diagnosis;
class SearchEventsRequest;
}  // namespace culprit::v1

namespace culprit::service {

// Limits on what a report may carry.
inline constexpr size_t kMaxErrorBytes = 1024;
inline constexpr size_t kMaxShortFieldBytes = 256;  // server_name, request_id, labels
inline constexpr size_t kMaxLabels = 32;
inline constexpr Duration kMaxClockUncertainty = std::chrono::hours(1);
inline constexpr Duration kMaxReportAge = std::chrono::hours(24 * 30);
inline constexpr Duration kMaxReportAhead = std::chrono::hours(24);

// `now`: the server's clock, to refuse times absurdly far from it.
Result<correlate::ResetReport> ReportFromProto(const v1::ResetReport& in, Timestamp now);

// Cause codes map one to one (NONE = CAUSE_UNSPECIFIED).
void DiagnosisToProto(const correlate::Diagnosis& in, v1::Diagnosis* out);

inline constexpr uint32_t kDefaultSearchLimit = 1000;
inline constexpr uint32_t kMaxSearchLimit = 100000;
inline constexpr Duration kMaxSearchRange = std::chrono::hours(24 * 31);

// A SearchEvents request as a store filter. `source_ids`: configured source
// names to ids. Errors name the field (`search.ip: "10.0.0.300" is not an
// address or network`).
Result<store::EventFilter> SearchFilterFromProto(const v1::SearchEventsRequest& in,
                                                 const std::map<std::string, int64_t>& source_ids);

// A SearchEvents answer is streamed in batches: one message per event cost a
// round trip between the writer and gRPC's I/O thread each, most of a large
// answer's time. Batches of a few hundred let the first go out while the
// next are built, and the client read one while the next comes.
inline constexpr size_t kSearchBatchEvents = 250;
inline constexpr size_t kSearchBatchBytes = 1 << 20;

// Takes each batch as it is complete, encoded (a SearchEventsResponse in
// protobuf's wire format); `last`: none follows. False: stop (nothing more
// is wanted).
using WireBatchSink = std::function<bool(std::string&& batch, bool last)>;

// `events` (already in the answer's order) as encoded SearchEventsResponse
// messages, given to `emit` in that order: each holds at most `max_events`
// events, and more than one only while its encoded size stays within
// `max_bytes` (an event larger than that comes alone: none is dropped). No
// batch is empty; no events give no call. Text that is not valid UTF-8 gets
// \xNN for the bad bytes. `source_names`: source ids to configured names
// (an id not there is written as its number).
// Written directly rather than through EventRecord messages: building,
// sizing, serializing and freeing those (string copies, UTF-8 checked twice)
// was half of culpritd's time for an answer of a few thousand events.
// REQUIRES: max_events >= 1.
void EventBatchesToWire(const std::vector<store::StoredEvent>& events,
                        const std::map<int64_t, std::string>& source_names,
                        const WireBatchSink& emit, size_t max_events = kSearchBatchEvents,
                        size_t max_bytes = kSearchBatchBytes);

// A diagnosis as JSON in protobuf's mapping (what JsonStringToMessage reads
// back into the same message), written directly: protobuf's reflective
// printer was a tenth of culpritd's time per Submit.
std::string DiagnosisJson(const v1::Diagnosis& diagnosis);

// The row stored for a submitted report: its fields as received and its
// diagnosis (DiagnosisJson()).
store::ReportRecord ReportRecordFrom(const v1::ResetReport& wire,
                                     const correlate::ResetReport& report,
                                     const v1::Diagnosis& diagnosis, Timestamp received);

// The client address of a call from gRPC's peer string ("ipv4:1.2.3.4:5",
// "ipv6:[::1]:5"), or "" when it is not an IP peer (unix socket).
std::string PeerAddress(const std::string& peer);

// A [from, to] range of at most 31 days; errors name `<prefix>.from/to`.
Result<std::pair<Timestamp, Timestamp>> TimeRangeFromProto(const google::protobuf::Timestamp& from,
                                                           bool has_from,
                                                           const google::protobuf::Timestamp& to,
                                                           bool has_to, const std::string& prefix);

// Sorted: most reports first, then most events, then cause code.
void CauseCountsToProto(const std::vector<store::CauseCount>& in, v1::TopCausesResponse* out);

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_REPORT_CONVERT_H_
