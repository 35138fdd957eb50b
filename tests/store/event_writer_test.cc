#include "daemon/store/event_writer.h"

#include <gtest/gtest.h>

#include "daemon/store/database.h"
#include "daemon/store/event_codec.h"
#include "daemon/store/json_text.h"
#include "daemon/store/source_registry.h"
#include "daemon/store/sqlite/db.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/stored_events.h"
#include "tests/testing/temp_dir.h"

namespace culprit::store {
namespace {

class EventWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenForWriting(dir_.File("culprit.db"));
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    std::vector<SourceDef> defs = {{"nginx", "/var/log/nginx/access.log", "nginx_combined"},
                                   {"app", "/var/log/app/*.jsonl", "json"}};
    auto ids = RegisterSources(*db_, defs, clock_.Now());
    ASSERT_TRUE(ids.ok()) << ids.status().message();
    ids_ = *ids;
    auto w = EventWriter::Create(db_.get(), &clock_);
    ASSERT_TRUE(w.ok()) << w.status().message();
    writer_ = std::move(*w);
  }

  int64_t Count(const std::string& sql) {
    auto n = db_->QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status().message();
    return n.ok() ? *n : -1;
  }

  // Every stored event, rows and groups, in insertion order.
  std::vector<StoredEvent> Events() { return testing::AllStoredEvents(dir_.File("culprit.db")); }

  // A segment of `n` lines "line <first+i>" of `source`'s file `inode`.
  static void AddLines(WriteBatch& b, int64_t source, uint64_t inode, int first, int n,
                       int64_t start_offset) {
    FileSegment& seg = b.BeginSegment();
    seg.source_id = source;
    seg.path = "/var/log/f" + std::to_string(inode);
    seg.key = {7, inode, "fp-" + std::to_string(inode)};
    int64_t off = start_offset;
    for (int i = first; i < first + n; ++i) {
      const std::string text = "line " + std::to_string(i);
      b.AddLine(off, text, false);
      if (i % 5 == 4) {
        b.Reject("no pattern matches");
      } else {
        parsers::Event& e = b.AddEvent();
        e.time = FromUnixMicros(1795464090000000 + i);
        e.kind = EventKind::kRequest;
        e.client_ip = *IpAddress::Parse("198.51.100.7");
        e.client_port = static_cast<uint16_t>(40000 + i);
        e.status = 200;
        e.SetExtra("method", "GET");
      }
      off += static_cast<int64_t>(text.size()) + 1;
    }
    b.segments.back().end_offset = off;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::unique_ptr<sqlite::Db> db_;
  std::vector<int64_t> ids_;
  std::unique_ptr<EventWriter> writer_;
};

// Schema 7: groups are stored LZ4-compressed, and groups stored plain (by
// an older culpritd) read back the same.
TEST_F(EventWriterTest, GroupsAreStoredCompressedAndPlainOnesStillRead) {
  WriteBatch b;
  AddLines(b, ids_[0], 11, 0, 400, 0);
  const WriteBatch* batches[] = {&b};
  ASSERT_TRUE(writer_->Write(batches).ok());
  const std::vector<StoredEvent> before = Events();
  ASSERT_EQ(before.size(), 320u);
  const int64_t groups = Count("SELECT COUNT(*) FROM event_groups");
  ASSERT_GT(groups, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM event_groups WHERE substr(data, 1, 1) = X'00'"), groups);
  const int64_t stored_bytes = Count("SELECT SUM(length(data)) FROM event_groups");

  // Rewrite every group as the plain packed events an older writer stored.
  {
    auto read = db_->Prepare("SELECT id, data FROM event_groups");
    ASSERT_TRUE(read.ok());
    auto write = db_->Prepare("UPDATE event_groups SET data = ? WHERE id = ?");
    ASSERT_TRUE(write.ok());
    std::vector<std::pair<int64_t, std::string>> plain;
    while (*read->Step()) {
      const auto blob = read->ColumnBlob(1);
      std::string buffer;
      std::string_view events;
      ASSERT_TRUE(GroupEvents(
          std::string_view(reinterpret_cast<const char*>(blob.data()), blob.size()), &buffer,
          &events));
      plain.emplace_back(read->ColumnInt(0), std::string(events));
    }
    read->Reset();
    for (const auto& [id, data] : plain) {
      ASSERT_TRUE(write->BindBlob(0, std::span<const uint8_t>(
                                         reinterpret_cast<const uint8_t*>(data.data()),
                                         data.size()))
                      .ok());
      ASSERT_TRUE(write->BindInt(1, id).ok());
      ASSERT_TRUE(write->Run().ok());
    }
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM event_groups WHERE substr(data, 1, 1) = X'00'"), 0);
  EXPECT_LT(stored_bytes * 2, Count("SELECT SUM(length(data)) FROM event_groups"));
  const std::vector<StoredEvent> after = Events();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].raw, before[i].raw);
    EXPECT_EQ(after[i].event.time, before[i].event.time);
  }
}

