// The ingest path end to end on real files and a real SQLite database:
// tail -> parse -> WriterThread -> EventWriter, driven pass by pass with
// Ingester::RunOnce(), and restarted from what was committed.

#include "daemon/ingest/ingester.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "daemon/metrics/registry.h"
#include "daemon/store/database.h"
#include "daemon/store/source_registry.h"
#include "daemon/store/sqlite/db.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/stored_events.h"
#include "tests/testing/temp_dir.h"

namespace culprit::ingest {
namespace {

// "<unix seconds> <client ip> <text>": enough structure to tell a parsed line
// from a rejected one without depending on a real format.
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
    event->message = std::string(sp2 == std::string_view::npos ? "" : rest.substr(sp2 + 1));
    return parsers::ParseResult::Parsed();
  }
};

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = dir_.File("culprit.db");
    auto db = store::OpenForWriting(db_path_);
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    std::vector<store::SourceDef> defs = {{"app", dir_.File("logs/app.log"), "test"}};
    auto ids = store::RegisterSources(*db_, defs, clock_.Now());
    ASSERT_TRUE(ids.ok());
    source_id_ = (*ids)[0];
    std::filesystem::create_directories(dir_.File("logs"));
  }

  // A fresh pipeline resuming from the database, as after a restart.
  void Start(bool start_at_end = false, Ingester::Options options = {}) {
    ingester_.reset();
    writer_thread_.reset();
    auto w = store::EventWriter::Create(db_.get(), &clock_);
    ASSERT_TRUE(w.ok()) << w.status().message();
    writer_ = std::move(*w);
    writer_thread_ = std::make_unique<WriterThread>(writer_.get(), WriterThread::Options{});
    writer_thread_->Start();
    SourceReader::Options o;
    o.source_id = source_id_;
    o.name = "app";
    o.tail.pattern = dir_.File("logs/app.log");
    o.tail.start_at_end = start_at_end;
    std::vector<std::unique_ptr<SourceReader>> readers;
    readers.push_back(std::make_unique<SourceReader>(
        &fs_, std::move(o), std::make_unique<TestParser>(),
        writer_->ActiveCheckpoints(source_id_), writer_->RetiredCheckpoints(source_id_)));
    ingester_ = std::make_unique<Ingester>(std::move(readers), writer_thread_.get(), &clock_,
                                           options);
  }

  // Passes until nothing more is read right away, then waits for the
  // commit. At least three passes: a rotated file is declared finished by
  // the pass after the one that saw the rotation (it may still be written).
  void Drain() {
    for (int i = 0; i < 100 && (ingester_->RunOnce() || i < 3); ++i) {
    }
    ASSERT_TRUE(writer_thread_->Flush().ok());
  }

  void Append(const std::string& name, const std::string& text) {
    std::ofstream f(dir_.File(name), std::ios::app | std::ios::binary);
    f << text;
  }

  int64_t Count(const std::string& sql) {
    auto n = db_->QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status().message();
    return n.ok() ? *n : -1;
  }

  // The stored events (rows and groups), in insertion order.
  std::vector<store::StoredEvent> Events() { return testing::AllStoredEvents(db_path_); }
  std::string Messages(const std::string& sep) {
    std::string out;
    for (const auto& e : Events()) out += (out.empty() ? "" : sep) + e.event.message;
    return out;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  tail::PosixFileSystem fs_;
  metrics::Registry registry_;  // outlives the ingester
  std::string db_path_;
  std::unique_ptr<store::sqlite::Db> db_;
  int64_t source_id_ = 0;
  std::unique_ptr<store::EventWriter> writer_;
  std::unique_ptr<WriterThread> writer_thread_;
  std::unique_ptr<Ingester> ingester_;
};

