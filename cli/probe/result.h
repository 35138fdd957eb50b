#ifndef CULPRIT_CLI_PROBE_RESULT_H_
#define CULPRIT_CLI_PROBE_RESULT_H_

// What `culprit probe` found: one CheckResult per check, plus the summary.
// Plain values, filled by RunChecks() (cli/probe/checks.h), optionally
// annotated by SubmitFailures() (cli/probe/report.h), printed by
// cli/probe/render.h.

#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "cli/probe/tls.h"

namespace culprit::cli::probe {

// The daemon's answer to one submitted failure (--report).
struct DiagnosisSummary {
  std::string report_id;
  std::string cause;        // "TLS_HANDSHAKE_FAILED", "NONE_ON_SERVER", ...
  double confidence = 0;
  std::string explanation;
  std::string remedy;
  std::string evidence;     // the first evidence line, if any
  std::string error;        // the submission failed: why (then the rest is empty)
};

struct CheckResult {
  // Stable identifiers: tcp_connect, tls, plain_http, tls_version, cipher,
  // tls_no_sni, tls_no_client_cert, http, keepalive_idle, idle_reuse.
  std::string name;
  std::string label;         // for people: "TLSv1.0", "ECDHE-RSA AES-GCM", ...
  bool passed = false;       // the operation succeeded / the server accepted
  std::string result;        // short word for the table: ok, accepted, rejected, 200, ...
  std::string outcome;       // NetOutcomeName() of how it ended ("ok" on success)
  std::string error;         // on failure: what a client would report
  std::string phase;         // on failure: connect, tls_handshake, request_sent, ...
  std::string detail;        // one line for people
  double ms = 0;             // duration of the check's operation
  std::string local;         // client address:port of the connection
  std::string remote;        // server address:port
  Timestamp at{};            // when the outcome was seen (wall clock, UTC)
  std::optional<TlsInfo> tls;
  int http_status = 0;
  double idle_ms = -1;       // keepalive_idle / idle_reuse: how long it was idle
  bool reportable = false;   // a failure that --report submits
  std::optional<DiagnosisSummary> diagnosis;
};

struct ProbeResult {
  std::string target;         // as given, normalized ("example.com:443")
  std::string address;        // the address connected to
  std::string sni;            // the SNI sent by default ("" = none)
  // "tls", "http", "tls+http", "unknown" (connected, neither answered
  // recognizably) or "none" (no connection).
  std::string speaks;
  std::string speaks_detail;  // one sentence
  std::vector<CheckResult> checks;
  // Keep-alive summary: seconds until the server closed an idle connection
  // (-1 when not measured), how ("fin", "close_notify", "reset"), or
  // kept_open when it outlived max_idle_s.
  double idle_close_s = -1;
  std::string idle_close_how;
  bool idle_kept_open = false;
  double max_idle_s = 0;
};

}  // namespace culprit::cli::probe

#endif  // CULPRIT_CLI_PROBE_RESULT_H_
