// culprit report: the daemon renders the document (Report RPC); the CLI
// writes it to stdout or, with --out, to a file replaced atomically.

#include <filesystem>

#include "base/atomic_file.h"
#include "base/status.h"
#include "base/time.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "culprit/v1/culprit.grpc.pb.h"
#include "proto/time_convert.h"

namespace culprit::cli {

int RunReport(const GlobalOptions& global, const ReportOptions& options, std::ostream& out,
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
  if (options.format != "html" && options.format != "md" && options.format != "markdown" &&
      options.format != "json") {
    err << "culprit: --format: \"" << options.format << "\" is not html, md or json\n";
    return kExitUsage;
  }
  v1::ReportRequest req;
  proto::ToProto(*from, req.mutable_from());
  proto::ToProto(*to, req.mutable_to());
  req.set_format(options.format);
  req.set_timezone(options.timezone);
  auto stub = v1::Culprit::NewStub(MakeChannel(global));
  grpc::ClientContext context;
  PrepareCall(global, &context);
  v1::ReportResponse resp;
  const grpc::Status status = stub->Report(&context, req, &resp);
  if (!status.ok()) return ReportRpcError(global, "Report", status, err);
  if (options.out.empty()) {
    out << resp.document();
    return kExitOk;
  }
  if (Status s = WriteFileAtomically(options.out, resp.document()); !s.ok()) {
    err << "culprit: --out: " << s.message() << "\n";
    return kExitUsage;
  }
  std::error_code ec;
  const auto abs = std::filesystem::absolute(options.out, ec);
  out << (ec ? options.out : abs.lexically_normal().string()) << "\n";
  return kExitOk;
}

}  // namespace culprit::cli
