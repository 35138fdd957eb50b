#include "daemon/correlate/report_profile.h"

#include <gtest/gtest.h>

#include <string>

namespace culprit::correlate {
namespace {

TEST(ReportProfileTest, ClassifiesClientErrors) {
  struct Row {
    std::string text;
    ClientError want;
  } rows[] = {
      {"ECONNRESET", ClientError::kReset},
      {"WSAECONNRESET", ClientError::kReset},
      {"10054", ClientError::kReset},
      {"An existing connection was forcibly closed by the remote host.", ClientError::kReset},
      {"WSAECONNABORTED/10053", ClientError::kAborted},
      {"EPIPE", ClientError::kBrokenPipe},
      {"ECONNREFUSED", ClientError::kRefused},
      {"ETIMEDOUT", ClientError::kTimedOut},
      {"EOF", ClientError::kEof},
      {"SSL: WRONG_VERSION_NUMBER", ClientError::kWrongVersion},
      {"SSL: TLSV1_ALERT_PROTOCOL_VERSION", ClientError::kTlsAlert},
      {"SSL: UNEXPECTED_EOF_WHILE_READING", ClientError::kTlsEof},
      {"", ClientError::kUnknown},
      {std::string(100000, '\0'), ClientError::kUnknown},  // NUL bytes, and long
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.text.substr(0, 64));
    EXPECT_EQ(ClassifyClientError(r.text), r.want);
  }
}

TEST(ReportProfileTest, PhaseAndErrorCompatibility) {
  ResetReport r;
  r.error = "SSL: WRONG_VERSION_NUMBER";
  r.phase = "tls_handshake";
  ReportProfile p = ProfileOf(r);
  EXPECT_GT(p.Compatibility(Cause::kProtocolMismatch), p.Compatibility(Cause::kTlsHandshakeFailed));
  EXPECT_LT(p.Compatibility(Cause::kUpstreamFailure), 0);
  r.error = "EOF";
  r.phase = "reading_response";
  p = ProfileOf(r);
  EXPECT_GT(p.Compatibility(Cause::kUpstreamFailure), p.Compatibility(Cause::kIdleTimeout));
  r.phase = "idle_reuse";
  p = ProfileOf(r);
  EXPECT_GT(p.Compatibility(Cause::kIdleTimeout), p.Compatibility(Cause::kRequestRejected));
  r.error = "ECONNREFUSED";
  r.phase = "connect";
  p = ProfileOf(r);
  EXPECT_GT(p.Compatibility(Cause::kFirewall), p.Compatibility(Cause::kAppError));
}

TEST(ReportProfileTest, TlsFailureWithoutTlsErrorIsPlainHttpToTlsPort) {
  parsers::Event e;
  e.cause = Cause::kTlsHandshakeFailed;
  e.message = "SSL handshake failure";
  ResetReport r;
  r.error = "EOF";
  r.phase = "awaiting_response";
  EXPECT_EQ(ProfileOf(r).Reinterpret(e), Cause::kProtocolMismatch);
  r.error = "SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED";
  EXPECT_EQ(ProfileOf(r).Reinterpret(e), Cause::kTlsHandshakeFailed);
  r.error = "EOF";
  e.message = "client sent no required SSL certificate";  // a request-phase line
  EXPECT_EQ(ProfileOf(r).Reinterpret(e), Cause::kTlsHandshakeFailed);
}

}  // namespace
}  // namespace culprit::correlate
