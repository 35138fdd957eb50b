#ifndef CULPRIT_PARSERS_JSON_JSON_PARSER_H_
#define CULPRIT_PARSERS_JSON_JSON_PARSER_H_

// JSON-lines parser: one JSON object per line (application logs, Caddy,
// Traefik, Envoy JSON access logs, ECS, bunyan, pino), optionally behind a
// text prefix (docker compose "caddy  | ", Kubernetes CRI
// "<RFC3339Nano> stdout F ").
//
// Every line becomes an Event of kind kApp. The parser walks the line's
// top-level object once and looks each key up in a table of mapped keys;
// values of unmapped keys are skipped without being decoded.
//
// Field targets (JsonParserOptions::fields maps target -> JSON key):
//   time          RFC 3339 with any fraction and offset (no offset: the
//                 source's zone), or an epoch number or numeric string; the
//                 epoch unit is told by magnitude (s, ms, us, ns). Precision
//                 1 s / 1 ms / 1 us from the digits written.
//   start_time    when the request started (Envoy start_time, Traefik
//                 StartUTC); the event time is start_time + duration unless
//                 `time` is at least as precise.
//   client        "ip:port", "[v6]:port" or an address alone
//   client_ip     an address (an "ip:port" value also fills client_port)
//   client_port   a number or numeric string
//   server, server_ip, server_port     the same for the local side
//   status        HTTP status
//   conn_id, request_id                strings or numbers, copied
//   duration      auto: a string with units ("1.5s", "250ms", "120ns"); a
//                 number with a fraction is seconds (Caddy); an integer is
//                 milliseconds (Envoy). Prefer the explicit ones:
//   duration_s, duration_ms, duration_us, duration_ns   numbers in that unit
//   bytes_in, bytes_out                bytes from / to the client
//   level         a name (syslog names, warn, fatal, trace, ...) or a number
//                 (0..7 syslog; bunyan/pino 10..60) -> syslog severity 0..7
//   message, phase, detail             copied (message capped at 4 KiB)
//   error         an error text; stored as Event::detail when the line has no
//                 `detail`, otherwise as extra "error"
//   extra.<name>  a scalar copied into Event::extra (capped at 256 bytes;
//                 objects and arrays are never copied)
// A key path with dots addresses nested objects ("request.remote_ip"); the
// literal key is tried too, so ECS's flat "log.level" works. Values "", "-"
// and null count as absent.
//
// Defaults: without `fields`, or for every target `fields` does not name, the
// parser recognizes the usual keys of Caddy (ts, request.remote_ip,
// request.remote_port, status, duration, size, msg, level, logger), Traefik
// (ClientAddr, ClientHost, ClientPort, DownstreamStatus, Duration ns,
// StartUTC, time, RequestHost, RequestPath, OriginStatus), Envoy (start_time,
// downstream_remote_address, downstream_local_address, response_code,
// response_flags -> detail, duration ms, upstream_transport_failure_reason,
// connection_termination_details, x-request-id), ECS (@timestamp, log.level,
// source.ip/port, client.ip/port, http.response.status_code, message,
// error.message, event.duration), bunyan and pino (time, numeric level, msg),
// and generic names (timestamp, severity, message, remote_addr, remote_port,
// status_code, request_id, req_id, trace_id, bytes_sent, ...). A target named
// in `fields` drops all its defaults. field_table.cc has the full list.
//
// Cause: RESET_SIGNATURES.md §5-6 (see json_cause.h): Envoy response flags,
// known error texts, 499/408/429/502/503/504/5xx statuses, and error-level
// lines about a crash (APP_ERROR).
//
// Outcomes: kNoMatch when the line holds no JSON object where one is
// expected (empty line, no '{', a JSON array, prefix regex not matching);
// kMalformed when the object is invalid JSON (truncated, bad UTF-8, NUL
// bytes, trailing text), has no time, or a mapped value is invalid (bad
// address, port, status or time). The reason names the field and key.
//
// Thread-safety: a parser instance is thread-compatible (one thread at a
// time); it reuses its buffers across lines, so Parse allocates only when a
// line is longer than any before (and for the Event's own strings).
//
// Performance: roughly 10k instructions for a 280-byte lab app line (about
// 2k of them simdjson's stage 1), i.e. ~1 M lines/s per core; the rest is
// decoding what the line holds (time, addresses, level, cause). Cost grows
// with the number of mapped keys a line has, not with the size of the table;
// unmapped values are skipped, not decoded.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "parsers/line_parser.h"

namespace culprit::parsers {

struct JsonParserOptions {
  // culprit target -> JSON key path (see above).
  std::vector<std::pair<std::string, std::string>> fields;
  // Optional RE2 pattern for the text before the JSON object; it must match
  // at the start of the line, and the object starts where the match ends.
  // Empty: when the line does not start with '{', skip to the first '{'.
  std::string prefix;
};

// Longest line the parser accepts; longer ones are kMalformed.
inline constexpr size_t kMaxJsonLineBytes = 4 << 20;

// Creates a parser. Errors (InvalidArgument) name the bad option:
// `fields: unknown target "clientip" (known: ...)`, `fields.time: empty JSON
// key`, `prefix: "(" does not compile: missing ): (`.
Result<std::unique_ptr<LineParser>> NewJsonParser(const JsonParserOptions& options);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_JSON_JSON_PARSER_H_
