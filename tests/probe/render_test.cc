// Rendering a ProbeResult as a table and as JSON.

#include "cli/probe/render.h"

#include <gtest/gtest.h>

#include <sstream>

namespace culprit::cli::probe {
namespace {

ProbeResult Sample() {
  ProbeResult r;
  r.target = "127.0.0.1:8443";
  r.address = "127.0.0.1:8443";
  r.sni = "e2e.local";
  r.speaks = "tls";
  r.speaks_detail = "speaks TLS (TLSv1.3); plain HTTP gets: 400";
  r.idle_close_s = 3.004;
  r.idle_close_how = "fin";
  r.max_idle_s = 120;
  CheckResult ok;
  ok.name = "tls_version";
  ok.label = "TLSv1.3";
  ok.passed = true;
  ok.result = "accepted";
  ok.outcome = "ok";
  ok.detail = "TLSv1.3 TLS_AES_256_GCM_SHA384";
  ok.ms = 3.25;
  ok.tls = TlsInfo{"TLSv1.3", "TLS_AES_256_GCM_SHA384", "", "CN=e2e.local", "CN=ca",
                   "2026-11-29T00:00:00Z", "ok"};
  r.checks.push_back(ok);
  CheckResult bad;
  bad.name = "tls_version";
  bad.label = "TLSv1.0";
  bad.result = "rejected";
  bad.outcome = "tls_error";
  bad.error = "SSL: tlsv1 alert protocol version";
  bad.phase = "tls_handshake";
  bad.detail = "tlsv1 alert \"protocol\" version\x01\xff";
  bad.local = "127.0.0.1:40112";
  bad.reportable = true;
  bad.diagnosis = DiagnosisSummary{"7", "TLS_HANDSHAKE_FAILED", 0.91, "nginx logged it", "align",
                                   "nginx-error: ...", ""};
  r.checks.push_back(bad);
  return r;
}

TEST(RenderTest, Table) {
  std::ostringstream out;
  PrintTable(Sample(), out);
  const std::string s = out.str();
  for (const char* part :
       {"probe 127.0.0.1:8443, SNI e2e.local", "CHECK", "RESULT", "TLSv1.3", "accepted",
        "3.2 ms", "rejected", "after ~3.0 s (fin)", "server-side diagnosis (--report):",
        "TLSv1.0: SSL: tlsv1 alert protocol version (tls_handshake, 127.0.0.1:40112)",
        "TLS_HANDSHAKE_FAILED (confidence 0.91), report 7", "remedy: align"}) {
    EXPECT_NE(s.find(part), std::string::npos) << part << "\n" << s;
  }
}

TEST(RenderTest, Json) {
  std::ostringstream out;
  PrintJson(Sample(), out);
  const std::string s = out.str();
  for (const char* part :
       {"\"speaks\": \"tls\"", "\"idle_close_s\": 3.004", "\"how\": \"fin\"",
        "\"kept_open\": false", "\"name\": \"tls_version\"", "\"passed\": true",
        "\"error\": \"SSL: tlsv1 alert protocol version\"", "\"phase\": \"tls_handshake\"",
        "\"subject\": \"CN=e2e.local\"", "\"cause\": \"TLS_HANDSHAKE_FAILED\"",
        "\"confidence\": 0.910", "\\\"protocol\\\" version\\u0001\\u00ff"}) {
    EXPECT_NE(s.find(part), std::string::npos) << part << "\n" << s;
  }
  EXPECT_EQ(s.back(), '\n');
  // Not measured: null, not a number.
  ProbeResult none;
  none.speaks = "none";
  std::ostringstream o2;
  PrintJson(none, o2);
  EXPECT_NE(o2.str().find("\"idle_close_s\": null"), std::string::npos) << o2.str();
}

TEST(RenderTest, JsonStringEscapes) {
  EXPECT_EQ(JsonString("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(JsonString(std::string("\0", 1)), "\"\\u0000\"");
}

}  // namespace
}  // namespace culprit::cli::probe
