// Access control over real gRPC on loopback: tokens and roles for every
// RPC, what a reporter sees of Submit and Status, the Submit rate limit,
// and TLS / mutual TLS with certificates made by openssl at test time.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <optional>

#include "culprit/v1/culprit.grpc.pb.h"
#include "daemon/correlate/correlator.h"
#include "daemon/service/report_sink.h"
#include "daemon/service/server.h"
#include "daemon/service/source_probe.h"
#include "daemon/store/database.h"
#include "daemon/store/source_registry.h"
#include "daemon/store/sqlite/db.h"
#include "daemon/store/sqlite_event_query.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace culprit::service {
namespace {

namespace v1 = ::culprit::v1;
using culprit::testing::FakeClock;
using culprit::testing::TempDir;

constexpr char kOpToken[] = "op-secret-7f3a";
constexpr char kRepToken[] = "rep-secret-91cc";
constexpr char kRep2Token[] = "rep2-secret-0b1e";

class NoProbe final : public SourceProbe {
 public:
  std::vector<ProbedFile> Files(const std::string&) const override { return {}; }
};

// Stores nothing; answers at once with an id, and keeps what it was given.
class FakeSink final : public ReportSink {
 public:
  void Store(store::ReportRecord record) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      diagnosis_json_ = record.diagnosis_json;
    }
    record.done(Result<int64_t>(++ids_));
  }
  std::string diagnosis_json() {
    std::lock_guard<std::mutex> lock(mu_);
    return diagnosis_json_;
  }

 private:
  std::mutex mu_;
  std::string diagnosis_json_;
  std::atomic<int64_t> ids_{0};
};

