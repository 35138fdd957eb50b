#include "daemon/correlate/explain.h"

#include <cstdio>
#include <algorithm>
#include <cstdlib>

namespace culprit::correlate {

std::string RemedyFor(Cause cause) {
  switch (cause) {
    case Cause::kProtocolMismatch:
      return "Make the client use the scheme the port expects (https:// for a TLS listener, "
             "http:// for a plain one), or fix the URL/port mapping in the client or proxy; "
             "retrying the same way fails the same way.";
    case Cause::kTlsHandshakeFailed:
      return "Align TLS settings: the client's protocol versions and ciphers with the server's "
             "(ssl_protocols/ssl_ciphers, ssl-min-ver), and for mTLS give the client a "
             "certificate issued by the CA the server trusts; fix the certificate chain if the "
             "client rejected ours.";
    case Cause::kIdleTimeout:
      return "Make the client's keep-alive idle timeout shorter than the server's (or retry "
             "idempotent requests once on a reused connection); alternatively raise the server's "
             "keep-alive timeout.";
    case Cause::kRequestTimeout:
      return "The client sent its request too slowly: send headers/body promptly, or raise the "
             "server's request timeouts (client_header_timeout/client_body_timeout, timeout "
             "http-request) if slow clients are expected.";
    case Cause::kUpstreamFailure:
      return "Fix the backend that closed or reset the proxied connection: check its logs and "
             "crashes at that time, and make its keep-alive timeout longer than the proxy's.";
    case Cause::kUpstreamTimeout:
      return "The backend did not answer in time: find why it was slow, or raise the proxy's "
             "read timeout (proxy_read_timeout, timeout server) for that route.";
    case Cause::kAppError:
      return "Fix the application error logged for this request (see the stack/error); the "
             "application aborted the connection instead of answering.";
    case Cause::kRequestRejected:
      return "The server refused this request by configuration (deny rule, 444, body size, bad "
             "request): change the request or the rule; retrying unchanged will not help.";
    case Cause::kRateLimited:
      return "The client exceeded a rate or connection limit: slow down or reuse connections, "
             "or raise the limit for this client.";
    case Cause::kFirewall:
      return "A firewall rule dropped or reset this flow: review the rule that logged it (its "
             "prefix names it) and allow the client if the traffic is legitimate.";
    case Cause::kServerShutdown:
      return "A reload or restart closed the connection: retry idempotent requests, and use "
             "graceful reloads (worker_shutdown_timeout / hard-stop-after long enough) during "
             "traffic.";
    case Cause::kResourceExhaustion:
      return "The server ran out of a resource (connections, memory, sockets): raise the limit "
             "(worker_connections, maxconn, ulimit) or add capacity, then retry.";
    case Cause::kClientAbort:
      return "The server saw the client side close first: look at client-side timeouts and "
             "anything between client and server.";
    case Cause::kNoneOnServer:
      return "Nothing on the server explains it: check what sits between client and server "
             "(load balancer, NAT, firewall or proxy that is not tailed, and its idle timeout), "
             "the client's network, and the client's own timeouts; tail that device's logs.";
    case Cause::kNone:
      break;
  }
  return "";
}

std::string OffsetText(Duration d) {
  const double s = static_cast<double>(d.count()) / 1e6;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1fs %s the reported time", std::abs(s),
                s >= 0 ? "after" : "before");
  return buf;
}

std::string ShortLine(const std::string& text, size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  for (char c : text) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  return out;
}

}  // namespace culprit::correlate
