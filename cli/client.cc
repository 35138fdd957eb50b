#include "cli/client.h"

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>

#include "base/clock.h"
#include "base/status.h"

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

// Reads a whole file; false (with `error` set) when it cannot be read.
bool ReadFile(const std::string& path, std::string* text, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read \"" + path + "\": " + ErrnoText(errno);
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  *text = s.str();
  return true;
}

}  // namespace

int LoadTlsFiles(GlobalOptions* global, std::ostream& err) {
  // gRPC sends metadata values as visible ASCII; anything else would fail
  // every call with a confusing error.
  for (char c : global->token) {
    if (c < 0x21 || c > 0x7e) {
      err << "culprit: --token: must be printable ASCII without spaces\n";
      return kExitUsage;
    }
  }
  if ((global->tls_cert.empty()) != (global->tls_key.empty())) {
    err << "culprit: --tls-cert and --tls-key go together (a client certificate and its key)\n";
    return kExitUsage;
  }
  const struct {
    const char* flag;
    const std::string& path;
    std::string* pem;
  } files[] = {{"--tls-ca", global->tls_ca, &global->tls_ca_pem},
               {"--tls-cert", global->tls_cert, &global->tls_cert_pem},
               {"--tls-key", global->tls_key, &global->tls_key_pem}};
  for (const auto& f : files) {
    if (f.path.empty()) continue;
    global->tls = true;
    std::string error;
    if (!ReadFile(f.path, f.pem, &error)) {
      err << "culprit: " << f.flag << ": " << error << "\n";
      return kExitUsage;
    }
  }
  if (!global->tls_server_name.empty()) global->tls = true;
  return kExitOk;
}

std::shared_ptr<grpc::Channel> MakeChannel(const GlobalOptions& global) {
  if (!global.tls) {
    return grpc::CreateChannel(global.daemon, grpc::InsecureChannelCredentials());
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = global.tls_ca_pem;  // empty: the system's roots
  ssl.pem_cert_chain = global.tls_cert_pem;
  ssl.pem_private_key = global.tls_key_pem;
  grpc::ChannelArguments args;
  if (!global.tls_server_name.empty()) args.SetSslTargetNameOverride(global.tls_server_name);
  return grpc::CreateCustomChannel(global.daemon, grpc::SslCredentials(ssl), args);
}

void PrepareCall(const GlobalOptions& global, grpc::ClientContext* context) {
  // Plain metadata rather than call credentials: gRPC refuses call
  // credentials on a plaintext channel, and a token on loopback is useful.
  if (!global.token.empty()) context->AddMetadata("authorization", "Bearer " + global.token);
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
  } else if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    err << "culprit: " << (global.token.empty() ? "give a token" : "check the token")
        << " (--token or CULPRIT_TOKEN)\n";
  } else if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    err << "culprit: this needs an operator token\n";
  }
  return kExitServer;
}

bool ParsePhase(const std::string& name, v1::Phase* out) {
  static const std::pair<const char*, v1::Phase> kPhases[] = {
      {"connect", v1::CONNECT},
      {"tls_handshake", v1::TLS_HANDSHAKE},
      {"request_sent", v1::REQUEST_SENT},
      {"awaiting_response", v1::AWAITING_RESPONSE},
      {"reading_response", v1::READING_RESPONSE},
      {"idle_reuse", v1::IDLE_REUSE},
  };
  for (const auto& [n, p] : kPhases) {
    if (name == n) {
      *out = p;
      return true;
    }
  }
  return false;
}

}  // namespace culprit::cli
