#include "daemon/correlate/report_profile.h"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace culprit::correlate {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s.substr(0, 512));
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool Has(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// True when `code` (a Windows Sockets error number) appears in `e` as a
// number of its own: "10054", "[WinError 10054]", "WSAECONNRESET/10054",
// "system:10054" (Boost.Asio's category:value), but not inside a longer
// number or a decimal, and not as the port of an address
// ("127.0.0.1:10054", "[::1]:10054").
bool HasCode(const std::string& e, std::string_view code) {
  for (size_t at = e.find(code); at != std::string::npos; at = e.find(code, at + 1)) {
    const size_t end = at + code.size();
    if (end < e.size() && (IsDigit(e[end]) || e[end] == '.')) continue;
    if (at > 0 && (IsDigit(e[at - 1]) || e[at - 1] == '.')) continue;
    if (at >= 2 && e[at - 1] == ':' && (IsDigit(e[at - 2]) || e[at - 2] == ']')) continue;
    return true;
  }
  return false;
}

struct Needle {
  std::string_view text;
  ClientError error;
  bool code = false;  // a Windows error number: matched by HasCode
};

// Names and numbers first: they say exactly what the system returned, and a
// wrapper's words must not override them (Python requests writes
// "('Connection aborted.', ConnectionResetError(104, 'Connection reset by
// peer'))" for a reset). Windows codes and texts are those of the Windows
// Sockets error list (learn.microsoft.com, "Windows Sockets Error Codes"):
// each WSAE name contains the POSIX one (WSAECONNRESET, ECONNRESET).
constexpr Needle kNames[] = {
    {"ECONNRESET", ClientError::kReset},
    {"ENETRESET", ClientError::kReset},           // WSAENETRESET 10052
    {"ECONNABORTED", ClientError::kAborted},
    {"ECONNREFUSED", ClientError::kRefused},
    {"ETIMEDOUT", ClientError::kTimedOut},
    {"EPIPE", ClientError::kBrokenPipe},
    {"10054", ClientError::kReset, true},        // WSAECONNRESET
    {"10052", ClientError::kReset, true},        // WSAENETRESET
    {"10053", ClientError::kAborted, true},      // WSAECONNABORTED
    {"10061", ClientError::kRefused, true},      // WSAECONNREFUSED
    {"10060", ClientError::kTimedOut, true},     // WSAETIMEDOUT
    {"12030", ClientError::kReset, true},        // ERROR_WINHTTP_CONNECTION_ERROR
    // Chromium net errors and .NET SocketError names.
    {"CONNECTION_RESET", ClientError::kReset},
    {"CONNECTIONRESET", ClientError::kReset},
    {"CONNECTION_ABORTED", ClientError::kAborted},
    {"CONNECTIONABORTED", ClientError::kAborted},
    {"CONNECTION_REFUSED", ClientError::kRefused},
    {"CONNECTIONREFUSED", ClientError::kRefused},
    {"TIMED_OUT", ClientError::kTimedOut},
    {"TIMEDOUT", ClientError::kTimedOut},
    {"CONNECTION_CLOSED", ClientError::kEof},
    {"EMPTY_RESPONSE", ClientError::kEof},
    {"REMOTEDISCONNECTED", ClientError::kEof},   // Python http.client
};

// Then what the messages say, the specific phrases before the single words.
constexpr Needle kPhrases[] = {
    // WSAECONNRESET: "An existing connection was forcibly closed by the
    // remote host."; strerror: "Connection reset by peer"; curl on Windows:
    // "Recv failure: Connection was reset"; WinHTTP 12030: "The connection
    // with the server was terminated abnormally".
    {"FORCIBLY CLOSED", ClientError::kReset},
    {"RESET BY PEER", ClientError::kReset},
    {"CONNECTION RESET", ClientError::kReset},
    {"CONNECTION WAS RESET", ClientError::kReset},
    {"TERMINATED ABNORMALLY", ClientError::kReset},
    {"SOCKET HANG UP", ClientError::kReset},     // Node.js
    // WSAECONNABORTED: "An established connection was aborted by the
    // software in your host machine."; Java on Windows: "Software caused
    // connection abort: recv failed" (also strerror(ECONNABORTED)).
    {"ABORTED BY THE SOFTWARE", ClientError::kAborted},
    {"CONNECTION ABORT", ClientError::kAborted},
    {"BROKEN PIPE", ClientError::kBrokenPipe},
    // WSAECONNREFUSED: "No connection could be made because the target
    // machine actively refused it."
    {"ACTIVELY REFUSED", ClientError::kRefused},
    {"CONNECTION REFUSED", ClientError::kRefused},
    // WSAETIMEDOUT: "A connection attempt failed because the connected party
    // did not properly respond after a period of time, or established
    // connection failed because connected host has failed to respond."
    {"DID NOT PROPERLY RESPOND", ClientError::kTimedOut},
    {"FAILED TO RESPOND", ClientError::kTimedOut},
    {"TIMED OUT", ClientError::kTimedOut},
    // The peer closed without an answer (a FIN, not an RST).
    {"CLOSED CONNECTION WITHOUT RESPONSE", ClientError::kEof},
    {"EMPTY REPLY", ClientError::kEof},
    {"END OF FILE", ClientError::kEof},          // Java: "Unexpected end of file from server"
    {"REMAINING TO READ", ClientError::kEof},
    // Single words, last.
    {"REFUSED", ClientError::kRefused},
    {"RESET", ClientError::kReset},
    {"ABORT", ClientError::kAborted},
    {"HANG UP", ClientError::kReset},
    {"TIMEOUT", ClientError::kTimedOut},
    {"EOF", ClientError::kEof},
    {"CLOSED", ClientError::kEof},
};

ClientError Match(const std::string& e, const Needle* begin, const Needle* end) {
  for (const Needle* n = begin; n != end; ++n) {
    if (n->code ? HasCode(e, n->text) : Has(e, n->text)) return n->error;
  }
  return ClientError::kUnknown;
}

}  // namespace

