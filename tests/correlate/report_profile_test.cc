#include "daemon/correlate/report_profile.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

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
      // Windows, as programs print it: the WSA names, the numbers, and the
      // message texts of the Windows Sockets error list.
      {"WSAECONNRESET (10054)", ClientError::kReset},
      {"[WinError 10054] An existing connection was forcibly closed by the remote host",
       ClientError::kReset},
      {"wsarecv: An existing connection was forcibly closed by the remote host.",
       ClientError::kReset},
      {"System.Net.Sockets.SocketException (10054): An existing connection was forcibly "
       "closed by the remote host.",
       ClientError::kReset},
      {"system:10054", ClientError::kReset},  // Boost.Asio category:value
      {"ConnectionReset", ClientError::kReset},  // .NET SocketError
      {"WSAENETRESET", ClientError::kReset},
      {"ERROR_WINHTTP_CONNECTION_ERROR (12030): The connection with the server was "
       "terminated abnormally",
       ClientError::kReset},
      {"WSAECONNABORTED", ClientError::kAborted},
      {"10053", ClientError::kAborted},
      {"[WinError 10053] An established connection was aborted by the software in your host "
       "machine",
       ClientError::kAborted},
      {"java.net.SocketException: Software caused connection abort: recv failed",
       ClientError::kAborted},
      {"WSAECONNREFUSED", ClientError::kRefused},
      {"10061", ClientError::kRefused},
      {"No connection could be made because the target machine actively refused it.",
       ClientError::kRefused},
      {"WSAETIMEDOUT", ClientError::kTimedOut},
      {"10060", ClientError::kTimedOut},
      {"A connection attempt failed because the connected party did not properly respond "
       "after a period of time, or established connection failed because connected host has "
       "failed to respond.",
       ClientError::kTimedOut},
      {"TimedOut", ClientError::kTimedOut},  // .NET SocketError
      {"net::ERR_CONNECTION_TIMED_OUT", ClientError::kTimedOut},
      // A Windows number only counts on its own, never as a port or inside a
      // longer number.
      {"read tcp 10.0.0.7:10054->10.0.0.1:443: i/o deadline", ClientError::kUnknown},
      {"[2001:db8::7]:10061 said hello", ClientError::kUnknown},
      {"100543", ClientError::kUnknown},
      {"1.10053", ClientError::kUnknown},
      // Other platforms' spellings.
      {"read: connection reset by peer", ClientError::kReset},
      {"net::ERR_CONNECTION_RESET", ClientError::kReset},
      {"Recv failure: Connection was reset", ClientError::kReset},
      {"socket hang up", ClientError::kReset},
      {"write: broken pipe", ClientError::kBrokenPipe},
      {"RemoteDisconnected('Remote end closed connection without response')",
       ClientError::kEof},
      {"Unexpected end of file from server", ClientError::kEof},
      {"net::ERR_EMPTY_RESPONSE", ClientError::kEof},
      // A wrapper's words do not override the error it wraps (Python requests).
      {"('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))",
       ClientError::kReset},
      {"('Connection aborted.', RemoteDisconnected('Remote end closed connection without "
       "response'))",
       ClientError::kEof},
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

// The Windows spelling of an error gives the same scores as the POSIX one,
// in every phase.
TEST(ReportProfileTest, WindowsCodesScoreLikePosixNames) {
  const std::pair<const char*, const char*> pairs[] = {
      {"ECONNRESET", "WSAECONNRESET"},
      {"ECONNRESET", "An existing connection was forcibly closed by the remote host."},
      {"ECONNRESET", "10054"},
      {"ECONNABORTED", "WSAECONNABORTED/10053"},
      {"ECONNREFUSED", "10061"},
      {"ETIMEDOUT", "WSAETIMEDOUT"},
  };
  const char* phases[] = {"", "connect", "tls_handshake", "request_sent", "awaiting_response",
                          "reading_response", "idle_reuse"};
  const Cause causes[] = {Cause::kIdleTimeout, Cause::kFirewall, Cause::kUpstreamFailure,
                          Cause::kTlsHandshakeFailed, Cause::kServerShutdown,
                          Cause::kRequestRejected};
  for (const auto& [posix, windows] : pairs) {
    for (const char* phase : phases) {
      ResetReport a, b;
      a.error = posix;
      b.error = windows;
      a.phase = b.phase = phase;
      const ReportProfile pa = ProfileOf(a), pb = ProfileOf(b);
      SCOPED_TRACE(std::string(windows) + " in phase \"" + phase + "\"");
      EXPECT_EQ(pa.error, pb.error);
      EXPECT_EQ(pa.phase, pb.phase);
      for (Cause c : causes) EXPECT_EQ(pa.Compatibility(c), pb.Compatibility(c));
    }
  }
}

TEST(ReportProfileTest, ErrorImpliesPhaseWhenNoneGiven) {
  struct Row {
    const char* error;
    const char* phase;
    Phase want;
  } rows[] = {
      {"WSAECONNREFUSED", "", Phase::kConnect},
      {"ECONNREFUSED", "", Phase::kConnect},
      {"SSL: WRONG_VERSION_NUMBER", "", Phase::kTlsHandshake},
      {"SSL: TLSV1_ALERT_UNKNOWN_CA", "", Phase::kTlsHandshake},
      {"WSAECONNRESET", "", Phase::kUnknown},  // a reset happens in any phase
      {"EOF", "", Phase::kUnknown},
      {"ECONNREFUSED", "idle_reuse", Phase::kIdleReuse},  // the client's phase wins
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(r.error) + " / " + r.phase);
    ResetReport report;
    report.error = r.error;
    report.phase = r.phase;
    EXPECT_EQ(ProfileOf(report).phase, r.want);
  }
  // A refused connection without a phase points at the firewall, as with
  // phase connect.
  ResetReport report;
  report.error = "10061";
  const ReportProfile p = ProfileOf(report);
  EXPECT_GT(p.Compatibility(Cause::kFirewall), p.Compatibility(Cause::kIdleTimeout));
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
