#include "parsers/nginx/nginx_classify.h"

namespace culprit::parsers::nginx {
namespace {

// "status NNN" into *out, reusing its capacity.
void StatusDetail(int status, std::string_view suffix, std::string* out) {
  char buf[12] = "status 000";
  if (status >= 0 && status <= 999) {
    buf[7] = static_cast<char>('0' + status / 100);
    buf[8] = static_cast<char>('0' + status / 10 % 10);
    buf[9] = static_cast<char>('0' + status % 10);
  }
  out->assign(buf, 10);
  out->append(suffix);
}

}  // namespace

bool IsTlsClientHello(std::string_view request) {
  return request.starts_with("\\x16\\x03") || request.starts_with("\x16\x03");
}

void ClassifyRequest(const RequestFacts& facts, Event* event) {
  event->kind = EventKind::kRequest;
  const int status = facts.status;

  // A TLS ClientHello read as an HTTP request line: nginx answers 400 (or a
  // default server's 444) and logs the record bytes (§1.4, reverse direction).
  if (IsTlsClientHello(facts.request)) {
    event->cause = Cause::kProtocolMismatch;
    StatusDetail(status, ", TLS ClientHello on a plain HTTP port", &event->detail);
    return;
  }

  Cause cause = Cause::kNone;
  std::string_view suffix;
  switch (status) {
    case 0:
      // nginx logs 000 when it closed the request before any status was set;
      // in practice a worker that closed its connections on shutdown or
      // reload (worker_shutdown_timeout).
      cause = Cause::kServerShutdown;
      suffix = ", closed without a response";
      break;
    case 400:  // bad request line/headers, too large header (494), plain HTTP to HTTPS (497)
    case 413:  // body too large: nginx stops reading, a client still uploading gets a RST
    case 414:
    case 431:
    case 444:  // `return 444`: closed without a response
    case 494:
      cause = Cause::kRequestRejected;
      break;
    case 495:  // client certificate errors, when error_page keeps the internal code
    case 496:
      cause = Cause::kTlsHandshakeFailed;
      break;
    case 497:
      cause = Cause::kProtocolMismatch;
      break;
    case 408:
      cause = Cause::kRequestTimeout;
      break;
    case 429:
      cause = Cause::kRateLimited;
      break;
    case 499:
      cause = Cause::kClientAbort;
      break;
    case 500:
      cause = Cause::kAppError;
      break;
    case 502:
      cause = Cause::kUpstreamFailure;
      break;
    case 503:
      // limit_req/limit_conn answer 503 by default; a 503 that came back
      // from an upstream is the backend's own answer.
      if (facts.has_upstream_vars && facts.upstream_used) {
        cause = Cause::kUpstreamFailure;
        suffix = " from upstream";
      } else {
        cause = Cause::kRateLimited;
      }
      break;
    case 504:
      cause = Cause::kUpstreamTimeout;
      break;
    default:
      break;
  }
  if (cause == Cause::kNone) return;
  event->cause = cause;
  StatusDetail(status, suffix, &event->detail);
}

}  // namespace culprit::parsers::nginx
