#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include "proto/time_convert.h"
#include "base/ip_address.h"
#include "base/time.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "culprit/v1/culprit.grpc.pb.h"

namespace culprit::cli {
namespace {

void PrintReadable(const v1::Diagnosis& d, Timestamp reported, std::ostream& out) {
  int rank = 0;
  for (const v1::Verdict& v : d.verdicts()) {
    ++rank;
    char conf[16];
    std::snprintf(conf, sizeof conf, "%.2f", v.confidence());
    out << (rank == 1 ? "" : "\n") << rank << ". " << v1::Cause_Name(v.cause()) << "  (confidence "
        << conf << ")\n";
    out << "   " << v.explanation() << "\n";
    if (!v.remedy().empty()) out << "   remedy: " << v.remedy() << "\n";
    for (const v1::Evidence& e : v.evidence()) {
      const Duration offset = proto::FromProto(e.time()) - reported;
      out << "   [" << e.role() << "] " << e.source() << " " << e.file() << ":" << e.offset()
          << " (" << (offset.count() >= 0 ? "+" : "") << FormatDuration(offset)
          << " from the report)\n      " << e.raw() << "\n";
    }
  }
  out << "\n";
  if (d.similar_recent() > 0) {
    out << d.similar_recent() << " similar reset(s) for this client in the last hour. ";
  }
  out << (d.retry_may_help() ? "Retrying may help." : "Retrying will fail the same way.") << "\n";
  if (!d.searched().empty()) out << "searched: " << d.searched() << "\n";
}

}  // namespace

int RunCorrelate(const GlobalOptions& global, const CorrelateOptions& options, std::ostream& out,
                 std::ostream& err) {
  v1::CorrelateRequest request;
  v1::ResetReport* r = request.mutable_report();
  auto at = ParseTimeArg(options.at);
  if (!at.ok()) {
    err << "culprit: --at: " << at.status().message() << "\n";
    return kExitUsage;
  }
  proto::ToProto(*at, r->mutable_seen_at());
  r->set_client(options.client);
  r->set_server(options.server);
  r->set_server_name(options.server_name);
  r->set_error(options.error);
  r->set_request_id(options.request_id);
  r->set_http_status(options.http_status);
  if (!options.phase.empty()) {
    v1::Phase phase;
    if (!ParsePhase(options.phase, &phase)) {
      err << "culprit: --phase: \"" << options.phase
          << "\" is not one of connect, tls_handshake, request_sent, awaiting_response, "
             "reading_response, idle_reuse\n";
      return kExitUsage;
    }
    r->set_phase(phase);
  }
  if (!options.clock_uncertainty.empty()) {
    auto d = ParseDuration(options.clock_uncertainty);
    if (!d.ok()) {
      err << "culprit: --clock-uncertainty: " << d.status().message() << "\n";
      return kExitUsage;
    }
    proto::ToProto(*d, r->mutable_clock_uncertainty());
  }

  auto stub = v1::Culprit::NewStub(MakeChannel(global));
  grpc::ClientContext context;
  PrepareCall(global, &context);
  v1::CorrelateResponse response;
  v1::SubmitResponse submitted;
  if (options.submit) {
    v1::SubmitRequest submit;
    *submit.mutable_report() = request.report();
    const grpc::Status status = stub->Submit(&context, submit, &submitted);
    if (!status.ok()) return ReportRpcError(global, "Submit", status, err);
    if (!options.json) out << "report " << submitted.report_id() << " stored\n\n";
    *response.mutable_diagnosis() = submitted.diagnosis();
  } else {
    const grpc::Status status = stub->Correlate(&context, request, &response);
    if (!status.ok()) return ReportRpcError(global, "Correlate", status, err);
  }
  if (options.json) {
    std::string json;
    google::protobuf::util::JsonPrintOptions opts;
    opts.add_whitespace = true;
    // submit --json prints {"reportId": ..., "diagnosis": {...}}.
    const google::protobuf::Message& message =
        options.submit ? static_cast<const google::protobuf::Message&>(submitted)
                       : static_cast<const google::protobuf::Message&>(response.diagnosis());
    const auto st = google::protobuf::util::MessageToJsonString(message, &json, opts);
    if (!st.ok()) {
      err << "culprit: cannot print the response as JSON: " << st.ToString() << "\n";
      return kExitServer;
    }
    out << json;
    if (json.empty() || json.back() != '\n') out << "\n";
    return kExitOk;
  }
  PrintReadable(response.diagnosis(), *at, out);
  return kExitOk;
}

}  // namespace culprit::cli
