#ifndef CULPRIT_DAEMON_SERVICE_REPORT_CONVERT_H_
#define CULPRIT_DAEMON_SERVICE_REPORT_CONVERT_H_

// Between the wire (culprit.v1) and the correlator's plain types. Every
// field of a report is validated here: a bad one is INVALID_ARGUMENT naming
// it (`report.client: "10.0.0.300" is not an address`), before anything is
// looked up or stored.

#include <string>

#include "base/result.h"
#include "base/time.h"
#include "daemon/correlate/correlator.h"

namespace culprit::v1 {
class ResetReport;
class Diagnosis;
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

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_REPORT_CONVERT_H_
