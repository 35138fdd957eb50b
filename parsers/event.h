#ifndef CULPRIT_PARSERS_EVENT_H_
#define CULPRIT_PARSERS_EVENT_H_

// Event: one log line, normalized. The parsers produce it, the store keeps
// it, the correlator reasons over it.
//
// Cause and EventKind codes are the ones stored in SQLite (schema/0001_init.sql,
// tables `causes` and `event_kinds`): never renumber them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/ip_address.h"
#include "base/time.h"

namespace culprit {

// Why a connection was reset, as far as one server-side line tells
// (RESET_SIGNATURES categories). kNone: the line indicates no reset cause.
enum class Cause : uint8_t {
  kNone = 0,
  kProtocolMismatch = 1,
  kTlsHandshakeFailed = 2,
  kIdleTimeout = 3,
  kRequestTimeout = 4,
  kUpstreamFailure = 5,
  kUpstreamTimeout = 6,
  kAppError = 7,
  kRequestRejected = 8,
  kRateLimited = 9,
  kFirewall = 10,
  kServerShutdown = 11,
  kResourceExhaustion = 12,
  kClientAbort = 13,
  kNoneOnServer = 14,
};
inline constexpr int kCauseCount = 15;

// "PROTOCOL_MISMATCH", ...; "NONE" for kNone.
std::string_view CauseName(Cause cause);
// Inverse of CauseName; nullopt for an unknown name.
std::optional<Cause> CauseFromName(std::string_view name);

// What a line describes.
enum class EventKind : uint8_t {
  kOther = 0,
  kRequest = 1,     // an access-log entry: a request or session that ended
  kError = 2,       // a server/proxy error line about one connection
  kTls = 3,         // a TLS handshake outcome
  kConnection = 4,  // connection accepted / closed / reset
  kFirewall = 5,    // a netfilter LOG line
  kProcess = 6,     // host-wide: reload, shutdown, crash, limits, OOM
  kApp = 7,         // an application log line
};
inline constexpr int kEventKindCount = 8;

// "other", "request", ...
std::string_view EventKindName(EventKind kind);
std::optional<EventKind> EventKindFromName(std::string_view name);

namespace parsers {

// Event::flags bits.
inline constexpr uint32_t kFlagTruncated = 1;  // the line was cut at max_line_bytes

struct Event {
  // The moment the line stands for, UTC (a request's or session's end where
  // the log says so), and how precise the log's clock is: 1 s for a
  // second-resolution stamp, 1 ms for milliseconds, 1 us for microseconds.
  Timestamp time;
  Duration precision = std::chrono::seconds(1);

  EventKind kind = EventKind::kOther;
  Cause cause = Cause::kNone;
  // Syslog severity 0 (emerg) .. 7 (debug), when the line has a level.
  std::optional<int> level;

  // Client: the remote peer of the connection the line is about.
  std::optional<IpAddress> client_ip;
  uint16_t client_port = 0;  // 0 = unknown
  // Server: the local side (listening address / port) when the line says.
  std::optional<IpAddress> server_ip;
  uint16_t server_port = 0;

  std::optional<int> status;  // HTTP status (or stream status)
  std::string conn_id;        // nginx *N / $connection, stunnel [N], ...
  std::string request_id;
  std::optional<Duration> duration;
  std::optional<int64_t> bytes_in;   // bytes received from the client
  std::optional<int64_t> bytes_out;  // bytes sent to the client
  std::string phase;    // where in the connection's life: "SSL handshaking", ...
  std::string detail;   // short machine-readable: "SH--", "unsupported protocol", ...
  std::string message;  // the human part of the line
  uint32_t flags = 0;
  // Other named fields the line carried (upstream address, method, ...).
  std::vector<std::pair<std::string, std::string>> extra;

  // Resets every field, keeping allocated capacity (for reuse in a loop).
  void Clear();
  // Adds or replaces an extra field.
  void SetExtra(std::string_view key, std::string_view value);
  // The extra field's value, or empty.
  std::string_view Extra(std::string_view key) const;
};

}  // namespace parsers
}  // namespace culprit

#endif  // CULPRIT_PARSERS_EVENT_H_
