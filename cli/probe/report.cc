#include "cli/probe/report.h"

#include <grpcpp/grpcpp.h>

#include <thread>

#include "base/clock.h"
#include "cli/client.h"
#include "culprit/v1/culprit.grpc.pb.h"
#include "proto/time_convert.h"

namespace culprit::cli::probe {
namespace {

v1::Phase PhaseOf(const std::string& name) {
  v1::Phase phase = v1::PHASE_UNSPECIFIED;
  return ParsePhase(name, &phase) ? phase : v1::PHASE_UNSPECIFIED;
}

// Polls Status until every source has committed what its files held at the
// first call (lag 0), at most `rounds` times 100 ms. The servers write their
// log lines when the probe's connections end; the daemon needs a moment to
// read them. Gives up quietly (the diagnosis then says what it searched).
void WaitCaughtUp(v1::Culprit::Stub* stub, const GlobalOptions& global, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    grpc::ClientContext context;
    PrepareCall(global, &context);
    v1::StatusResponse status;
    if (!stub->Status(&context, v1::StatusRequest(), &status).ok()) return;
    bool behind = false;
    for (const v1::SourceStatus& s : status.sources()) behind |= s.lag_bytes() > 0;
    if (!behind && i > 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

int SubmitFailures(const GlobalOptions& global, ProbeResult* result, std::ostream& err) {
  bool any = false;
  for (const CheckResult& c : result->checks) any |= c.reportable;
  if (!any) return 0;
  auto stub = v1::Culprit::NewStub(MakeChannel(global));
  // Log lines of the last connections may still be on their way (nginx and
  // stunnel write at once, HAProxy through syslog).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  WaitCaughtUp(stub.get(), global, 50);
  int stored = 0, sent = 0;
  bool reported_error = false;
  for (CheckResult& c : result->checks) {
    if (!c.reportable) continue;
    DiagnosisSummary d;
    if (++sent > kMaxReports) {
      d.error = "more than " + std::to_string(kMaxReports) + " failures; not submitted";
      c.diagnosis = d;
      continue;
    }
    v1::SubmitRequest request;
    v1::ResetReport* r = request.mutable_report();
    proto::ToProto(c.at, r->mutable_seen_at());
    r->set_client(c.local);
    r->set_server(c.remote);
    r->set_server_name(result->sni);
    r->set_error(c.error);
    r->set_phase(PhaseOf(c.phase));
    if (c.http_status > 0) r->set_http_status(c.http_status);
    if (c.idle_ms >= 0) {
      proto::ToProto(Duration(static_cast<int64_t>(c.idle_ms * 1000)), r->mutable_idle_before());
    }
    (*r->mutable_labels())["tool"] = "culprit-probe";
    (*r->mutable_labels())["check"] = c.name + (c.label.empty() ? "" : ": " + c.label);
    grpc::ClientContext context;
    PrepareCall(global, &context);
    v1::SubmitResponse response;
    const grpc::Status status = stub->Submit(&context, request, &response);
    if (!status.ok()) {
      d.error = "Submit: " + status.error_message();
      if (!reported_error) ReportRpcError(global, "Submit", status, err);
      reported_error = true;
      c.diagnosis = d;
      continue;
    }
    ++stored;
    d.report_id = std::to_string(response.report_id());
    if (response.diagnosis().verdicts_size() > 0) {
      const v1::Verdict& v = response.diagnosis().verdicts(0);
      d.cause = v1::Cause_Name(v.cause());
      d.confidence = v.confidence();
      d.explanation = v.explanation();
      d.remedy = v.remedy();
      if (v.evidence_size() > 0) {
        d.evidence = v.evidence(0).source() + ": " + v.evidence(0).raw().substr(0, 300);
      }
    }
    c.diagnosis = d;
  }
  return stored;
}

}  // namespace culprit::cli::probe