TEST_F(EventWriterTest, StoresEventsRejectsCheckpointAndCountersTogether) {
  WriteBatch b;
  AddLines(b, ids_[0], 11, 0, 10, 0);
  const WriteBatch* batches[] = {&b};
  ASSERT_TRUE(writer_->Write(batches).ok());

  const auto events = Events();
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rejected_lines"), 2);
  EXPECT_EQ(Count("SELECT lines_parsed FROM sources WHERE name = 'nginx'"), 8);
  EXPECT_EQ(Count("SELECT lines_rejected FROM sources WHERE name = 'nginx'"), 2);
  EXPECT_EQ(Count("SELECT offset FROM checkpoints WHERE inode = 11"), b.segments[0].end_offset);
  // None has a cause: all eight are packed into the client's one group,
  // without their extra fields, and read back with everything else.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM event_groups WHERE client_lo = "
                  "X'00000000000000000000ffffc6336407' AND count = 8"),
            1);
  for (size_t i = 0; i < events.size(); ++i) {
    const int line = static_cast<int>(i + i / 4);  // every fifth line was rejected
    const StoredEvent& se = events[i];
    EXPECT_EQ(se.raw, "line " + std::to_string(line));
    EXPECT_EQ(se.path, "/var/log/f11");
    EXPECT_EQ(se.source_id, ids_[0]);
    EXPECT_EQ(se.event.time, FromUnixMicros(1795464090000000 + line));
    EXPECT_EQ(se.event.client_ip->ToString(), "198.51.100.7");
    EXPECT_EQ(se.event.client_port, 40000 + line);
    EXPECT_EQ(se.event.status, 200);
    EXPECT_TRUE(se.event.extra.empty());
    if (i > 0) {
      EXPECT_GT(se.id, events[i - 1].id);
    }
  }

  auto cps = writer_->ActiveCheckpoints(ids_[0]);
  ASSERT_EQ(cps.size(), 1u);
  EXPECT_EQ(cps[0].key.inode, 11u);
  EXPECT_EQ(cps[0].offset, b.segments[0].end_offset);
  EXPECT_TRUE(writer_->ActiveCheckpoints(ids_[1]).empty());
}

TEST_F(EventWriterTest, CheckpointsSurviveReopeningAndFinishedFilesRetire) {
  WriteBatch b;
  AddLines(b, ids_[0], 11, 0, 3, 0);
  AddLines(b, ids_[1], 12, 0, 3, 0);
  const WriteBatch* batches[] = {&b};
  ASSERT_TRUE(writer_->Write(batches).ok());

  WriteBatch fin;
  FileSegment& seg = fin.BeginSegment();
  seg.source_id = ids_[0];
  seg.path = "/var/log/f11.1";
  seg.key = {7, 11, "fp-11"};
  seg.end_offset = b.segments[0].end_offset;
  seg.finished = true;
  const WriteBatch* batches2[] = {&fin};
  ASSERT_TRUE(writer_->Write(batches2).ok());
  EXPECT_TRUE(writer_->ActiveCheckpoints(ids_[0]).empty());

  auto again = EventWriter::Create(db_.get(), &clock_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->ActiveCheckpoints(ids_[0]).empty());
  auto app = (*again)->ActiveCheckpoints(ids_[1]);
  ASSERT_EQ(app.size(), 1u);
  EXPECT_EQ(app[0].offset, b.segments[1].end_offset);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM checkpoints"), 2);
  EXPECT_EQ(Count("SELECT active FROM checkpoints WHERE inode = 11"), 0);
}

