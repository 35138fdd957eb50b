// The ingest metrics end to end: real files, a real SQLite database, the
// real WriterThread and Ingester driven pass by pass, and the numbers read
// back by scraping the HTTP endpoint.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "daemon/ingest/ingester.h"
#include "daemon/metrics/http_server.h"
#include "daemon/metrics/registry.h"
#include "daemon/store/database.h"
#include "daemon/store/source_registry.h"
#include "daemon/store/sqlite/db.h"
#include "daemon/store/wal_checkpointer.h"
#include "tests/metrics/scrape.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace culprit::ingest {
namespace {

using metrics::testing::HttpGet;
using metrics::testing::SampleValue;

// "<unix seconds> <client ip> [<CAUSE>] ...": the third word, when it names
// a cause (IDLE_TIMEOUT, ...), is the event's cause.
class TestParser final : public parsers::LineParser {
 public:
  parsers::ParseResult Parse(std::string_view line, const parsers::LineContext&,
                             parsers::Event* event) override {
    event->Clear();
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0) return parsers::ParseResult::NoMatch("no time");
    int64_t secs = 0;
    for (char c : line.substr(0, sp)) {
      if (c < '0' || c > '9') return parsers::ParseResult::NoMatch("time is not a number");
      secs = secs * 10 + (c - '0');
    }
    event->time = FromUnixMicros(secs * 1'000'000);
    event->kind = EventKind::kApp;
    const std::string_view rest = line.substr(sp + 1);
    const size_t sp2 = rest.find(' ');
    auto ip = IpAddress::Parse(rest.substr(0, sp2));
    if (!ip.ok()) return parsers::ParseResult::Malformed("bad address");
    event->client_ip = *ip;
    if (sp2 != std::string_view::npos) {
      const std::string_view word = rest.substr(sp2 + 1, rest.find(' ', sp2 + 1) - sp2 - 1);
      if (auto cause = CauseFromName(word)) event->cause = *cause;
    }
    return parsers::ParseResult::Parsed();
  }
};

class IngestMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::OpenForWriting(dir_.File("culprit.db"));
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    std::vector<store::SourceDef> defs = {{"app", dir_.File("logs/app.log"), "test"}};
    auto ids = store::RegisterSources(*db_, defs, clock_.Now());
    ASSERT_TRUE(ids.ok());
    std::filesystem::create_directories(dir_.File("logs"));
    auto w = store::EventWriter::Create(db_.get(), &clock_);
    ASSERT_TRUE(w.ok()) << w.status().message();
    writer_ = std::move(*w);
    auto c = store::WalCheckpointer::Attach(db_.get());  // as culpritd
    ASSERT_TRUE(c.ok()) << c.status().message();
    checkpointer_ = std::move(*c);
    WriterThread::Options wo;
    wo.metrics = &registry_;
    wo.checkpointer = checkpointer_.get();
    writer_thread_ = std::make_unique<WriterThread>(writer_.get(), wo);
    writer_thread_->Start();
    SourceReader::Options o;
    o.source_id = (*ids)[0];
    o.name = "app";
    o.tail.pattern = dir_.File("logs/app.log");
    o.tail.max_line_bytes = 64;
    std::vector<std::unique_ptr<SourceReader>> readers;
    readers.push_back(
        std::make_unique<SourceReader>(&fs_, std::move(o), std::make_unique<TestParser>(),
                                       std::vector<store::StoredCheckpoint>{}));
    Ingester::Options io;
    io.metrics = &registry_;
    ingester_ = std::make_unique<Ingester>(std::move(readers), writer_thread_.get(), &clock_, io);
    auto server = metrics::MetricsServer::Start(&registry_, {.listen = "127.0.0.1:0"});
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }

  void TearDown() override {
    server_.reset();
    ingester_.reset();
    writer_thread_.reset();
  }

  // Passes until nothing more is read right away (at least three: a rotated
  // file is finished by the pass after the one that saw the rotation).
  void Drain() {
    for (int i = 0; i < 100 && (ingester_->RunOnce() || i < 3); ++i) {
    }
    ASSERT_TRUE(writer_thread_->Flush().ok());
  }

  void Append(const std::string& name, const std::string& text) {
    std::ofstream f(dir_.File(name), std::ios::app | std::ios::binary);
    f << text;
  }

  std::string Scrape() {
    auto r = HttpGet(server_->port(), "/metrics");
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 200);
    return r->body;
  }

  double Value(const std::string& text, const std::string& series) {
    auto v = SampleValue(text, series);
    EXPECT_TRUE(v.has_value()) << "no sample " << series << " in:\n" << text;
    return v.value_or(-1);
  }

  metrics::Registry registry_;  // first: outlives everything that exports to it
  testing::TempDir dir_;
  testing::FakeClock clock_;
  tail::PosixFileSystem fs_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<store::EventWriter> writer_;
  std::unique_ptr<store::WalCheckpointer> checkpointer_;
  std::unique_ptr<WriterThread> writer_thread_;
  std::unique_ptr<Ingester> ingester_;
  std::unique_ptr<metrics::MetricsServer> server_;
};

