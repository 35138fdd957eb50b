#include "daemon/store/retention.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <set>

#include "daemon/store/database.h"
#include "daemon/store/event_writer.h"
#include "daemon/store/migrations.h"
#include "daemon/store/source_registry.h"
#include "daemon/store/sqlite/db.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/stored_events.h"
#include "tests/testing/temp_dir.h"

namespace culprit::store {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr int64_t kT0 = 1795464090000000;  // 2026-11-23T...Z, FakeClock's start
constexpr int64_t kHour = 3600LL * 1000000;
constexpr int64_t kDay = 24 * kHour;

// A real ingress-nginx access line (elastic/beats test.log), its path made
// unique per line so a stored event names the line it came from.
std::string RawLine(int n) {
  return "192.168.64.1 - - [07/Feb/2020:11:49:15 +0000] \"GET /products/" + std::to_string(n) +
         " HTTP/1.1\" 200 59 \"-\" \"curl/7.54.0\" 91 0.001 [default-web-8080] [] "
         "172.17.0.5:8080 59 0.000 200 68fa971ce4dfce685fdc01c877bfa645";
}

// Adds up what steps did.
void Add(const RetentionStep& s, RetentionStep* total) {
  total->events_deleted += s.events_deleted;
  total->groups_deleted += s.groups_deleted;
  total->grouped_events_deleted += s.grouped_events_deleted;
  total->spans_deleted += s.spans_deleted;
  total->rejected_deleted += s.rejected_deleted;
  total->reports_deleted += s.reports_deleted;
  total->pages_freed += s.pages_freed;
}

// What one line of a test transaction becomes.
struct Line {
  int64_t ts_us = 0;
  Cause cause = Cause::kNone;  // kNone: packed in a group; otherwise an `events` row
  bool reject = false;         // a rejected line (seen at the batch's read time)
};

// A database with one source, written through EventWriter.
class TestStore {
 public:
  // mode: kReadWrite via OpenForWriting (a new file gets incremental vacuum),
  // or `legacy` = a file migrated without it, as files created before it are.
  static std::unique_ptr<TestStore> Open(const std::string& path, testing::FakeClock* clock,
                                         bool legacy = false) {
    std::unique_ptr<TestStore> s(new TestStore);
    s->path_ = path;
    s->clock_ = clock;
    if (legacy) {
      auto db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadWrite);
      if (!db.ok()) return Fail(db.status());
      auto migrations = BuiltinMigrations();
      if (!migrations.ok()) return Fail(migrations.status());
      auto v = Migrate(**db, *migrations);
      if (!v.ok()) return Fail(v.status());
      s->db_ = std::move(*db);
    } else {
      auto db = OpenForWriting(path);
      if (!db.ok()) return Fail(db.status());
      s->db_ = std::move(*db);
    }
    const SourceDef defs[] = {{"nginx", "/var/log/nginx/access.log", "nginx_combined"}};
    auto ids = RegisterSources(*s->db_, defs, clock->Now());
    if (!ids.ok()) return Fail(ids.status());
    s->source_id_ = (*ids)[0];
    auto w = EventWriter::Create(s->db_.get(), clock);
    if (!w.ok()) return Fail(w.status());
    s->writer_ = std::move(*w);
    return s;
  }