ClientError ClassifyClientError(std::string_view error) {
  const std::string e = Upper(error);
  // TLS first: "SSL: ..." reasons also contain words like EOF or RESET.
  if (Has(e, "WRONG_VERSION_NUMBER") || Has(e, "WRONG VERSION NUMBER") ||
      Has(e, "HTTP_REQUEST") || Has(e, "RECORD LAYER FAILURE") ||
      Has(e, "SERVER GAVE HTTP RESPONSE")) {
    return ClientError::kWrongVersion;
  }
  if (Has(e, "UNEXPECTED_EOF") || Has(e, "UNEXPECTED EOF") || Has(e, "SSL_ERROR_SYSCALL")) {
    return ClientError::kTlsEof;
  }
  if (Has(e, "ALERT") || Has(e, "CERTIFICATE") || Has(e, "UNKNOWN_CA") || Has(e, "CIPHER") ||
      Has(e, "HANDSHAKE_FAILURE") || Has(e, "PROTOCOL_VERSION") || Has(e, "SSL_PROTOCOL") ||
      Has(e, "SSL:") || Has(e, "TLS:")) {
    return ClientError::kTlsAlert;
  }
  const ClientError named = Match(e, std::begin(kNames), std::end(kNames));
  if (named != ClientError::kUnknown) return named;
  return Match(e, std::begin(kPhrases), std::end(kPhrases));
}

Phase PhaseHint(ClientError error) {
  switch (error) {
    // Nothing was ever connected: the SYN got an RST (or an ICMP error).
    case ClientError::kRefused: return Phase::kConnect;
    // Both sides were still negotiating TLS.
    case ClientError::kWrongVersion:
    case ClientError::kTlsAlert: return Phase::kTlsHandshake;
    // The others happen in any phase.
    default: return Phase::kUnknown;
  }
}

Phase ParsePhase(std::string_view phase) {
  if (phase == "connect") return Phase::kConnect;
  if (phase == "tls_handshake") return Phase::kTlsHandshake;
  if (phase == "request_sent") return Phase::kRequestSent;
  if (phase == "awaiting_response") return Phase::kAwaitingResponse;
  if (phase == "reading_response") return Phase::kReadingResponse;
  if (phase == "idle_reuse") return Phase::kIdleReuse;
  return Phase::kUnknown;
}

std::string_view ClientErrorName(ClientError e) {
  switch (e) {
    case ClientError::kReset: return "connection reset";
    case ClientError::kAborted: return "connection aborted";
    case ClientError::kBrokenPipe: return "broken pipe";
    case ClientError::kRefused: return "connection refused";
    case ClientError::kTimedOut: return "timeout";
    case ClientError::kEof: return "connection closed (EOF)";
    case ClientError::kWrongVersion: return "TLS wrong version number";
    case ClientError::kTlsAlert: return "TLS alert";
    case ClientError::kTlsEof: return "unexpected EOF in TLS";
    case ClientError::kUnknown: break;
  }
  return "error";
}

ReportProfile ProfileOf(const ResetReport& report) {
  ReportProfile p;
  p.error = ClassifyClientError(report.error);
  p.phase = ParsePhase(report.phase);
  if (p.phase == Phase::kUnknown) p.phase = PhaseHint(p.error);
  p.http_status = report.http_status;
  return p;
}