// The running loop holds its batch until it is full or old enough, and
// hands it over when stopped: nothing read is left behind.
TEST_F(IngestTest, LoopHoldsSmallBatchesAndHandsThemOverWhenStopped) {
  Append("logs/app.log",
         "1795464090 198.51.100.7 GET / 200\n"
         "1795464091 198.51.100.8 GET / 200\n"
         "1795464092 198.51.100.9 GET / 200\n");
  Ingester::Options o;
  o.max_batch_delay = std::chrono::hours(1);  // only Stop() hands this one over
  o.metrics = &registry_;  // to see when the loop has read the lines
  Start(false, o);
  ingester_->Start();
  bool read = false;
  for (int i = 0; i < 100000 && !read; ++i) {  // bounded; the loop reads at once
    read = registry_.Render().find("culprit_source_lines_read_total{source=\"app\"} 3") !=
           std::string::npos;
  }
  ASSERT_TRUE(read);
  EXPECT_EQ(writer_thread_->batches_committed(), 0);  // held, not handed over
  ingester_->Stop();
  ASSERT_TRUE(writer_thread_->Flush().ok());
  EXPECT_EQ(Events().size(), 3u);
  EXPECT_EQ(writer_thread_->batches_committed(), 1);
  // RunOnce() (what tests and a reload drive) hands over at once.
  Append("logs/app.log", "1795464093 198.51.100.10 GET / 200\n");
  ingester_->RunOnce();
  ASSERT_TRUE(writer_thread_->Flush().ok());
  EXPECT_EQ(Events().size(), 4u);
}

TEST_F(IngestTest, StoresParsedAndRejectedLinesWithTheirOffsets) {
  Append("logs/app.log",
         "1795464090 198.51.100.7 GET / 200\n"
         "garbage line\n"
         "1795464091 2001:db8::1 GET /x 502\n"
         "1795464092 not-an-ip boom\n");
  Start();
  Drain();
  const auto events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rejected_lines"), 2);
  EXPECT_EQ(events[1].event.message, "GET /x 502");
  EXPECT_EQ(events[1].offset, 47);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rejected_lines WHERE reason = 'bad address' "
                  "AND raw = '1795464092 not-an-ip boom'"),
            1);
  EXPECT_EQ(Count("SELECT lines_parsed FROM sources"), 2);
  EXPECT_EQ(Count("SELECT lines_rejected FROM sources"), 2);
  EXPECT_EQ(Count("SELECT offset FROM checkpoints WHERE active = 1"), 107);
}

TEST_F(IngestTest, ARestartResumesFromTheCheckpointWithoutDuplicates) {
  Append("logs/app.log", "1795464090 198.51.100.7 one\n1795464091 198.51.100.7 two\n");
  Start();
  Drain();
  Append("logs/app.log", "1795464092 198.51.100.7 three\n1795464093 198.51.100.7 fo");
  Start();  // "restart": a new pipeline from the committed checkpoints
  Drain();
  EXPECT_EQ(Events().size(), 3u);
  Append("logs/app.log", "ur\n");
  Drain();
  EXPECT_EQ(Messages(","), "one,two,three,four");
  std::set<int64_t> offsets;
  for (const auto& e : Events()) offsets.insert(e.offset);
  EXPECT_EQ(offsets, (std::set<int64_t>{0, 28, 56, 86}));
}

TEST_F(IngestTest, RotationFinishesTheOldFileThenReadsTheNewOne) {
  Append("logs/app.log", "1795464090 198.51.100.7 a\n");
  Start();
  Drain();
  Append("logs/app.log", "1795464091 198.51.100.7 b\n");
  ASSERT_EQ(std::rename(dir_.File("logs/app.log").c_str(), dir_.File("logs/app.log.1").c_str()),
            0);
  Append("logs/app.log", "1795464092 198.51.100.7 c\n");
  Drain();
  EXPECT_EQ(Messages(""), "abc");
  // The rotated file is finished: its checkpoint is retired, the new one active.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM checkpoints WHERE active = 1"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM checkpoints WHERE active = 0"), 1);
}

TEST_F(IngestTest, StartAtEndSkipsHistoryButNotNewLines) {
  Append("logs/app.log", "1795464090 198.51.100.7 old\n");
  Start(/*start_at_end=*/true);
  Drain();
  Append("logs/app.log", "1795464091 198.51.100.7 new\n");
  Drain();
  EXPECT_EQ(Messages(","), "new");
}

}  // namespace
}  // namespace culprit::ingest
