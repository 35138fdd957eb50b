#ifndef CULPRIT_DAEMON_SERVICE_REPORT_REQUEST_H_
#define CULPRIT_DAEMON_SERVICE_REPORT_REQUEST_H_

// Validating a Report RPC's request. Every bad field is INVALID_ARGUMENT
// naming it (`report.format: "pdf" is not a report format (html, md,
// json)`), before any work is queued. Pure; thread-safe.

#include <string>

#include "base/result.h"
#include "base/time.h"
#include "base/time_zone.h"
#include "daemon/report/report_format.h"

namespace culprit::v1 {
class ReportRequest;
}

namespace culprit::service {

struct ReportSpec {
  Timestamp from;
  Timestamp to;
  report::ReportFormat format = report::ReportFormat::kHtml;
  TimeZone zone;
};

// `default_zone`: used when the request names none (the daemon's [report]
// timezone). REQUIRES: default_zone loads.
Result<ReportSpec> ReportSpecFromProto(const v1::ReportRequest& in,
                                       const std::string& default_zone);

// "culprit-report-2026-11-20.html" for a period that starts on 2026-11-20
// (in the spec's zone); with the end date too when it spans several days.
std::string ReportFileName(const ReportSpec& spec);

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_REPORT_REQUEST_H_
