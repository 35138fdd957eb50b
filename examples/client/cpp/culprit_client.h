#ifndef CULPRIT_EXAMPLES_CLIENT_CPP_CULPRIT_CLIENT_H_
#define CULPRIT_EXAMPLES_CLIENT_CPP_CULPRIT_CLIENT_H_

// culprit_client: reports a failed connection from a C++ application to
// culpritd (the Submit RPC) and returns the daemon's diagnosis.
//
//   namespace cc = culprit::client;
//   const cc::Reporter reporter = cc::Reporter::Connect("127.0.0.1:7450", {});
//   const cc::Endpoints ends = cc::SocketEndpoints(fd);  // right after connect()
//   ...
//   if (send(fd, ...) < 0 || recv(fd, ...) <= 0) {
//     cc::SocketFailure f;
//     f.err = errno;  // 0 when recv() returned 0 (the peer closed)
//     f.phase = cc::Phase::kIdleReuse;
//     f.known = ends;
//     f.idle_before = idle;  // measured with steady_clock
//     const cc::Result r = reporter.ReportSocketError(fd, f);
//     if (r.ok()) log(r.diagnosis.top().cause, r.diagnosis.top().explanation);
//   }
//
// What to capture and why: examples/client/README.md.
//
// This header includes no gRPC or Protobuf header (the channel and stub sit
// behind a pointer to an implementation). The library links culprit_proto
// (generated code, gRPC and Protobuf) and nothing else.
//
// Thread-safety: a Reporter may be used from several threads at once (the
// gRPC channel and stub are thread-safe). The free functions are pure or
// read only the socket they are given.
//
// Failure: no function throws. A failed call returns a Result whose error
// names the RPC, the daemon address, the gRPC code and message.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace culprit::client {

// Where in the connection's life the error happened (culprit.v1.Phase).
enum class Phase {
  kUnspecified,
  kConnect,           // connect() failed
  kTlsHandshake,      // the TLS handshake failed
  kRequestSent,       // while sending the request
  kAwaitingResponse,  // request sent, no byte of the response yet
  kReadingResponse,   // part of the response had arrived
  kIdleReuse,         // first use of a keep-alive connection after it sat idle
};

// The two ends of a TCP connection as "ip:port" ("[v6]:port" for IPv6;
// IPv4-mapped IPv6 written as IPv4). Empty when unknown.
struct Endpoints {
  std::string local;  // the client's own address and port (getsockname)
  std::string peer;   // the server's (getpeername)
};

// Reads both ends of a connected socket. Call it right after connect()
// succeeds and keep the result: once a connection has been reset, Linux no
// longer knows the peer (getpeername fails with ENOTCONN), and the local
// port is what ties the report to the server's log lines.
// Returns empty fields for what cannot be read (fd closed, not a socket).
Endpoints SocketEndpoints(int fd);

// The symbolic name of an errno value: "ECONNRESET", "EPIPE"; "EOF" for 0
// (a read that returned 0: the peer closed); "errno 1234" when unknown.
std::string ErrnoName(int err);

// A report as culprit.v1.ResetReport: every field but `error` and `client`
// is optional. See proto/culprit/v1/culprit.proto for the meaning of each.
struct Report {
  // The error exactly as the client saw it: an errno name, "EOF", a Windows
  // code ("WSAECONNRESET", "10054"), an OpenSSL reason ("SSL:
  // WRONG_VERSION_NUMBER"), or the message text. At most 1 KiB.
  std::string error;
  Phase phase = Phase::kUnspecified;
  std::string client;       // "ip:port" of the client's side of the connection
  std::string server;       // "ip:port" it connected to
  std::string server_name;  // SNI / Host
  std::string request_id;   // the id the request carried (X-Request-ID), if any
  // When the error happened, by this host's clock; unset: now.
  std::optional<std::chrono::system_clock::time_point> seen_at;
  // How far this host's clock may be off; unset: the daemon's default (5 s).
  std::optional<std::chrono::milliseconds> clock_uncertainty;
  // How long the connection sat idle before this use, and its age.
  std::optional<std::chrono::microseconds> idle_before;
  std::optional<std::chrono::microseconds> connection_age;
  std::optional<int64_t> bytes_sent;
  std::optional<int64_t> bytes_received;
  int http_status = 0;  // a status line that arrived before the failure; 0: none
  std::map<std::string, std::string> labels;  // e.g. {"app", "checkout"}
};

