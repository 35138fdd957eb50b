// FindEvents on a real database written by EventWriter: every field comes
// back as stored, each filter narrows as documented, and the lookup by
// client and time window uses the index.

#include "daemon/store/sqlite_event_query.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <random>

#include <map>

#include "daemon/store/database.h"
#include "daemon/store/event_writer.h"
#include "daemon/store/migrations.h"
#include "daemon/store/source_registry.h"
#include "daemon/store/sqlite/db.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace culprit::store {
namespace {

constexpr int64_t kT0 = 1795464090'000000;  // 2026-11-23T20:01:30Z

class SqliteEventQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("culprit.db");
    auto db = OpenForWriting(path_);
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    std::vector<SourceDef> defs = {{"nginx", "/var/log/nginx/access.log", "nginx_combined"},
                                   {"err", "/var/log/nginx/error.log", "nginx_error"}};
    auto ids = RegisterSources(*db_, defs, clock_.Now());
    ASSERT_TRUE(ids.ok());
    ids_ = *ids;

    WriteBatch b;
    FileSegment& seg = b.BeginSegment();
    seg.source_id = ids_[0];
    seg.path = "/var/log/nginx/access.log";
    seg.key = {1, 2, "fp"};
    // Three minutes of events from two clients, one of them IPv6.
    for (int i = 0; i < 180; ++i) {
      const std::string raw = "line " + std::to_string(i);
      b.AddLine(i * 100, raw, false);
      parsers::Event& e = b.AddEvent();
      e.time = FromUnixMicros(kT0 + int64_t{i} * 1'000'000);
      e.precision = std::chrono::milliseconds(1);
      e.kind = EventKind::kRequest;
      e.client_ip = *IpAddress::Parse(i % 2 == 0 ? "198.51.100.7" : "2001:db8::7");
      e.client_port = static_cast<uint16_t>(40000 + i);
      e.server_port = 443;
      e.status = i == 90 ? 502 : 200;
      e.cause = i == 90 ? Cause::kUpstreamFailure : Cause::kNone;
      e.conn_id = std::to_string(1000 + i / 10);
      e.request_id = "rid" + std::to_string(i);
      e.duration = std::chrono::milliseconds(i);
      e.bytes_out = 512;
      if (i == 90) {
        e.SetExtra("upstream", "10.0.0.9:8080");
        e.SetExtra("odd", std::string("caf\xc3\xa9 \xff", 7));
        e.phase = "reading response header from upstream";
        e.detail = "status 502";
      }
    }
    seg.end_offset = 18000;
    auto w = EventWriter::Create(db_.get(), &clock_);
    ASSERT_TRUE(w.ok());
    const WriteBatch* batches[] = {&b};
    ASSERT_TRUE((*w)->Write(batches).ok());
    auto q = SqliteEventQuery::Open(path_);
    ASSERT_TRUE(q.ok()) << q.status().message();
    query_ = std::move(*q);
  }

  EventFilter Window(int64_t from_s, int64_t to_s) {
    EventFilter f;
    f.from = FromUnixMicros(kT0 + from_s * 1'000'000);
    f.to = FromUnixMicros(kT0 + to_s * 1'000'000);
    return f;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::string path_;
  std::unique_ptr<sqlite::Db> db_;
  std::vector<int64_t> ids_;
  std::unique_ptr<SqliteEventQuery> query_;
};

TEST_F(SqliteEventQueryTest, ClientAndWindowReturnsEveryFieldAsStored) {
  EventFilter f = Window(85, 95);
  f.client_ip = *IpAddress::Parse("198.51.100.7");
  auto r = query_->FindEvents(f);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 5u);  // the even seconds 86..94
  EXPECT_EQ((*r)[0].event.time, FromUnixMicros(kT0 + 86'000'000));
  const StoredEvent& s = (*r)[2];
  EXPECT_EQ(s.raw, "line 90");
  EXPECT_EQ(s.offset, 9000);
  EXPECT_EQ(s.path, "/var/log/nginx/access.log");
  EXPECT_EQ(s.source_id, ids_[0]);
  const parsers::Event& e = s.event;
  EXPECT_EQ(e.precision, std::chrono::milliseconds(1));
  EXPECT_EQ(e.kind, EventKind::kRequest);
  EXPECT_EQ(e.cause, Cause::kUpstreamFailure);
  EXPECT_EQ(e.client_ip->ToString(), "198.51.100.7");
  EXPECT_EQ(e.client_port, 40090);
  EXPECT_EQ(e.server_port, 443);
  EXPECT_EQ(e.status, 502);
  EXPECT_EQ(e.conn_id, "1009");
  EXPECT_EQ(e.request_id, "rid90");
  EXPECT_EQ(e.duration, std::chrono::milliseconds(90));
  EXPECT_EQ(e.bytes_out, 512);
  EXPECT_EQ(e.phase, "reading response header from upstream");
  EXPECT_EQ(e.detail, "status 502");
  EXPECT_EQ(e.Extra("upstream"), "10.0.0.9:8080");
  EXPECT_EQ(e.Extra("odd"), std::string("caf\xc3\xa9 \xff", 7));  // bytes kept as they were
}

