#include "daemon/correlate/correlator.h"

#include <gtest/gtest.h>

#include "tests/correlate/fake_event_query.h"

namespace culprit::correlate {
namespace {

using correlate_test::FakeEventQuery;
using std::chrono::milliseconds;
using std::chrono::seconds;

// 2026-11-23T20:03:03Z
const Timestamp kT0 = FromUnixMicros(1795464183LL * 1000000);

enum : int64_t { kAccess = 1, kError = 2, kHaproxy = 3, kApp = 4, kKernel = 5 };

std::vector<SourceInfo> Sources() {
  return {{kAccess, "nginx-access", "nginx", {8080, 8443}, seconds(2)},
          {kError, "nginx-error", "nginx_error", {8080, 8443}, seconds(2)},
          {kHaproxy, "haproxy", "haproxy", {9000}, seconds(2)},
          {kApp, "app", "json", {7000}, std::nullopt},
          // A kernel log, configured with the ports its firewall guards.
          {kKernel, "kernel", "syslog", {27500}, std::nullopt}};
}

struct E {
  int64_t source;
  Duration at;  // from kT0
  EventKind kind;
  Cause cause;
  const char* ip;
  uint16_t port;
  const char* raw;
  const char* conn = "";
  const char* rid = "";
  int status = 0;
  uint16_t server_port = 0;
};

store::StoredEvent Make(const E& e) {
  store::StoredEvent s;
  s.source_id = e.source;
  s.event.time = kT0 + e.at;
  s.event.precision = e.source == kError ? Duration(seconds(1)) : Duration(milliseconds(1));
  s.event.kind = e.kind;
  s.event.cause = e.cause;
  if (e.ip) s.event.client_ip = *IpAddress::Parse(e.ip);
  s.event.client_port = e.port;
  s.event.server_port = e.server_port;
  s.event.conn_id = e.conn;
  s.event.request_id = e.rid;
  if (e.status) s.event.status = e.status;
  s.event.message = e.raw;
  s.raw = e.raw;
  return s;
}

FakeEventQuery Query(const std::vector<E>& events) {
  FakeEventQuery q;
  for (const E& e : events) q.Add(Make(e));
  return q;
}

ResetReport Report(const char* ip, uint16_t port, const char* error, const char* phase,
                   Duration skew = Duration(0), uint16_t server_port = 8080) {
  ResetReport r;
  r.reported_at = kT0 + skew;
  r.client_ip = *IpAddress::Parse(ip);
  r.client_port = port;
  r.server_port = server_port;
  r.error = error;
  r.phase = phase;
  return r;
}

Diagnosis Diagnose(FakeEventQuery& q, const ResetReport& r) {
  auto d = Correlator(Sources()).Correlate(r, q);
  EXPECT_TRUE(d.ok()) << d.status().message();
  return d.ok() ? *d : Diagnosis{};
}

const char kSh[] = "203.0.113.7:41485 [23/Nov/2026:20:03:03.000] fe_http be_app/app1 0/0/0/-1/2 "
                   "502 209 - - SH-- 2/2/1/1/0 0/0 \"GET /crash/orders/0 HTTP/1.1\"";
const char kOk[] = "203.0.113.7:41999 [23/Nov/2026:20:03:03.000] fe_http be_app/app1 0/0/0/1/1 "
                   "200 143 - - ---- 1/1/0/0/0 0/0 \"GET /api/session HTTP/1.1\"";

TEST(CorrelatorTest, ExactClientPortDecides) {
  FakeEventQuery q = Query({
      {kHaproxy, milliseconds(10), EventKind::kRequest, Cause::kUpstreamFailure, "203.0.113.7",
       41485, kSh, "", "", 502},
      {kHaproxy, milliseconds(20), EventKind::kRequest, Cause::kNone, "203.0.113.7", 41999, kOk,
       "", "", 200},
  });
  Diagnosis d = Diagnose(q, Report("203.0.113.7", 41999, "ECONNRESET", "reading_response",
                              Duration(0), 9000));
  // The failing line is another connection of the same client: not ours.
  EXPECT_EQ(d.verdicts.front().cause, Cause::kNoneOnServer);
  d = Diagnose(q, Report("203.0.113.7", 41485, "EOF", "reading_response", Duration(0), 9000));
  ASSERT_EQ(d.verdicts.front().cause, Cause::kUpstreamFailure);
  EXPECT_EQ(d.verdicts.front().evidence.front().event.raw, kSh);
  EXPECT_EQ(d.verdicts.front().evidence.front().role, "cause");
}

TEST(CorrelatorTest, WindowFollowsClockUncertainty) {
  const char kLine[] = "2026/11/23 20:03:07 [error] 20198#20198: *1241 limiting requests, excess: "
                       "0.995 by zone \"perip_req\", client: 198.51.100.4, server: lab-plain";
  FakeEventQuery q = Query({{kError, seconds(4), EventKind::kError, Cause::kRateLimited,
                             "198.51.100.4", 0, kLine, "1241"}});
  ResetReport r = Report("198.51.100.4", 40000, "EOF", "awaiting_response");
  EXPECT_EQ(Diagnose(q, r).verdicts.front().cause, Cause::kRateLimited);  // 4 s inside 5 s
  r.clock_uncertainty = milliseconds(500);
  EXPECT_EQ(Diagnose(q, r).verdicts.front().cause, Cause::kNoneOnServer);
  // A client clock 4 s fast is the same case seen from the other side.
  r = Report("198.51.100.4", 40000, "EOF", "awaiting_response", seconds(8));
  EXPECT_EQ(Diagnose(q, r).verdicts.front().cause, Cause::kRateLimited);
}

TEST(CorrelatorTest, ConnectionIdChainPrefersTheErrorLine) {
  FakeEventQuery q = Query({
      {kError, Duration(0), EventKind::kError, Cause::kRateLimited, "198.51.100.4", 0,
       "2026/11/23 20:03:03 [error] 1#1: *1241 limiting requests, excess: 0.995 by zone "
       "\"perip_req\", client: 198.51.100.4, server: lab-plain",
       "1241"},
      {kAccess, milliseconds(300), EventKind::kRequest, Cause::kRequestRejected, "198.51.100.4",
       42973, "198.51.100.4 - - [23/Nov/2026:20:03:03 +0000] \"GET /limited/quote HTTP/1.1\" 444 0",
       "1241", "", 444, 8080},
  });
  Diagnosis d = Diagnose(q, Report("198.51.100.4", 42973, "EOF", "awaiting_response"));
  ASSERT_EQ(d.verdicts.front().cause, Cause::kRateLimited);
  ASSERT_EQ(d.verdicts.front().evidence.size(), 2u);
  EXPECT_EQ(d.verdicts.front().evidence[1].role, "consequence");
}

TEST(CorrelatorTest, RequestIdChainPutsTheBackendCrashFirst) {
  FakeEventQuery q = Query({
      {kError, Duration(0), EventKind::kError, Cause::kUpstreamFailure, "198.51.100.4", 0,
       "2026/11/23 20:03:03 [error] 1#1: *779 recv() failed (104: Connection reset by peer) while "
       "reading response header from upstream, client: 198.51.100.4",
       "779"},
      {kAccess, milliseconds(271), EventKind::kRequest, Cause::kUpstreamFailure, "198.51.100.4",
       35313, "198.51.100.4 - - [...] \"GET /crash/orders/0 HTTP/1.1\" 502 157", "779",
       "df204847f7a191c7566ee80449e4d2c2", 502, 8080},
      {kApp, milliseconds(271), EventKind::kApp, Cause::kAppError, "127.0.0.1", 37758,
       "{\"level\":\"error\",\"msg\":\"unhandled exception in request handler; aborting "
       "connection\",\"error\":\"KeyError: 'account_id'\"}",
       "", "df204847f7a191c7566ee80449e4d2c2"},
  });
  ResetReport r = Report("198.51.100.4", 35313, "EOF", "reading_response");
  r.http_status = 502;
  Diagnosis d = Diagnose(q, r);
  ASSERT_EQ(d.verdicts.front().cause, Cause::kUpstreamFailure);
  const auto& ev = d.verdicts.front().evidence;
  ASSERT_GE(ev.size(), 3u);
  EXPECT_EQ(ev[0].source_name, "app");
  EXPECT_EQ(ev[0].role, "cause");
  EXPECT_EQ(ev[1].role, "consequence");
  EXPECT_NE(d.verdicts.front().explanation.find("backend failed first"), std::string::npos);
}

TEST(CorrelatorTest, WrongVersionNumberMeansTlsToAPlainPort) {
  FakeEventQuery q = Query({
      {kError, Duration(0), EventKind::kError, Cause::kRequestRejected, "198.51.100.4", 0,
       "... *70 client sent invalid method while reading client request line, client: "
       "198.51.100.4",
       "70"},
      {kAccess, milliseconds(700), EventKind::kRequest, Cause::kProtocolMismatch, "198.51.100.4",
       39589, "198.51.100.4 - - [...] \"\\x16\\x03\\x01\\x02\\x00\" 400 157", "70", "", 400, 8080},
  });
  Diagnosis d = Diagnose(q, Report("198.51.100.4", 39589, "SSL: WRONG_VERSION_NUMBER", "tls_handshake"));
  EXPECT_EQ(d.verdicts.front().cause, Cause::kProtocolMismatch);
  EXPECT_FALSE(d.retry_may_help);
  EXPECT_GE(d.similar_recent, 2);
}

const char kLast[] = "198.51.100.4 - - [...] \"GET /api/session HTTP/1.1\" 200 49 rport=35529";

TEST(CorrelatorTest, InfersIdleTimeoutFromTheLastRequest) {
  FakeEventQuery q = Query({{kAccess, -seconds(10), EventKind::kRequest, Cause::kNone,
                             "198.51.100.4", 35529, kLast, "266", "", 200, 8080}});
  Diagnosis d = Diagnose(q, Report("198.51.100.4", 35529, "EOF", "idle_reuse"));
  ASSERT_EQ(d.verdicts.front().cause, Cause::kIdleTimeout);
  EXPECT_EQ(d.verdicts.front().evidence.front().event.raw, kLast);
  // The idle time the client reports beats the time arithmetic.
  ResetReport r = Report("198.51.100.4", 35529, "EOF", "idle_reuse");
  r.idle_before = milliseconds(500);
  EXPECT_NE(Diagnose(q, r).verdicts.front().cause, Cause::kIdleTimeout);
}

// The peer closing this connection's keep-alive means the server did not
// time it out. The same address's other connections close theirs all the
// time: only a close with this connection's id (nginx *N = the access
// log's $connection) says so.
TEST(CorrelatorTest, KeepaliveCloseVetoesIdleTimeoutOnlyOnItsOwnConnection) {
  for (const char* conn : {"266", "267"}) {
    SCOPED_TRACE(conn);
    const std::string line = std::string("... [info] 1#1: *") + conn +
                             " client 198.51.100.4 closed keepalive connection";
    FakeEventQuery q = Query({
        {kAccess, -seconds(10), EventKind::kRequest, Cause::kNone, "198.51.100.4", 35529, kLast,
         "266", "", 200, 8080},
        {kError, -seconds(9), EventKind::kConnection, Cause::kClientAbort, "198.51.100.4", 0,
         line.c_str(), conn},
    });
    Diagnosis d = Diagnose(q, Report("198.51.100.4", 35529, "ECONNRESET", "idle_reuse"));
    if (std::string_view(conn) == "266") {
      EXPECT_EQ(d.verdicts.front().cause, Cause::kNoneOnServer);
      EXPECT_NE(d.verdicts.front().explanation.find("client side go away"), std::string::npos);
    } else {
      EXPECT_EQ(d.verdicts.front().cause, Cause::kIdleTimeout);
    }
  }
}

// nginx's default keep-alive timeout is 75 s: the last request on the
// connection lies further back than the usual window.
TEST(CorrelatorTest, IdleTimeoutWithTheDefaultNginxTimeout) {
  FakeEventQuery q = Query({{kAccess, -seconds(90), EventKind::kRequest, Cause::kNone,
                             "198.51.100.4", 35529, kLast, "266", "", 200, 8080}});
  const std::vector<SourceInfo> sources = {
      {kAccess, "nginx-access", "nginx", {8080}, std::nullopt}};
  auto d = Correlator(sources).Correlate(Report("198.51.100.4", 35529, "EOF", "idle_reuse"), q);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->verdicts.front().cause, Cause::kIdleTimeout);
  EXPECT_NE(d->verdicts.front().explanation.find("1m15s"), std::string::npos)
      << d->verdicts.front().explanation;
}

TEST(CorrelatorTest, ReloadWhileIdleIsServerShutdown) {
  FakeEventQuery q = Query({
      {kAccess, -seconds(1), EventKind::kRequest, Cause::kNone, "198.51.100.4", 35529, kLast,
       "266", "", 200, 8080},
      {kError, Duration(0), EventKind::kProcess, Cause::kServerShutdown, nullptr, 0,
       "2026/11/23 20:03:03 [notice] 1#1: signal 1 (SIGHUP) received from 9, reconfiguring"},
  });
  Diagnosis d = Diagnose(q, Report("198.51.100.4", 35529, "EOF", "idle_reuse"));
  EXPECT_EQ(d.verdicts.front().cause, Cause::kServerShutdown);
}

// A host-wide exhaustion line without a port is held to its source's
// ports (nginx's worker_connections: the ports that nginx serves). The
// kernel's conntrack table or memory running out hits every port of the
// host, not only those the syslog source's firewall lines are about; a
// SYN flood names its listening port and is held to that.
TEST(CorrelatorTest, HostWideExhaustionAndTheReportedServerPort) {
  struct Row {
    int64_t source;
    const char* line;
    uint16_t port_on_line;
    const char* phase;
    uint16_t reported_port;
    Cause want;
  };
  const char kWorkers[] = "2026/11/23 20:03:04 [alert] 1#1: 6 worker_connections are not enough";
  const char kConntrack[] =
      "Nov 23 20:03:04 vm kernel: nf_conntrack: nf_conntrack: table full, dropping packet";
  const char kFlood[] = "Nov 23 20:03:04 vm kernel: TCP: request_sock_TCP: Possible SYN flooding "
                        "on port 0.0.0.0:9000. Sending cookies.";
  const Row rows[] = {
      {kError, kWorkers, 0, "awaiting_response", 8080, Cause::kResourceExhaustion},
      {kError, kWorkers, 0, "awaiting_response", 9000, Cause::kNoneOnServer},
      {kKernel, kConntrack, 0, "connect", 8080, Cause::kResourceExhaustion},
      {kKernel, kFlood, 9000, "connect", 8080, Cause::kNoneOnServer},
      {kKernel, kFlood, 9000, "connect", 9000, Cause::kResourceExhaustion},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.line) + " / port " + std::to_string(row.reported_port));
    FakeEventQuery q = Query({{row.source, seconds(1), EventKind::kProcess,
                               Cause::kResourceExhaustion, nullptr, 0, row.line, "", "", 0,
                               row.port_on_line}});
    Diagnosis d = Diagnose(
        q, Report("198.51.100.4", 34163, "ECONNRESET", row.phase, Duration(0), row.reported_port));
    EXPECT_EQ(d.verdicts.front().cause, row.want);
  }
}

