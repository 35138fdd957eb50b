// reset_example: hits the classic keep-alive reset and reports it to
// culpritd with culprit_client.
//
//   reset_example --daemon 127.0.0.1:7450 --server 127.0.0.1:8080 --idle 2.5
//
// One GET on a keep-alive connection, then the connection sits idle for
// --idle seconds (longer than the server's keepalive_timeout, so the server
// closes it), then it is reused: the second request fails with ECONNRESET,
// EPIPE or EOF. The example reports that failure (phase idle_reuse, how long
// the connection was idle, both addresses captured at connect time) and
// prints the diagnosis the daemon sends back.
//
// Exit codes: 0 reported and diagnosed; 1 the report failed; 2 usage or the
// server could not be reached; 3 the reused connection did not fail (the
// server kept it open: raise --idle).

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "examples/client/cpp/culprit_client.h"

namespace {

namespace cc = culprit::client;
using SteadyClock = std::chrono::steady_clock;

struct Args {
  std::string daemon = "127.0.0.1:7450";
  std::string server;  // host:port
  double idle_seconds = 2.5;
  std::string token;
};

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return false;
    const std::string value = argv[++i];
    if (flag == "--daemon") {
      args->daemon = value;
    } else if (flag == "--server") {
      args->server = value;
    } else if (flag == "--token") {
      args->token = value;
    } else if (flag == "--idle") {
      char* end = nullptr;
      args->idle_seconds = std::strtod(value.c_str(), &end);
      if (end == value.c_str() || *end != '\0' || !(args->idle_seconds > 0) ||
          args->idle_seconds > 600) {
        return false;
      }
    } else {
      return false;
    }
  }
  return !args->server.empty() && args->server.rfind(':') != std::string::npos;
}

// A TCP connection to host:port with 10 s send and receive timeouts (no
// step of the example can hang); -1 with a message on failure.
int Dial(const std::string& hostport) {
  const size_t colon = hostport.rfind(':');
  std::string host = hostport.substr(0, colon);
  const std::string port = hostport.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    std::cerr << "reset_example: " << hostport << ": " << gai_strerror(rc) << "\n";
    return -1;
  }
  int fd = -1;
  int err = 0;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) {
    std::cerr << "reset_example: cannot connect to " << hostport << ": " << cc::ErrnoName(err)
              << "\n";
  }
  return fd;
}

// Sends all of `data`; 0, or the errno of the failed send.
int SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    // MSG_NOSIGNAL: a closed peer must give EPIPE, not kill us with SIGPIPE.
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    sent += static_cast<size_t>(n);
  }
  return 0;
}

// Reads one response with a Content-Length body. Returns the HTTP status,
// or -1 with *err set to the errno of the failed read (0: the peer closed
// before a complete response).
int ReadResponse(int fd, int* err) {
  std::string data;
  char buf[4096];
  size_t body_at = std::string::npos;
  size_t length = 0;
  for (int reads = 0; reads < 1024; ++reads) {  // bounded: a response is small
    if (body_at != std::string::npos && data.size() >= body_at + length) break;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *err = n < 0 ? errno : 0;
      return -1;
    }
    data.append(buf, static_cast<size_t>(n));
    if (body_at == std::string::npos) {
      const size_t end = data.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      body_at = end + 4;
      const std::string head = data.substr(0, end);
      const size_t cl = head.find("\r\nContent-Length:");
      if (cl != std::string::npos) length = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
    }
  }
  if (data.compare(0, 5, "HTTP/") != 0 || data.size() < 12) {
    *err = 0;
    return -1;
  }
  return std::atoi(data.c_str() + 9);
}

void PrintDiagnosis(const cc::Diagnosis& d) {
  for (const cc::Verdict& v : d.verdicts) {
    char conf[16];
    std::snprintf(conf, sizeof conf, "%.2f", v.confidence);
    std::cout << "diagnosis: " << v.cause << " (confidence " << conf << ")\n";
    std::cout << "  explanation: " << v.explanation << "\n";
    if (!v.remedy.empty()) std::cout << "  remedy: " << v.remedy << "\n";
    for (const cc::Evidence& e : v.evidence) {
      std::cout << "  evidence [" << e.role << "] " << e.source << " " << e.file << ":"
                << e.offset << "\n    " << e.raw << "\n";
    }
  }
  std::cout << "retry may help: " << (d.retry_may_help ? "yes" : "no") << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::cerr << "usage: reset_example --server HOST:PORT [--daemon HOST:PORT] [--idle SECONDS]"
                 " [--token TOKEN]\n";
    return 2;
  }
  const std::string host = args.server.substr(0, args.server.rfind(':'));
  const std::string request = "GET / HTTP/1.1\r\nHost: " + host +
                              "\r\nUser-Agent: culprit-reset-example/1.0\r\n"
                              "Connection: keep-alive\r\n\r\n";
  const int fd = Dial(args.server);
  if (fd < 0) return 2;
  const SteadyClock::time_point connected = SteadyClock::now();
  // Both ends now, while the connection is healthy: after a reset the
  // kernel no longer knows the peer.
  const cc::Endpoints ends = cc::SocketEndpoints(fd);
  std::cout << "reset_example: connected " << ends.local << " -> " << ends.peer << "\n";

  int err = SendAll(fd, request);
  const int status = err == 0 ? ReadResponse(fd, &err) : -1;
  if (status < 0) {
    std::cerr << "reset_example: the first request failed: " << cc::ErrnoName(err) << "\n";
    close(fd);
    return 2;
  }
  const SteadyClock::time_point last_used = SteadyClock::now();
  std::cout << "reset_example: GET / -> " << status << "; idle for " << args.idle_seconds << " s"
            << std::endl;  // flushed: the test watches for this line
  // The scenario itself: wait past the server's keep-alive timeout.
  std::this_thread::sleep_for(std::chrono::duration<double>(args.idle_seconds));

  err = SendAll(fd, request);
  int again = -1;
  if (err == 0) again = ReadResponse(fd, &err);
  const SteadyClock::time_point failed = SteadyClock::now();
  if (again >= 0) {
    std::cerr << "reset_example: the reused connection still worked (HTTP " << again
              << "); the server's keep-alive timeout is longer than --idle\n";
    close(fd);
    return 3;
  }
  cc::SocketFailure f;
  f.err = err;
  f.phase = cc::Phase::kIdleReuse;
  f.known = ends;
  f.idle_before = std::chrono::duration_cast<std::chrono::microseconds>(failed - last_used);
  f.connection_age = std::chrono::duration_cast<std::chrono::microseconds>(failed - connected);
  f.server_name = host;
  f.labels = {{"app", "reset_example"}, {"lang", "c++"}};
  std::cout << "reset_example: reusing the connection failed: " << cc::ErrnoName(err)
            << " (phase idle_reuse, idle " << f.idle_before->count() / 1000 << " ms)\n";

  cc::Options options;
  options.token = args.token;
  const cc::Reporter reporter = cc::Reporter::Connect(args.daemon, options);
  const cc::Result result = reporter.ReportSocketError(fd, f);
  close(fd);
  if (!result.ok()) {
    std::cerr << "reset_example: " << result.error << "\n";
    return 1;
  }
  std::cout << "reset_example: reported to " << args.daemon << " as report "
            << result.diagnosis.report_id << "\n";
  PrintDiagnosis(result.diagnosis);
  return 0;
}