TEST_F(EventWriterTest, FinishedFilesAreRetiredAndReactivatedWhenSeenAgain) {
  WriteBatch b;
  AddLines(b, ids_[0], 11, 0, 3, 0);
  b.segments[0].finished = true;
  const WriteBatch* batches[] = {&b};
  ASSERT_TRUE(writer_->Write(batches).ok());
  EXPECT_TRUE(writer_->ActiveCheckpoints(ids_[0]).empty());
  auto retired = writer_->RetiredCheckpoints(ids_[0]);
  ASSERT_EQ(retired.size(), 1u);
  EXPECT_EQ(retired[0].offset, b.segments[0].end_offset);

  // After a restart the writer still knows it.
  auto again = EventWriter::Create(db_.get(), &clock_);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ((*again)->RetiredCheckpoints(ids_[0]).size(), 1u);

  // The same file written to again: the same row, active again.
  WriteBatch more;
  AddLines(more, ids_[0], 11, 3, 2, b.segments[0].end_offset);
  const WriteBatch* batches2[] = {&more};
  ASSERT_TRUE((*again)->Write(batches2).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM checkpoints"), 1);
  EXPECT_EQ(Count("SELECT active FROM checkpoints"), 1);
  EXPECT_EQ((*again)->ActiveCheckpoints(ids_[0]).size(), 1u);
  EXPECT_TRUE((*again)->RetiredCheckpoints(ids_[0]).empty());
}

TEST_F(EventWriterTest, InodeReuseStartsANewFileRow) {
  WriteBatch b;
  AddLines(b, ids_[0], 11, 0, 3, 0);
  const WriteBatch* batches[] = {&b};
  ASSERT_TRUE(writer_->Write(batches).ok());

  WriteBatch reused;
  AddLines(reused, ids_[0], 11, 100, 2, 0);
  reused.segments[0].key.fingerprint = "something else entirely";
  const WriteBatch* batches2[] = {&reused};
  ASSERT_TRUE(writer_->Write(batches2).ok());

  EXPECT_EQ(Count("SELECT COUNT(*) FROM checkpoints WHERE inode = 11"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM checkpoints WHERE inode = 11 AND active = 1"), 1);
  auto cps = writer_->ActiveCheckpoints(ids_[0]);
  ASSERT_EQ(cps.size(), 1u);
  EXPECT_EQ(cps[0].key.fingerprint, "something else entirely");
}

TEST_F(EventWriterTest, AFailedTransactionStoresNothingAndCanBeRetried) {
  WriteBatch good;
  AddLines(good, ids_[0], 11, 0, 4, 0);
  WriteBatch bad;
  AddLines(bad, ids_[0], 12, 0, 4, 0);
  bad.segments[0].source_id = 999;  // no such source: the foreign key fails
  ASSERT_TRUE(db_->Exec("PRAGMA foreign_keys = ON").ok());
  const WriteBatch* both[] = {&good, &bad};
  EXPECT_FALSE(writer_->Write(both).ok());
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM event_groups"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM checkpoints"), 0);
  EXPECT_TRUE(writer_->ActiveCheckpoints(ids_[0]).empty());

  const WriteBatch* retry[] = {&good};
  ASSERT_TRUE(writer_->Write(retry).ok());
  EXPECT_EQ(Events().size(), 4u);
  EXPECT_EQ(writer_->ActiveCheckpoints(ids_[0]).size(), 1u);
}

TEST_F(EventWriterTest, ExtraFieldsAreStoredForEventsWithACause) {
  WriteBatch b;
  AddLines(b, ids_[0], 11, 0, 2, 0);
  parsers::Event& e = b.mutable_event(0);
  e.cause = Cause::kUpstreamFailure;
  e.SetExtra("upstream", "10.0.0.9:8080");
  const WriteBatch* batches[] = {&b};
  ASSERT_TRUE(writer_->Write(batches).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE extra = "
                  "'{\"method\":\"GET\",\"upstream\":\"10.0.0.9:8080\"}' AND cause = 5"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), 1);  // the other one is grouped
  EXPECT_EQ(Events().size(), 2u);
}

TEST_F(EventWriterTest, TruncationsAndTruncatedLinesAreCounted) {
  WriteBatch b;
  AddLines(b, ids_[0], 11, 0, 2, 0);
  b.segments[0].truncated_file = true;
  b.records[0].truncated = true;
  const WriteBatch* batches[] = {&b};
  ASSERT_TRUE(writer_->Write(batches).ok());
  EXPECT_EQ(Count("SELECT truncations FROM sources WHERE name = 'nginx'"), 1);
  EXPECT_EQ(Count("SELECT lines_truncated FROM sources WHERE name = 'nginx'"), 1);
  const auto events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.flags & parsers::kFlagTruncated, parsers::kFlagTruncated);
  EXPECT_EQ(events[1].event.flags & parsers::kFlagTruncated, 0u);
}

TEST_F(EventWriterTest, ReportsCommitWithTheBatchAndGetIds) {
  WriteBatch b;
  ReportRecord r;
  r.received_us = 1795464100000000;
  r.reported_us = 1795464090000000;
  r.clock_uncertainty_us = 5000000;
  r.client_ip = *IpAddress::Parse("198.51.100.7");
  r.client_port = 40112;
  r.error = "ECONNRESET";
  r.phase = "awaiting_response";
  r.labels_json = "{\"app\":\"shop\"}";
  r.cause = Cause::kUpstreamFailure;
  r.confidence = 0.9;
  r.diagnosis_json = "{}";
  b.reports.push_back(r);
  b.reports.push_back(r);
  AddLines(b, ids_[0], 11, 0, 2, 0);
  const WriteBatch* batches[] = {&b};
  ASSERT_TRUE(writer_->Write(batches).ok());
  ASSERT_EQ(writer_->report_ids().size(), 2u);
  EXPECT_EQ(writer_->report_ids()[1], writer_->report_ids()[0] + 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reports WHERE cause = 5 AND client_port = 40112 AND "
                  "labels = '{\"app\":\"shop\"}'"),
            2);
  EXPECT_EQ(Events().size(), 2u);
}