TEST_F(SqliteEventQueryTest, InOneSnapshotEveryLookupSeesTheSameState) {
  EventFilter f = Window(85, 95);
  f.client_ip = *IpAddress::Parse("198.51.100.7");
  auto writer = EventWriter::Create(db_.get(), &clock_);
  ASSERT_TRUE(writer.ok());
  // Another file of the source gets one more event of that client in the
  // window, committed by the writer's connection.
  auto write_one = [&](int64_t offset) {
    WriteBatch b;
    FileSegment& seg = b.BeginSegment();
    seg.source_id = ids_[0];
    seg.path = "/var/log/nginx/access.log.1";
    seg.key = {1, 3, "fp2"};
    b.AddLine(offset, "late line", false);
    parsers::Event& e = b.AddEvent();
    e.time = FromUnixMicros(kT0 + 88'500'000);
    e.kind = EventKind::kRequest;
    e.client_ip = *IpAddress::Parse("198.51.100.7");
    e.status = 200;
    seg.end_offset = offset + 10;
    const WriteBatch* batches[] = {&b};
    ASSERT_TRUE((*writer)->Write(batches).ok());
  };

  size_t before = 0, during = 0, nested = 0;
  const Status st = query_->InOneSnapshot([&] {
    auto r = query_->FindEvents(f);
    ASSERT_TRUE(r.ok()) << r.status().message();
    before = r->size();
    write_one(0);
    r = query_->FindEvents(f);
    ASSERT_TRUE(r.ok()) << r.status().message();
    during = r->size();
    // Nested: still the same snapshot.
    ASSERT_TRUE(query_->InOneSnapshot([&] { nested = query_->FindEvents(f)->size(); }).ok());
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(before, 5u);
  EXPECT_EQ(during, 5u);  // the commit came after the snapshot was taken
  EXPECT_EQ(nested, 5u);
  // Outside, each call reads the newest state.
  EXPECT_EQ(query_->FindEvents(f)->size(), 6u);
  write_one(10);
  EXPECT_EQ(query_->FindEvents(f)->size(), 7u);
}

// A database from before schema 4 kept ordinary events as rows too: a
// lookup of a client's events with a cause leaves them out until the last
// one is gone, and then answers from the index alone.
TEST_F(SqliteEventQueryTest, RowsWithoutACauseFromOlderSchemasAreLeftOut) {
  ASSERT_TRUE(db_->Exec("INSERT INTO events (ts_us, ts_precision_us, source_id, file_id, offset, "
                        "kind, cause, client_ip, seq, raw) SELECT ts_us + 1, ts_precision_us, "
                        "source_id, file_id, 1, kind, 0, client_ip, seq, 'old ordinary row' "
                        "FROM events WHERE cause <> 0")
                  .ok());
  EventFilter caused = Window(0, 179);
  caused.client_ip = *IpAddress::Parse("198.51.100.7");
  caused.with_cause_only = true;
  EventFilter all = caused;
  all.with_cause_only = false;
  const size_t every = query_->FindEvents(all)->size();
  auto r = query_->FindEvents(caused);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].raw, "line 90");
  ASSERT_TRUE(db_->Exec("DELETE FROM events WHERE cause = 0").ok());
  r = query_->FindEvents(caused);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].raw, "line 90");
  EXPECT_EQ(query_->FindEvents(all)->size(), every - 1);
}

// Rows (events with a cause) and grouped events compete for one limit: the
// answer is the first `limit` of both in the filter's order, whichever way
// they are stored.
TEST_F(SqliteEventQueryTest, RowsAndGroupsShareTheLimitInOrder) {
  for (const bool newest : {false, true}) {
    for (const size_t limit : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{200}}) {
      EventFilter f = Window(80, 100);
      f.client_ip = *IpAddress::Parse("198.51.100.7");
      f.newest_first = newest;
      f.limit = limit;
      auto r = query_->FindEvents(f);
      ASSERT_TRUE(r.ok()) << r.status().message();
      // The client's even seconds 80..100; the 502 at 90 is a row.
      std::vector<int> want;
      for (int i = 80; i <= 100; i += 2) want.push_back(i);
      if (newest) std::reverse(want.begin(), want.end());
      want.resize(std::min(limit, want.size()));
      ASSERT_EQ(r->size(), want.size()) << newest << " " << limit;
      for (size_t k = 0; k < want.size(); ++k) {
        EXPECT_EQ((*r)[k].raw, "line " + std::to_string(want[k])) << newest << " " << limit;
        EXPECT_EQ((*r)[k].path, "/var/log/nginx/access.log");
      }
    }
  }
}

