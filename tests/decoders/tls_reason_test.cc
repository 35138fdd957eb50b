#include "parsers/decoders/tls_reason.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "base/time_zone.h"

namespace culprit::parsers {
namespace {

struct Row {
  const char* name;
  const char* text;
  const char* detail;
  Cause cause;
  const char* tls_error;  // expected extra "tls_error"
  const char* code;       // expected extra "tls_error_code" ("" = absent)
};

// Real strings: lab-dev nginx error.log, stunnel.log and haproxy.log,
// public/haproxy/crowdsec-haproxy-raw.log, RESET_SIGNATURES.md (§1.3, §6.4).
const Row kRows[] = {
    {"nginx_wrong_version",
     "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number)",
     "wrong_version_number", Cause::kProtocolMismatch, "wrong version number", "0A00010B"},
    {"nginx_unsupported_protocol_full_message",
     "SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while "
     "SSL handshaking, client: 127.50.6.1, server: 127.0.0.1:27143",
     "unsupported_protocol", Cause::kTlsHandshakeFailed, "unsupported protocol", "0A000102"},
    {"nginx_no_shared_cipher",
     "SSL_do_handshake() failed (SSL: error:0A0000C1:SSL routines::no shared cipher)",
     "no_shared_cipher", Cause::kTlsHandshakeFailed, "no shared cipher", "0A0000C1"},
    {"bare_openssl_entry", "error:0A0000C1:SSL routines::no shared cipher", "no_shared_cipher",
     Cause::kTlsHandshakeFailed, "no shared cipher", "0A0000C1"},
    {"openssl_111_with_function_and_alert",
     "SSL_do_handshake() failed (SSL: error:14094416:SSL routines:ssl3_read_bytes:sslv3 alert "
     "certificate unknown:SSL alert number 46)",
     "certificate_unknown", Cause::kTlsHandshakeFailed, "sslv3 alert certificate unknown",
     "14094416"},
    {"stunnel_unsupported_protocol",
     "SSL_accept: ../ssl/statem/statem_srvr.c:1710: error:0A000102:SSL routines::unsupported "
     "protocol",
     "unsupported_protocol", Cause::kTlsHandshakeFailed, "unsupported protocol", "0A000102"},
    {"stunnel_http_request",
     "SSL_accept: ../ssl/record/ssl3_record.c:341: error:0A00009C:SSL routines::http request",
     "http_request", Cause::kProtocolMismatch, "http request", "0A00009C"},
    {"stunnel_no_client_cert",
     "SSL_accept: ../ssl/statem/statem_srvr.c:3517: error:0A0000C7:SSL routines::peer did not "
     "return a certificate",
     "certificate_required", Cause::kTlsHandshakeFailed, "peer did not return a certificate",
     "0A0000C7"},
    {"stunnel_cert_verify",
     "SSL_accept: ../ssl/statem/statem_srvr.c:3530: error:0A000086:SSL routines::certificate "
     "verify failed",
     "certificate_verify_failed", Cause::kTlsHandshakeFailed, "certificate verify failed",
     "0A000086"},
    {"stunnel_unexpected_eof",
     "SSL_accept: ../ssl/record/rec_layer_s3.c:318: error:0A000126:SSL routines::unexpected eof "
     "while reading",
     "unexpected_eof", Cause::kClientAbort, "unexpected eof while reading", "0A000126"},
    {"haproxy_parenthesised", "(error:0A0000C1:SSL routines::no shared cipher)",
     "no_shared_cipher", Cause::kTlsHandshakeFailed, "no shared cipher", "0A0000C1"},
    {"haproxy_generic", "SSL handshake failure", "handshake_failure",
     Cause::kTlsHandshakeFailed, "SSL handshake failure", ""},
    {"haproxy_heartbeat", "SSL handshake failure after heartbeat", "heartbeat",
     Cause::kTlsHandshakeFailed, "SSL handshake failure after heartbeat", ""},
    {"haproxy_client_cert_not_trusted", "SSL client certificate not trusted",
     "certificate_verify_failed", Cause::kTlsHandshakeFailed,
     "SSL client certificate not trusted", ""},
    {"haproxy_timeout", "Timeout during SSL handshake", "timeout", Cause::kRequestTimeout,
     "Timeout during SSL handshake", ""},
    {"nginx_no_required_cert", "client sent no required SSL certificate",
     "certificate_required", Cause::kTlsHandshakeFailed,
     "client sent no required SSL certificate", ""},
    {"nginx_client_cert_verify_error",
     "client SSL certificate verify error: (21:unable to verify the first certificate)",
     "certificate_verify_failed", Cause::kTlsHandshakeFailed,
     "client SSL certificate verify error: (21:unable to verify the first certificate)", ""},
    {"nginx_client_cert_expired", "client SSL certificate verify error: (10:certificate has expired)",
     "certificate_expired", Cause::kTlsHandshakeFailed,
     "client SSL certificate verify error: (10:certificate has expired)", ""},
    {"go_unsupported_versions", "tls: client offered only unsupported versions: [302 301]",
     "unsupported_protocol", Cause::kTlsHandshakeFailed,
     "tls: client offered only unsupported versions: [302 301]", ""},
    {"go_not_tls", "tls: first record does not look like a TLS handshake", "not_tls",
     Cause::kProtocolMismatch, "tls: first record does not look like a TLS handshake", ""},
    {"go_eof", "EOF", "unexpected_eof", Cause::kClientAbort, "EOF", ""},
    {"go_no_cipher", "tls: no cipher suite supported by both client and server",
     "no_shared_cipher", Cause::kTlsHandshakeFailed,
     "tls: no cipher suite supported by both client and server", ""},
    {"go_remote_unknown_ca", "remote error: tls: unknown certificate authority", "unknown_ca",
     Cause::kTlsHandshakeFailed, "remote error: tls: unknown certificate authority", ""},
    {"go_reset",
     "read tcp 10.0.0.1:443->1.2.3.4:5678: read: connection reset by peer", "connection_reset",
     Cause::kClientAbort, "read tcp 10.0.0.1:443->1.2.3.4:5678: read: connection reset by peer",
     ""},
    {"python_unknown_ca", "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca", "unknown_ca",
     Cause::kTlsHandshakeFailed, "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca", ""},
    {"python_local_issuer",
     "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer "
     "certificate (_ssl.c:1006)",
     "unknown_ca", Cause::kTlsHandshakeFailed,
     "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer "
     "certificate (_ssl.c:1006)",
     ""},
    {"boringssl_upper_snake",
     "TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end",
     "wrong_version_number", Cause::kProtocolMismatch,
     "TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end", ""},
    {"tls13_certificate_required_alert",
     "error:0A00045C:SSL routines::tlsv13 alert certificate required:SSL alert number 116",
     "certificate_required", Cause::kTlsHandshakeFailed, "tlsv13 alert certificate required",
     "0A00045C"},
    {"unrecognized_name_alert",
     "error:0A000458:SSL routines::tlsv1 unrecognized name:SSL alert number 112",
     "unrecognized_name", Cause::kTlsHandshakeFailed, "tlsv1 unrecognized name", "0A000458"},
    {"inappropriate_fallback", "error:0A000175:SSL routines::inappropriate fallback",
     "inappropriate_fallback", Cause::kTlsHandshakeFailed, "inappropriate fallback", "0A000175"},
    {"bad_certificate_alert",
     "error:0A000412:SSL routines::sslv3 alert bad certificate:SSL alert number 42",
     "bad_certificate", Cause::kTlsHandshakeFailed, "sslv3 alert bad certificate", "0A000412"},
    {"certificate_expired_alert",
     "error:0A000415:SSL routines::sslv3 alert certificate expired:SSL alert number 45",
     "certificate_expired", Cause::kTlsHandshakeFailed, "sslv3 alert certificate expired",
     "0A000415"},
    {"two_queued_entries_first_unknown",
     "SSL_do_handshake() failed (SSL: error:0A000000:SSL routines::something new "
     "error:0A0000C1:SSL routines::no shared cipher)",
     "no_shared_cipher", Cause::kTlsHandshakeFailed, "no shared cipher", "0A0000C1"},
    {"unknown_openssl_reason", "error:0A0001FF:SSL routines::brand new reason", "other",
     Cause::kTlsHandshakeFailed, "brand new reason", "0A0001FF"},
    {"unknown_text", "tls: something nobody has seen", "other", Cause::kTlsHandshakeFailed,
     "tls: something nobody has seen", ""},
};

class TlsReasonTest : public ::testing::Test {
 protected:
  TimeZone utc_;
  LineContext ctx_{&utc_, Timestamp()};
};

TEST_F(TlsReasonTest, Table) {
  for (const Row& row : kRows) {
    SCOPED_TRACE(row.name);
    Event event;
    ASSERT_TRUE(DecodeTlsReason(row.text, ctx_, &event).ok());
    EXPECT_EQ(event.detail, row.detail);
    EXPECT_EQ(CauseName(event.cause), CauseName(row.cause));
    EXPECT_EQ(event.kind, EventKind::kTls);
    EXPECT_EQ(event.Extra("tls_error"), row.tls_error);
    EXPECT_EQ(event.Extra("tls_error_code"), row.code);
  }
}

TEST_F(TlsReasonTest, AlertNumber) {
  Event event;
  ASSERT_TRUE(DecodeTlsReason("error:14094416:SSL routines:ssl3_read_bytes:sslv3 alert "
                              "certificate unknown:SSL alert number 46",
                              ctx_, &event)
                  .ok());
  EXPECT_EQ(event.Extra("tls_alert"), "46");
}

TEST_F(TlsReasonTest, EmptyIsAnError) {
  Event event;
  const Status s = DecodeTlsReason("  ", ctx_, &event);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("tls_reason"), std::string::npos);
}

TEST_F(TlsReasonTest, RawReasonIsBounded) {
  Event event;
  const std::string huge = "tls: " + std::string(1 << 20, 'x');
  ASSERT_TRUE(DecodeTlsReason(huge, ctx_, &event).ok());
  EXPECT_EQ(event.Extra("tls_error").size(), 200u);
}

TEST_F(TlsReasonTest, RandomBytesDoNotCrash) {
  std::mt19937 rng(20261123);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 120, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    if (i % 3 == 0) s = "error:" + s;
    if (i % 5 == 0) s += "error:0A00:x:";
    Event event;
    (void)DecodeTlsReason(s, ctx_, &event);
  }
}

}  // namespace
}  // namespace culprit::parsers
