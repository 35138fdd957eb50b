#include "daemon/correlate/report_profile.h"

#include <algorithm>
#include <cctype>

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
  if (Has(e, "ECONNREFUSED") || Has(e, "REFUSED") || Has(e, "10061")) return ClientError::kRefused;
  if (Has(e, "ECONNABORTED") || Has(e, "10053") || Has(e, "ABORTED")) return ClientError::kAborted;
  if (Has(e, "ECONNRESET") || Has(e, "10054") || Has(e, "RESET") ||
      Has(e, "FORCIBLY CLOSED") || Has(e, "HANG UP")) {
    return ClientError::kReset;
  }
  if (Has(e, "EPIPE") || Has(e, "BROKEN PIPE")) return ClientError::kBrokenPipe;
  if (Has(e, "ETIMEDOUT") || Has(e, "TIMED OUT") || Has(e, "TIMEOUT") || Has(e, "10060")) {
    return ClientError::kTimedOut;
  }
  if (Has(e, "EOF") || Has(e, "EMPTY REPLY") || Has(e, "EMPTY_RESPONSE") ||
      Has(e, "REMOTEDISCONNECTED") || Has(e, "CLOSED") || Has(e, "REMAINING TO READ")) {
    return ClientError::kEof;
  }
  return ClientError::kUnknown;
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
