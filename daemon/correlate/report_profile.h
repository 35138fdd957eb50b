#ifndef CULPRIT_DAEMON_CORRELATE_REPORT_PROFILE_H_
#define CULPRIT_DAEMON_CORRELATE_REPORT_PROFILE_H_

// ReportProfile: what a client's error text and phase say about the likely
// server-side causes, as a compatibility score per Cause. Pure functions of
// the report; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "daemon/correlate/correlator.h"

namespace culprit::correlate {

// The client's error, normalized. The same failure reads differently on
// each platform and in each language; every spelling maps to one value, so
// it counts the same in the phase and cause scores below.
enum class ClientError {
  kUnknown,
  // ECONNRESET, ENETRESET, WSAECONNRESET/10054 "An existing connection was
  // forcibly closed by the remote host", "reset by peer",
  // ERR_CONNECTION_RESET, .NET ConnectionReset, WinHTTP 12030.
  kReset,
  // ECONNABORTED, WSAECONNABORTED/10053 "An established connection was
  // aborted by the software in your host machine", Java "Software caused
  // connection abort".
  kAborted,
  kBrokenPipe,   // EPIPE, "Broken pipe"
  // ECONNREFUSED, WSAECONNREFUSED/10061 "... the target machine actively
  // refused it".
  kRefused,
  // ETIMEDOUT, WSAETIMEDOUT/10060 "... connected host has failed to
  // respond", ERR_CONNECTION_TIMED_OUT, client-side timeouts.
  kTimedOut,
  // EOF, empty reply, Python RemoteDisconnected "Remote end closed
  // connection without response", ERR_CONNECTION_CLOSED.
  kEof,
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

// Classifies an error text of any length or content (only its first 512
// bytes are read): an errno name, a Windows Sockets name or number
// ("WSAECONNRESET", "10054", "[WinError 10054]"; a number only as a token
// of its own, never the port in "10.0.0.1:10054"), an OpenSSL reason, or a
// message text. Names and numbers win over the words of a message.
ClientError ClassifyClientError(std::string_view error);
// "connect", ..., "idle_reuse"; anything else is kUnknown.
Phase ParsePhase(std::string_view phase);
// The phase an error implies by itself when the client named none: refused
// means connecting, a TLS alert or wrong version number means the
// handshake; kUnknown for errors that happen in any phase.
Phase PhaseHint(ClientError error);
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

// The profile of a report; when the report names no phase, the one the
// error implies (PhaseHint).
ReportProfile ProfileOf(const ResetReport& report);

}  // namespace culprit::correlate

#endif  // CULPRIT_DAEMON_CORRELATE_REPORT_PROFILE_H_
