#include "cli/probe/net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace culprit::cli::probe {
namespace {

// Milliseconds left until `deadline`, clamped to [0, INT_MAX] for poll().
int PollTimeout(SteadyTime deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  // Round up so a wait never ends a fraction of a millisecond early.
  return static_cast<int>(std::min<int64_t>(left.count() + 1, 1 << 30));
}

// poll() for `events` until deadline, retrying on EINTR (bounded by the
// deadline itself). Returns revents, 0 on timeout, -1 with errno on error.
int PollFor(int fd, short events, SteadyTime deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, PollTimeout(deadline));
    if (n > 0) return p.revents;
    if (n == 0) {
      if (std::chrono::steady_clock::now() >= deadline) return 0;
      continue;  // woke early by rounding: wait the rest
    }
    if (errno != EINTR) return -1;
  }
}

std::string FormatAddress(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = {0};
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return "";
}

IoResult FromErrno(int err) { return IoResult{OutcomeOfErrno(err), err, 0, {}}; }

}  // namespace

double MillisBetween(SteadyTime from, SteadyTime to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double MillisSince(SteadyTime from) {
  return MillisBetween(from, std::chrono::steady_clock::now());
}

std::string_view NetOutcomeName(NetOutcome outcome) {
  switch (outcome) {
    case NetOutcome::kOk: return "ok";
    case NetOutcome::kRefused: return "refused";
    case NetOutcome::kReset: return "reset";
    case NetOutcome::kClosed: return "closed";
    case NetOutcome::kTimeout: return "timeout";
    case NetOutcome::kUnreachable: return "unreachable";
    case NetOutcome::kTlsError: return "tls_error";
    case NetOutcome::kError: return "error";
  }
  return "error";
}

std::string ErrnoName(int err) {
  // strerrorname_np is glibc >= 2.32 (Debian 12 has 2.36).
  if (const char* name = ::strerrorname_np(err); name != nullptr) return name;
  return "errno " + std::to_string(err);
}

NetOutcome OutcomeOfErrno(int err) {
  switch (err) {
    case ECONNREFUSED: return NetOutcome::kRefused;
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED: return NetOutcome::kReset;
    case ETIMEDOUT: return NetOutcome::kTimeout;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EADDRNOTAVAIL:
    case ENETDOWN:
    case EHOSTDOWN: return NetOutcome::kUnreachable;
    default: return NetOutcome::kError;
  }
}

std::string IoResult::ClientError() const {
  switch (outcome) {
    case NetOutcome::kOk: return "";
    case NetOutcome::kClosed: return "EOF";
    case NetOutcome::kTlsError: return "SSL: " + (reason.empty() ? "error" : reason);
    case NetOutcome::kTimeout: return err != 0 ? ErrnoName(err) : "ETIMEDOUT";
    default: return err != 0 ? ErrnoName(err) : std::string(NetOutcomeName(outcome));
  }
}

std::string Target::ToString() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<Target> ParseTarget(std::string_view text) {
  const std::string quoted = "\"" + std::string(text.substr(0, 256)) + "\"";
  std::string_view host, port;
  const bool bracketed = !text.empty() && text.front() == '[';
  if (bracketed) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(quoted + ": '[' without ']'");
    }
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      return Status::InvalidArgument(quoted + ": expected ':PORT' after ']'");
    }
    port = rest.substr(1);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument(quoted + ": expected HOST:PORT");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Status::InvalidArgument(quoted +
                                     ": an IPv6 address needs brackets: [2001:db8::1]:443");
    }
  }
  if (host.empty()) return Status::InvalidArgument(quoted + ": empty host");
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '/' || c == '[' || c == ']') {
      return Status::InvalidArgument(quoted + ": the host has an invalid character");
    }
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument(quoted + ": the port must be a number 1..65535");
  }
  const int n = std::stoi(std::string(port));  // digits only, at most 5: cannot throw
  if (n < 1 || n > 65535) {
    return Status::InvalidArgument(quoted + ": the port must be a number 1..65535");
  }
  Target t;
  t.host = std::string(host);
  t.port = static_cast<uint16_t>(n);
  in6_addr a6;
  in_addr a4;
  t.host_is_ip = ::inet_pton(AF_INET, t.host.c_str(), &a4) == 1 ||
                 ::inet_pton(AF_INET6, t.host.c_str(), &a6) == 1;
  if (bracketed && ::inet_pton(AF_INET6, t.host.c_str(), &a6) != 1) {
    return Status::InvalidArgument(quoted + ": \"" + t.host + "\" is not an IPv6 address");
  }
  return t;
}