// An upstream failure logged for 198.51.100.7 at the fake clock's now.
v1::ResetReport Report() {
  v1::ResetReport r;
  r.mutable_seen_at()->set_seconds(1795464090);
  r.mutable_seen_at()->set_nanos(400000000);
  r.set_client("198.51.100.7:40112");
  r.set_error("EOF");
  r.set_phase(v1::AWAITING_RESPONSE);
  return r;
}

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = dir_.File("c.db");
    auto db = store::OpenForWriting(db_path_);
    ASSERT_TRUE(db.ok()) << db.status().message();
    const store::SourceDef defs[] = {{"access", "/logs/access.log", "nginx_combined"}};
    auto ids = store::RegisterSources(**db, defs, clock_.Now());
    ASSERT_TRUE(ids.ok());
    source_id_ = (*ids)[0];
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
        {source_id_, "access", "nginx_combined", {443}, std::nullopt}});
  }

  // A server with three tokens (ops: operator; app, app2: reporters),
  // changed by `edit`, and a plaintext channel to it.
  void Start(const std::function<void(ServerOptions&)>& edit = {}) {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.database_path = db_path_;
    options.sources = {{source_id_, "access", "/logs/access.log", "nginx_combined"}};
    const std::string path = db_path_;
    options.query_factory = [path]() -> Result<std::unique_ptr<store::EventQuery>> {
      CULPRIT_ASSIGN_OR_RETURN(auto q, store::SqliteEventQuery::Open(path));
      return std::unique_ptr<store::EventQuery>(std::move(q));
    };
    options.probe = &probe_;
    options.clock = &clock_;
    options.started_at = clock_.Now();
    options.correlator = correlator_.get();
    options.report_sink = &sink_;
    options.make_report = [](Timestamp, Timestamp, report::ReportFormat,
                             const TimeZone&) -> Result<std::string> { return std::string("{}"); };
    options.tokens = {{"ops", Role::kOperator, Sha256(kOpToken)},
                      {"app", Role::kReporter, Sha256(kRepToken)},
                      {"app2", Role::kReporter, Sha256(kRep2Token)}};
    if (edit) edit(options);
    auto server = Server::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(Address(), grpc::InsecureChannelCredentials());
  }

  std::string Address() const { return "127.0.0.1:" + std::to_string(server_->port()); }

  static void Prepare(grpc::ClientContext* ctx, const std::string& authorization) {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!authorization.empty()) ctx->AddMetadata("authorization", authorization);
  }

  // Calls `rpc` with a valid request; "" sends no authorization.
  grpc::Status Call(Rpc rpc, const std::string& authorization) {
    auto stub = v1::Culprit::NewStub(channel_);
    grpc::ClientContext ctx;
    Prepare(&ctx, authorization);
    switch (rpc) {
      case Rpc::kStatus: {
        v1::StatusResponse resp;
        return stub->Status(&ctx, v1::StatusRequest(), &resp);
      }
      case Rpc::kCorrelate: {
        v1::CorrelateRequest req;
        *req.mutable_report() = Report();
        v1::CorrelateResponse resp;
        return stub->Correlate(&ctx, req, &resp);
      }
      case Rpc::kSubmit: {
        v1::SubmitRequest req;
        *req.mutable_report() = Report();
        v1::SubmitResponse resp;
        return stub->Submit(&ctx, req, &resp);
      }
      case Rpc::kSearchEvents: {
        v1::SearchEventsRequest req;
        req.mutable_from()->set_seconds(1795464080);
        req.mutable_to()->set_seconds(1795464100);
        auto reader = stub->SearchEvents(&ctx, req);
        v1::SearchEventsResponse batch;
        while (reader->Read(&batch)) {
        }
        return reader->Finish();
      }
      case Rpc::kTopCauses: {
        v1::TopCausesRequest req;
        req.mutable_from()->set_seconds(1795464000);
        req.mutable_to()->set_seconds(1795464100);
        v1::TopCausesResponse resp;
        return stub->TopCauses(&ctx, req, &resp);
      }
      case Rpc::kReport: {
        v1::ReportRequest req;
        req.mutable_from()->set_seconds(1795132800);
        req.mutable_to()->set_seconds(1795219200);
        req.set_format("json");
        v1::ReportResponse resp;
        return stub->Report(&ctx, req, &resp);
      }
    }
    return grpc::Status(grpc::StatusCode::INTERNAL, "unknown rpc");
  }

  grpc::Status Submit(const std::string& authorization, v1::SubmitResponse* resp,
                      std::multimap<std::string, std::string>* trailers = nullptr) {
    auto stub = v1::Culprit::NewStub(channel_);
    grpc::ClientContext ctx;
    Prepare(&ctx, authorization);
    v1::SubmitRequest req;
    *req.mutable_report() = Report();
    grpc::Status st = stub->Submit(&ctx, req, resp);
    if (trailers != nullptr) {
      for (const auto& [k, v] : ctx.GetServerTrailingMetadata()) {
        trailers->emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
      }
    }
    return st;
  }

  TempDir dir_;
  std::string db_path_;
  int64_t source_id_ = 0;
  FakeClock clock_;
  NoProbe probe_;
  FakeSink sink_;
  std::unique_ptr<correlate::Correlator> correlator_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// The access-control matrix, as README "Access control" documents it.
