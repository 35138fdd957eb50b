#ifndef CULPRIT_DAEMON_REPORT_REPORT_BUILDER_H_
#define CULPRIT_DAEMON_REPORT_REPORT_BUILDER_H_

// BuildReport: counts what reset the clients in a period, and compares it
// with the previous period of the same length. Reads only through
// ReportQuery (no SQL here); pure otherwise. Thread-compatible (the query
// object belongs to the calling thread).

#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "base/time_zone.h"
#include "daemon/report/report_data.h"
#include "daemon/report/report_query.h"

namespace culprit::report {

struct BuildOptions {
  Timestamp from;  // inclusive
  Timestamp to;    // exclusive
  Timestamp generated_at;
  TimeZone zone;                // how times are shown; hours of day are counted in it
  int top_causes = 5;           // causes with a detailed section
  int examples_per_cause = 3;
  int breakdown_rows = 5;       // rows per breakdown (servers, networks, ...)
};

// The longest period a report may cover.
inline constexpr Duration kMaxReportPeriod = std::chrono::hours(24 * 366);

// Builds the report for [options.from, options.to). Fails with
// INVALID_ARGUMENT when from >= to or the period is longer than
// kMaxReportPeriod, or with the query's error when the store cannot be read.
Result<ReportData> BuildReport(ReportQuery& query, const BuildOptions& options);

// Configuration advice from what the sources' events carry (e.g. an nginx
// error_log above `info` hides TLS failures). Pure; exposed for tests.
std::vector<Advice> AdviseOnSources(const std::vector<SourceProfile>& sources);

// The slice the hourly timeline uses for a period: 1 h up to 7 days, then
// 1 day up to 92 days, then 7 days.
Duration TimelineStep(Duration period);

}  // namespace culprit::report

#endif  // CULPRIT_DAEMON_REPORT_REPORT_BUILDER_H_