  // Writes one transaction: `lines` of file `inode` (continuing its
  // offsets), and `reports` reports received now. Returns the raw lines of
  // the stored events.
  std::vector<std::string> Write(const std::vector<Line>& lines, int reports = 0,
                                 uint64_t inode = 11) {
    WriteBatch b;
    b.read_at = clock_->Now();
    FileSegment& seg = b.BeginSegment();
    seg.source_id = source_id_;
    seg.path = "/var/log/nginx/access.log";
    seg.key = {7, inode, "fp-" + std::to_string(inode)};
    int64_t& off = offsets_[inode];
    std::vector<std::string> raws;
    for (const Line& l : lines) {
      const int n = next_line_++;
      const std::string raw = RawLine(n);
      b.AddLine(off, raw, false);
      off += static_cast<int64_t>(raw.size()) + 1;
      if (l.reject) {
        b.Reject("no pattern matches");
        continue;
      }
      parsers::Event& e = b.AddEvent();
      e.time = FromUnixMicros(l.ts_us);
      e.kind = l.cause == Cause::kNone ? EventKind::kRequest : EventKind::kError;
      e.cause = l.cause;
      e.client_ip = IpAddress::FromV4(0x0a000000u + static_cast<uint32_t>(n % 97));
      e.client_port = static_cast<uint16_t>(40000 + n % 1000);
      e.status = 200;
      raws.push_back(raw);
    }
    seg.end_offset = off;
    for (int i = 0; i < reports; ++i) {
      ReportRecord r;
      r.received_us = ToUnixMicros(clock_->Now());
      r.reported_us = r.received_us;
      r.error = "ECONNRESET";
      r.cause = Cause::kUpstreamFailure;
      r.confidence = 0.9;
      r.diagnosis_json = "{}";
      b.reports.push_back(std::move(r));
    }
    const WriteBatch* batches[] = {&b};
    const Status st = writer_->Write(batches);
    EXPECT_TRUE(st.ok()) << st.message();
    return raws;
  }

  int64_t Count(const std::string& sql) {
    auto n = db_->QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status().message();
    return n.ok() ? *n : -1;
  }

  // The raw lines of every stored event, through the production read path.
  std::multiset<std::string> StoredRaws() const {
    std::multiset<std::string> out;
    for (const StoredEvent& e : testing::AllStoredEvents(path_)) out.insert(e.raw);
    return out;
  }

  // Steps until nothing expired remains; returns the steps taken and adds
  // up what they did.
  int StepUntilDone(Retention& r, Timestamp now, RetentionStep* total = nullptr) {
    for (int steps = 1; steps < 100000; ++steps) {
      auto s = r.Step(now);
      EXPECT_TRUE(s.ok()) << s.status().message();
      if (!s.ok()) return steps;
      if (total != nullptr) Add(*s, total);
      if (!s->more) return steps;
    }
    ADD_FAILURE() << "retention never finished";
    return -1;
  }

  // The file's size after a WAL checkpoint that truncates the WAL.
  int64_t FileSize() {
    EXPECT_TRUE(db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
    return static_cast<int64_t>(std::filesystem::file_size(path_));
  }

  sqlite::Db& db() { return *db_; }
  EventWriter& writer() { return *writer_; }
  int64_t source_id() const { return source_id_; }

 private:
  TestStore() = default;
  static std::unique_ptr<TestStore> Fail(const Status& st) {
    ADD_FAILURE() << st.message();
    return nullptr;
  }

  std::string path_;
  testing::FakeClock* clock_ = nullptr;
  std::unique_ptr<sqlite::Db> db_;
  int64_t source_id_ = 0;
  std::unique_ptr<EventWriter> writer_;
  std::map<uint64_t, int64_t> offsets_;
  int next_line_ = 0;
};

std::unique_ptr<Retention> MakeRetention(sqlite::Db& db, Duration keep, int batch_rows = 2000) {
  RetentionOptions o;
  o.keep = keep;
  o.batch_rows = batch_rows;
  auto r = Retention::Create(&db, o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(*r) : nullptr;
}

// `n` lines at `ts_us` + i ms; every `cause_every`-th has a cause, every
// `reject_every`-th is rejected (0: none).
std::vector<Line> Lines(int n, int64_t ts_us, int cause_every = 0, int reject_every = 0) {
  std::vector<Line> out;
  for (int i = 0; i < n; ++i) {
    Line l;
    l.ts_us = ts_us + i * 1000LL;
    if (cause_every > 0 && i % cause_every == 0) l.cause = Cause::kUpstreamFailure;
    if (reject_every > 0 && i % reject_every == reject_every - 1) l.reject = true;
    out.push_back(l);
  }
  return out;
}

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = TestStore::Open(dir_.File("culprit.db"), &clock_);
    ASSERT_NE(store_, nullptr);
  }