TEST_F(SqliteEventQueryTest, FiltersNarrowAndOrderAsAsked) {
  EventFilter all = Window(0, 179);
  auto r = query_->FindEvents(all);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 180u);

  EventFilter v6 = Window(0, 179);
  v6.client_prefix = *IpPrefix::Parse("2001:db8::/32");
  r = query_->FindEvents(v6);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 90u);

  EventFilter port = Window(0, 179);
  port.client_ip = *IpAddress::Parse("2001:db8::7");
  port.client_port = 40001;
  r = query_->FindEvents(port);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].raw, "line 1");

  EventFilter caused = Window(0, 179);
  caused.with_cause_only = true;
  r = query_->FindEvents(caused);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].raw, "line 90");

  EventFilter conn = Window(0, 179);
  conn.conn_id = "1003";
  conn.newest_first = true;
  conn.limit = 3;
  r = query_->FindEvents(conn);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].raw, "line 39");
  EXPECT_EQ((*r)[2].raw, "line 37");

  EventFilter rid = Window(0, 179);
  rid.request_id = "rid7";
  rid.source_id = ids_[0];
  rid.kind = EventKind::kRequest;
  rid.server_port = 443;
  r = query_->FindEvents(rid);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);

  rid.source_id = ids_[1];
  r = query_->FindEvents(rid);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST_F(SqliteEventQueryTest, CountCausesCountsEventsAndReportsInTheRange) {
  ASSERT_TRUE(db_->Exec("INSERT INTO reports (received_us, reported_us, clock_uncertainty_us, "
                        "error, cause, confidence, diagnosis) VALUES "
                        "(0, 1795464100000000, 0, 'EOF', 5, 0.9, '{}'),"
                        "(0, 1795464101000000, 0, 'EOF', 14, 0.5, '{}'),"
                        "(0, 1795464999000000, 0, 'EOF', 5, 0.9, '{}')")
                  .ok());
  auto c = query_->CountCauses(FromUnixMicros(kT0), FromUnixMicros(kT0 + 179'000'000));
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].cause, Cause::kUpstreamFailure);
  EXPECT_EQ((*c)[0].events, 1);
  EXPECT_EQ((*c)[0].reports, 1);
  EXPECT_EQ((*c)[1].cause, Cause::kNoneOnServer);
  EXPECT_EQ((*c)[1].reports, 1);
  EXPECT_EQ((*c)[1].events, 0);
  EXPECT_EQ(query_->CountCauses(FromUnixMicros(kT0), FromUnixMicros(kT0 - 1)).status().code(),
            StatusCode::kInvalidArgument);
}

// Far more query shapes than the statement cache keeps: it is trimmed
// between calls, never under a statement being stepped, and every answer
// stays right.
TEST_F(SqliteEventQueryTest, ManyQueryShapesKeepAnsweringRight) {
  EventFilter base = Window(0, 179);
  base.client_ip = *IpAddress::Parse("198.51.100.7");
  const size_t all = query_->FindEvents(base)->size();
  ASSERT_GT(all, 0u);
  for (int mask = 0; mask < 256; ++mask) {
    EventFilter f = base;
    if (mask & 1) f.newest_first = true;
    if (mask & 2) f.source_id = 1;
    if (mask & 4) f.kind = EventKind::kRequest;
    if (mask & 8) f.with_cause_only = true;
    if (mask & 16) f.server_port = 443;
    if (mask & 32) f.limit = 5;
    if (mask & 64) f.conn_id = "no-such-connection";
    if (mask & 128) f.client_ip.reset();
    auto r = query_->FindEvents(f);
    ASSERT_TRUE(r.ok()) << mask << ": " << r.status().message();
    if (mask == 1) {
      EXPECT_EQ(r->size(), all);
    }
    if (mask & 64) {
      EXPECT_TRUE(r->empty()) << mask;
    }
    for (const StoredEvent& e : *r) EXPECT_FALSE(e.path.empty()) << mask;
  }
  EXPECT_EQ(query_->FindEvents(base)->size(), all);
}

TEST_F(SqliteEventQueryTest, BadFiltersAreInvalidArguments) {
  EventFilter backwards = Window(10, 0);
  EXPECT_EQ(query_->FindEvents(backwards).status().code(), StatusCode::kInvalidArgument);
  EventFilter zero = Window(0, 10);
  zero.limit = 0;
  EXPECT_EQ(query_->FindEvents(zero).status().code(), StatusCode::kInvalidArgument);
  EventFilter both = Window(0, 10);
  both.client_ip = *IpAddress::Parse("198.51.100.7");
  both.client_prefix = *IpPrefix::Parse("198.51.100.0/24");
  EXPECT_EQ(query_->FindEvents(both).status().code(), StatusCode::kInvalidArgument);
}

// The plan of a query, one detail line per step.
std::string Plan(sqlite::Db& db, const SqliteEventQuery::Query& q) {
  auto stmt = db.Prepare("EXPLAIN QUERY PLAN " + q.sql);
  EXPECT_TRUE(stmt.ok()) << stmt.status().message();
  if (!stmt.ok()) return "";
  std::string plan;
  for (auto row = stmt->Step(); row.ok() && *row; row = stmt->Step()) {
    plan += std::string(stmt->ColumnText(3)) + "\n";
  }
  return plan;
}