// A failed socket operation, for Reporter::ReportSocketError.
struct SocketFailure {
  int err = 0;  // errno right after the failed call; 0: recv() returned 0
  Phase phase = Phase::kUnspecified;
  // Ends captured at connect time (SocketEndpoints); a field left empty is
  // read from the socket when the report is made.
  Endpoints known;
  std::optional<std::chrono::microseconds> idle_before;
  std::optional<std::chrono::microseconds> connection_age;
  std::string server_name;
  std::string request_id;
  std::map<std::string, std::string> labels;
};

// One server-side log line the daemon offers as evidence.
struct Evidence {
  std::string source;  // the culpritd source name
  std::string file;
  int64_t offset = 0;
  std::chrono::system_clock::time_point time;
  std::string raw;    // the line
  std::string cause;  // what the line alone indicates; empty: nothing
  std::string role;   // "cause", "consequence" or "context"
};

struct Verdict {
  std::string cause;  // "IDLE_TIMEOUT", ..., "NONE_ON_SERVER"
  double confidence = 0;
  std::string explanation;
  std::string remedy;
  std::vector<Evidence> evidence;  // root cause first
};

struct Diagnosis {
  int64_t report_id = 0;          // the stored report's id
  std::vector<Verdict> verdicts;  // best first; never empty from a daemon
  int similar_recent = 0;
  bool retry_may_help = false;
  std::string searched;

  // The best verdict. REQUIRES: !verdicts.empty().
  const Verdict& top() const { return verdicts.front(); }
};

// The outcome of a report: a diagnosis, or why there is none.
struct Result {
  std::string error;  // empty on success
  Diagnosis diagnosis;
  bool ok() const { return error.empty(); }
};

struct Options {
  // Bearer token, sent as "authorization: Bearer <token>"; empty: none.
  std::string token;
  // TLS to the daemon. PEM texts; an empty CA means the system's roots.
  bool tls = false;
  std::string tls_ca_pem;
  std::string tls_cert_pem;  // client certificate (with tls_key_pem), optional
  std::string tls_key_pem;
  std::string tls_server_name;  // overrides the name checked in the certificate
  // Each call's deadline. Reporting must never hold up the application for
  // long: keep it short and report from a thread that can wait.
  std::chrono::milliseconds timeout{5000};
};

// A connection to culpritd. Movable, not copyable.
class Reporter {
 public:
  // A reporter for `target`: "host:port" or "unix:/path". Connecting is
  // lazy: a daemon that is down shows up as an UNAVAILABLE error of the
  // first report, never here.
  static Reporter Connect(const std::string& target, const Options& options);

  Reporter(Reporter&&) noexcept;
  Reporter& operator=(Reporter&&) noexcept;
  ~Reporter();

  // Submits `report` (stored by the daemon) and returns its diagnosis.
  // Sets seen_at to now when unset. Fails with the RPC's status (e.g.
  // "Submit to 127.0.0.1:7450 failed: INVALID_ARGUMENT: report.client: ...").
  Result Submit(const Report& report) const;

  // Reports a failed operation on socket `fd`: error = ErrnoName(f.err),
  // client and server from f.known, else read from fd now, seen_at now.
  // Fails as Submit, or without calling the daemon when the client address
  // is unknown (fd closed and f.known.local empty).
  // REQUIRES: fd is a TCP socket, or -1 with f.known.local set.
  Result ReportSocketError(int fd, const SocketFailure& f) const;

 private:
  struct Impl;
  explicit Reporter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace culprit::client

#endif  // CULPRIT_EXAMPLES_CLIENT_CPP_CULPRIT_CLIENT_H_
