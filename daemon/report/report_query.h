#ifndef CULPRIT_DAEMON_REPORT_REPORT_QUERY_H_
#define CULPRIT_DAEMON_REPORT_REPORT_QUERY_H_

// ReportQuery: what the report builder reads from the store, as plain rows.
// The builder (report_builder.h) holds no SQL; SqliteReportQuery reads a
// culprit database through one read-only connection; tests may fake it.
//
// Thread-compatible: one query object per thread.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "base/result.h"
#include "base/time.h"
#include "daemon/report/report_data.h"
#include "parsers/event.h"

namespace culprit::report {

// A client report, with the fields the summary counts by.
struct ReportRow {
  Timestamp reported_at;
  Cause cause = Cause::kNone;  // the top verdict
  std::optional<IpAddress> client_ip;
  std::optional<IpAddress> server_ip;
  uint16_t server_port = 0;
  std::string server_name;
  std::string app;      // label "app", "" when absent
  std::string version;  // label "version", "" when absent
};

// Events that indicate `cause`, from one source.
struct EventCount {
  Cause cause = Cause::kNone;
  int64_t source_id = 0;
  int64_t events = 0;
};

// A configured source and what its recent events carry, for configuration
// advice. The counts are over a sample of the newest events of all sources.
struct SourceProfile {
  int64_t id = 0;
  std::string name;
  std::string format;    // e.g. "nginx", "nginx_error", "haproxy"
  int64_t lines_parsed = 0;  // ever
  int64_t sampled = 0;       // events of this source in the sample
  int64_t with_client_port = 0;
  int64_t with_conn_id = 0;
  int64_t with_level = 0;
  int64_t at_info_or_debug = 0;   // level 6 (info) or 7 (debug)
  int64_t finest_precision_us = 0;  // 0 when nothing was sampled
};

class ReportQuery {
 public:
  virtual ~ReportQuery() = default;

  // Calls `visit` for each report the client saw in [from, to), oldest
  // first. Fails (UNAVAILABLE, INTERNAL) when the store cannot be read.
  virtual Status ForEachReport(Timestamp from, Timestamp to,
                               const std::function<void(const ReportRow&)>& visit) = 0;

  // Up to `limit` reports of `cause` in [from, to) with their diagnosis:
  // highest confidence first, then the newest. A diagnosis that is not
  // valid JSON gives an example without explanation and evidence.
  virtual Result<std::vector<Example>> Examples(Timestamp from, Timestamp to, Cause cause,
                                                int limit) = 0;

  // Events with a cause in [from, to), counted per (cause, source).
  virtual Result<std::vector<EventCount>> CountCausedEvents(Timestamp from, Timestamp to) = 0;

  // Every source in the database, in id order, with a profile of its
  // newest events.
  virtual Result<std::vector<SourceProfile>> ProfileSources() = 0;
};

}  // namespace culprit::report

#endif  // CULPRIT_DAEMON_REPORT_REPORT_QUERY_H_
