#include "examples/client/cpp/culprit_client.h"

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <utility>

#include "culprit/v1/culprit.grpc.pb.h"
#include "proto/time_convert.h"

namespace culprit::client {
namespace {

namespace v1 = ::culprit::v1;

v1::Phase ToProto(Phase phase) {
  switch (phase) {
    case Phase::kConnect: return v1::CONNECT;
    case Phase::kTlsHandshake: return v1::TLS_HANDSHAKE;
    case Phase::kRequestSent: return v1::REQUEST_SENT;
    case Phase::kAwaitingResponse: return v1::AWAITING_RESPONSE;
    case Phase::kReadingResponse: return v1::READING_RESPONSE;
    case Phase::kIdleReuse: return v1::IDLE_REUSE;
    case Phase::kUnspecified: break;
  }
  return v1::PHASE_UNSPECIFIED;
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

// "ip:port" of a socket address; IPv4-mapped IPv6 (a dual-stack socket
// talking IPv4) is written as IPv4, the way the server's logs write it.
std::string FormatAddress(const sockaddr_storage& ss) {
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) == nullptr) return "";
    return std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    const std::string port = std::to_string(ntohs(in6->sin6_port));
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      if (inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], text, sizeof text) == nullptr) {
        return "";
      }
      return std::string(text) + ":" + port;
    }
    if (inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text) == nullptr) return "";
    return "[" + std::string(text) + "]:" + port;
  }
  return "";  // a unix socket, or not a socket
}

template <typename GetName>
std::string ReadEnd(int fd, GetName get) {
  if (fd < 0) return "";
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (get(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  return FormatAddress(ss);
}

Evidence FromProto(const v1::Evidence& e) {
  Evidence out;
  out.source = e.source();
  out.file = e.file();
  out.offset = e.offset();
  out.time = std::chrono::system_clock::time_point(proto::FromProto(e.time()).time_since_epoch());
  out.raw = e.raw();
  if (e.cause() != v1::CAUSE_UNSPECIFIED) out.cause = v1::Cause_Name(e.cause());
  out.role = e.role();
  return out;
}

Diagnosis FromProto(int64_t report_id, const v1::Diagnosis& d) {
  Diagnosis out;
  out.report_id = report_id;
  for (const v1::Verdict& v : d.verdicts()) {
    Verdict verdict;
    verdict.cause = v1::Cause_Name(v.cause());
    verdict.confidence = v.confidence();
    verdict.explanation = v.explanation();
    verdict.remedy = v.remedy();
    for (const v1::Evidence& e : v.evidence()) verdict.evidence.push_back(FromProto(e));
    out.verdicts.push_back(std::move(verdict));
  }
  out.similar_recent = d.similar_recent();
  out.retry_may_help = d.retry_may_help();
  out.searched = d.searched();
  return out;
}

void ToProto(const Report& r, v1::ResetReport* out) {
  const auto seen = r.seen_at.value_or(std::chrono::system_clock::now());
  proto::ToProto(std::chrono::time_point_cast<std::chrono::microseconds>(seen),
                 out->mutable_seen_at());
  if (r.clock_uncertainty) {
    proto::ToProto(std::chrono::duration_cast<std::chrono::microseconds>(*r.clock_uncertainty),
                   out->mutable_clock_uncertainty());
  }
  out->set_client(r.client);
  out->set_server(r.server);
  out->set_server_name(r.server_name);
  out->set_error(r.error);
  out->set_phase(ToProto(r.phase));
  out->set_request_id(r.request_id);
  if (r.bytes_sent) out->set_bytes_sent(*r.bytes_sent);
  if (r.bytes_received) out->set_bytes_received(*r.bytes_received);
  if (r.idle_before) proto::ToProto(*r.idle_before, out->mutable_idle_before());
  if (r.connection_age) proto::ToProto(*r.connection_age, out->mutable_connection_age());
  out->set_http_status(r.http_status);
  for (const auto& [key, value] : r.labels) (*out->mutable_labels())[key] = value;
}

}  // namespace

Endpoints SocketEndpoints(int fd) {
  return Endpoints{ReadEnd(fd, ::getsockname), ReadEnd(fd, ::getpeername)};
}

std::string ErrnoName(int err) {
  if (err == 0) return "EOF";
  // glibc >= 2.32; EWOULDBLOCK and EAGAIN share a value and get one name.
  if (const char* name = strerrorname_np(err); name != nullptr) return name;
  return "errno " + std::to_string(err);
}

struct Reporter::Impl {
  std::string target;
  Options options;
  std::unique_ptr<v1::Culprit::Stub> stub;
};

Reporter::Reporter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Reporter::Reporter(Reporter&&) noexcept = default;
Reporter& Reporter::operator=(Reporter&&) noexcept = default;
Reporter::~Reporter() = default;

Reporter Reporter::Connect(const std::string& target, const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->target = target;
  impl->options = options;
  std::shared_ptr<grpc::Channel> channel;
  if (options.tls) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.tls_ca_pem;  // empty: the system's roots
    ssl.pem_cert_chain = options.tls_cert_pem;
    ssl.pem_private_key = options.tls_key_pem;
    grpc::ChannelArguments args;
    if (!options.tls_server_name.empty()) args.SetSslTargetNameOverride(options.tls_server_name);
    channel = grpc::CreateCustomChannel(target, grpc::SslCredentials(ssl), args);
  } else {
    channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  }
  impl->stub = v1::Culprit::NewStub(channel);
  return Reporter(std::move(impl));
}

Result Reporter::Submit(const Report& report) const {
  Result result;
  v1::SubmitRequest request;
  ToProto(report, request.mutable_report());
  grpc::ClientContext context;
  // Plain metadata rather than call credentials: gRPC refuses call
  // credentials on a plaintext channel, and a token on loopback is useful.
  if (!impl_->options.token.empty()) {
    context.AddMetadata("authorization", "Bearer " + impl_->options.token);
  }
  context.set_deadline(std::chrono::system_clock::now() + impl_->options.timeout);
  v1::SubmitResponse response;
  const grpc::Status status = impl_->stub->Submit(&context, request, &response);
  if (!status.ok()) {
    result.error = "Submit to " + impl_->target + " failed: " + CodeName(status.error_code()) +
                   ": " + status.error_message();
    return result;
  }
  result.diagnosis = FromProto(response.report_id(), response.diagnosis());
  return result;
}

Result Reporter::ReportSocketError(int fd, const SocketFailure& f) const {
  // Addresses first, before anything else can disturb the socket.
  Endpoints ends = f.known;
  if (ends.local.empty() || ends.peer.empty()) {
    const Endpoints now = SocketEndpoints(fd);
    if (ends.local.empty()) ends.local = now.local;
    if (ends.peer.empty()) ends.peer = now.peer;
  }
  if (ends.local.empty()) {
    return Result{"the client address of fd " + std::to_string(fd) +
                      " is unknown (capture SocketEndpoints(fd) right after connect)",
                  {}};
  }
  Report report;
  report.error = ErrnoName(f.err);
  report.phase = f.phase;
  report.client = ends.local;
  report.server = ends.peer;
  report.server_name = f.server_name;
  report.request_id = f.request_id;
  report.idle_before = f.idle_before;
  report.connection_age = f.connection_age;
  report.labels = f.labels;
  return Submit(report);
}

}  // namespace culprit::client