  testing::TempDir dir_;
  testing::FakeClock clock_{FromUnixMicros(kT0)};
  std::unique_ptr<TestStore> store_;
};

TEST(ParseRetentionTest, Values) {
  struct Case {
    std::string_view text;
    Duration want;
  };
  const Case cases[] = {
      {"14d", days(14)},    {"36h", hours(36)}, {"90m", minutes(90)},
      {"1d12h", hours(36)}, {"1h", hours(1)},   {"0", Duration{}},
      {"", Duration{}},     {"0d", Duration{}}, {"2.5d", hours(60)},
  };
  for (const Case& c : cases) {
    auto d = ParseRetention(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status().message();
    EXPECT_EQ(*d, c.want) << c.text;
  }
}

TEST(ParseRetentionTest, ErrorsNameTheValue) {
  struct Case {
    std::string_view text;
    std::string_view message;
  };
  const Case cases[] = {
      {"14x", "retention: \"14x\" is not a duration (use 14d, 36h, 90m)"},
      {"14", "retention: \"14\" is not a duration (use 14d, 36h, 90m)"},
      {"-3d", "retention: \"-3d\" is not a duration (use 14d, 36h, 90m)"},
      {"forever", "retention: \"forever\" is not a duration (use 14d, 36h, 90m)"},
      {std::string_view("1\0d", 3), "retention: \"1\\x00d\" is not a duration (use 14d, 36h, 90m)"},
      {"\xff\xfe", "retention: \"\\xff\\xfe\" is not a duration (use 14d, 36h, 90m)"},
      {"30m",
       "retention: \"30m\" is under an hour; keep at least 1h (e.g. 14d), or 0 to keep "
       "everything"},
  };
  for (const Case& c : cases) {
    auto d = ParseRetention(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(d.status().message(), c.message);
  }
}

TEST(RetentionCreateTest, RejectsBadOptions) {
  testing::TempDir dir;
  testing::FakeClock clock;
  auto store = TestStore::Open(dir.File("c.db"), &clock);
  ASSERT_NE(store, nullptr);
  const RetentionOptions bad[] = {
      {Duration{}, 2000, 256}, {-hours(1), 2000, 256}, {days(1), 0, 256}, {days(1), 10, -1}};
  for (const RetentionOptions& o : bad) {
    auto r = Retention::Create(&store->db(), o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_F(RetentionTest, NewDatabaseUsesIncrementalVacuum) {
  EXPECT_EQ(store_->Count("PRAGMA auto_vacuum"), 2);
  // Reopening (now with tables) keeps it and changes nothing.
  store_.reset();
  store_ = TestStore::Open(dir_.File("culprit.db"), &clock_);
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(store_->Count("PRAGMA auto_vacuum"), 2);
}

TEST_F(RetentionTest, DeletesWhatExpiredAndKeepsTheRest) {
  // Twenty days ago: ordinary and caused events, rejected lines, reports.
  clock_.Set(FromUnixMicros(kT0 - 20 * kDay));
  store_->Write(Lines(200, kT0 - 20 * kDay, /*cause_every=*/10, /*reject_every=*/5), 3);
  // Yesterday, the same again.
  clock_.Set(FromUnixMicros(kT0 - kDay));
  const auto fresh = store_->Write(Lines(200, kT0 - kDay, 10, 5), 2);
  ASSERT_EQ(store_->StoredRaws().size(), 2 * fresh.size());
  const int64_t fresh_seq = store_->Count("SELECT MAX(seq) FROM event_groups");

  auto r = MakeRetention(store_->db(), days(14));
  ASSERT_NE(r, nullptr);
  RetentionStep total;
  store_->StepUntilDone(*r, FromUnixMicros(kT0), &total);

  EXPECT_EQ(store_->StoredRaws(), std::multiset<std::string>(fresh.begin(), fresh.end()));
  EXPECT_EQ(total.events_deleted, 20);  // every tenth line has a cause
  EXPECT_EQ(total.grouped_events_deleted, 140);
  EXPECT_GT(total.groups_deleted, 0);
  EXPECT_EQ(total.rejected_deleted, 40);  // every fifth line
  EXPECT_EQ(total.reports_deleted, 3);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM events"), 20);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM rejected_lines"), 40);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM reports"), 2);
  EXPECT_EQ(
      store_->Count("SELECT COUNT(*) FROM event_groups WHERE seq <> " + std::to_string(fresh_seq)),
      0);
  EXPECT_EQ(
      store_->Count("SELECT COUNT(*) FROM event_spans WHERE seq <> " + std::to_string(fresh_seq)),
      0);
  EXPECT_EQ(store_->Count("SELECT MIN(second) FROM event_spans"), (kT0 - kDay) / 1000000);

  // Nothing more to do until more expires.
  auto again = r->Step(FromUnixMicros(kT0));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->more);
  EXPECT_EQ(again->events_deleted + again->groups_deleted + again->spans_deleted +
                again->rejected_deleted + again->reports_deleted,
            0);
  // Two weeks on, the rest goes too.
  store_->StepUntilDone(*r, FromUnixMicros(kT0 + 14 * kDay));
  EXPECT_TRUE(store_->StoredRaws().empty());
  for (const char* table : {"events", "event_groups", "event_spans", "rejected_lines", "reports"}) {
    EXPECT_EQ(store_->Count(std::string("SELECT COUNT(*) FROM ") + table), 0) << table;
  }
}

TEST_F(RetentionTest, CutoffIsExactToTheMicrosecond) {
  // Caused events (rows) go by their own time; rejected lines and reports
  // by the time they were seen.
  std::vector<Line> lines;
  for (int64_t ts : {kT0 - 1, kT0, kT0 + 1}) lines.push_back({ts, Cause::kFirewall, false});
  store_->Write(lines);
  auto r = MakeRetention(store_->db(), days(1));
  ASSERT_NE(r, nullptr);
  store_->StepUntilDone(*r, FromUnixMicros(kT0 + kDay));
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM events"), 2);
  EXPECT_EQ(store_->Count("SELECT MIN(ts_us) FROM events"), kT0);
}

TEST_F(RetentionTest, TransactionWithOldAndNewEventsIsKeptWhole) {
  // One transaction read a backlog: ordinary events twenty days old and
  // current ones, packed in the same groups (one client each).
  std::vector<Line> lines = Lines(100, kT0 - 20 * kDay);
  for (const Line& l : Lines(100, kT0 - kHour)) lines.push_back(l);
  // And a caused event of each age, which are rows with their own time.
  lines.push_back({kT0 - 20 * kDay, Cause::kUpstreamTimeout, false});
  lines.push_back({kT0 - kHour, Cause::kUpstreamTimeout, false});
  const auto raws = store_->Write(lines);
  // A later transaction that has entirely expired by the time of the step.
  store_->Write(Lines(50, kT0 - 19 * kDay));
  const int64_t groups = store_->Count("SELECT COUNT(*) FROM event_groups WHERE seq = 1");
  const int64_t spans = store_->Count("SELECT COUNT(*) FROM event_spans WHERE seq = 1");

  auto r = MakeRetention(store_->db(), days(14));
  ASSERT_NE(r, nullptr);
  store_->StepUntilDone(*r, FromUnixMicros(kT0));
  // The mixed transaction's groups and spans are all there, the old events
  // with the new; the expired transaction behind it is gone; of the caused
  // rows only the fresh one is left.
  std::multiset<std::string> want(raws.begin(), raws.end());
  want.erase(want.find(raws[200]));  // the old caused event
  EXPECT_EQ(store_->StoredRaws(), want);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM event_groups WHERE seq = 1"), groups);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM event_spans WHERE seq = 1"), spans);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM event_groups WHERE seq = 2"), 0);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM event_spans WHERE seq = 2"), 0);

  // Once its newest second expires, it goes as a whole: the same Retention
  // (which remembered it) and a new one (after a restart) both find it.
  store_->StepUntilDone(*r, FromUnixMicros(kT0 + 13 * kDay));
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM event_groups"), groups);
  store_->StepUntilDone(*r, FromUnixMicros(kT0 + 14 * kDay));
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM event_groups"), 0);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM event_spans"), 0);
  EXPECT_TRUE(store_->StoredRaws().empty());
}

