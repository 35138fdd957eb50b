#ifndef CULPRIT_CLI_PROBE_NET_H_
#define CULPRIT_CLI_PROBE_NET_H_

// TCP for `culprit probe`: where to connect, and a non-blocking socket whose
// every operation has a deadline and ends in one precise outcome (refused,
// reset, orderly close, timeout...), the words a client would report.
//
// Thread-compatible value and RAII types; no global state.

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace culprit::cli::probe {

using SteadyTime = std::chrono::steady_clock::time_point;

// Milliseconds from `from` to `to` (or to now).
double MillisBetween(SteadyTime from, SteadyTime to);
double MillisSince(SteadyTime from);

// How a network operation ended.
enum class NetOutcome {
  kOk,
  kRefused,      // ECONNREFUSED: RST in answer to the SYN
  kReset,        // ECONNRESET / EPIPE: the peer sent RST
  kClosed,       // recv() == 0: the peer's orderly close (FIN)
  kTimeout,      // the deadline passed first
  kUnreachable,  // ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL
  kTlsError,     // OpenSSL failed the handshake or a record (reason kept)
  kError,        // anything else (errno kept)
};

// "ok", "refused", "reset", "closed", "timeout", "unreachable",
// "tls_error", "error".
std::string_view NetOutcomeName(NetOutcome outcome);

// The symbolic name of an errno value ("ECONNRESET"); "errno N" if unknown.
std::string ErrnoName(int err);

// HOST:PORT as typed: "example.com:443", "192.0.2.1:80", "[2001:db8::1]:443".
struct Target {
  std::string host;       // without brackets
  uint16_t port = 0;
  bool host_is_ip = false;

  // "host:port", with brackets around an IPv6 address.
  std::string ToString() const;
};

// Parses HOST:PORT. Errors (InvalidArgument) name the text: a missing or
// non-numeric port, port 0 or > 65535, empty host, unbalanced brackets, an
// unbracketed IPv6 address.
Result<Target> ParseTarget(std::string_view text);

// One resolved address of a Target.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  // "192.0.2.1:443" / "[2001:db8::1]:443"; "" when empty.
  std::string ToString() const;
};

// Resolves the host (getaddrinfo; numeric hosts never touch DNS) and returns
// the first address. Failure: Unavailable naming the host and the resolver's
// message. NOTE: getaddrinfo has no timeout of its own.
Result<SocketAddress> Resolve(const Target& target);

// Result of one I/O step.
struct IoResult {
  NetOutcome outcome = NetOutcome::kOk;
  int err = 0;          // errno when outcome is kReset/kRefused/kUnreachable/kError
  size_t bytes = 0;     // bytes moved by this step
  // kTlsError: OpenSSL's reason ("wrong version number", "tlsv1 alert
  // protocol version"); kClosed over TLS: "close_notify" when the peer sent
  // one before its FIN.
  std::string reason;

  bool ok() const { return outcome == NetOutcome::kOk; }
  // What a client would report: "ECONNRESET", "EOF", "ETIMEDOUT",
  // "SSL: wrong version number", ...
  std::string ClientError() const;
};

// A connected non-blocking TCP socket. Move-only; closes on destruction.
class Socket {
 public:
  Socket() = default;
  ~Socket();
  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // Connects to `address` within `deadline`. On success *out holds the
  // connected socket; otherwise the outcome says why (kRefused, kTimeout,
  // kUnreachable, kReset, kError).
  static IoResult Connect(const SocketAddress& address, SteadyTime deadline, Socket* out);

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // The local and peer addresses, "ip:port" ("" when unknown).
  std::string LocalAddress() const;
  std::string PeerAddress() const;

  // Sends all of `data` before `deadline`. kReset on ECONNRESET/EPIPE.
  IoResult SendAll(std::string_view data, SteadyTime deadline);

  // Waits for data, then appends what one recv() returns (at most
  // `max_bytes`) to *out. kClosed when the peer closed (FIN), kReset on RST.
  IoResult Recv(std::string* out, size_t max_bytes, SteadyTime deadline);

  // Waits until the socket is readable or has an error (kOk) or until
  // `deadline` (kTimeout). Reads nothing.
  IoResult WaitReadable(SteadyTime deadline) const;
  // Same for writable.
  IoResult WaitWritable(SteadyTime deadline) const;

  // Closes now with an RST instead of a FIN (SO_LINGER {1, 0}).
  void Abort();
  void Close();

 private:
  explicit Socket(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Classifies an errno from a socket call.
NetOutcome OutcomeOfErrno(int err);

}  // namespace culprit::cli::probe

#endif  // CULPRIT_CLI_PROBE_NET_H_
