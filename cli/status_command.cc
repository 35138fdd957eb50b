#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include "proto/time_convert.h"
#include "base/time.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "culprit/v1/culprit.grpc.pb.h"

namespace culprit::cli {
namespace {

void PrintReadable(const v1::StatusResponse& r, std::ostream& out) {
  // Whole seconds once up a while; a just-started daemon shows milliseconds.
  const Duration uptime = proto::FromProto(r.uptime());
  out << "culpritd " << r.version() << " on " << r.listen() << ", up "
      << FormatDuration(uptime < std::chrono::seconds(1)
                            ? std::chrono::duration_cast<std::chrono::milliseconds>(uptime)
                            : std::chrono::duration_cast<std::chrono::seconds>(uptime))
      << ", database " << r.database_path() << "\n\n";
  if (!r.ingest_problem().empty()) {
    out << "INGESTION PAUSED since "
        << (r.has_ingest_problem_since()
                ? FormatRfc3339(proto::FromProto(r.ingest_problem_since()), 0)
                : std::string("?"))
        << ": " << r.ingest_problem()
        << "\n(reading resumes by itself once the cause is gone; nothing read is lost)\n\n";
  }
  if (r.sources_size() == 0) {
    out << "No sources configured: add [[source]] tables to the config.\n";
    return;
  }
  Table table({"SOURCE", "FORMAT", "FILES", "SIZE", "COMMITTED", "LAG", "PARSED", "REJECTED",
               "NEWEST EVENT"},
              {2, 3, 4, 5, 6, 7});
  for (const v1::SourceStatus& s : r.sources()) {
    table.AddRow({s.name(), s.format(), std::to_string(s.files_size()), HumanBytes(s.file_size()),
                  HumanBytes(s.committed_offset()), HumanBytes(s.lag_bytes()),
                  std::to_string(s.lines_parsed()), std::to_string(s.lines_rejected()),
                  s.has_newest_event_time() ? FormatRfc3339(proto::FromProto(s.newest_event_time()), 3)
                                            : "-"});
  }
  table.Print(out);
  bool header = false;
  for (const v1::SourceStatus& s : r.sources()) {
    const bool named = s.name() != s.path();
    if (!named && s.problem().empty()) continue;
    if (!header) {
      out << "\n";
      header = true;
    }
    out << s.name() << ":";
    if (named) out << " " << s.path();
    if (!s.problem().empty()) out << (named ? " (" : " ") << s.problem() << (named ? ")" : "");
    out << "\n";
  }
}

}  // namespace

int RunStatus(const GlobalOptions& global, const StatusOptions& options, std::ostream& out,
              std::ostream& err) {
  auto stub = v1::Culprit::NewStub(MakeChannel(global));
  grpc::ClientContext context;
  PrepareCall(global, &context);
  v1::StatusRequest request;
  v1::StatusResponse response;
  const grpc::Status status = stub->Status(&context, request, &response);
  if (!status.ok()) return ReportRpcError(global, "Status", status, err);
  if (options.json) {
    std::string json;
    google::protobuf::util::JsonPrintOptions opts;
    opts.add_whitespace = true;
    opts.always_print_primitive_fields = true;
    const auto st = google::protobuf::util::MessageToJsonString(response, &json, opts);
    if (!st.ok()) {
      err << "culprit: cannot print the response as JSON: " << st.ToString() << "\n";
      return kExitServer;
    }
    out << json;
    if (json.empty() || json.back() != '\n') out << "\n";
    return kExitOk;
  }
  PrintReadable(response, out);
  return kExitOk;
}

}  // namespace culprit::cli