TEST_F(RetentionTest, RestartedRetentionFindsHeldTransactions) {
  std::vector<Line> lines = Lines(40, kT0 - 20 * kDay);
  for (const Line& l : Lines(40, kT0)) lines.push_back(l);
  store_->Write(lines);
  {
    auto r = MakeRetention(store_->db(), days(14));
    store_->StepUntilDone(*r, FromUnixMicros(kT0));
  }
  EXPECT_EQ(store_->StoredRaws().size(), 80u);
  auto r = MakeRetention(store_->db(), days(14));
  store_->StepUntilDone(*r, FromUnixMicros(kT0 + 15 * kDay));
  EXPECT_TRUE(store_->StoredRaws().empty());
}

TEST_F(RetentionTest, RowsFromBeforeSchema4GoByTheirTime) {
  // A current transaction, so a checkpoint (file id) exists.
  const auto fresh = store_->Write(Lines(5, kT0));
  // Ordinary events stored as rows, as schemas 1-3 did: those from before
  // schema 3 all have seq 0, with a span per second they cover.
  const int64_t old_ts = kT0 - 20 * kDay;
  for (const int64_t ts : {old_ts, old_ts + 1, kT0 - kHour}) {
    const std::string sql =
        "INSERT INTO events (ts_us, ts_precision_us, source_id, file_id, offset, kind, cause, "
        "raw, seq) VALUES (" +
        std::to_string(ts) + ", 1, " + std::to_string(store_->source_id()) +
        ", 1, 0, 1, 0, 'legacy', 0)";
    ASSERT_TRUE(store_->db().Exec(sql).ok());
    ASSERT_TRUE(store_->db()
                    .Exec("INSERT OR IGNORE INTO event_spans (second, seq) VALUES (" +
                          std::to_string(ts / 1000000) + ", 0)")
                    .ok());
  }
  auto r = MakeRetention(store_->db(), days(14));
  ASSERT_NE(r, nullptr);
  RetentionStep total;
  store_->StepUntilDone(*r, FromUnixMicros(kT0), &total);
  EXPECT_EQ(total.events_deleted, 2);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM events WHERE cause = 0"), 1);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM event_spans WHERE seq = 0"), 1);
  EXPECT_EQ(store_->Count("SELECT second FROM event_spans WHERE seq = 0"), (kT0 - kHour) / 1000000);
  std::multiset<std::string> want(fresh.begin(), fresh.end());
  want.insert("legacy");
  EXPECT_EQ(store_->StoredRaws(), want);
  // The current transaction behind seq 0 is untouched.
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM event_groups"), 1);
  store_->StepUntilDone(*r, FromUnixMicros(kT0 + 15 * kDay));
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM events"), 0);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM event_spans"), 0);
}

