#ifndef CULPRIT_DAEMON_CORRELATE_REPORT_PROFILE_H_
#define CULPRIT_DAEMON_CORRELATE_REPORT_PROFILE_H_

// ReportProfile: what a client's error text and phase say about the likely
// server-side causes, as a compatibility score per Cause. Pure functions of
// the report; thread-safe.

#include <string>
#include <string_view>

#include "daemon/correlate/correlator.h"

namespace culprit::correlate {

// The client's error, normalized.
enum class ClientError {
  kUnknown,
  kReset,        // ECONNRESET, WSAECONNRESET/10054, "reset by peer", ERR_CONNECTION_RESET
  kAborted,      // ECONNABORTED, WSAECONNABORTED/10053
  kBrokenPipe,   // EPIPE
  kRefused,      // ECONNREFUSED
  kTimedOut,     // ETIMEDOUT, client-side timeouts
  kEof,          // EOF, empty reply, remote closed without response
  kWrongVersion, // OpenSSL WRONG_VERSION_NUMBER / http request: spoke TLS to a non-TLS port
  kTlsAlert,     // a TLS alert or certificate failure
  kTlsEof,       // SSL UNEXPECTED_EOF_WHILE_READING, SSL_ERROR_SYSCALL
};

enum class Phase {
  kUnknown,
  kConnect,
  kTlsHandshake,
  kRequestSent,
  kAwaitingResponse,
  kReadingResponse,
  kIdleReuse,
};

ClientError ClassifyClientError(std::string_view error);
Phase ParsePhase(std::string_view phase);
std::string_view ClientErrorName(ClientError e);

struct ReportProfile {
  ClientError error = ClientError::kUnknown;
  Phase phase = Phase::kUnknown;
  std::optional<int> http_status;

  // How well `cause` fits what the client saw: about -2 (contradicts) to
  // +3 (what this error in this phase usually means).
  double Compatibility(Cause cause) const;
  // How well an event's HTTP status fits the status the client got: +1.5
  // same, -1 different, 0 unknown.
  double StatusFit(std::optional<int> event_status) const;
  // The cause an event stands for given what the client saw. A failed TLS
  // handshake on the server, while the client reports no TLS error and got
  // past connecting to sending its request, means the client never spoke
  // TLS: plain HTTP to a TLS port (PROTOCOL_MISMATCH). Otherwise the
  // event's own cause.
  Cause Reinterpret(const parsers::Event& event) const;
};

ReportProfile ProfileOf(const ResetReport& report);

}  // namespace culprit::correlate

#endif  // CULPRIT_DAEMON_CORRELATE_REPORT_PROFILE_H_
