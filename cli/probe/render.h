#ifndef CULPRIT_CLI_PROBE_RENDER_H_
#define CULPRIT_CLI_PROBE_RENDER_H_

// Printing a ProbeResult: a readable table (default) or one JSON object
// (--json). Pure functions of the result.
//
// JSON (stable field names; absent = not applicable):
//   {"target": "host:port", "address": "ip:port", "sni": "...",
//    "speaks": "tls" | "http" | "tls+http" | "unknown" | "none",
//    "speaks_detail": "...",
//    "keepalive": {"idle_close_s": 3.001 | null, "how": "fin" | "close_notify" |
//                  "reset" | "", "kept_open": bool, "max_idle_s": 120},
//    "checks": [{"name": "tcp_connect" | "tls" | "plain_http" | "tls_version" |
//                        "cipher" | "tls_no_sni" | "tls_no_client_cert" | "http" |
//                        "keepalive_idle" | "idle_reuse",
//                "label": "TLSv1.2", "passed": bool, "result": "accepted",
//                "outcome": "ok" | "refused" | "reset" | "closed" | "timeout" |
//                           "unreachable" | "tls_error" | "error",
//                "error": "SSL: tlsv1 alert protocol version", "phase": "tls_handshake",
//                "detail": "...", "ms": 1.234, "local": "ip:port", "remote": "ip:port",
//                "at": "RFC 3339", "http_status": 200, "idle_ms": 3001.2,
//                "tls": {"version", "cipher", "alpn", "subject", "issuer",
//                        "not_after", "verify"},
//                "diagnosis": {"report_id", "cause", "confidence", "explanation",
//                              "remedy", "evidence", "error"}}]}
// Strings are escaped; bytes outside ASCII are written as \u00XX.

#include <ostream>
#include <string>
#include <string_view>

#include "cli/probe/result.h"

namespace culprit::cli::probe {

// The table: a heading with the target and what it speaks, one row per
// check, the keep-alive finding, and under it each --report diagnosis.
void PrintTable(const ProbeResult& result, std::ostream& out);

// One JSON object and a newline.
void PrintJson(const ProbeResult& result, std::ostream& out);

// A JSON string literal for `s`.
std::string JsonString(std::string_view s);

}  // namespace culprit::cli::probe

#endif  // CULPRIT_CLI_PROBE_RENDER_H_