// Two host-wide events of the same log a second apart can score the same:
// the one closer to the reported moment comes first, whichever it is.
TEST(CorrelatorTest, EqualHostWideCandidatesGoByTimeDistance) {
  const char kReload[] = "2026/11/23 20:03:02 [notice] 1#1: signal 1 (SIGHUP) received from 9, "
                         "reconfiguring";
  const char kFull[] = "2026/11/23 20:03:03 [alert] 7#7: 6 worker_connections are not enough";
  for (const bool exhaustion_closer : {true, false}) {
    SCOPED_TRACE(exhaustion_closer ? "exhaustion closer" : "reload closer");
    FakeEventQuery q = Query({
        {kError, exhaustion_closer ? -seconds(1) : Duration(0), EventKind::kProcess,
         Cause::kServerShutdown, nullptr, 0, kReload},
        {kError, exhaustion_closer ? Duration(0) : -seconds(1), EventKind::kProcess,
         Cause::kResourceExhaustion, nullptr, 0, kFull},
    });
    Diagnosis d = Diagnose(q, Report("198.51.100.4", 34163, "ECONNRESET", "awaiting_response"));
    ASSERT_GE(d.verdicts.size(), 2u);
    EXPECT_EQ(d.verdicts[0].cause,
              exhaustion_closer ? Cause::kResourceExhaustion : Cause::kServerShutdown);
  }
}