std::string SocketAddress::ToString() const {
  if (length == 0) return "";
  return FormatAddress(reinterpret_cast<const sockaddr*>(&storage));
}

Result<SocketAddress> Resolve(const Target& target) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (target.host_is_ip ? AI_NUMERICHOST : 0);
  addrinfo* list = nullptr;
  const std::string port = std::to_string(target.port);
  const int rc = ::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0 || list == nullptr) {
    return Status::Unavailable("cannot resolve \"" + target.host + "\": " +
                               (rc != 0 ? ::gai_strerror(rc) : "no address"));
  }
  SocketAddress out;
  std::memcpy(&out.storage, list->ai_addr, std::min<size_t>(list->ai_addrlen, sizeof out.storage));
  out.length = static_cast<socklen_t>(list->ai_addrlen);
  ::freeaddrinfo(list);
  return out;
}

Socket::~Socket() { Close(); }

Socket::Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void Socket::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Socket::Abort() {
  if (fd_ < 0) return;
  linger l{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  Close();
}

IoResult Socket::Connect(const SocketAddress& address, SteadyTime deadline, Socket* out) {
  const auto* sa = reinterpret_cast<const sockaddr*>(&address.storage);
  const int fd = ::socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return FromErrno(errno);
  Socket s(fd);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, sa, address.length) == 0) {
    *out = std::move(s);
    return {};
  }
  if (errno != EINPROGRESS) return FromErrno(errno);
  const int revents = PollFor(fd, POLLOUT, deadline);
  if (revents < 0) return FromErrno(errno);
  if (revents == 0) return IoResult{NetOutcome::kTimeout, 0, 0, {}};
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return FromErrno(errno);
  if (err != 0) return FromErrno(err);
  *out = std::move(s);
  return {};
}

std::string Socket::LocalAddress() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  return FormatAddress(reinterpret_cast<const sockaddr*>(&ss));
}

std::string Socket::PeerAddress() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fd_ < 0 || ::getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  return FormatAddress(reinterpret_cast<const sockaddr*>(&ss));
}

IoResult Socket::SendAll(std::string_view data, SteadyTime deadline) {
  IoResult r;
  // Each round sends at least one byte or waits; the deadline bounds the loop.
  while (r.bytes < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + r.bytes, data.size() - r.bytes, MSG_NOSIGNAL);
    if (n > 0) {
      r.bytes += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const IoResult w = WaitWritable(deadline);
      if (!w.ok()) return IoResult{w.outcome, w.err, r.bytes, {}};
      continue;
    }
    const int err = n < 0 ? errno : EPIPE;
    return IoResult{OutcomeOfErrno(err), err, r.bytes, {}};
  }
  return r;
}

IoResult Socket::Recv(std::string* out, size_t max_bytes, SteadyTime deadline) {
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, std::min(max_bytes, sizeof buf), 0);
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
      return IoResult{NetOutcome::kOk, 0, static_cast<size_t>(n), {}};
    }
    if (n == 0) return IoResult{NetOutcome::kClosed, 0, 0, {}};
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return FromErrno(errno);
    const IoResult w = WaitReadable(deadline);
    if (!w.ok()) return w;
  }
}

IoResult Socket::WaitReadable(SteadyTime deadline) const {
  const int revents = PollFor(fd_, POLLIN, deadline);
  if (revents < 0) return FromErrno(errno);
  if (revents == 0) return IoResult{NetOutcome::kTimeout, 0, 0, {}};
  return {};  // POLLIN, POLLHUP or POLLERR: the next recv() says which
}

IoResult Socket::WaitWritable(SteadyTime deadline) const {
  const int revents = PollFor(fd_, POLLOUT, deadline);
  if (revents < 0) return FromErrno(errno);
  if (revents == 0) return IoResult{NetOutcome::kTimeout, 0, 0, {}};
  if (revents & POLLERR) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return FromErrno(err);
  }
  return {};
}

}  // namespace culprit::cli::probe