TEST_F(SqliteEventQueryTest, ClientWindowLookupSeeksEachTransactionOfTheWindow) {
  EventFilter f = Window(20, 40);  // 20:01:50 .. 20:02:10
  f.client_ip = *IpAddress::Parse("198.51.100.7");
  auto q = SqliteEventQuery::BuildQuery(f);
  ASSERT_TRUE(q.ok());
  const std::string plan = Plan(*db_, *q);
  EXPECT_NE(plan.find("INDEX events_by_seq_client (seq=? AND client_ip=? AND "
                      "ts_us>? AND ts_us<?)"),
            std::string::npos)
      << plan;
  EXPECT_NE(plan.find("SEARCH event_spans USING PRIMARY KEY (second>? AND second<?)"),
            std::string::npos)
      << plan;
  // Ids and times are chosen on the index alone, ordered and cut there;
  // FindEvents() reads by id only the rows that make the cut: whole rows
  // are never sorted.
  EXPECT_EQ(plan.find("SEARCH e USING COVERING INDEX events_by_seq_client (seq=? AND "
                      "client_ip=? AND ts_us>? AND ts_us<?)"),
            0u)
      << plan;
  // Ordinary events: per sequence one seek for the group that may hold
  // the client, then that group's row by id.
  const auto gq = SqliteEventQuery::BuildGroupQuery(f);
  ASSERT_TRUE(gq.has_value());
  const std::string gplan = Plan(*db_, *gq);
  EXPECT_NE(gplan.find("USING COVERING INDEX event_groups_by_seq (seq=? AND client_lo<?)"),
            std::string::npos)
      << gplan;
  EXPECT_NE(gplan.find("SEARCH g USING INTEGER PRIMARY KEY (rowid=?)"), std::string::npos)
      << gplan;
  // A sequence whose groups still overlap: one range of the index, both
  // ends of each group's range checked there.
  const std::string oplan =
      Plan(*db_, {SqliteEventQuery::OverlappingGroupsSql(/*with_port=*/false), {}});
  EXPECT_NE(oplan.find("SEARCH event_groups USING INDEX event_groups_by_seq (seq=? AND "
                       "client_lo<?)"),
            std::string::npos)
      << oplan;

  // Events with a cause have their own partial indexes.
  EventFilter host = Window(0, 179);
  host.with_cause_only = true;
  host.kind = EventKind::kProcess;
  auto hq = SqliteEventQuery::BuildQuery(host);
  ASSERT_TRUE(hq.ok());
  EXPECT_NE(Plan(*db_, *hq).find("INDEX events_with_cause_by_kind (kind=? AND ts_us>? AND "
                                 "ts_us<?)"),
            std::string::npos)
      << Plan(*db_, *hq);
  EventFilter window = Window(0, 179);
  window.cause = Cause::kResourceExhaustion;
  auto wq = SqliteEventQuery::BuildQuery(window);
  ASSERT_TRUE(wq.ok());
  EXPECT_NE(Plan(*db_, *wq).find("INDEX events_with_cause_by_cause (cause=? AND ts_us>? AND "
                                 "ts_us<?)"),
            std::string::npos)
      << Plan(*db_, *wq);
  EventFilter recent = Window(0, 179);
  recent.with_cause_only = true;
  recent.client_ip = *IpAddress::Parse("198.51.100.7");
  auto rq2 = SqliteEventQuery::BuildQuery(recent);
  ASSERT_TRUE(rq2.ok());
  EXPECT_NE(Plan(*db_, *rq2).find("INDEX events_by_seq_client (seq=? AND client_ip=? AND "
                                  "ts_us>? AND ts_us<?)"),
            std::string::npos)
      << Plan(*db_, *rq2);
  // Where no row lacks a cause, the index alone answers it.
  auto rq3 = SqliteEventQuery::BuildQuery(recent, false, /*every_row_has_cause=*/true);
  ASSERT_TRUE(rq3.ok());
  EXPECT_NE(Plan(*db_, *rq3).find("COVERING INDEX events_by_seq_client (seq=? AND client_ip=? "
                                  "AND ts_us>? AND ts_us<?)"),
            std::string::npos)
      << Plan(*db_, *rq3);
  EXPECT_EQ(query_->FindEvents(recent)->size(), 1u);  // the one 502

  EventFilter chain = Window(0, 179);
  chain.with_cause_only = true;
  chain.request_id = "rid90";
  auto cq = SqliteEventQuery::BuildQuery(chain);
  ASSERT_TRUE(cq.ok());
  EXPECT_NE(Plan(*db_, *cq).find("INDEX events_by_request_id (request_id=? AND ts_us>? AND "
                                 "ts_us<?)"),
            std::string::npos)
      << Plan(*db_, *cq);
  EXPECT_EQ(query_->FindEvents(chain)->size(), 1u);

  EventFilter range = Window(0, 179);  // no client: each transaction's entries
  auto rq = SqliteEventQuery::BuildQuery(range);
  ASSERT_TRUE(rq.ok());
  EXPECT_NE(Plan(*db_, *rq).find("INDEX events_by_seq_client (seq=?)"), std::string::npos)
      << Plan(*db_, *rq);
}