TEST_F(RetentionTest, EachStepStaysWithinItsBatch) {
  constexpr int kBatch = 40;
  for (int t = 0; t < 30; ++t) {
    clock_.Set(FromUnixMicros(kT0 - 20 * kDay + t * 1000000LL));
    // 100 events of 97 clients: a few groups per transaction; 20 caused
    // rows, 5 rejected lines and a report.
    store_->Write(Lines(100, kT0 - 20 * kDay + t * 1000000LL, 5, 20), 1);
  }
  const auto fresh = store_->Write(Lines(10, kT0));
  const int64_t groups = store_->Count("SELECT COUNT(*) FROM event_groups");
  const int64_t spans = store_->Count("SELECT COUNT(*) FROM event_spans");
  ASSERT_GT(store_->Count("SELECT SUM(count) FROM event_groups"), 10 * kBatch);

  auto r = MakeRetention(store_->db(), days(14), kBatch);
  ASSERT_NE(r, nullptr);
  RetentionStep total;
  int steps = 0;
  while (true) {
    auto s = r->Step(FromUnixMicros(kT0));
    ASSERT_TRUE(s.ok()) << s.status().message();
    ++steps;
    EXPECT_LE(s->events_deleted, kBatch);
    // Whole groups: one larger than the batch goes alone.
    if (s->groups_deleted != 1) {
      EXPECT_LE(s->grouped_events_deleted + s->spans_deleted, kBatch);
    }
    EXPECT_LE(s->rejected_deleted, kBatch);
    EXPECT_LE(s->reports_deleted, kBatch);
    if (steps == 1) {
      EXPECT_TRUE(s->more);
      EXPECT_EQ(s->events_deleted, kBatch);
      EXPECT_EQ(s->rejected_deleted, kBatch);
    }
    Add(*s, &total);
    if (!s->more) break;
    ASSERT_LT(steps, 1000);
  }
  EXPECT_EQ(total.events_deleted, 30 * 20);
  EXPECT_EQ(total.rejected_deleted, 30 * 5);
  EXPECT_EQ(total.reports_deleted, 30);
  EXPECT_EQ(total.groups_deleted, groups - 1);
  EXPECT_EQ(total.grouped_events_deleted, 30 * 75);
  EXPECT_EQ(total.spans_deleted, spans - 1);
  // Deleting 30 * 20 caused rows 40 at a time takes at least 15 steps.
  EXPECT_GE(steps, 15);
  EXPECT_EQ(store_->StoredRaws(), std::multiset<std::string>(fresh.begin(), fresh.end()));
}

