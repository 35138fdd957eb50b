// The service's metrics over real gRPC on loopback, a real store and the
// real correlator, read back by scraping the HTTP endpoint: call latency by
// method and code, and reports received and answered by cause.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "culprit/v1/culprit.grpc.pb.h"
#include "daemon/correlate/correlator.h"
#include "daemon/metrics/http_server.h"
#include "daemon/metrics/registry.h"
#include "daemon/service/report_sink.h"
#include "daemon/service/server.h"
#include "daemon/service/source_probe.h"
#include "daemon/store/database.h"
#include "daemon/store/source_registry.h"
#include "daemon/store/sqlite/db.h"
#include "daemon/store/sqlite_event_query.h"
#include "tests/metrics/scrape.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace culprit::service {
namespace {

namespace v1 = ::culprit::v1;
using metrics::testing::HttpGet;
using metrics::testing::SampleValue;

class NoProbe final : public SourceProbe {
 public:
  std::vector<ProbedFile> Files(const std::string&) const override { return {}; }
};

// Answers at once with an id, as the writer thread would after a commit.
class FakeSink final : public ReportSink {
 public:
  void Store(store::ReportRecord record) override { record.done(Result<int64_t>(++ids_)); }

 private:
  std::atomic<int64_t> ids_{0};
};

// A client that saw its connection reset while awaiting the response from
// 198.51.100.7, when the store holds an upstream failure for it.
v1::ResetReport Report() {
  v1::ResetReport r;
  r.mutable_seen_at()->set_seconds(1795464090);
  r.mutable_seen_at()->set_nanos(400000000);
  r.set_client("198.51.100.7:40112");
  r.set_error("EOF");
  r.set_phase(v1::AWAITING_RESPONSE);
  return r;
}

class ServiceMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string db_path = dir_.File("c.db");
    auto db = store::OpenForWriting(db_path);
    ASSERT_TRUE(db.ok()) << db.status().message();
    const store::SourceDef defs[] = {{"access", "/logs/access.log", "nginx_combined"}};
    auto ids = store::RegisterSources(**db, defs, clock_.Now());
    ASSERT_TRUE(ids.ok());
    // One upstream failure (cause 5) for 198.51.100.7 at the report's time.
    ASSERT_TRUE((*db)->Exec("INSERT INTO checkpoints (source_id, path, dev, inode, fingerprint, "
                            "offset, active, updated_us) VALUES "
                            "(1, '/logs/access.log', 8, 77, x'00', 0, 1, 0);"
                            "INSERT INTO events (ts_us, ts_precision_us, source_id, file_id, "
                            "offset, kind, cause, client_ip, client_port, status, raw) VALUES "
                            "(1795464090000000, 1000, 1, 1, 0, 1, 5, "
                            "X'00000000000000000000ffffc6336407', 40112, 502, "
                            "'198.51.100.7 - - \"GET /x HTTP/1.1\" 502 0');"
                            "INSERT INTO event_spans (second, seq) VALUES (1795464090, 0);")
                    .ok());
    correlator_ = std::make_unique<correlate::Correlator>(std::vector<correlate::SourceInfo>{
        {(*ids)[0], "access", "nginx_combined", {443}, std::nullopt}});

    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.database_path = db_path;
    options.sources = {{(*ids)[0], "access", "/logs/access.log", "nginx_combined"}};
    options.query_factory = [db_path]() -> Result<std::unique_ptr<store::EventQuery>> {
      CULPRIT_ASSIGN_OR_RETURN(auto q, store::SqliteEventQuery::Open(db_path));
      return std::unique_ptr<store::EventQuery>(std::move(q));
    };
    options.probe = &probe_;
    options.clock = &clock_;
    options.started_at = clock_.Now();
    options.correlator = correlator_.get();
    options.report_sink = &sink_;
    options.metrics = &registry_;
    auto server = Server::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
    stub_ = v1::Culprit::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
    auto http = metrics::MetricsServer::Start(&registry_, {.listen = "127.0.0.1:0"});
    ASSERT_TRUE(http.ok()) << http.status().message();
    http_ = std::move(*http);
  }

  static void Prepare(grpc::ClientContext* ctx) {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  }

  std::string Scrape() {
    auto r = HttpGet(http_->port(), "/metrics");
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r->body : "";
  }

  static double Value(const std::string& text, const std::string& series) {
    auto v = SampleValue(text, series);
    EXPECT_TRUE(v.has_value()) << "no sample " << series << " in:\n" << text;
    return v.value_or(-1);
  }

  metrics::Registry registry_;  // first: outlives the servers
  testing::TempDir dir_;
  testing::FakeClock clock_;
  NoProbe probe_;
  FakeSink sink_;
  std::unique_ptr<correlate::Correlator> correlator_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::Culprit::Stub> stub_;
  std::unique_ptr<metrics::MetricsServer> http_;
};

