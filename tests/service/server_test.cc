// The gRPC server over a real store, on a real loopback port.

#include "daemon/service/server.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>

#include <google/protobuf/arena.h>

#include "base/ip_address.h"
#include "base/utf8.h"
#include "culprit/v1/culprit.grpc.pb.h"
#include "daemon/correlate/correlator.h"
#include "daemon/report/render.h"
#include "daemon/report/sqlite_report_query.h"
#include "daemon/service/report_convert.h"
#include "daemon/service/source_probe.h"
#include "daemon/store/database.h"
#include "daemon/store/source_registry.h"
#include "daemon/store/sqlite/db.h"
#include "daemon/store/sqlite_event_query.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace culprit::service {
namespace {

using culprit::testing::FakeClock;
using culprit::testing::TempDir;

class FakeProbe final : public SourceProbe {
 public:
  std::vector<ProbedFile> Files(const std::string& pattern) const override {
    if (pattern == "/logs/access.log") return {{"/logs/access.log", 1000, 8, 77}};
    return {};
  }
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = dir_.File("c.db");
    auto db = store::OpenForWriting(db_path_);
    ASSERT_TRUE(db.ok()) << db.status().message();
    const store::SourceDef defs[] = {{"access", "/logs/access.log", "nginx_combined"},
                                     {"/logs/missing/*.log", "/logs/missing/*.log", "syslog"}};
    auto ids = store::RegisterSources(**db, defs, clock_.Now());
    ASSERT_TRUE(ids.ok());
    // A committed checkpoint for the current file (dev 8, inode 77) and one
    // for an older identity of the same path that must not count.
    ASSERT_TRUE((*db)->Exec("UPDATE sources SET lines_parsed = 12, lines_rejected = 1, "
                            "newest_event_us = 1795464090372256 WHERE name = 'access';"
                            "INSERT INTO checkpoints (source_id, path, dev, inode, fingerprint, "
                            "offset, active, updated_us) VALUES "
                            "(1, '/logs/access.log', 8, 77, x'00', 640, 1, 0),"
                            "(1, '/logs/access.log', 8, 76, x'00', 9999, 1, 0);")
                    .ok());
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.database_path = db_path_;
    options.sources = {{(*ids)[0], "access", "/logs/access.log", "nginx_combined"},
                       {(*ids)[1], "/logs/missing/*.log", "/logs/missing/*.log", "syslog"}};
    const std::string path = db_path_;
    options.query_factory = [path]() -> Result<std::unique_ptr<store::EventQuery>> {
      CULPRIT_ASSIGN_OR_RETURN(auto q, store::SqliteEventQuery::Open(path));
      return std::unique_ptr<store::EventQuery>(std::move(q));
    };
    options.probe = &probe_;
    options.clock = &clock_;
    options.started_at = clock_.Now();
    correlator_ = std::make_unique<correlate::Correlator>(std::vector<correlate::SourceInfo>{
        {(*ids)[0], "access", "nginx_combined", {443}, std::nullopt}});
    options.correlator = correlator_.get();
    options.make_report = [path, this](Timestamp from, Timestamp to, report::ReportFormat format,
                                       const TimeZone& zone) -> Result<std::string> {
      CULPRIT_ASSIGN_OR_RETURN(
          auto data, report::BuildReportFromDatabase(path, {from, to, clock_.Now(), zone}));
      return report::Render(data, format);
    };
    auto server = Server::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
    ASSERT_GT(server_->port(), 0);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  void SetDeadline(grpc::ClientContext* ctx) {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  }

  // One SearchEvents call: the events of every message in `rows`, each
  // message's event count in `batches`.
  grpc::Status Search(const v1::SearchEventsRequest& req, std::vector<v1::EventRecord>* rows,
                      std::vector<size_t>* batches) {
    auto stub = v1::Culprit::NewStub(channel_);
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    auto reader = stub->SearchEvents(&ctx, req);
    v1::SearchEventsResponse batch;
    while (reader->Read(&batch)) {
      batches->push_back(static_cast<size_t>(batch.events_size()));
      rows->insert(rows->end(), batch.events().begin(), batch.events().end());
    }
    return reader->Finish();
  }