TEST_F(RetentionTest, CheckpointsStayAndTheWriterResumes) {
  clock_.Set(FromUnixMicros(kT0 - 20 * kDay));
  store_->Write(Lines(100, kT0 - 20 * kDay, 10, 9), 1, /*inode=*/11);
  store_->Write(Lines(100, kT0 - 20 * kDay, 10, 9), 0, /*inode=*/12);
  const int64_t offset = store_->writer().ActiveCheckpoints(store_->source_id())[0].offset;
  ASSERT_GT(offset, 0);
  const int64_t checkpoints = store_->Count("SELECT COUNT(*) FROM checkpoints");
  const int64_t parsed = store_->Count("SELECT lines_parsed FROM sources");

  clock_.Set(FromUnixMicros(kT0));
  auto r = MakeRetention(store_->db(), days(14));
  ASSERT_NE(r, nullptr);
  store_->StepUntilDone(*r, FromUnixMicros(kT0));
  EXPECT_TRUE(store_->StoredRaws().empty());
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM checkpoints"), checkpoints);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM sources"), 1);
  EXPECT_EQ(store_->Count("SELECT lines_parsed FROM sources"), parsed);
  EXPECT_EQ(store_->Count("SELECT offset FROM checkpoints WHERE inode = 11"), offset);

  // The same file goes on from its checkpoint, in this writer and in a new
  // one (a restart, which numbers transactions from what is left).
  const auto more = store_->Write(Lines(10, kT0), 0, 11);
  EXPECT_GT(store_->Count("SELECT offset FROM checkpoints WHERE inode = 11"), offset);
  EXPECT_EQ(store_->Count("SELECT COUNT(*) FROM checkpoints"), checkpoints);
  auto w2 = EventWriter::Create(&store_->db(), &clock_);
  ASSERT_TRUE(w2.ok()) << w2.status().message();
  auto cps = (*w2)->ActiveCheckpoints(store_->source_id());
  ASSERT_EQ(cps.size(), 2u);
  EXPECT_EQ(cps[0].offset, store_->Count("SELECT offset FROM checkpoints WHERE inode = 11"));
  EXPECT_EQ(store_->StoredRaws(), std::multiset<std::string>(more.begin(), more.end()));
}

