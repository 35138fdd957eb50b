#ifndef CULPRIT_DAEMON_REPORT_REPORT_DATA_H_
#define CULPRIT_DAEMON_REPORT_REPORT_DATA_H_

// ReportData: everything a reset report (the operators' morning read) says,
// computed once by BuildReport() and rendered by RenderHtml/Markdown/Json.
// Plain values; the renderers only format, they never count.
//
// Counts are exact for the period. Shares are fractions 0..1 (0 when the
// whole is 0). Times are UTC; `zone` says how to show them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "base/time_zone.h"
#include "parsers/event.h"

namespace culprit::report {

// The version of the JSON document's structure (schema/report.md). Bumped
// only for incompatible changes; new fields may appear without a bump.
inline constexpr int kReportJsonVersion = 1;

// One value of a breakdown ("192.0.2.10:443", "198.51.100.0/24", "09:00").
struct Ranked {
  std::string label;
  int64_t count = 0;
  double share = 0;  // of the cause's reports
};

// A cause's count in the period and in the previous one of the same length.
struct CauseCount {
  Cause cause = Cause::kNone;
  int64_t count = 0;
  double share = 0;  // of all reports in the period
  int64_t previous = 0;
};

struct EvidenceLine {
  std::string role;    // "cause", "consequence", "context" (may be empty)
  std::string source;  // the source's name
  std::optional<Timestamp> time;
  std::string raw;     // the log line as stored
};

// One report of a top cause, with what the diagnosis said.
struct Example {
  int64_t id = 0;
  Timestamp reported_at;
  std::string client;  // "198.51.100.7:40112", "" when unknown
  std::string server;  // "192.0.2.10:443", or the server name
  std::string error;
  std::string phase;
  double confidence = 0;
  std::string explanation;
  std::vector<EvidenceLine> evidence;  // root cause first
};

struct CauseDetail {
  Cause cause = Cause::kNone;
  int64_t count = 0;
  std::vector<Ranked> servers;   // "ip:port" (or name) most affected first
  std::vector<Ranked> ports;     // server ports
  std::vector<Ranked> networks;  // client /24 (IPv4) and /64 (IPv6)
  std::vector<Ranked> labels;    // "app version" of the clients
  std::vector<Ranked> hours;     // hour of day in the report's zone, "09:00"
  std::vector<Example> examples;
  std::string remedy;
};

// Reset-causing events in the server's logs, whether reported or not.
struct ServerSideCount {
  Cause cause = Cause::kNone;
  std::string source;
  int64_t events = 0;
  int64_t previous = 0;
};

// Where the logs limit what culprit can see, and what to change.
struct Advice {
  std::string source;  // the source's name; "" for advice about all sources
  std::string problem;
  std::string fix;
};

// Reports per cause in one slice of the period.
struct TimelineBucket {
  Timestamp start;
  std::array<int64_t, kCauseCount> by_cause{};  // indexed by the cause code
  int64_t total = 0;
};

struct ReportData {
  Timestamp from;  // inclusive
  Timestamp to;    // exclusive
  Timestamp previous_from;  // the previous period: [previous_from, from)
  Timestamp generated_at;
  TimeZone zone;

  int64_t reports = 0;
  int64_t previous_reports = 0;
  int64_t diagnosed = 0;       // top verdict is a cause found on the server
  int64_t none_on_server = 0;  // top verdict is NONE_ON_SERVER
  double diagnosed_share = 0;
  double none_on_server_share = 0;

  // Every cause seen in either period, most reports first (ties: previous
  // period's count, then cause code).
  std::vector<CauseCount> causes;
  // The top causes (NONE_ON_SERVER excluded), most reports first.
  std::vector<CauseDetail> top;
  Duration bucket{std::chrono::hours(1)};
  std::vector<TimelineBucket> timeline;  // covers [from, to) in `bucket` steps

  int64_t server_events = 0;
  int64_t previous_server_events = 0;
  // Most events first.
  std::vector<ServerSideCount> server_side;
  std::vector<Advice> advice;

  // No client report and no reset-causing event in the period.
  bool empty() const { return reports == 0 && server_events == 0; }
};

}  // namespace culprit::report

#endif  // CULPRIT_DAEMON_REPORT_REPORT_DATA_H_