  TempDir dir_;
  std::string db_path_;
  FakeClock clock_;
  FakeProbe probe_;
  std::unique_ptr<correlate::Correlator> correlator_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ServerTest, StatusReportsDaemonAndSources) {
  clock_.Advance(std::chrono::seconds(90));
  auto stub = v1::Culprit::NewStub(channel_);
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  v1::StatusResponse resp;
  const grpc::Status st = stub->Status(&ctx, v1::StatusRequest(), &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_FALSE(resp.version().empty());
  EXPECT_EQ(resp.database_path(), db_path_);
  EXPECT_EQ(resp.listen(), "127.0.0.1:0");
  EXPECT_EQ(resp.uptime().seconds(), 90);
  EXPECT_EQ(resp.started_at().seconds(), 1795464090);
  ASSERT_EQ(resp.sources_size(), 2);

  const v1::SourceStatus& a = resp.sources(0);
  EXPECT_EQ(a.name(), "access");
  EXPECT_EQ(a.format(), "nginx_combined");
  EXPECT_EQ(a.file_size(), 1000);
  EXPECT_EQ(a.committed_offset(), 640);
  EXPECT_EQ(a.lag_bytes(), 360);
  EXPECT_EQ(a.lines_parsed(), 12);
  EXPECT_EQ(a.lines_rejected(), 1);
  EXPECT_EQ(a.newest_event_time().seconds(), 1795464090);
  EXPECT_EQ(a.newest_event_time().nanos(), 372256000);
  ASSERT_EQ(a.files_size(), 1);
  EXPECT_EQ(a.files(0).committed_offset(), 640);
  EXPECT_TRUE(a.problem().empty());

  const v1::SourceStatus& m = resp.sources(1);
  EXPECT_EQ(m.files_size(), 0);
  EXPECT_EQ(m.lag_bytes(), 0);
  EXPECT_FALSE(m.has_newest_event_time());
  EXPECT_EQ(m.problem(), "no file matches the path yet");
}

// Waits for one completion-queue event with a bounded deadline.
bool Await(grpc::CompletionQueue& cq, void* want) {
  void* tag = nullptr;
  bool ok = false;
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);
  if (cq.AsyncNext(&tag, &ok, deadline) != grpc::CompletionQueue::GOT_EVENT) return false;
  return tag == want && ok;
}

std::string Bytes(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(buffer.Dump(&slices).ok());
  std::string out;
  for (const grpc::Slice& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

grpc::ByteBuffer Buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

TEST_F(ServerTest, HealthServiceSaysServing) {
  // grpc.health.v1.Health/Check with an empty HealthCheckRequest; the answer
  // HealthCheckResponse{status: SERVING} encodes as field 1 = 1: 08 01.
  grpc::GenericStub generic(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  auto call = generic.PrepareUnaryCall(&ctx, "/grpc.health.v1.Health/Check", Buffer(""), &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  ASSERT_TRUE(Await(cq, reinterpret_cast<void*>(1)));
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Bytes(response), std::string("\x08\x01", 2));
  cq.Shutdown();
}

TEST_F(ServerTest, ReflectionListsTheCulpritService) {
  // ServerReflectionRequest{list_services: ""}: field 7, length 0 -> 3a 00.
  grpc::GenericStub generic(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  auto call = generic.PrepareCall(
      &ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  auto t = [](intptr_t i) { return reinterpret_cast<void*>(i); };
  call->StartCall(t(1));
  ASSERT_TRUE(Await(cq, t(1)));
  call->Write(Buffer(std::string("\x3a\x00", 2)), t(2));
  ASSERT_TRUE(Await(cq, t(2)));
  grpc::ByteBuffer response;
  call->Read(&response, t(3));
  ASSERT_TRUE(Await(cq, t(3)));
  EXPECT_NE(Bytes(response).find("culprit.v1.Culprit"), std::string::npos);
  EXPECT_NE(Bytes(response).find("grpc.health.v1.Health"), std::string::npos);
  call->WritesDone(t(4));
  ASSERT_TRUE(Await(cq, t(4)));
  grpc::Status status;
  call->Finish(&status, t(5));
  ASSERT_TRUE(Await(cq, t(5)));
  EXPECT_TRUE(status.ok()) << status.error_message();
  cq.Shutdown();
}

TEST_F(ServerTest, SecondServerOnTheSamePortFails) {
  ServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(server_->port());
  options.query_factory = [] () -> Result<std::unique_ptr<store::EventQuery>> {
    return Status::Unavailable("unused");
  };
  options.probe = &probe_;
  options.clock = &clock_;
  auto second = Server::Start(std::move(options));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("cannot listen on \"127.0.0.1:"), std::string::npos)
      << second.status().message();
}

TEST_F(ServerTest, StatusWhenTheDatabaseIsGoneIsUnavailable) {
  // Stop this server and start one whose readers cannot open their database.
  server_->Shutdown(std::chrono::seconds(1));
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.query_factory = [this]() -> Result<std::unique_ptr<store::EventQuery>> {
    CULPRIT_ASSIGN_OR_RETURN(auto q, store::SqliteEventQuery::Open(dir_.File("absent.db")));
    return std::unique_ptr<store::EventQuery>(std::move(q));
  };
  options.probe = &probe_;
  options.clock = &clock_;
  auto server = Server::Start(std::move(options));
  ASSERT_TRUE(server.ok());
  auto stub = v1::Culprit::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string((*server)->port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  v1::StatusResponse resp;
  const grpc::Status st = stub->Status(&ctx, v1::StatusRequest(), &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(st.error_message().find("absent.db"), std::string::npos) << st.error_message();
}

}  // namespace
}  // namespace culprit::service

namespace culprit::service {
namespace {

// A valid report, seen one second before the fake clock's now.
v1::CorrelateRequest GoodRequest() {
  v1::CorrelateRequest req;
  v1::ResetReport* r = req.mutable_report();
  r->mutable_seen_at()->set_seconds(1795464089);
  r->set_client("198.51.100.7:40112");
  r->set_server("192.0.2.10:443");
  r->set_error("ECONNRESET");
  r->set_phase(v1::AWAITING_RESPONSE);
  return req;
}

TEST_F(ServerTest, CorrelateWithNothingOnTheServerSaysSo) {
  auto stub = v1::Culprit::NewStub(channel_);
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  v1::CorrelateResponse resp;
  const grpc::Status st = stub->Correlate(&ctx, GoodRequest(), &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_GT(resp.diagnosis().verdicts_size(), 0);
  EXPECT_EQ(resp.diagnosis().verdicts(0).cause(), v1::NONE_ON_SERVER);
  EXPECT_FALSE(resp.diagnosis().searched().empty());
}

TEST_F(ServerTest, CorrelateNamesTheBadField) {
  struct Case {
    const char* name;
    void (*mutate)(v1::ResetReport*);
    const char* message_start;
  } cases[] = {
      {"no time", [](v1::ResetReport* r) { r->clear_seen_at(); }, "report.seen_at: required"},
      {"far future", [](v1::ResetReport* r) { r->mutable_seen_at()->set_seconds(1895464089); },
       "report.seen_at: 2030-"},
      {"long ago", [](v1::ResetReport* r) { r->mutable_seen_at()->set_seconds(1000000000); },
       "report.seen_at: 2001-"},
      {"no client", [](v1::ResetReport* r) { r->clear_client(); }, "report.client: required"},
      {"bad client", [](v1::ResetReport* r) { r->set_client("10.0.0.300"); },
       "report.client: \"10.0.0.300\" is not an address"},
      {"bad server", [](v1::ResetReport* r) { r->set_server("example.com:443"); },
       "report.server: \"example.com:443\" is not an address"},
      {"negative uncertainty",
       [](v1::ResetReport* r) { r->mutable_clock_uncertainty()->set_seconds(-1); },
       "report.clock_uncertainty: "},
      {"huge uncertainty",
       [](v1::ResetReport* r) { r->mutable_clock_uncertainty()->set_seconds(7200); },
       "report.clock_uncertainty: "},
      {"long error", [](v1::ResetReport* r) { r->set_error(std::string(2000, 'x')); },
       "report.error: 2000 bytes is longer than the limit of 1024"},
      {"unknown phase", [](v1::ResetReport* r) { r->set_phase(static_cast<v1::Phase>(42)); },
       "report.phase: 42 is not a known phase"},
      {"bad status", [](v1::ResetReport* r) { r->set_http_status(42); },
       "report.http_status: 42 is not an HTTP status"},
      {"negative bytes", [](v1::ResetReport* r) { r->set_bytes_sent(-5); },
       "report.bytes_sent: must not be negative"},
      {"many labels",
       [](v1::ResetReport* r) {
         for (int i = 0; i < 40; ++i) (*r->mutable_labels())["k" + std::to_string(i)] = "v";
       },
       "report.labels: 40 labels; at most 32"},
  };
  auto stub = v1::Culprit::NewStub(channel_);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::CorrelateRequest req = GoodRequest();
    c.mutate(req.mutable_report());
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    v1::CorrelateResponse resp;
    const grpc::Status st = stub->Correlate(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind(c.message_start, 0), 0u) << st.error_message();
  }
}

}  // namespace
}  // namespace culprit::service

namespace culprit::service {
namespace {

TEST_F(ServerTest, SearchEventsStreamsTheRangeAndNamesBadFields) {
  // Two events of source "access" (file id 1 exists in the fixture).
  {
    auto db = store::OpenForWriting(db_path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO events (ts_us, ts_precision_us, source_id, file_id, "
                            "offset, kind, cause, client_ip, client_port, raw) VALUES "
                            "(1795464090000000, 1000000, 1, 1, 0, 1, 0, "
                            "X'00000000000000000000ffffc6336407', 40001, 'one'),"
                            "(1795464091000000, 1000000, 1, 1, 10, 2, 5, "
                            "X'00000000000000000000ffffc6336407', NULL, 'two \xff');"
                            // Rows written outside a transaction of the
                            // writer (seq 0) are found through their spans.
                            "INSERT INTO event_spans (second, seq) VALUES (1795464090, 0), "
                            "(1795464091, 0);")
                    .ok());
  }
  auto stub = v1::Culprit::NewStub(channel_);
  auto search = [&](const v1::SearchEventsRequest& req, std::vector<v1::EventRecord>* rows) {
    std::vector<size_t> batches;
    return Search(req, rows, &batches);
  };
  v1::SearchEventsRequest req;
  req.mutable_from()->set_seconds(1795464080);
  req.mutable_to()->set_seconds(1795464100);
  req.set_ip("198.51.100.0/24");
  std::vector<v1::EventRecord> rows;
  grpc::Status st = search(req, &rows);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].raw(), "one");
  EXPECT_EQ(rows[0].source(), "access");
  EXPECT_EQ(rows[0].client(), "198.51.100.7:40001");
  EXPECT_EQ(rows[1].cause(), v1::UPSTREAM_FAILURE);
  EXPECT_EQ(rows[1].kind(), "error");

  req.set_with_cause_only(true);
  rows.clear();
  ASSERT_TRUE(search(req, &rows).ok());
  EXPECT_EQ(rows.size(), 1u);

  struct Bad {
    void (*mutate)(v1::SearchEventsRequest*);
    const char* message;
  } bad[] = {
      {[](v1::SearchEventsRequest* r) { r->clear_from(); }, "search.from: required"},
      {[](v1::SearchEventsRequest* r) { r->mutable_to()->set_seconds(1); }, "search.to: is before from"},
      {[](v1::SearchEventsRequest* r) { r->set_ip("300.1.1.1/8"); },
       "search.ip: \"300.1.1.1/8\" is not an address or network"},
      {[](v1::SearchEventsRequest* r) { r->set_source("nope"); },
       "search.source: \"nope\" is not a configured source"},
      {[](v1::SearchEventsRequest* r) { r->set_kind("weird"); },
       "search.kind: \"weird\" is not an event kind"},
      {[](v1::SearchEventsRequest* r) { r->set_limit(1000000); },
       "search.limit: 1000000 is above the maximum of 100000"},
  };
  for (const Bad& b : bad) {
    v1::SearchEventsRequest r = req;
    b.mutate(&r);
    rows.clear();
    st = search(r, &rows);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.message;
    EXPECT_EQ(st.error_message(), b.message);
  }
}

TEST_F(ServerTest, SearchEventsRequestThatIsNotOneIsAnInvalidArgument) {
  // SearchEvents reads its request's bytes itself (its answer is written
  // without messages): bytes that are no SearchEventsRequest (a field 1
  // whose length runs past the end) get INVALID_ARGUMENT, not a crash.
  grpc::GenericStub generic(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  auto call = generic.PrepareCall(&ctx, "/culprit.v1.Culprit/SearchEvents", &cq);
  auto t = [](intptr_t i) { return reinterpret_cast<void*>(i); };
  call->StartCall(t(1));
  ASSERT_TRUE(Await(cq, t(1)));
  call->WriteLast(Buffer(std::string("\x0a\x7f\x01", 3)), grpc::WriteOptions(), t(2));
  ASSERT_TRUE(Await(cq, t(2)));
  grpc::Status status;
  call->Finish(&status, t(3));
  ASSERT_TRUE(Await(cq, t(3)));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_NE(status.error_message().find("search"), std::string::npos) << status.error_message();
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
}

TEST_F(ServerTest, SearchEventsBatchesALargeAnswerInTimeOrder) {
  // 2345 events of one client, 1 ms apart, inserted out of time order (i *
  // 7919 mod 2345 visits every slot once).
  constexpr int kEvents = 2345;
  {
    auto db = store::OpenForWriting(db_path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
                            "WHERE i < " + std::to_string(kEvents - 1) + ") "
                            "INSERT INTO events (ts_us, ts_precision_us, source_id, file_id, "
                            "offset, kind, cause, client_ip, client_port, raw) "
                            "SELECT 1795464090000000 + (i * 7919 % " + std::to_string(kEvents) +
                            ") * 1000, 1000, 1, 1, i * 100, 1, 0, "
                            "X'00000000000000000000ffffc6336407', 40001, 'line ' || i FROM n;"
                            "INSERT INTO event_spans (second, seq) VALUES (1795464090, 0), "
                            "(1795464091, 0), (1795464092, 0);")
                    .ok());
  }
  struct Case {
    uint32_t limit;
    size_t want_events;
  } cases[] = {
      {100000, kEvents},
      {600, 600},   // the earliest 600
      {0, 1000},    // the default limit
      {1, 1},
  };
  for (const Case& c : cases) {
    v1::SearchEventsRequest req;
    req.mutable_from()->set_seconds(1795464080);
    req.mutable_to()->set_seconds(1795464100);
    req.set_ip("198.51.100.7");
    req.set_limit(c.limit);
    std::vector<v1::EventRecord> rows;
    std::vector<size_t> batches;
    const grpc::Status st = Search(req, &rows, &batches);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(rows.size(), c.want_events) << "limit " << c.limit;
    // Full batches, then the rest.
    std::vector<size_t> want_batches(c.want_events / kSearchBatchEvents, kSearchBatchEvents);
    if (c.want_events % kSearchBatchEvents != 0) {
      want_batches.push_back(c.want_events % kSearchBatchEvents);
    }
    EXPECT_EQ(batches, want_batches) << "limit " << c.limit;
    for (size_t i = 0; i < rows.size(); ++i) {
      // Slot i holds the event written at time 1795464090 s + i ms.
      ASSERT_EQ(rows[i].time().seconds(), 1795464090 + static_cast<int64_t>(i) / 1000);
      ASSERT_EQ(rows[i].time().nanos(), static_cast<int32_t>(i % 1000) * 1'000'000);
      ASSERT_EQ(rows[i].source(), "access");
    }
  }

  // A client that goes away after the first batch: the call ends CANCELLED
  // and the server answers the next call in full.
  {
    v1::SearchEventsRequest req;
    req.mutable_from()->set_seconds(1795464080);
    req.mutable_to()->set_seconds(1795464100);
    req.set_limit(100000);
    auto stub = v1::Culprit::NewStub(channel_);
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    auto reader = stub->SearchEvents(&ctx, req);
    v1::SearchEventsResponse batch;
    ASSERT_TRUE(reader->Read(&batch));
    ctx.TryCancel();
    while (reader->Read(&batch)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
    std::vector<v1::EventRecord> rows;
    std::vector<size_t> batches;
    ASSERT_TRUE(Search(req, &rows, &batches).ok());
    EXPECT_EQ(rows.size(), static_cast<size_t>(kEvents));
  }

  // Nothing in the range: no message at all, and OK.
  v1::SearchEventsRequest empty;
  empty.mutable_from()->set_seconds(1795464000);
  empty.mutable_to()->set_seconds(1795464001);
  std::vector<v1::EventRecord> rows;
  std::vector<size_t> batches;
  ASSERT_TRUE(Search(empty, &rows, &batches).ok());
  EXPECT_TRUE(batches.empty());
}

}  // namespace
}  // namespace culprit::service

namespace culprit::service {
namespace {

TEST_F(ServerTest, TopCausesCountsAndValidatesTheRange) {
  {
    auto db = store::OpenForWriting(db_path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO events (ts_us, ts_precision_us, source_id, file_id, "
                            "offset, kind, cause, raw) VALUES "
                            "(1795464090000000, 1000000, 1, 1, 0, 2, 2, 'a'),"
                            "(1795464091000000, 1000000, 1, 1, 5, 2, 2, 'b'),"
                            "(1795464092000000, 1000000, 1, 1, 9, 2, 9, 'c');"
                            "INSERT INTO reports (received_us, reported_us, clock_uncertainty_us, "
                            "error, cause, confidence, diagnosis) VALUES "
                            "(0, 1795464093000000, 0, 'EOF', 9, 0.9, '{}');")
                    .ok());
  }
  auto stub = v1::Culprit::NewStub(channel_);
  v1::TopCausesRequest req;
  req.mutable_from()->set_seconds(1795464000);
  req.mutable_to()->set_seconds(1795464100);
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  v1::TopCausesResponse resp;
  ASSERT_TRUE(stub->TopCauses(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.reports(), 1);
  EXPECT_EQ(resp.events(), 3);
  ASSERT_EQ(resp.causes_size(), 2);
  EXPECT_EQ(resp.causes(0).cause(), v1::RATE_LIMITED);  // the most reports first
  EXPECT_EQ(resp.causes(1).cause(), v1::TLS_HANDSHAKE_FAILED);
  EXPECT_EQ(resp.causes(1).events(), 2);

  req.mutable_to()->set_seconds(1795460000);
  grpc::ClientContext ctx2;
  SetDeadline(&ctx2);
  const grpc::Status st = stub->TopCauses(&ctx2, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "top.to: is before from");
}

TEST_F(ServerTest, ReportRendersTheDocumentAndNamesBadFields) {
  auto stub = v1::Culprit::NewStub(channel_);
  const auto call = [&](const v1::ReportRequest& req, v1::ReportResponse* resp) {
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    return stub->Report(&ctx, req, resp);
  };
  v1::ReportRequest req;
  req.mutable_from()->set_seconds(1795132800);  // 2026-11-20T00:00:00Z
  req.mutable_to()->set_seconds(1795219200);
  req.set_format("json");
  v1::ReportResponse resp;
  grpc::Status st = call(req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.content_type(), "application/json");
  EXPECT_EQ(resp.file_name(), "culprit-report-2026-11-20.json");
  EXPECT_NE(resp.document().find("\"version\": 1"), std::string::npos);
  EXPECT_NE(resp.document().find("\"empty\": true"), std::string::npos);

  req.set_format("");  // html by default
  req.set_timezone("+02:00");
  st = call(req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.content_type(), "text/html; charset=utf-8");
  EXPECT_EQ(resp.file_name(), "culprit-report-2026-11-20_2026-11-21.html");
  EXPECT_EQ(resp.document().rfind("<!DOCTYPE html>", 0), 0u);

  const struct {
    const char* name;
    std::function<void(v1::ReportRequest*)> edit;
    std::string message;
  } cases[] = {
      {"no from", [](v1::ReportRequest* r) { r->clear_from(); }, "report.from: required"},
      {"no to", [](v1::ReportRequest* r) { r->clear_to(); }, "report.to: required"},
      {"to before from", [](v1::ReportRequest* r) { r->mutable_to()->set_seconds(1795132800); },
       "report.to: 2026-11-20T00:00:00Z is not after from (2026-11-20T00:00:00Z)"},
      {"too long",
       [](v1::ReportRequest* r) { r->mutable_to()->set_seconds(1795132800 + 367 * 86400); },
       "report.to: the period is longer than 366 days"},
      {"format", [](v1::ReportRequest* r) { r->set_format("pdf"); },
       "report.format: \"pdf\" is not a report format (html, md, json)"},
      {"timezone", [](v1::ReportRequest* r) { r->set_timezone("Mars/Olympus"); },
       "report.timezone: unknown time zone \"Mars/Olympus\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    v1::ReportRequest bad = req;
    c.edit(&bad);
    st = call(bad, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), c.message);
  }
}

}  // namespace
}  // namespace culprit::service
