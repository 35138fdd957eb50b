#include "tests/report/report_fixture.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "base/ip_address.h"
#include "daemon/store/database.h"
#include "daemon/store/sqlite/db.h"

namespace culprit::report::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// The period's reports (the report period is 2026-11-20 UTC):
//   TLS_HANDSHAKE_FAILED  4   09:10 09:20 09:30 (IPv4) 14:05 (IPv6), + one at `to` (excluded)
//   IDLE_TIMEOUT          2   00:00:00 (exactly `from`), 09:40
//   NONE_ON_SERVER        2   12:00, 23:59:59
// The previous day's: TLS 2, IDLE 4, FIREWALL 1.
struct ReportSpec {
  Duration at;  // after kFrom (negative: the previous day)
  int cause;
  const char* client;
  const char* server;  // ip:port
  const char* labels;  // JSON or null
  double confidence;
  const char* diagnosis;
};

constexpr char kTlsDiagnosis[] =
    R"({"verdicts":[{"cause":"TLS_HANDSHAKE_FAILED","confidence":0.95,)"
    R"("explanation":"TLS_HANDSHAKE_FAILED for 198.51.100.8:40112: nginx-error logged an unsupported protocol",)"
    R"("remedy":"Align TLS settings.","evidence":[)"
    R"({"source":"nginx-error","file":"/var/log/nginx/error.log","offset":"120","time":"2026-11-20T09:20:01Z",)"
    R"("raw":"2026/11/20 09:20:01 [info] 2211#2211: *103 SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) <script>x</script>","cause":"TLS_HANDSHAKE_FAILED","kind":"tls","role":"cause"},)"
    R"({"source":"nginx-access","file":"/var/log/nginx/access.log","offset":"99","time":"2026-11-20T09:20:01Z",)"
    R"("raw":"198.51.100.8 - - [20/Nov/2026:09:20:01 +0000] \"-\" 400 0","kind":"request","role":"consequence"}]}],)"
    R"("searched":"3 sources"})";

constexpr char kPlainDiagnosis[] =
    R"({"verdicts":[{"cause":"TLS_HANDSHAKE_FAILED","confidence":0.9,"explanation":"plain"}]})";

const ReportSpec kReports[] = {
    {minutes(9 * 60 + 10), 2, "198.51.100.7:40001", "192.0.2.10:443",
     R"({"app":"shop-ios","version":"5.2.1"})", 0.9, kPlainDiagnosis},
    {minutes(9 * 60 + 20), 2, "198.51.100.8:40112", "192.0.2.10:443",
     R"({"app":"shop-ios","version":"5.2.1"})", 0.95, kTlsDiagnosis},
    {minutes(9 * 60 + 30), 2, "203.0.113.9:50000", "192.0.2.10:443", R"({"app":"web"})", 0.8,
     kPlainDiagnosis},
    {minutes(14 * 60 + 5), 2, "[2001:db8:1:2::5]:60000", "192.0.2.11:8443", nullptr, 0.7,
     kPlainDiagnosis},
    {hours(24), 2, "198.51.100.7:40002", "192.0.2.10:443", nullptr, 0.9, kPlainDiagnosis},
    {Duration(0), 3, "198.51.100.20:41000", "192.0.2.10:443", "not json", 0.6, "not json"},
    {minutes(9 * 60 + 40), 3, "198.51.100.21:41001", "192.0.2.10:443", nullptr, 0.65, "{}"},
    {hours(12), 14, "203.0.113.50:1000", "192.0.2.10:443", nullptr, 0.0, "{}"},
    {hours(24) - seconds(1), 14, "203.0.113.51:1001", "192.0.2.10:443", nullptr, 0.0, "{}"},
    // The previous day.
    {-hours(20), 2, "198.51.100.7:40003", "192.0.2.10:443", nullptr, 0.9, "{}"},
    {-hours(19), 2, "198.51.100.7:40004", "192.0.2.10:443", nullptr, 0.9, "{}"},
    {-hours(18), 3, "198.51.100.7:40005", "192.0.2.10:443", nullptr, 0.6, "{}"},
    {-hours(17), 3, "198.51.100.7:40006", "192.0.2.10:443", nullptr, 0.6, "{}"},
    {-hours(16), 3, "198.51.100.7:40007", "192.0.2.10:443", nullptr, 0.6, "{}"},
    {-hours(24), 3, "198.51.100.7:40008", "192.0.2.10:443", nullptr, 0.6, "{}"},
    {-hours(15), 10, "198.51.100.7:40009", "192.0.2.10:443", nullptr, 0.7, "{}"},
};

