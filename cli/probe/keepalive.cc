#include "cli/probe/keepalive.h"

#include "cli/probe/http.h"

namespace culprit::cli::probe {

IdleWatch WatchIdle(Stream& stream, SteadyTime response_end, SteadyTime bound) {
  IdleWatch w;
  std::string junk;
  // Each round ends in a close, the bound, or some unexpected bytes; at most
  // 1000 rounds of those (a server dribbling bytes) before giving up.
  for (int round = 0; round < 1000; ++round) {
    const IoResult ready = stream.socket().WaitReadable(bound);
    const SteadyTime t = std::chrono::steady_clock::now();
    w.idle_ms = MillisBetween(response_end, t);
    if (!ready.ok()) {
      w.end = ready;  // kTimeout: kept open for the whole bound
      return w;
    }
    // Readable: a FIN, an RST, a TLS alert/close_notify, or data. The short
    // deadline covers a TLS record that arrives in pieces.
    junk.clear();
    const IoResult r = stream.Recv(&junk, t + std::chrono::seconds(1));
    if (r.ok()) {
      w.unexpected_bytes += r.bytes;
      continue;
    }
    if (r.outcome == NetOutcome::kTimeout) continue;
    w.end = r;
    return w;
  }
  w.end = IoResult{NetOutcome::kError, 0, 0, "server kept sending while idle"};
  return w;
}

std::string ReuseAfterClose(Stream& stream, const std::string& request, SteadyTime deadline,
                            std::string* phase, int* http_status) {
  HttpExchange x = Exchange(stream, request, deadline);
  *phase = x.phase.empty() ? "idle_reuse" : x.phase;
  if (x.parse.state == HttpParseState::kComplete) *http_status = x.parse.response.status;
  if (x.io.ok()) return "";
  return x.io.ClientError();
}

}  // namespace culprit::cli::probe