// Grouped events: a transaction's ordinary events are cut into groups of
// 32 or more, never splitting a client's events. Every client's lookup, a
// CIDR and a time-only search find exactly what was written.
TEST(SqliteEventQueryGroupsTest, EveryClientIsFoundWhateverGroupItLandsIn) {
  testing::TempDir dir;
  testing::FakeClock clock;
  const std::string path = dir.File("culprit.db");
  auto db = OpenForWriting(path);
  ASSERT_TRUE(db.ok());
  const std::vector<SourceDef> defs = {{"nginx", "/var/log/nginx/access.log", "nginx_combined"}};
  auto ids = RegisterSources(**db, defs, clock.Now());
  ASSERT_TRUE(ids.ok());
  auto w = EventWriter::Create(db->get(), &clock);
  ASSERT_TRUE(w.ok());
  // 60 clients in 10.0.0.0/24 (client k has k % 7 * 3 + 1 events, client 20
  // has 50), one without an address, shuffled over 40 seconds.
  std::map<std::string, int> expected;
  std::vector<std::string> order;
  for (int k = 0; k < 60; ++k) {
    const std::string ip = "10.0.0." + std::to_string(k + 1);
    const int n = k == 20 ? 50 : k % 7 * 3 + 1;
    expected[ip] = n;
    for (int i = 0; i < n; ++i) order.push_back(ip);
  }
  order.push_back("");
  std::mt19937 rng(3);
  std::shuffle(order.begin(), order.end(), rng);
  WriteBatch b;
  FileSegment& seg = b.BeginSegment();
  seg.source_id = (*ids)[0];
  seg.path = "/var/log/nginx/access.log";
  seg.key = {1, 2, "fp"};
  for (size_t i = 0; i < order.size(); ++i) {
    b.AddLine(static_cast<int64_t>(i) * 10, order[i] + " line " + std::to_string(i), false);
    parsers::Event& e = b.AddEvent();
    e.time = FromUnixMicros(kT0 + static_cast<int64_t>(i % 40) * 1'000'000);
    e.kind = EventKind::kRequest;
    if (!order[i].empty()) e.client_ip = *IpAddress::Parse(order[i]);
  }
  seg.end_offset = static_cast<int64_t>(order.size()) * 10;
  const WriteBatch* batches[] = {&b};
  const Status written = (*w)->Write(batches);
  ASSERT_TRUE(written.ok()) << written.message();
  EXPECT_GT(*(*db)->QueryInt("SELECT COUNT(*) FROM event_groups"), 3);
  EXPECT_GE(*(*db)->QueryInt("SELECT MAX(count) FROM event_groups"), 50);  // never split

  auto q = SqliteEventQuery::Open(path);
  ASSERT_TRUE(q.ok());
  EventFilter f;
  f.from = FromUnixMicros(kT0);
  f.to = FromUnixMicros(kT0 + 39'000'000);
  for (const auto& [ip, n] : expected) {
    f.client_ip = *IpAddress::Parse(ip);
    auto r = (*q)->FindEvents(f);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->size(), static_cast<size_t>(n)) << ip;
    for (const StoredEvent& se : *r) EXPECT_EQ(se.raw.substr(0, ip.size() + 1), ip + " ");
  }
  f.client_ip = *IpAddress::Parse("10.0.0.200");  // not there
  EXPECT_TRUE((*q)->FindEvents(f)->empty());
  f.client_ip.reset();
  f.client_prefix = *IpPrefix::Parse("10.0.0.16/28");  // .16 .. .31: clients 15..30
  int in_prefix = 0;
  for (int k = 15; k <= 30; ++k) in_prefix += expected["10.0.0." + std::to_string(k + 1)];
  EXPECT_EQ((*q)->FindEvents(f)->size(), static_cast<size_t>(in_prefix));
  f.client_prefix.reset();
  f.to = FromUnixMicros(kT0 + 9'000'000);  // a quarter of the seconds
  auto quarter = (*q)->FindEvents(f);
  size_t want = 0;
  for (size_t i = 0; i < order.size(); ++i) want += i % 40 < 10;
  EXPECT_EQ(quarter->size(), want);
  EXPECT_TRUE(std::is_sorted(quarter->begin(), quarter->end(),
                             [](const StoredEvent& a, const StoredEvent& b) {
                               return a.event.time < b.event.time;
                             }));
  f.limit = 5;
  f.newest_first = true;
  auto newest = (*q)->FindEvents(f);
  ASSERT_EQ(newest->size(), 5u);
  EXPECT_EQ((*newest)[0].event.time, FromUnixMicros(kT0 + 9'000'000));
}

