// The operator-facing settings of the real culpritd: the Prometheus endpoint
// ([metrics] listen) and retention ([daemon] retention). Every wait is
// bounded; nothing sleeps for timing.

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <ctime>
#include <regex>

#include "culprit/v1/culprit.pb.h"
#include "tests/metrics/scrape.h"
#include "tests/testing/stored_events.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace culprit {
namespace {

using culprit::metrics::testing::HttpGet;
using culprit::metrics::testing::SampleValue;
using culprit::testing::RunProgram;
using culprit::testing::Subprocess;
using culprit::testing::TempDir;
using namespace std::chrono_literals;

const std::string kCulpritd = std::string(CULPRIT_BINARY_DIR) + "/daemon/culpritd";
const std::string kCulprit = std::string(CULPRIT_BINARY_DIR) + "/cli/culprit";

// The metrics port from the line logged before "serving on".
int MetricsPort(const std::string& err) {
  std::smatch m;
  if (!std::regex_search(err, m, std::regex(R"(metrics on \S+ \(port (\d+)\))"))) return 0;
  return std::stoi(m[1]);
}

// An nginx combined line at `t` (UTC).
std::string AccessLine(std::time_t t, const std::string& client) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[64];
  std::strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return client + " - - [" + when + "] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"\n";
}

TEST(OperationsTest, MetricsEndpointServesTheDaemonsFigures) {
  TempDir dir;
  dir.Write("state/.keep", "");
  dir.Write("logs/access.log", AccessLine(1795464090, "192.0.2.1") +
                                   AccessLine(1795464091, "192.0.2.2") + "not an access line\n");
  dir.Write("culprit.toml", R"(
[daemon]
listen = "127.0.0.1:0"
database = "state/culprit.db"

[metrics]
listen = "127.0.0.1:0"

[[source]]
name = "edge"
path = "logs/access.log"
format = "nginx_combined"
)");
  Subprocess daemon({kCulpritd, "--config", dir.File("culprit.toml")});
  const int grpc_port = culprit::testing::WaitForServingPort(daemon);
  ASSERT_GT(grpc_port, 0) << daemon.err();
  const int metrics_port = MetricsPort(daemon.err());
  ASSERT_GT(metrics_port, 0) << daemon.err();
  const std::string addr = "127.0.0.1:" + std::to_string(grpc_port);

  // Ingested (bounded poll through Status), then one Status call counted.
  bool ingested = false;
  for (int i = 0; i < 300 && !ingested; ++i) {
    auto r = RunProgram({kCulprit, "--daemon", addr, "status", "--json"});
    v1::StatusResponse s;
    ingested = r.exit_code == 0 && google::protobuf::util::JsonStringToMessage(r.out, &s).ok() &&
               s.sources(0).lines_parsed() == 2 && s.sources(0).lines_rejected() == 1;
  }
  ASSERT_TRUE(ingested) << daemon.err();

  auto page = HttpGet(metrics_port, "/metrics");
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = page->body;
  EXPECT_EQ(SampleValue(text, "culprit_source_lines_parsed_total{source=\"edge\"}"), 2) << text;
  EXPECT_EQ(SampleValue(text, "culprit_source_lines_rejected_total{source=\"edge\"}"), 1);
  EXPECT_EQ(SampleValue(text, "culprit_source_lag_bytes{source=\"edge\"}"), 0);
  EXPECT_EQ(SampleValue(text, "culprit_events_stored_total{cause=\"NONE\"}"), 2);
  EXPECT_GE(SampleValue(text, "culprit_batch_commit_seconds_count").value_or(0), 1);
  // The WAL checkpointer's figures come with the writer's.
  EXPECT_GE(SampleValue(text, "culprit_wal_frames").value_or(-1), 0);
  EXPECT_TRUE(SampleValue(text, "culprit_wal_checkpoints_total{by=\"background\"}").has_value());
  EXPECT_GE(
      SampleValue(text, "culprit_rpc_duration_seconds_count{method=\"Status\",code=\"OK\"}")
          .value_or(0),
      1)
      << text;
  auto missing = HttpGet(metrics_port, "/other");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);

  daemon.Signal(SIGTERM);
  auto code = daemon.Wait(20s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << daemon.err();
}

TEST(OperationsTest, RetentionDeletesWhatIsOlderThanTheSetting) {
  TempDir dir;
  dir.Write("state/.keep", "");
  const std::time_t now = std::time(nullptr);
  // Two lines from three days ago, read in a first run without retention.
  dir.Write("logs/access.log", AccessLine(now - 3 * 86400, "192.0.2.1") +
                                   AccessLine(now - 3 * 86400 + 1, "192.0.2.2"));
  const std::string base = R"(
[daemon]
listen = "127.0.0.1:0"
database = "state/culprit.db"
)";
  const std::string source = R"(
[[source]]
name = "edge"
path = "logs/access.log"
format = "nginx_combined"
)";
  const std::string db = dir.File("state/culprit.db");
  dir.Write("culprit.toml", base + source);
  {
    Subprocess daemon({kCulpritd, "--config", dir.File("culprit.toml")});
    ASSERT_GT(culprit::testing::WaitForServingPort(daemon), 0) << daemon.err();
    bool all = false;
    for (int i = 0; i < 1000 && !all; ++i) all = culprit::testing::AllStoredEvents(db).size() == 2;
    ASSERT_TRUE(all);
    daemon.Signal(SIGTERM);
    ASSERT_TRUE(daemon.Wait(20s).has_value());
  }
  // A line from a minute ago arrives while the daemon was down.
  dir.Write("logs/access.log", AccessLine(now - 3 * 86400, "192.0.2.1") +
                                   AccessLine(now - 3 * 86400 + 1, "192.0.2.2") +
                                   AccessLine(now - 60, "192.0.2.3"));
  // Then with a day's retention: the old two go, the recent one stays.
  dir.Write("culprit.toml", base + "retention = \"1d\"\n" + source);
  Subprocess daemon({kCulpritd, "--config", dir.File("culprit.toml")});
  ASSERT_GT(culprit::testing::WaitForServingPort(daemon), 0) << daemon.err();
  std::vector<store::StoredEvent> left;
  for (int i = 0; i < 1000; ++i) {
    left = culprit::testing::AllStoredEvents(db);
    if (left.size() == 1 && left[0].raw.starts_with("192.0.2.3 ")) break;
  }
  ASSERT_EQ(left.size(), 1u) << daemon.err();
  EXPECT_EQ(left[0].raw.substr(0, 10), "192.0.2.3 ");
  daemon.Signal(SIGTERM);
  auto code = daemon.Wait(20s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << daemon.err();
}

}  // namespace
}  // namespace culprit
