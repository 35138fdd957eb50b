#ifndef CULPRIT_PARSERS_SYSLOG_SYSLOG_HEADER_H_
#define CULPRIT_PARSERS_SYSLOG_SYSLOG_HEADER_H_

// Syslog framing: recognizes the header that syslog daemons put in front of
// a program's message, so a format's patterns can match the body alone.
//
// Recognized shapes (the <PRI> prefix is optional in every one):
//   RFC 5424   "<134>1 2026-11-23T20:01:26.123Z host app pid msgid [sd] msg"
//              (also without "<PRI>VERSION"; "-" is NILVALUE; structured
//              data "[id k="v"]..." is skipped)
//   RFC 3164   "Nov 23 20:01:26 host app[pid]: msg", "Nov  3 ..." (space-
//              padded day); the tag is optional: ulogd writes
//              "Nov 23 20:04:06 vm [UFW BLOCK] IN=..."
//   ISO stamp  "2026-11-23T20:01:26.123456+00:00 host app[pid]: msg"
//              (rsyslog RSYSLOG_FileFormat)
// kern.log's "kernel: [ 1234.567890] " monotonic stamp is part of the body.
//
// Performance: hand-written, no allocation, no regex; the returned views
// point into `line`. Thread-safe (pure function).

#include <cstddef>
#include <optional>
#include <string_view>

#include "base/time_format.h"
#include "parsers/line_parser.h"

namespace culprit::parsers {

struct SyslogHeader {
  size_t body_offset = 0;          // where the message body starts in the line
  std::optional<ParsedTime> time;  // header stamp (year inferred from ctx.now when absent), UTC
  std::optional<int> severity;     // from <PRI> when present
  std::string_view host, app, pid;  // empty when absent ("lab-host", "haproxy", "20206")
};

// Parses the syslog header at the start of `line`. Stamps without a zone
// are read in *ctx.zone; stamps without a year get one from InferYear()
// with ctx.now. Returns nullopt when the line does not start with a syslog
// header (including an impossible date such as "Feb 31"). Never crashes on
// garbage (NUL bytes, invalid UTF-8, any length).
// REQUIRES: ctx.zone != nullptr.
std::optional<SyslogHeader> ParseSyslogHeader(std::string_view line, const LineContext& ctx);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_SYSLOG_SYSLOG_HEADER_H_