TEST(CorrelatorTest, NothingFoundSaysWhatWasSearched) {
  FakeEventQuery q;
  Diagnosis d = Diagnose(q, Report("198.51.100.4", 1234, "ECONNRESET", "reading_response"));
  ASSERT_EQ(d.verdicts.size(), 1u);
  EXPECT_EQ(d.verdicts[0].cause, Cause::kNoneOnServer);
  EXPECT_NE(d.searched.find("nginx-access"), std::string::npos);
  EXPECT_NE(d.verdicts[0].explanation.find("load balancer"), std::string::npos);
  EXPECT_FALSE(d.verdicts[0].remedy.empty());
  EXPECT_TRUE(d.retry_may_help);
  EXPECT_EQ(d.similar_recent, 0);
}

TEST(CorrelatorTest, ErrorsAreValues) {
  FakeEventQuery q;
  ResetReport r = Report("198.51.100.4", 1, "EOF", "");
  r.client_ip.reset();
  EXPECT_EQ(Correlator(Sources()).Correlate(r, q).status().code(), StatusCode::kInvalidArgument);
  r = Report("198.51.100.4", 1, "EOF", "");
  r.clock_uncertainty = -seconds(1);
  EXPECT_EQ(Correlator(Sources()).Correlate(r, q).status().code(), StatusCode::kInvalidArgument);
  q.FailWith(Status::Unavailable("store closed"));
  auto d = Correlator(Sources()).Correlate(Report("198.51.100.4", 1, "EOF", ""), q);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("client events"), std::string::npos);
}

}  // namespace
}  // namespace culprit::correlate