TEST_F(IngestMetricsTest, CountsLinesRotationsTruncationsAndLag) {
  const std::string long_line = "1795464093 198.51.100.9 " + std::string(100, 'x') + "\n";
  Append("logs/app.log",
         "1795464090 198.51.100.7 IDLE_TIMEOUT\n"  // parsed, IDLE_TIMEOUT
         "garbage line\n"                          // rejected
         "   \n"                                   // blank: read, nothing stored
         "1795464091 not-an-ip boom\n"             // rejected
         "1795464092 2001:db8::1 UPSTREAM_FAILURE\n" +
             long_line);  // parsed, cut at 64 bytes
  Drain();
  std::string m = Scrape();
  EXPECT_EQ(Value(m, "culprit_source_lines_read_total{source=\"app\"}"), 6);
  EXPECT_EQ(Value(m, "culprit_source_lines_parsed_total{source=\"app\"}"), 3);
  EXPECT_EQ(Value(m, "culprit_source_lines_rejected_total{source=\"app\"}"), 2);
  EXPECT_EQ(Value(m, "culprit_source_lines_truncated_total{source=\"app\"}"), 1);
  EXPECT_EQ(Value(m, "culprit_source_rotations_total{source=\"app\"}"), 0);
  EXPECT_EQ(Value(m, "culprit_source_truncations_total{source=\"app\"}"), 0);
  EXPECT_EQ(Value(m, "culprit_source_files{source=\"app\"}"), 1);
  EXPECT_EQ(Value(m, "culprit_source_lag_bytes{source=\"app\"}"), 0);
  EXPECT_EQ(Value(m, "culprit_events_stored_total{cause=\"IDLE_TIMEOUT\"}"), 1);
  EXPECT_EQ(Value(m, "culprit_events_stored_total{cause=\"UPSTREAM_FAILURE\"}"), 1);
  EXPECT_EQ(Value(m, "culprit_events_stored_total{cause=\"NONE\"}"), 1);
  EXPECT_EQ(Value(m, "culprit_events_stored_total{cause=\"FIREWALL\"}"), 0);
  const double commits = Value(m, "culprit_batch_commit_seconds_count");
  EXPECT_GE(commits, 1);
  EXPECT_EQ(Value(m, "culprit_batch_commit_seconds_bucket{le=\"+Inf\"}"), commits);
  EXPECT_GT(Value(m, "culprit_batch_commit_seconds_sum"), 0);
  EXPECT_EQ(Value(m, "culprit_batch_commit_failures_total"), 0);
  // The WAL the commits left (a few pages: no checkpoint is due yet).
  EXPECT_GT(Value(m, "culprit_wal_frames"), 0);
  EXPECT_EQ(Value(m, "culprit_wal_checkpoints_total{by=\"background\"}"), 0);
  EXPECT_EQ(Value(m, "culprit_wal_checkpoints_total{by=\"writer\"}"), 0);
  EXPECT_EQ(Value(m, "culprit_wal_writer_waits_total"), 0);

  // Written, not read yet: the lag is exactly those bytes, a partial last
  // line included.
  const std::string pending = "1795464094 198.51.100.7 a\n1795464095 198.51.100.7 b";
  Append("logs/app.log", pending);
  EXPECT_EQ(Value(Scrape(), "culprit_source_lag_bytes{source=\"app\"}"),
            static_cast<double>(pending.size()));
  Drain();
  // The partial line is held back until complete: still behind.
  EXPECT_EQ(Value(Scrape(), "culprit_source_lag_bytes{source=\"app\"}"),
            static_cast<double>(pending.size() - pending.find('\n') - 1));
  Append("logs/app.log", "\n");

  // Rotation: rename, then a new file at the path.
  ASSERT_EQ(std::rename(dir_.File("logs/app.log").c_str(), dir_.File("logs/app.log.1").c_str()),
            0);
  Append("logs/app.log", "1795464096 198.51.100.7 c\n1795464097 198.51.100.7 d\n");
  Drain();
  m = Scrape();
  EXPECT_EQ(Value(m, "culprit_source_rotations_total{source=\"app\"}"), 1);
  EXPECT_EQ(Value(m, "culprit_source_lines_read_total{source=\"app\"}"), 10);
  EXPECT_EQ(Value(m, "culprit_source_lag_bytes{source=\"app\"}"), 0);

  // Copytruncate: the file is emptied in place and written again, shorter.
  std::filesystem::resize_file(dir_.File("logs/app.log"), 0);
  Append("logs/app.log", "1795464098 198.51.100.7 e\n");
  Drain();
  m = Scrape();
  EXPECT_EQ(Value(m, "culprit_source_truncations_total{source=\"app\"}"), 1);
  EXPECT_EQ(Value(m, "culprit_source_rotations_total{source=\"app\"}"), 1);
  EXPECT_EQ(Value(m, "culprit_source_lines_read_total{source=\"app\"}"), 11);
  EXPECT_EQ(Value(m, "culprit_source_lines_parsed_total{source=\"app\"}"), 8);
  EXPECT_EQ(Value(m, "culprit_events_stored_total{cause=\"NONE\"}"), 6);
  EXPECT_GT(Value(m, "culprit_batch_commit_seconds_count"), commits);
}

TEST_F(IngestMetricsTest, TheSourceFamiliesGoWithTheIngester) {
  Append("logs/app.log", "1795464090 198.51.100.7 a\n");
  Drain();
  std::string m = Scrape();
  EXPECT_EQ(Value(m, "culprit_source_lines_read_total{source=\"app\"}"), 1);
  EXPECT_NE(m.find("# TYPE culprit_source_lag_bytes gauge\n"), std::string::npos);
  // Its collector is unregistered before the readers it reads are gone; the
  // writer's families stay (they live in the registry).
  ingester_.reset();
  m = Scrape();
  EXPECT_EQ(m.find("culprit_source_"), std::string::npos) << m;
  EXPECT_NE(m.find("# TYPE culprit_batch_commit_seconds histogram\n"), std::string::npos);
}

}  // namespace
}  // namespace culprit::ingest