// Events of every write transaction are found, across writer restarts, and
// so are events stored before schema version 3 (they all have seq 0).
// Transactions within 4 s of each other share a sequence number; a later
// one, or a restarted writer, starts a new one.
TEST(SqliteEventQuerySeqTest, EveryTransactionAndPreVersion3EventsAreFound) {
  testing::TempDir dir;
  testing::FakeClock clock;
  const std::string path = dir.File("culprit.db");
  {
    auto db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    auto migrations = *BuiltinMigrations();
    ASSERT_TRUE(Migrate(**db, std::span(migrations).first(2)).ok());
    ASSERT_TRUE((*db)->Exec(
        "INSERT INTO sources (id, name, path, format, created_us) "
        "VALUES (1, 'nginx', '/var/log/nginx/access.log', 'nginx_combined', 0);"
        "INSERT INTO checkpoints (id, source_id, path, dev, inode, fingerprint, offset, "
        "updated_us) VALUES (1, 1, '/var/log/nginx/access.log', 1, 2, x'00', 100, 0);"
        "INSERT INTO events (ts_us, ts_precision_us, source_id, file_id, offset, kind, "
        "client_ip, raw) VALUES (1795464095000000, 1000000, 1, 1, 0, 1, "
        "x'00000000000000000000ffffc6336407', 'old line');").ok());
  }
  auto db = OpenForWriting(path);
  ASSERT_TRUE(db.ok()) << db.status().message();
  const auto client = *IpAddress::Parse("198.51.100.7");
  for (int restart = 0; restart < 2; ++restart) {
    auto w = EventWriter::Create(db->get(), &clock);
    ASSERT_TRUE(w.ok());
    for (int txn = 0; txn < 3; ++txn) {
      if (txn == 2) clock.Advance(std::chrono::seconds(4));
      WriteBatch b;
      FileSegment& seg = b.BeginSegment();
      seg.source_id = 1;
      seg.path = "/var/log/nginx/access.log";
      seg.key = {1, 2, std::string(1, '\0')};
      const int n = restart * 3 + txn;
      b.AddLine(100 + n * 10, "new line " + std::to_string(n), false);
      parsers::Event& e = b.AddEvent();
      // Every transaction stores an event in the old line's second too.
      e.time = FromUnixMicros(kT0 + 5'000'000 + n * 1000);
      e.kind = EventKind::kRequest;
      e.client_ip = client;
      seg.end_offset = 110 + n * 10;
      const WriteBatch* batches[] = {&b};
      ASSERT_TRUE((*w)->Write(batches).ok());
    }
  }
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(DISTINCT seq) FROM event_groups"), 4);
  EXPECT_EQ(*(*db)->QueryInt("SELECT MAX(seq) FROM event_groups"), 4);
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM event_spans WHERE second = 1795464095"), 5);
  auto q = SqliteEventQuery::Open(path);
  ASSERT_TRUE(q.ok());
  EventFilter f;
  f.from = FromUnixMicros(kT0 + 4'000'000);
  f.to = FromUnixMicros(kT0 + 6'000'000);
  f.client_ip = client;
  auto r = (*q)->FindEvents(f);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 7u);
  EXPECT_EQ((*r)[0].raw, "old line");
  for (size_t i = 1; i < r->size(); ++i) EXPECT_EQ((*r)[i].raw, "new line " + std::to_string(i - 1));
}

// A new database at `path` with one source, "nginx" (id 1), and a writer
// on `clock`; the writer is null (and the test failed) if either failed.
struct NginxStore {
  std::unique_ptr<sqlite::Db> db;
  std::unique_ptr<EventWriter> writer;
};
NginxStore OpenNginxStore(const std::string& path, const Clock* clock) {
  NginxStore out;
  auto db = OpenForWriting(path);
  EXPECT_TRUE(db.ok()) << db.status().message();
  if (!db.ok()) return out;
  out.db = std::move(*db);
  const Status st = out.db->Exec(
      "INSERT INTO sources (id, name, path, format, created_us) "
      "VALUES (1, 'nginx', '/var/log/nginx/access.log', 'nginx_combined', 0)");
  EXPECT_TRUE(st.ok()) << st.message();
  auto w = EventWriter::Create(out.db.get(), clock);
  EXPECT_TRUE(w.ok()) << w.status().message();
  if (st.ok() && w.ok()) out.writer = std::move(*w);
  return out;
}

