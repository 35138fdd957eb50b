#ifndef CULPRIT_CLI_PROBE_CHECKS_H_
#define CULPRIT_CLI_PROBE_CHECKS_H_

// The checks of `culprit probe`, run in order against one HOST:PORT:
//   tcp_connect        connect (refused / timeout / unreachable, with timing)
//   tls, plain_http    what the port speaks: a TLS handshake on one
//                      connection, a plain "GET / HTTP/1.1" on another, and
//                      how the server answers and closes each
//   tls_version x4     TLSv1.0..TLSv1.3 one at a time        (TLS ports)
//   cipher ...         the main cipher families and the TLS 1.3 suites
//   tls_no_sni         the default handshake without SNI      (when SNI is sent)
//   tls_no_client_cert without the client certificate         (when one is given)
//   http               one GET with keep-alive, over TLS when the port speaks it
//   keepalive_idle     how long the server keeps that connection idle
//   idle_reuse         what reusing it after the close yields
// Every network operation has `timeout`; the idle watch is bounded by
// `max_idle`. Nothing is retried.

#include <string>

#include "base/clock.h"
#include "base/time.h"
#include "cli/probe/net.h"
#include "cli/probe/result.h"
#include "cli/probe/tls.h"

namespace culprit::cli::probe {

struct ProbeConfig {
  Target target;
  SocketAddress address;
  Duration timeout = std::chrono::seconds(5);
  Duration max_idle = std::chrono::seconds(120);
  // SNI and Host: the --sni name, else the target's host when it is a name.
  std::string sni;
  std::string path = "/";
  bool keepalive = true;     // run the idle keep-alive test
  TlsConfig tls;             // client cert / CA; versions and ciphers are set per check
  const Clock* clock = nullptr;  // wall clock for CheckResult::at. REQUIRES: non-null
};

// Runs every check. Never fails as a whole: each outcome is in the result.
ProbeResult RunChecks(const ProbeConfig& config);

}  // namespace culprit::cli::probe

#endif  // CULPRIT_CLI_PROBE_CHECKS_H_