double ReportProfile::Compatibility(Cause cause) const {
  double score = 0;
  // What the phase says.
  switch (phase) {
    case Phase::kConnect:
      switch (cause) {
        case Cause::kFirewall: score += 2; break;
        case Cause::kResourceExhaustion:
        case Cause::kServerShutdown:
        case Cause::kRateLimited: score += 1; break;
        case Cause::kTlsHandshakeFailed:
        case Cause::kIdleTimeout:
        case Cause::kUpstreamFailure:
        case Cause::kUpstreamTimeout:
        case Cause::kAppError: score -= 1.5; break;
        default: break;
      }
      break;
    case Phase::kTlsHandshake:
      switch (cause) {
        case Cause::kTlsHandshakeFailed:
        case Cause::kProtocolMismatch: score += 1.5; break;
        case Cause::kRequestTimeout:
        case Cause::kFirewall:
        case Cause::kResourceExhaustion:
        case Cause::kRequestRejected: score += 0.5; break;
        case Cause::kUpstreamFailure:
        case Cause::kUpstreamTimeout:
        case Cause::kAppError:
        case Cause::kIdleTimeout: score -= 1.5; break;
        default: break;
      }
      break;
    case Phase::kRequestSent:
    case Phase::kAwaitingResponse:
      switch (cause) {
        case Cause::kRequestTimeout:
        case Cause::kRequestRejected:
        case Cause::kRateLimited:
        case Cause::kAppError:
        case Cause::kUpstreamFailure:
        case Cause::kUpstreamTimeout:
        case Cause::kServerShutdown:
        case Cause::kResourceExhaustion:
        case Cause::kFirewall: score += 1; break;
        case Cause::kProtocolMismatch:
        case Cause::kTlsHandshakeFailed: score += 0.5; break;  // TLS 1.3 client-cert failures
        case Cause::kIdleTimeout: score -= 0.5; break;
        default: break;
      }
      break;
    case Phase::kReadingResponse:
      switch (cause) {
        case Cause::kUpstreamFailure:
        case Cause::kUpstreamTimeout: score += 1.5; break;
        case Cause::kAppError:
        case Cause::kServerShutdown:
        case Cause::kRequestRejected:
        case Cause::kRateLimited: score += 1; break;
        case Cause::kProtocolMismatch:
        case Cause::kTlsHandshakeFailed:
        case Cause::kRequestTimeout:
        case Cause::kResourceExhaustion:
        case Cause::kFirewall: score += 0.5; break;
        case Cause::kIdleTimeout: score -= 1; break;
        default: break;
      }
      break;
    case Phase::kIdleReuse:
      switch (cause) {
        case Cause::kIdleTimeout: score += 2; break;
        case Cause::kServerShutdown:
        case Cause::kFirewall: score += 1; break;
        case Cause::kResourceExhaustion: score += 0.5; break;
        case Cause::kTlsHandshakeFailed:
        case Cause::kProtocolMismatch:
        case Cause::kRequestRejected:
        case Cause::kRateLimited: score -= 1; break;
        default: break;
      }
      break;
    case Phase::kUnknown:
      break;
  }
  // What the error says.
  switch (error) {
    case ClientError::kWrongVersion:
      // The client spoke TLS and got non-TLS bytes back: a plain port.
      if (cause == Cause::kProtocolMismatch) score += 2.5;
      else if (cause == Cause::kTlsHandshakeFailed) score += 0.5;
      else score -= 1;
      break;
    case ClientError::kTlsAlert:
      if (cause == Cause::kTlsHandshakeFailed) score += 2;
      else if (cause == Cause::kProtocolMismatch) score += 0.5;
      else if (cause != Cause::kFirewall) score -= 0.5;
      break;
    case ClientError::kTlsEof:
      if (cause == Cause::kTlsHandshakeFailed || cause == Cause::kIdleTimeout) score += 1;
      break;
    case ClientError::kRefused:
      if (cause == Cause::kFirewall || cause == Cause::kServerShutdown) score += 1.5;
      else if (cause == Cause::kResourceExhaustion || cause == Cause::kRateLimited) score += 0.5;
      else score -= 1;
      break;
    case ClientError::kTimedOut:
      if (cause == Cause::kFirewall || cause == Cause::kResourceExhaustion ||
          cause == Cause::kUpstreamTimeout) {
        score += 0.5;
      }
      break;
    case ClientError::kBrokenPipe:
      if (cause == Cause::kRequestRejected || cause == Cause::kRateLimited) score += 1;
      break;
    case ClientError::kReset:
    case ClientError::kAborted:
    case ClientError::kEof:
    case ClientError::kUnknown:
      break;
  }
  return score;
}

double ReportProfile::StatusFit(std::optional<int> event_status) const {
  if (!http_status || !event_status || *event_status <= 0) return 0;
  return *http_status == *event_status ? 1.5 : -1;
}

Cause ReportProfile::Reinterpret(const parsers::Event& event) const {
  if (event.cause != Cause::kTlsHandshakeFailed) return event.cause;
  const bool client_saw_tls = error == ClientError::kWrongVersion ||
                              error == ClientError::kTlsAlert || error == ClientError::kTlsEof;
  const bool past_handshake = phase == Phase::kRequestSent ||
                              phase == Phase::kAwaitingResponse ||
                              phase == Phase::kReadingResponse;
  const std::string text = Upper(event.phase + " " + event.message + " " + event.detail);
  const bool handshake_line = Has(text, "HANDSHAK");
  if (!client_saw_tls && past_handshake && handshake_line) return Cause::kProtocolMismatch;
  return event.cause;
}

}  // namespace culprit::correlate
