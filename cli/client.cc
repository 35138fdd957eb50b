#include "cli/client.h"

#include <chrono>

#include "base/clock.h"

namespace culprit::cli {
namespace {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

}  // namespace

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

void SetDeadline(const GlobalOptions& global, grpc::ClientContext* context) {
  // gRPC deadlines are wall-clock time points.
  const auto timeout = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(global.timeout_seconds));
  const std::chrono::system_clock::time_point deadline = SystemClock().Now() + timeout;
  context->set_deadline(deadline);
}

int ReportRpcError(const GlobalOptions& global, const std::string& rpc,
                   const grpc::Status& status, std::ostream& err) {
  err << "culprit: " << rpc << " on " << global.daemon << " failed: "
      << CodeName(status.error_code()) << ": " << status.error_message() << "\n";
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    err << "culprit: is culpritd running and listening on " << global.daemon
        << "? (set --daemon or CULPRIT_DAEMON)\n";
  } else if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    err << "culprit: no answer within " << global.timeout_seconds
        << " s (raise --timeout if the daemon is busy)\n";
  }
  return kExitServer;
}

}  // namespace culprit::cli