// Transactions less than 4 s apart share a sequence number; the next
// transaction after it closes rewrites its groups (one per client), unless
// some of them are gone meanwhile (retention deletes old sequences a few
// groups at a time): then it leaves them alone.
TEST_F(EventWriterTest, AClosedSequenceIsCompactedOnlyWhenWhole) {
  auto write = [&](int first) {
    WriteBatch b;
    AddLines(b, ids_[0], 1, first, 40, first * 10);
    const WriteBatch* batches[] = {&b};
    ASSERT_TRUE(writer_->Write(batches).ok());
    clock_.Advance(std::chrono::milliseconds(100));
  };
  for (int t = 0; t < 5; ++t) write(t * 40);  // one sequence: 5 transactions
  const int64_t seq = Count("SELECT MAX(seq) FROM event_groups");
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT seq) FROM event_groups"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM event_groups WHERE seq = " + std::to_string(seq)), 5);
  // Its groups overlap: lookups read it by range until it is rewritten.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM open_sequences WHERE seq = " + std::to_string(seq)), 1);
  const auto before = Events();
  clock_.Advance(std::chrono::seconds(4));
  write(200);  // a new sequence; the closed one is rewritten in this transaction
  EXPECT_EQ(writer_->totals().compactions, 1);
  // Its 160 events (every fifth line is rejected), all of one client: 1 group.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM event_groups WHERE seq = " + std::to_string(seq)), 1);
  EXPECT_EQ(Count("SELECT SUM(count) FROM event_groups WHERE seq = " + std::to_string(seq)),
            160);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM open_sequences WHERE seq = " + std::to_string(seq)), 0);
  // Every event as it was, none twice.
  auto after = Events();
  ASSERT_EQ(after.size(), before.size() + 32);
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].raw, before[i].raw);
  }

  // The next sequence loses a group before it closes: left as it is.
  for (int t = 0; t < 3; ++t) write(240 + t * 40);
  const int64_t next = Count("SELECT MAX(seq) FROM event_groups");
  ASSERT_EQ(Count("SELECT COUNT(*) FROM event_groups WHERE seq = " + std::to_string(next)), 4);
  ASSERT_TRUE(db_->Exec("DELETE FROM event_groups WHERE id = (SELECT MIN(id) FROM event_groups "
                        "WHERE seq = " + std::to_string(next) + ")").ok());
  clock_.Advance(std::chrono::seconds(4));
  write(400);
  EXPECT_EQ(writer_->totals().compactions, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM event_groups WHERE seq = " + std::to_string(next)), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM open_sequences WHERE seq = " + std::to_string(next)), 1);
}

TEST(JsonTextTest, ParsesWhatItWrites) {
  std::string out;
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"a\"b", std::string("x\\y\n\x01", 5)}, {"u", "caf\xc3\xa9 \xff"}, {"e", ""}};
  AppendJsonObject(fields, &out);
  auto back = ParseJsonObject(out);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, fields);
  EXPECT_FALSE(ParseJsonObject("{\"a\":1}").ok());
  EXPECT_FALSE(ParseJsonObject("{\"a\":\"b\"").ok());
  EXPECT_TRUE(ParseJsonObject("{}").ok());
}

TEST(JsonTextTest, EscapesControlsQuotesAndInvalidUtf8) {
  std::string out;
  AppendJsonObject({{"a\"b", std::string("x\\y\n\x01", 5)}, {"u", "caf\xc3\xa9 \xff\xc3"}}, &out);
  EXPECT_EQ(out, "{\"a\\\"b\":\"x\\\\y\\n\\u0001\",\"u\":\"caf\xc3\xa9 \\u00ff\\u00c3\"}");
}

TEST(WriteBatchTest, RejectAfterAddEventReturnsTheSlot) {
  WriteBatch b;
  b.BeginSegment();
  b.AddLine(0, "a", false);
  b.AddEvent();
  b.Reject("bad");
  b.AddLine(2, "b", false);
  b.AddEvent().status = 200;
  EXPECT_EQ(b.event_count(), 1u);
  EXPECT_EQ(b.records[0].event_index, -1);
  EXPECT_EQ(b.records[1].event_index, 0);
  EXPECT_EQ(b.Raw(b.records[1]), "b");
  b.Clear();
  EXPECT_EQ(b.line_count(), 0u);
  EXPECT_EQ(b.event_count(), 0u);
}

}  // namespace
}  // namespace culprit::store
