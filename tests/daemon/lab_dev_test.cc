// The lab-dev corpus through the real daemon: culpritd ingests the logs that
// real nginx, HAProxy, stunnel, ulogd2 and an application wrote while 150
// resets were provoked (examples/lab-dev.toml), then every case is
// submitted over gRPC as a client would report it. Prints a per-category
// table; the top verdict must name the case's cause and its evidence must
// hold the case's server line.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <map>
#include <regex>

#include "proto/time_convert.h"
#include "culprit/v1/culprit.grpc.pb.h"
#include "tests/correlate/lab_corpus.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace culprit {
namespace {

using namespace std::chrono_literals;
using culprit::testing::Subprocess;

const std::string kCulpritd = std::string(CULPRIT_BINARY_DIR) + "/daemon/culpritd";
const std::string kConfig = std::string(CULPRIT_SOURCE_DIR) + "/examples/lab-dev.toml";

v1::Phase PhaseOf(const std::string& p) {
  static const std::map<std::string, v1::Phase> kPhases = {
      {"connect", v1::CONNECT},
      {"tls_handshake", v1::TLS_HANDSHAKE},
      {"request_sent", v1::REQUEST_SENT},
      {"awaiting_response", v1::AWAITING_RESPONSE},
      {"reading_response", v1::READING_RESPONSE},
      {"idle_reuse", v1::IDLE_REUSE}};
  auto it = kPhases.find(p);
  return it == kPhases.end() ? v1::PHASE_UNSPECIFIED : it->second;
}

// The report exactly as a client would send it.
v1::ResetReport ToProto(const correlate::ResetReport& r) {
  v1::ResetReport out;
  proto::ToProto(r.reported_at, out.mutable_seen_at());
  out.set_client(Endpoint{*r.client_ip, r.client_port}.ToString());
  if (r.server_ip) out.set_server(Endpoint{*r.server_ip, r.server_port}.ToString());
  out.set_error(r.error);
  out.set_phase(PhaseOf(r.phase));
  if (r.http_status) out.set_http_status(*r.http_status);
  return out;
}

TEST(LabDevTest, EveryCaseGetsItsCauseAndEvidenceThroughTheDaemon) {
  const std::string dir = correlate_test::LabDevDir();
  if (dir.empty()) GTEST_SKIP() << "no ../shared/corpus/lab-dev next to the project";
  auto corpus = correlate_test::LoadLabCorpus(dir);
  ASSERT_TRUE(corpus.ok()) << corpus.status().message();

  testing::TempDir tmp;
  Subprocess daemon({kCulpritd, "--config", kConfig, "--database", tmp.File("lab.db"),
                     "--listen", "127.0.0.1:0"});
  auto line = daemon.WaitForStderrLine("serving on", 30s);
  ASSERT_TRUE(line.has_value()) << daemon.err();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(*line, m, std::regex(R"(\(port (\d+)\))"))) << *line;
  auto channel = grpc::CreateChannel("127.0.0.1:" + m[1].str(), grpc::InsecureChannelCredentials());
  auto stub = v1::Culprit::NewStub(channel);

  // Wait (bounded) until every source is read to its end.
  bool caught_up = false;
  for (int i = 0; i < 300 && !caught_up; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::StatusResponse st;
    ASSERT_TRUE(stub->Status(&ctx, v1::StatusRequest(), &st).ok());
    caught_up = st.sources_size() > 0;
    for (const v1::SourceStatus& s : st.sources()) {
      caught_up = caught_up && s.lag_bytes() == 0 && s.file_size() > 0 && s.lines_rejected() == 0;
    }
    if (!caught_up) daemon.WaitForStderrLine("\x01never\x01", 100ms);  // bounded pause
  }
  ASSERT_TRUE(caught_up) << "culpritd did not ingest the lab-dev logs in time";

  struct Tally {
    int cases = 0, top1 = 0, evidence = 0;
  };
  std::map<std::string, Tally> by_cause;
  Tally all;
  for (const correlate_test::LabCase& c : corpus->cases) {
    v1::SubmitRequest req;
    *req.mutable_report() = ToProto(c.report);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::SubmitResponse resp;
    const grpc::Status st = stub->Submit(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << c.id << ": " << st.error_message();
    EXPECT_GT(resp.report_id(), 0) << c.id;
    ASSERT_GT(resp.diagnosis().verdicts_size(), 0) << c.id;
    const v1::Verdict& top = resp.diagnosis().verdicts(0);
    const bool right = v1::Cause_Name(top.cause()) == c.cause;
    bool has_line = c.evidence_lines.empty();
    for (const v1::Evidence& e : top.evidence()) {
      for (const std::string& l : c.evidence_lines) has_line = has_line || e.raw() == l;
    }
    Tally& t = by_cause[c.cause];
    t.cases++, all.cases++;
    t.top1 += right, all.top1 += right;
    t.evidence += has_line, all.evidence += has_line;
    if (!right || !has_line) {
      std::printf("  %s: expected %s, got %s (%.2f)%s\n", c.id.c_str(), c.cause.c_str(),
                  v1::Cause_Name(top.cause()).c_str(), top.confidence(),
                  has_line ? "" : " [case line not in evidence]");
    }
  }
  std::printf("%-22s %6s %8s %9s\n", "expected", "cases", "top-1", "evidence");
  for (const auto& [cause, t] : by_cause) {
    std::printf("%-22s %6d %7.1f%% %8.1f%%\n", cause.c_str(), t.cases, 100.0 * t.top1 / t.cases,
                100.0 * t.evidence / t.cases);
    EXPECT_GE(t.top1 * 10, t.cases * 9) << cause;
  }
  std::printf("%-22s %6d %7.1f%% %8.1f%%\n", "overall", all.cases, 100.0 * all.top1 / all.cases,
              100.0 * all.evidence / all.cases);
  EXPECT_EQ(all.cases, 150);
  EXPECT_GE(all.top1 * 100, all.cases * 97);
  EXPECT_GE(all.evidence * 100, all.cases * 97);

  // Every submitted report was stored: TopCauses over the lab's day counts them.
  v1::TopCausesRequest top;
  top.mutable_from()->set_seconds(1795392000);  // 2026-11-23T00:00:00Z
  top.mutable_to()->set_seconds(1795478400);
  grpc::ClientContext tctx;
  tctx.set_deadline(std::chrono::system_clock::now() + 10s);
  v1::TopCausesResponse counted;
  ASSERT_TRUE(stub->TopCauses(&tctx, top, &counted).ok());
  EXPECT_EQ(counted.reports(), 150);

  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(20s), 0) << daemon.err();
}

}  // namespace
}  // namespace culprit
