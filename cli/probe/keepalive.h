#ifndef CULPRIT_CLI_PROBE_KEEPALIVE_H_
#define CULPRIT_CLI_PROBE_KEEPALIVE_H_

// The idle keep-alive test: after a complete response on a keep-alive
// connection, watch the idle connection and time when the server closes it,
// then reuse it the way a pooling client would and record what that yields.

#include <string>

#include "cli/probe/stream.h"

namespace culprit::cli::probe {

struct IdleWatch {
  // kClosed (FIN; reason "close_notify" over TLS when one came first),
  // kReset (RST), kTlsError (an alert), or kTimeout: still open at the bound.
  IoResult end;
  double idle_ms = 0;        // from the response's end to the close (or to the bound)
  size_t unexpected_bytes = 0;  // bytes the server sent while idle
};

// Waits until the server closes the connection, at most until
// `response_end + max_idle`. Readiness is polled, so the time is exact to
// the millisecond; it never sends anything.
IdleWatch WatchIdle(Stream& stream, SteadyTime response_end, SteadyTime bound);

// How a client's request on the connection fares after the close: "EOF"
// (the server's FIN, no answer), "ECONNRESET", "EPIPE", "SSL: ...", or ""
// if, unexpectedly, a response came. `phase` gets the phase it failed in.
std::string ReuseAfterClose(Stream& stream, const std::string& request, SteadyTime deadline,
                            std::string* phase, int* http_status);

}  // namespace culprit::cli::probe

#endif  // CULPRIT_CLI_PROBE_KEEPALIVE_H_