// Ingests `days` of steady traffic (the same volume every day), runs
// retention (unless keep is zero) until done at the end of each day, and
// returns the file size at each day's end.
std::vector<int64_t> SimulateDays(const std::string& path, int days_n, Duration keep,
                                  bool legacy_file) {
  testing::FakeClock clock(FromUnixMicros(kT0));
  auto store = TestStore::Open(path, &clock, legacy_file);
  if (store == nullptr) return {};
  std::unique_ptr<Retention> r;
  if (keep > Duration{}) r = MakeRetention(store->db(), keep);
  std::vector<int64_t> sizes;
  for (int d = 0; d < days_n; ++d) {
    // Eight transactions of 250 lines, three hours apart.
    for (int t = 0; t < 8; ++t) {
      const int64_t at = kT0 + d * kDay + t * 3 * kHour;
      clock.Set(FromUnixMicros(at + 3 * kHour));
      store->Write(Lines(250, at, /*cause_every=*/20, /*reject_every=*/50), 1);
    }
    if (r != nullptr) store->StepUntilDone(*r, FromUnixMicros(kT0 + (d + 1) * kDay));
    sizes.push_back(store->FileSize());
  }
  return sizes;
}

TEST(RetentionSizeTest, FileLevelsOffUnderSteadyIngest) {
  testing::TempDir dir;
  constexpr int kDays = 30;
  const auto kept = SimulateDays(dir.File("kept.db"), kDays, days(7), false);
  const auto legacy = SimulateDays(dir.File("legacy.db"), kDays, days(7), true);
  const auto all = SimulateDays(dir.File("all.db"), kDays, Duration{}, false);
  ASSERT_EQ(kept.size(), static_cast<size_t>(kDays));
  ASSERT_EQ(legacy.size(), static_cast<size_t>(kDays));
  ASSERT_EQ(all.size(), static_cast<size_t>(kDays));
  for (int d = 0; d < kDays; ++d) {
    std::cout << "day " << d << ": kept " << kept[d] << " legacy " << legacy[d] << " all " << all[d]
              << "\n";
  }
  // From day 10 on, a week of data: each later day's end within 10% of day
  // 10's, with incremental vacuum and (by reusing free pages) without.
  for (int d = 10; d < kDays; ++d) {
    EXPECT_LE(kept[d], kept[10] * 11 / 10) << "day " << d;
    EXPECT_GE(kept[d], kept[10] * 9 / 10) << "day " << d;
    EXPECT_LE(legacy[d], legacy[10] * 11 / 10) << "day " << d;
  }
  // Without retention the file keeps growing: 30 days of data against 11.
  EXPECT_GT(all[kDays - 1], all[10] * 2);
  EXPECT_GT(all[kDays - 1], kept[kDays - 1] * 3);
}

TEST_F(RetentionTest, IncrementalVacuumShrinksTheFile) {
  // Enough events that they, not the schema, make most of the file (groups
  // are stored compressed since schema 7). No rejected lines: those are
  // kept by the time they were read, which is now.
  for (int t = 0; t < 20; ++t) store_->Write(Lines(3000, kT0 - 20 * kDay + t * 4000000LL, 10, 0));
  const int64_t before = store_->FileSize();
  auto r = MakeRetention(store_->db(), days(14));
  ASSERT_NE(r, nullptr);
  RetentionStep total;
  store_->StepUntilDone(*r, FromUnixMicros(kT0), &total);
  EXPECT_GT(total.pages_freed, 0);
  // Steps that find nothing to delete still give free pages back.
  for (int i = 0; i < 100 && store_->Count("PRAGMA freelist_count") > 0; ++i) {
    ASSERT_TRUE(r->Step(FromUnixMicros(kT0)).ok());
  }
  EXPECT_EQ(store_->Count("PRAGMA freelist_count"), 0);
  EXPECT_LT(store_->FileSize(), before / 4);
}

// Counts SQLite virtual machine instructions (in hundreds) run on `db`.
int Progress(void* counter) {
  ++*static_cast<int64_t*>(counter);
  return 0;
}

int64_t StepCost(TestStore& store, Retention& r, Timestamp now) {
  int64_t hundreds = 0;
  sqlite3_progress_handler(store.db().raw(), 100, Progress, &hundreds);
  auto s = r.Step(now);
  sqlite3_progress_handler(store.db().raw(), 0, nullptr, nullptr);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return hundreds;
}