// Sources: 1 nginx-error (error_log at `error`: no info lines), 2 haproxy,
// 3 firewall, 4 access (nginx_combined), 5 never read.
struct EventSpec {
  Duration at;
  int source;
  int cause;
  int level;  // -1: none
  int count;
};

const EventSpec kEvents[] = {
    {hours(9), 1, 2, 3, 3},      // TLS x3 from nginx-error
    {hours(10), 2, 2, -1, 1},    // TLS x1 from haproxy
    {hours(11), 3, 10, 4, 2},    // FIREWALL x2
    {hours(11), 4, 0, -1, 5},    // plain requests: no cause
    {hours(24), 1, 2, 3, 1},     // at `to`: excluded
    {-hours(3), 1, 2, 3, 1},     // previous day: TLS x1 from nginx-error
};

}  // namespace

void BuildFixtureDatabase(const std::string& path) {
  auto db = store::OpenForWriting(path);
  ASSERT_TRUE(db.ok()) << db.status().message();
  store::sqlite::Db& d = **db;
  ASSERT_TRUE(d.Exec("INSERT INTO sources (id, name, path, format, created_us, lines_parsed) "
                     "VALUES (1, 'nginx-error', '/var/log/nginx/error.log', 'nginx_error', 0, 10),"
                     "(2, 'haproxy', '/var/log/haproxy.log', 'haproxy', 0, 10),"
                     "(3, 'firewall', '/var/log/kern.log', 'syslog', 0, 10),"
                     "(4, 'access', '/var/log/nginx/access.log', 'nginx_combined', 0, 10),"
                     "(5, 'empty', '/var/log/none.log', 'syslog', 0, 0);"
                     "INSERT INTO checkpoints (id, source_id, path, dev, inode, fingerprint, "
                     "offset, active, updated_us) VALUES (1, 1, '/x', 1, 1, x'00', 0, 1, 0);")
                  .ok());
  auto report = d.Prepare(
      "INSERT INTO reports (received_us, reported_us, clock_uncertainty_us, client_ip, "
      "client_port, server_ip, server_port, server_name, error, phase, labels, cause, "
      "confidence, diagnosis) VALUES (?, ?, 5000000, ?, ?, ?, ?, NULL, 'ECONNRESET', "
      "'tls_handshake', ?, ?, ?, ?)");
  ASSERT_TRUE(report.ok()) << report.status().message();
  for (const ReportSpec& r : kReports) {
    const int64_t at = ToUnixMicros(kFrom + r.at);
    auto client = Endpoint::Parse(r.client);
    auto server = Endpoint::Parse(r.server);
    ASSERT_TRUE(client.ok() && server.ok());
    report->Reset();
    ASSERT_TRUE(report->BindInt(0, at).ok());
    ASSERT_TRUE(report->BindInt(1, at).ok());
    ASSERT_TRUE(report->BindBlob(2, client->ip.Key()).ok());
    ASSERT_TRUE(report->BindInt(3, client->port).ok());
    ASSERT_TRUE(report->BindBlob(4, server->ip.Key()).ok());
    ASSERT_TRUE(report->BindInt(5, server->port).ok());
    ASSERT_TRUE((r.labels ? report->BindText(6, r.labels) : report->BindNull(6)).ok());
    ASSERT_TRUE(report->BindInt(7, r.cause).ok());
    ASSERT_TRUE(report->BindDouble(8, r.confidence).ok());
    ASSERT_TRUE(report->BindText(9, r.diagnosis).ok());
    ASSERT_TRUE(report->Run().ok());
  }
  auto event = d.Prepare(
      "INSERT INTO events (ts_us, ts_precision_us, source_id, file_id, offset, kind, cause, "
      "level, raw) VALUES (?, 1000000, ?, 1, 0, 2, ?, ?, 'a line')");
  ASSERT_TRUE(event.ok()) << event.status().message();
  for (const EventSpec& e : kEvents) {
    for (int i = 0; i < e.count; ++i) {
      event->Reset();
      ASSERT_TRUE(event->BindInt(0, ToUnixMicros(kFrom + e.at) + i).ok());
      ASSERT_TRUE(event->BindInt(1, e.source).ok());
      ASSERT_TRUE(event->BindInt(2, e.cause).ok());
      ASSERT_TRUE(
          event->BindOptionalInt(3, e.level < 0 ? std::nullopt : std::optional<int64_t>(e.level))
              .ok());
      ASSERT_TRUE(event->Run().ok());
    }
  }
}

}  // namespace culprit::report::testing