// A live log committed every 50 ms: consecutive transactions share a
// sequence number for 4 s, and a closed sequence's groups are
// rewritten as one transaction's, so a window's lookup reads a group per
// sequence, not one per transaction; a backlog transaction (old events)
// gets a sequence of its own. Every client's events are found exactly, whatever sequence,
// transaction and group they landed in, with any port and limit.
TEST(SqliteEventQuerySeqTest, SmallTransactionsShareSequencesAndEveryEventIsFound) {
  testing::TempDir dir;
  testing::FakeClock clock;
  clock.Set(FromUnixMicros(kT0));
  const std::string path = dir.File("culprit.db");
  NginxStore store = OpenNginxStore(path, &clock);
  ASSERT_TRUE(store.writer != nullptr);
  auto& db = store.db;
  auto& w = store.writer;
  const IpAddress clients[] = {*IpAddress::Parse("10.0.1.2"), *IpAddress::Parse("10.0.1.3"),
                               *IpAddress::Parse("2001:db8::9"), *IpAddress::Parse("10.0.0.1")};
  std::map<std::string, std::vector<std::string>> written;  // client -> raw lines, in time order
  int64_t offset = 0;
  int line = 0;
  auto write = [&](int n, int64_t first_us, bool busy_first) {
    WriteBatch b;
    FileSegment& seg = b.BeginSegment();
    seg.source_id = 1;
    seg.path = "/var/log/nginx/access.log";
    seg.key = {1, 2, std::string(1, '\0')};
    for (int i = 0; i < n; ++i, ++line) {
      const std::string raw = "line " + std::to_string(line);
      b.AddLine(offset, raw, false);
      offset += static_cast<int64_t>(raw.size()) + 1;
      parsers::Event& e = b.AddEvent();
      e.time = FromUnixMicros(first_us + i * 1000);
      e.kind = EventKind::kRequest;
      // The first client is in most lines; a few have a cause (rows).
      const IpAddress& c = busy_first && i % 3 != 0 ? clients[0] : clients[(line / 3) % 4];
      e.client_ip = c;
      e.client_port = static_cast<uint16_t>(40000 + line % 7);
      if (line % 11 == 0) {
        e.status = 502;
        e.cause = Cause::kUpstreamFailure;
      }
      written[c.ToString()].push_back(raw);
    }
    seg.end_offset = offset;
    const WriteBatch* batches[] = {&b};
    ASSERT_TRUE(w->Write(batches).ok());
  };
  // 5 s of live traffic, then a backlog's old lines, then 3 s more.
  for (int t = 0; t < 100; ++t) {
    write(40, kT0 + t * 50'000, true);
    clock.Advance(std::chrono::milliseconds(50));
  }
  write(40, kT0 - 3600'000'000LL, false);
  for (int t = 100; t < 160; ++t) {
    write(40, kT0 + t * 50'000, true);
    clock.Advance(std::chrono::milliseconds(50));
  }
  const int64_t seqs = *db->QueryInt("SELECT COUNT(DISTINCT seq) FROM event_spans");
  EXPECT_GE(seqs, 4);  // 8 s of live traffic (cut by the backlog), the backlog's own
  EXPECT_LE(seqs, 6);  // not one per transaction (161)
  EXPECT_EQ(*db->QueryInt("SELECT COUNT(DISTINCT seq) FROM event_spans WHERE second < " +
                             std::to_string(kT0 / 1'000'000) +
                             " AND seq IN (SELECT seq FROM event_spans WHERE second >= " +
                             std::to_string(kT0 / 1'000'000) + ")"),
            0);  // no sequence mixes the backlog's hour-old events with live ones
  // Each closed sequence of several transactions was rewritten: the busy
  // client is in one group per sequence, but in the one still open.
  EXPECT_GE(w->totals().compactions, 2);
  // Only the sequence still open is read by range.
  EXPECT_EQ(*db->QueryInt("SELECT COUNT(*) FROM open_sequences"), 1);
  const std::string busy_key = "x'00000000000000000000ffff0a000102'";
  EXPECT_LE(*db->QueryInt("SELECT COUNT(*) FROM (SELECT seq FROM event_groups WHERE "
                             "instr(clients, " + busy_key + ") > 0 GROUP BY seq "
                             "HAVING COUNT(*) > 1)"),
            1);

  auto q = SqliteEventQuery::Open(path);
  ASSERT_TRUE(q.ok());
  for (const IpAddress& c : clients) {
    EventFilter f;
    f.from = FromUnixMicros(kT0 - 3601'000'000LL);
    f.to = FromUnixMicros(kT0 + 10'000'000);
    f.client_ip = c;
    f.limit = 100'000;
    auto all = (*q)->FindEvents(f);
    ASSERT_TRUE(all.ok()) << all.status().message();
    std::vector<std::string> raws;
    for (const StoredEvent& e : *all) raws.push_back(e.raw);
    std::vector<std::string> want = written[c.ToString()];
    // In time order: the backlog's lines come first.
    std::stable_sort(want.begin(), want.end(), [&](const std::string& a, const std::string& b) {
      const int la = std::stoi(a.substr(5)), lb = std::stoi(b.substr(5));
      auto backlog = [](int l) { return l >= 4000 && l < 4040; };
      return backlog(la) && !backlog(lb);
    });
    EXPECT_EQ(raws, want) << c.ToString();
    // Newest first, cut: the same answer from the other end.
    f.newest_first = true;
    f.limit = 25;
    auto newest = (*q)->FindEvents(f);
    ASSERT_TRUE(newest.ok());
    ASSERT_EQ(newest->size(), std::min<size_t>(25, all->size()));
    for (size_t i = 0; i < newest->size(); ++i) {
      EXPECT_EQ((*newest)[i].id, (*all)[all->size() - 1 - i].id) << c.ToString() << " " << i;
    }
    // One connection (a port) over the live window.
    f.newest_first = false;
    f.limit = 100'000;
    f.from = FromUnixMicros(kT0);
    f.client_port = 40003;
    auto port = (*q)->FindEvents(f);
    ASSERT_TRUE(port.ok());
    size_t want_port = 0;
    for (const StoredEvent& e : *all) {
      if (e.event.client_port == 40003 && e.event.time >= f.from) ++want_port;
    }
    EXPECT_EQ(port->size(), want_port) << c.ToString();
    for (const StoredEvent& e : *port) EXPECT_EQ(e.event.client_port, 40003);
  }
}

// A busy client: many events in every transaction, interleaved in time
// across transactions. A limit returns exactly the first (or newest) events
// of the full answer, whole, whatever the group they came from.
TEST(SqliteEventQueryLimitTest, LimitKeepsTheFirstOrNewestOfABusyClient) {
  testing::TempDir dir;
  testing::FakeClock clock;
  const std::string path = dir.File("culprit.db");
  NginxStore store = OpenNginxStore(path, &clock);
  ASSERT_TRUE(store.writer != nullptr);
  auto& w = store.writer;
  const auto busy = *IpAddress::Parse("10.0.1.2");
  const auto other = *IpAddress::Parse("10.0.1.3");
  int64_t offset = 0;
  for (int txn = 0; txn < 4; ++txn) {
    WriteBatch b;
    FileSegment& seg = b.BeginSegment();
    seg.source_id = 1;
    seg.path = "/var/log/nginx/access.log";
    seg.key = {1, 2, std::string(1, '\0')};
    for (int i = 0; i < 200; ++i) {
      const std::string raw = "line " + std::to_string(txn) + "." + std::to_string(i);
      b.AddLine(offset, raw, false);
      offset += static_cast<int64_t>(raw.size()) + 1;
      parsers::Event& e = b.AddEvent();
      // Transactions overlap in time: event i of every transaction falls in
      // the same 10 ms, so the newest events come from all four.
      e.time = FromUnixMicros(kT0 + i * 10'000 + txn);
      e.kind = EventKind::kRequest;
      e.client_ip = i % 5 == 4 ? other : busy;
      e.client_port = static_cast<uint16_t>(40000 + i);
    }
    seg.end_offset = offset;
    const WriteBatch* batches[] = {&b};
    ASSERT_TRUE(w->Write(batches).ok());
  }
  auto q = SqliteEventQuery::Open(path);
  ASSERT_TRUE(q.ok());
  EventFilter f;
  f.from = FromUnixMicros(kT0);
  f.to = FromUnixMicros(kT0 + 10'000'000);
  f.client_ip = busy;
  f.limit = 10'000;
  auto all = (*q)->FindEvents(f);
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 640u);
  for (const bool newest : {false, true}) {
    for (const size_t limit : {1u, 7u, 300u, 639u}) {
      f.newest_first = newest;
      f.limit = limit;
      auto got = (*q)->FindEvents(f);
      ASSERT_TRUE(got.ok()) << got.status().message();
      ASSERT_EQ(got->size(), limit);
      for (size_t i = 0; i < limit; ++i) {
        const StoredEvent& want = newest ? (*all)[all->size() - 1 - i] : (*all)[i];
        EXPECT_EQ((*got)[i].id, want.id) << "newest=" << newest << " limit=" << limit << " i=" << i;
        EXPECT_EQ((*got)[i].raw, want.raw);
        EXPECT_EQ((*got)[i].event.client_port, want.event.client_port);
        EXPECT_EQ((*got)[i].path, "/var/log/nginx/access.log");
      }
    }
  }
  // By port too (a connection): the groups' port filters let through every
  // group that holds it, and nothing else is returned.
  f.newest_first = false;
  f.limit = 10'000;
  for (const uint16_t port : {40000, 40007, 40199}) {
    f.client_port = port;
    auto got = (*q)->FindEvents(f);
    ASSERT_TRUE(got.ok()) << got.status().message();
    std::vector<int64_t> want;
    for (const StoredEvent& e : *all) {
      if (e.event.client_port == port) want.push_back(e.id);
    }
    std::vector<int64_t> ids;
    for (const StoredEvent& e : *got) ids.push_back(e.id);
    EXPECT_EQ(ids, want) << port;
    EXPECT_EQ(ids.size(), port == 40199 ? 0u : 4u);  // event 199 is the other client's
  }
  f.client_port = 50000;  // no such connection
  EXPECT_TRUE((*q)->FindEvents(f)->empty());
}

}  // namespace
}  // namespace culprit::store