// Every row a step deletes is found by an index seek or a rowid range: the
// work of a step that deletes the same rows does not grow with how many
// fresh rows the tables hold (a scan of any of them would).
TEST(RetentionCostTest, StepWorkDoesNotGrowWithTheTables) {
  int64_t costs[2];
  for (int big = 0; big < 2; ++big) {
    testing::TempDir dir;
    testing::FakeClock clock(FromUnixMicros(kT0 - 20 * kDay));
    auto store = TestStore::Open(dir.File("c.db"), &clock);
    ASSERT_NE(store, nullptr);
    store->Write(Lines(200, kT0 - 20 * kDay, 10, 10), 5);
    clock.Set(FromUnixMicros(kT0));
    for (int t = 0; t < (big ? 100 : 2); ++t) store->Write(Lines(500, kT0, 10, 10), 5);
    auto r = MakeRetention(store->db(), days(14));
    ASSERT_NE(r, nullptr);
    costs[big] = StepCost(*store, *r, FromUnixMicros(kT0));
    EXPECT_EQ(store->Count("SELECT COUNT(*) FROM rejected_lines"), (big ? 100 : 2) * 50);
    EXPECT_EQ(store->Count("SELECT COUNT(*) FROM events"), (big ? 100 : 2) * 50);
  }
  // 98 more transactions of fresh rows: 4900 more events and rejected rows,
  // 490 reports. A scan would cost thousands of hundreds of instructions.
  EXPECT_LT(costs[1], costs[0] + 50) << "small " << costs[0] << ", big " << costs[1];
}

// Not run by default: fills a database with 2M lines over 20 days (~100
// clients per transaction, so groups of ~200 events) and times the steps
// (default options) that delete the older half. A step's time includes the
// WAL checkpoints its commits trigger, as the writer's own commits do.
//   store_retention_test --gtest_also_run_disabled_tests
//       --gtest_filter='*StepTimeOnABigDatabase*'
TEST(RetentionBenchTest, DISABLED_StepTimeOnABigDatabase) {
  testing::TempDir dir;
  testing::FakeClock clock(FromUnixMicros(kT0));
  constexpr int kTxns = 100;
  constexpr int kPerTxn = 20000;
  auto store = TestStore::Open(dir.File("big.db"), &clock);
  ASSERT_NE(store, nullptr);
  auto fill_start = std::chrono::steady_clock::now();
  for (int t = 0; t < kTxns; ++t) {
    const int64_t at = kT0 + t * (20 * kDay / kTxns);
    clock.Set(FromUnixMicros(at));
    store->Write(Lines(kPerTxn, at, /*cause_every=*/33, /*reject_every=*/100), 1);
  }
  const double fill_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count();
  std::cout << "filled " << kTxns * kPerTxn << " lines in " << fill_s << " s, file "
            << store->FileSize() / (1 << 20) << " MiB\n";
  auto r = MakeRetention(store->db(), days(10));
  ASSERT_NE(r, nullptr);
  std::vector<double> ms;
  RetentionStep total;
  while (true) {
    const auto start = std::chrono::steady_clock::now();
    auto s = r->Step(FromUnixMicros(kT0 + 20 * kDay));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    ASSERT_TRUE(s.ok()) << s.status().message();
    Add(*s, &total);
    if (!s->more) break;
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  double sum = 0;
  for (double x : ms) sum += x;
  std::cout << ms.size() << " steps: events " << total.events_deleted << ", groups "
            << total.groups_deleted << " (" << total.grouped_events_deleted << " events), rejected "
            << total.rejected_deleted << ", pages freed " << total.pages_freed << "; step ms: mean "
            << sum / ms.size() << ", median " << sorted[sorted.size() / 2] << ", p90 "
            << sorted[sorted.size() * 9 / 10] << ", max " << sorted.back() << "\n";
}

}  // namespace
}  // namespace culprit::store