TEST_F(AccessTest, EveryRpcForEveryKindOfCaller) {
  Start();
  using Code = grpc::StatusCode;
  const struct {
    const char* caller;
    std::string authorization;
    Code status, correlate, submit, search, top, report;
  } rows[] = {
      {"no token", "", Code::UNAUTHENTICATED, Code::UNAUTHENTICATED, Code::UNAUTHENTICATED,
       Code::UNAUTHENTICATED, Code::UNAUTHENTICATED, Code::UNAUTHENTICATED},
      {"bad token", "Bearer not-a-token", Code::UNAUTHENTICATED, Code::UNAUTHENTICATED,
       Code::UNAUTHENTICATED, Code::UNAUTHENTICATED, Code::UNAUTHENTICATED,
       Code::UNAUTHENTICATED},
      {"not bearer", kOpToken, Code::UNAUTHENTICATED, Code::UNAUTHENTICATED,
       Code::UNAUTHENTICATED, Code::UNAUTHENTICATED, Code::UNAUTHENTICATED,
       Code::UNAUTHENTICATED},
      {"reporter", std::string("Bearer ") + kRepToken, Code::OK, Code::PERMISSION_DENIED,
       Code::OK, Code::PERMISSION_DENIED, Code::PERMISSION_DENIED, Code::PERMISSION_DENIED},
      {"operator", std::string("Bearer ") + kOpToken, Code::OK, Code::OK, Code::OK, Code::OK,
       Code::OK, Code::OK},
  };
  for (const auto& row : rows) {
    const std::pair<Rpc, Code> expected[] = {
        {Rpc::kStatus, row.status},        {Rpc::kCorrelate, row.correlate},
        {Rpc::kSubmit, row.submit},        {Rpc::kSearchEvents, row.search},
        {Rpc::kTopCauses, row.top},        {Rpc::kReport, row.report},
    };
    for (const auto& [rpc, code] : expected) {
      SCOPED_TRACE(std::string(row.caller) + " -> " + std::string(RpcName(rpc)));
      const grpc::Status st = Call(rpc, row.authorization);
      EXPECT_EQ(st.error_code(), code) << st.error_message();
      if (code == Code::PERMISSION_DENIED) {
        EXPECT_EQ(st.error_message(), "the reporter token \"app\" may not call " +
                                          std::string(RpcName(rpc)) +
                                          "; it needs an operator token");
      }
      if (code == Code::UNAUTHENTICATED) {
        EXPECT_EQ(st.error_message().find("secret"), std::string::npos) << st.error_message();
      }
    }
  }
}

TEST_F(AccessTest, WithoutTokensEveryoneIsAnOperator) {
  Start([](ServerOptions& o) { o.tokens.clear(); });
  for (Rpc rpc : kAllRpcs) {
    SCOPED_TRACE(RpcName(rpc));
    const grpc::Status st = Call(rpc, "");
    EXPECT_TRUE(st.ok()) << st.error_message();
  }
}

TEST_F(AccessTest, ReporterSeesTheDiagnosisWithoutServerLogLines) {
  Start();
  v1::SubmitResponse op;
  ASSERT_TRUE(Submit(std::string("Bearer ") + kOpToken, &op).ok());
  ASSERT_GT(op.diagnosis().verdicts_size(), 0);
  EXPECT_EQ(op.diagnosis().verdicts(0).cause(), v1::UPSTREAM_FAILURE);
  ASSERT_GT(op.diagnosis().verdicts(0).evidence_size(), 0);
  EXPECT_NE(op.diagnosis().verdicts(0).evidence(0).raw().find("GET /x"), std::string::npos);
  EXPECT_FALSE(op.diagnosis().searched().empty());

  v1::SubmitResponse rep;
  ASSERT_TRUE(Submit(std::string("Bearer ") + kRepToken, &rep).ok());
  EXPECT_GT(rep.report_id(), 0);
  ASSERT_EQ(rep.diagnosis().verdicts_size(), op.diagnosis().verdicts_size());
  for (int i = 0; i < rep.diagnosis().verdicts_size(); ++i) {
    const v1::Verdict& v = rep.diagnosis().verdicts(i);
    EXPECT_EQ(v.cause(), op.diagnosis().verdicts(i).cause());
    EXPECT_EQ(v.explanation(), op.diagnosis().verdicts(i).explanation());
    EXPECT_EQ(v.remedy(), op.diagnosis().verdicts(i).remedy());
    EXPECT_FALSE(v.explanation().empty());
    EXPECT_EQ(v.evidence_size(), 0);
  }
  EXPECT_TRUE(rep.diagnosis().searched().empty());
  EXPECT_EQ(rep.diagnosis().retry_may_help(), op.diagnosis().retry_may_help());
  // What is stored stays complete, for the operator's reports.
  EXPECT_NE(sink_.diagnosis_json().find("GET /x"), std::string::npos);

  // A reporter's Status: version and uptime, nothing about the host.
  auto stub = v1::Culprit::NewStub(channel_);
  grpc::ClientContext ctx;
  Prepare(&ctx, std::string("Bearer ") + kRepToken);
  v1::StatusResponse status;
  ASSERT_TRUE(stub->Status(&ctx, v1::StatusRequest(), &status).ok());
  EXPECT_FALSE(status.version().empty());
  EXPECT_TRUE(status.has_uptime());
  EXPECT_EQ(status.sources_size(), 0);
  EXPECT_EQ(status.database_path(), "");
  EXPECT_EQ(status.listen(), "");
  grpc::ClientContext ctx2;
  Prepare(&ctx2, std::string("Bearer ") + kOpToken);
  ASSERT_TRUE(stub->Status(&ctx2, v1::StatusRequest(), &status).ok());
  EXPECT_EQ(status.sources_size(), 1);
  EXPECT_EQ(status.database_path(), db_path_);
}

