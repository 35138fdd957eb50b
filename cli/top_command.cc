#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "proto/time_convert.h"
#include "base/time.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "culprit/v1/culprit.grpc.pb.h"

namespace culprit::cli {
namespace {

std::string Share(int64_t part, int64_t whole) {
  if (whole == 0) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * static_cast<double>(part) / whole);
  return buf;
}

}  // namespace

int RunTop(const GlobalOptions& global, const TopOptions& options, std::ostream& out,
           std::ostream& err) {
  auto from = ParseTimeArg(options.from);
  if (!from.ok()) {
    err << "culprit: --from: " << from.status().message() << "\n";
    return kExitUsage;
  }
  auto to = ParseTimeArg(options.to);
  if (!to.ok()) {
    err << "culprit: --to: " << to.status().message() << "\n";
    return kExitUsage;
  }
  v1::TopCausesRequest req;
  proto::ToProto(*from, req.mutable_from());
  proto::ToProto(*to, req.mutable_to());
  auto stub = v1::Culprit::NewStub(MakeChannel(global));
  grpc::ClientContext context;
  PrepareCall(global, &context);
  v1::TopCausesResponse resp;
  const grpc::Status status = stub->TopCauses(&context, req, &resp);
  if (!status.ok()) return ReportRpcError(global, "TopCauses", status, err);
  if (options.json) {
    std::string json;
    google::protobuf::util::JsonPrintOptions opts;
    opts.add_whitespace = true;
    opts.always_print_primitive_fields = true;
    if (!google::protobuf::util::MessageToJsonString(resp, &json, opts).ok()) {
      err << "culprit: cannot print the response as JSON\n";
      return kExitServer;
    }
    out << json;
    if (json.empty() || json.back() != '\n') out << "\n";
    return kExitOk;
  }
  out << "from " << FormatRfc3339(*from, 3) << " to " << FormatRfc3339(*to, 3) << ": "
      << resp.reports() << " report(s), " << resp.events() << " server event(s) with a cause\n\n";
  if (resp.causes_size() == 0) {
    out << "No reports and no reset-causing events in this period.\n";
    return kExitOk;
  }
  Table table({"CAUSE", "REPORTS", "SHARE", "SERVER EVENTS", "SHARE"}, {1, 2, 3, 4});
  for (const v1::CauseCount& c : resp.causes()) {
    table.AddRow({v1::Cause_Name(c.cause()), std::to_string(c.reports()),
                  Share(c.reports(), resp.reports()), std::to_string(c.events()),
                  Share(c.events(), resp.events())});
  }
  table.Print(out);
  return kExitOk;
}

}  // namespace culprit::cli
