#ifndef CULPRIT_PARSERS_NGINX_NGINX_ACCESS_PARSER_H_
#define CULPRIT_PARSERS_NGINX_NGINX_ACCESS_PARSER_H_

// The nginx access-log parser: one or more `log_format` strings, compiled
// once into literal/variable steps, matched without regexes.
//
//   std::vector<std::string> formats = {std::string(kNginxCombinedLogFormat)};
//   CULPRIT_ASSIGN_OR_RETURN(auto parser, NewNginxAccessParser(formats));
//   ParseResult r = parser->Parse(line, ctx, &event);
//
// Matching: a variable's value ends at the first occurrence of the literal
// text that follows it in the format. nginx writes '"' inside a value as
// "\x22", so a variable followed by '"' ends at the next '"' and $request may
// hold spaces. When a later literal then does not fit, earlier values are
// extended to the next occurrence of their literal (a bounded number of
// times), so "$http_x_forwarded_for $remote_addr" still splits "a, b c". The
// last variable takes the rest of the line up to the format's closing
// literal. Two variables with no text between them: the first takes a run of
// non-space bytes. A line must match the whole format: text left over is
// kNoMatch. One trailing '\r' is ignored.
//
// Fields (Event, see parsers/event.h): $remote_addr / $binary_remote_addr /
// $realip_remote_addr → client_ip (for a list "a, b" the first address; the
// list is kept in extra["remote_addr"]), $remote_port → client_port,
// $server_addr/$server_port → server_ip/server_port, $status → status,
// $bytes_sent or $body_bytes_sent → bytes_out, $request_length → bytes_in,
// $request_time → duration, $msec (1 ms) or else $time_local / $time_iso8601
// (1 s, with their own UTC offset) → time (the end of the request: nginx logs
// when it finishes), $connection → conn_id, $request_id → request_id,
// $request → extra method / uri / protocol (extra["request"] when the text is
// not "METHOD URI [PROTOCOL]"). Every other variable goes to extra under its
// name without '$' ("http_user_agent", "upstream_addr", "ssl_protocol").
// "-" means absent: no field, no extra. Values are kept as nginx escaped them.
//
// Classification: kind = kRequest; cause from the status and request per
// shared/RESET_SIGNATURES.md §1.4, §1.7, §2.2 (e.g. 400 with a request
// starting "\x16\x03" → PROTOCOL_MISMATCH, 499 → CLIENT_ABORT, 502 →
// UPSTREAM_FAILURE); detail holds a short text such as "status 502".
//
// Outcomes: kNoMatch when no format's literals fit the line; the reason names
// the variable after which the expected text was missing and where its value
// began: `expected "\x22 " after $request (value from byte 47)`. kMalformed
// when a format fits but a value is wrong: a bad time, a $status or other
// number-valued variable that is not a number, a $remote_addr that holds no
// address (`$time_local "23/Nov/2026:25:01:30 +0000" is not a time like ...`).
// With several formats the last one that parsed is tried first, and a reason
// is prefixed with the format it comes from ("log_format #2: "): a malformed
// value first, else the format whose literals fitted furthest.
//
// Performance: several million lines/s for `combined` on one core; no
// allocation per line once the event's strings have grown (the parser
// recycles the event's extra entries). Thread-compatible: one instance per
// source and thread.

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "parsers/line_parser.h"

namespace culprit::parsers {

// nginx's predefined `combined` format (ngx_http_log_module.c).
inline constexpr std::string_view kNginxCombinedLogFormat =
    "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
    "\"$http_referer\" \"$http_user_agent\"";

// Compiles one or more log_format strings (as written in nginx.conf, the
// quotes of nginx.conf's concatenated string pieces already removed) into a
// parser that tries them in order (last successful first). Errors name the
// format ("log_format #2 \"...\"") and the offending variable/position:
// an empty list, an empty format, "$" without a name, an unterminated "${",
// a format without $msec, $time_local or $time_iso8601.
Result<std::unique_ptr<LineParser>> NewNginxAccessParser(std::span<const std::string> log_formats);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_NGINX_NGINX_ACCESS_PARSER_H_