TEST_F(AccessTest, OperatorMayLetReportersSeeEvidence) {
  Start([](ServerOptions& o) { o.reporter_sees_evidence = true; });
  v1::SubmitResponse rep;
  ASSERT_TRUE(Submit(std::string("Bearer ") + kRepToken, &rep).ok());
  ASSERT_GT(rep.diagnosis().verdicts_size(), 0);
  ASSERT_GT(rep.diagnosis().verdicts(0).evidence_size(), 0);
  EXPECT_NE(rep.diagnosis().verdicts(0).evidence(0).raw().find("GET /x"), std::string::npos);
}

TEST_F(AccessTest, SubmitIsRateLimitedPerClientWithARetryHint) {
  Start([](ServerOptions& o) { o.submit_limit = {60, 2}; });  // one a second, two at once
  const std::string app = std::string("Bearer ") + kRepToken;
  v1::SubmitResponse resp;
  EXPECT_TRUE(Submit(app, &resp).ok());
  EXPECT_TRUE(Submit(app, &resp).ok());
  std::multimap<std::string, std::string> trailers;
  const grpc::Status limited = Submit(app, &resp, &trailers);
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(limited.error_message(),
            "too many reports from this client: at most 60 a minute (burst 2); retry in 1.000 s");
  ASSERT_EQ(trailers.count("retry-after-ms"), 1u);
  EXPECT_EQ(trailers.find("retry-after-ms")->second, "1000");

  // Another token is another client; a bad token is refused before it
  // counts against anyone.
  EXPECT_TRUE(Submit(std::string("Bearer ") + kRep2Token, &resp).ok());
  EXPECT_EQ(Submit("Bearer nope", &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  clock_.Advance(std::chrono::milliseconds(400));
  trailers.clear();
  EXPECT_EQ(Submit(app, &resp, &trailers).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(trailers.find("retry-after-ms")->second, "600");
  clock_.Advance(std::chrono::milliseconds(600));
  EXPECT_TRUE(Submit(app, &resp).ok());
}

TEST_F(AccessTest, WithoutTokensTheLimitIsPerAddress) {
  Start([](ServerOptions& o) {
    o.tokens.clear();
    o.submit_limit = {1, 1};
  });
  v1::SubmitResponse resp;
  EXPECT_TRUE(Submit("", &resp).ok());
  std::multimap<std::string, std::string> trailers;
  EXPECT_EQ(Submit("", &resp, &trailers).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(trailers.find("retry-after-ms")->second, "60000");
  // A new connection (another client port) is the same client.
  channel_ = grpc::CreateCustomChannel(Address(), grpc::InsecureChannelCredentials(), [] {
    grpc::ChannelArguments args;
    args.SetInt("grpc.use_local_subchannel_pool", 1);
    return args;
  }());
  EXPECT_EQ(Submit("", &resp).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace culprit::service