TEST_F(ServiceMetricsTest, CountsCallsByMethodAndCodeAndReportsByCause) {
  // Before any call: the received counters exist at 0, no call is timed.
  std::string m = Scrape();
  EXPECT_EQ(Value(m, "culprit_reports_received_total{method=\"Submit\"}"), 0);
  EXPECT_EQ(Value(m, "culprit_reports_received_total{method=\"Correlate\"}"), 0);
  EXPECT_EQ(m.find("culprit_rpc_duration_seconds"), std::string::npos);

  {  // Correlate, valid: OK, answered.
    grpc::ClientContext ctx;
    Prepare(&ctx);
    v1::CorrelateRequest req;
    *req.mutable_report() = Report();
    v1::CorrelateResponse resp;
    ASSERT_TRUE(stub_->Correlate(&ctx, req, &resp).ok());
    ASSERT_GT(resp.diagnosis().verdicts_size(), 0);
    EXPECT_EQ(resp.diagnosis().verdicts(0).cause(), v1::UPSTREAM_FAILURE);
  }
  for (const char* bad_client : {"not-an-ip", "198.51.100.300:1"}) {  // INVALID_ARGUMENT
    grpc::ClientContext ctx;
    Prepare(&ctx);
    v1::CorrelateRequest req;
    *req.mutable_report() = Report();
    req.mutable_report()->set_client(bad_client);
    v1::CorrelateResponse resp;
    EXPECT_EQ(stub_->Correlate(&ctx, req, &resp).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  v1::SubmitResponse submitted;
  for (int i = 0; i < 2; ++i) {  // Submit, valid: OK, answered, stored.
    grpc::ClientContext ctx;
    Prepare(&ctx);
    v1::SubmitRequest req;
    *req.mutable_report() = Report();
    ASSERT_TRUE(stub_->Submit(&ctx, req, &submitted).ok());
  }
  ASSERT_GT(submitted.diagnosis().verdicts_size(), 0);
  const std::string top = v1::Cause_Name(submitted.diagnosis().verdicts(0).cause());
  EXPECT_EQ(top, "UPSTREAM_FAILURE");
  {  // Status: timed too.
    grpc::ClientContext ctx;
    Prepare(&ctx);
    v1::StatusResponse resp;
    ASSERT_TRUE(stub_->Status(&ctx, v1::StatusRequest(), &resp).ok());
  }

  m = Scrape();
  const std::string d = "culprit_rpc_duration_seconds";
  EXPECT_EQ(Value(m, d + "_count{method=\"Correlate\",code=\"OK\"}"), 1);
  EXPECT_EQ(Value(m, d + "_count{method=\"Correlate\",code=\"INVALID_ARGUMENT\"}"), 2);
  EXPECT_EQ(Value(m, d + "_count{method=\"Submit\",code=\"OK\"}"), 2);
  EXPECT_EQ(Value(m, d + "_count{method=\"Status\",code=\"OK\"}"), 1);
  EXPECT_EQ(Value(m, d + "_bucket{method=\"Submit\",code=\"OK\",le=\"+Inf\"}"), 2);
  EXPECT_GT(Value(m, d + "_sum{method=\"Submit\",code=\"OK\"}"), 0);
  EXPECT_EQ(m.find("method=\"Submit\",code=\"INVALID_ARGUMENT\""), std::string::npos);

  EXPECT_EQ(Value(m, "culprit_reports_received_total{method=\"Correlate\"}"), 3);
  EXPECT_EQ(Value(m, "culprit_reports_received_total{method=\"Submit\"}"), 2);
  EXPECT_EQ(Value(m, "culprit_reports_answered_total{method=\"Correlate\",cause=\"" + top + "\"}"),
            1);
  EXPECT_EQ(Value(m, "culprit_reports_answered_total{method=\"Submit\",cause=\"" + top + "\"}"), 2);
}

TEST_F(ServiceMetricsTest, UnknownMethodsAreNotLabels) {
  // A method the service does not have: answered UNIMPLEMENTED by gRPC, and
  // its name, chosen by the caller, never becomes a label value.
  grpc::GenericStub generic(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  Prepare(&ctx);
  grpc::Slice empty("");
  auto call = generic.PrepareUnaryCall(&ctx, "/culprit.v1.Culprit/NoSuchMethod",
                                       grpc::ByteBuffer(&empty, 1), &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  ASSERT_EQ(cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + std::chrono::seconds(10)),
            grpc::CompletionQueue::GOT_EVENT);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  EXPECT_EQ(Scrape().find("NoSuchMethod"), std::string::npos);
}

}  // namespace
}  // namespace culprit::service
