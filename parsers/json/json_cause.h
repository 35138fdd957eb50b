#ifndef CULPRIT_PARSERS_JSON_JSON_CAUSE_H_
#define CULPRIT_PARSERS_JSON_JSON_CAUSE_H_

// The reset-cause hint of one JSON log line (RESET_SIGNATURES.md §5 Envoy,
// Caddy, Traefik and §6 application runtimes).
//
// Internal to parsers/json. Pure and thread-safe; no allocation.
//
// Order of evidence, most specific first:
//   1. Envoy response flags in `detail` ("UC", "DC,URX", ...).
//   2. Known texts in the error and message (case-insensitive): Go's "TLS
//      handshake error from", "context canceled", "broken pipe", "connection
//      reset", Python's ConnectionResetError/BrokenPipeError, "dial ...
//      connection refused", "i/o timeout", "out of memory", "too many open
//      files", "panic", "worker timeout", Caddy's "reading:"/"writing:"
//      proxy errors, shutdown and signal messages.
//   3. The HTTP status: 499 CLIENT_ABORT, 408 REQUEST_TIMEOUT, 429
//      RATE_LIMITED, 502/503 UPSTREAM_FAILURE, 504 UPSTREAM_TIMEOUT, any
//      other 5xx APP_ERROR.
//   4. An error-or-worse level (severity <= 3) whose text speaks of a crash
//      (exception, traceback, crashed, aborting connection, unhandled, fatal,
//      worker exited/died/killed), or that carries an error field (unless
//      its status is 4xx): APP_ERROR.
// Anything else is Cause::kNone.
// Also used for plain-text application logs (format "regex"), whose
// captures give the same fields.

#include <optional>
#include <string_view>

#include "parsers/event.h"

namespace culprit::parsers::json_internal {

struct CauseInput {
  std::optional<int> severity;  // syslog 0..7
  std::optional<int> status;
  std::string_view message;
  std::string_view error;
  std::string_view detail;  // Envoy response flags
};

Cause ClassifyJsonLine(const CauseInput& in);

}  // namespace culprit::parsers::json_internal

#endif  // CULPRIT_PARSERS_JSON_JSON_CAUSE_H_
