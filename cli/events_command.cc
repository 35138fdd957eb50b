#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include "proto/time_convert.h"
#include "base/time.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "culprit/v1/culprit.grpc.pb.h"

namespace culprit::cli {
namespace {

// The time range from --from/--to or --at/--around; false after printing why.
bool Range(const EventsOptions& o, Timestamp* from, Timestamp* to, std::ostream& err) {
  const bool by_range = !o.from.empty() || !o.to.empty();
  const bool by_point = !o.at.empty() || !o.around.empty();
  if (by_range == by_point) {
    err << "culprit: give either --from and --to, or --at and --around\n";
    return false;
  }
  if (by_range) {
    auto f = ParseTimeArg(o.from);
    auto t = ParseTimeArg(o.to);
    if (!f.ok()) {
      err << "culprit: --from: " << f.status().message() << "\n";
      return false;
    }
    if (!t.ok()) {
      err << "culprit: --to: " << t.status().message() << "\n";
      return false;
    }
    *from = *f;
    *to = *t;
    return true;
  }
  auto at = ParseTimeArg(o.at);
  if (!at.ok()) {
    err << "culprit: --at: " << at.status().message() << "\n";
    return false;
  }
  auto around = ParseDuration(o.around.empty() ? "10s" : o.around);
  if (!around.ok()) {
    err << "culprit: --around: " << around.status().message() << "\n";
    return false;
  }
  *from = *at - *around;
  *to = *at + *around;
  return true;
}

}  // namespace

int RunEvents(const GlobalOptions& global, const EventsOptions& options, std::ostream& out,
              std::ostream& err) {
  v1::SearchEventsRequest req;
  Timestamp from, to;
  if (!Range(options, &from, &to, err)) return kExitUsage;
  proto::ToProto(from, req.mutable_from());
  proto::ToProto(to, req.mutable_to());
  req.set_ip(options.ip);
  if (options.port < 0 || options.port > 65535 || options.client_port < 0 ||
      options.client_port > 65535) {
    err << "culprit: --port and --client-port take 0..65535\n";
    return kExitUsage;
  }
  req.set_server_port(static_cast<uint32_t>(options.port));
  req.set_client_port(static_cast<uint32_t>(options.client_port));
  req.set_source(options.source);
  req.set_kind(options.kind);
  if (!options.cause.empty()) {
    v1::Cause cause;
    if (!v1::Cause_Parse(options.cause, &cause) || cause == v1::CAUSE_UNSPECIFIED) {
      err << "culprit: --cause: \"" << options.cause
          << "\" is not a cause (PROTOCOL_MISMATCH, TLS_HANDSHAKE_FAILED, ...)\n";
      return kExitUsage;
    }
    req.set_cause(cause);
  }
  req.set_with_cause_only(options.with_cause_only);
  if (options.limit < 0) {
    err << "culprit: --limit must not be negative\n";
    return kExitUsage;
  }
  req.set_limit(static_cast<uint32_t>(options.limit));

  auto stub = v1::Culprit::NewStub(MakeChannel(global));
  grpc::ClientContext context;
  PrepareCall(global, &context);
  auto reader = stub->SearchEvents(&context, req);
  v1::SearchEventsResponse batch;
  int64_t n = 0;
  google::protobuf::util::JsonPrintOptions opts;
  // The events come in batches, in the answer's order.
  while (reader->Read(&batch)) {
    for (const v1::EventRecord& e : batch.events()) {
      ++n;
      if (options.json) {
        std::string json;
        if (!google::protobuf::util::MessageToJsonString(e, &json, opts).ok()) continue;
        out << json << "\n";
        continue;
      }
      out << FormatRfc3339(proto::FromProto(e.time()), 3) << "  " << e.source() << "  "
          << e.kind();
      if (e.cause() != v1::CAUSE_UNSPECIFIED) out << "  " << v1::Cause_Name(e.cause());
      if (!e.client().empty()) out << "  " << e.client();
      out << "\n    " << e.raw() << "\n";
    }
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) return ReportRpcError(global, "SearchEvents", status, err);
  if (!options.json && n == 0) out << "no events\n";
  return kExitOk;
}

}  // namespace culprit::cli
