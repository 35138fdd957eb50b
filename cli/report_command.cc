// culprit report: the daemon renders the document (Report RPC); the CLI
// writes it to stdout or, with --out, to a file replaced atomically.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "culprit/v1/culprit.grpc.pb.h"
#include "proto/time_convert.h"

namespace culprit::cli {
namespace {

// Temp file in the target's directory, fsync, rename: a reader (a web
// server publishing the file) never sees half a report.
Status WriteAtomically(const std::string& path, const std::string& contents) {
  const std::filesystem::path target(path);
  std::string dir = target.parent_path().string();
  if (dir.empty()) dir = ".";
  std::string tmpl = dir + "/." + target.filename().string() + ".tmp-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return Status::IoError("cannot create a file in \"" + dir + "\": " + ErrnoText(errno));
  size_t done = 0;
  int err = 0;
  while (done < contents.size() && err == 0) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += static_cast<size_t>(n);
  }
  if (err == 0 && ::fchmod(fd, 0644) != 0) err = errno;
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(name.data(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(name.data());
    return Status::IoError("cannot write \"" + path + "\": " + ErrnoText(err));
  }
  return Status::Ok();
}

}  // namespace

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
  if (Status s = WriteAtomically(options.out, resp.document()); !s.ok()) {
    err << "culprit: --out: " << s.message() << "\n";
    return kExitUsage;
  }
  std::error_code ec;
  const auto abs = std::filesystem::absolute(options.out, ec);
  out << (ec ? options.out : abs.lexically_normal().string()) << "\n";
  return kExitOk;
}

}  // namespace culprit::cli
