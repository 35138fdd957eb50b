#include "examples/client/cpp/culprit_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace culprit::client {
namespace {

TEST(CulpritClientTest, ErrnoNames) {
  struct Row {
    int err;
    std::string want;
  } rows[] = {
      {ECONNRESET, "ECONNRESET"}, {EPIPE, "EPIPE"},         {ECONNABORTED, "ECONNABORTED"},
      {ECONNREFUSED, "ECONNREFUSED"}, {ETIMEDOUT, "ETIMEDOUT"}, {0, "EOF"},
      {99999, "errno 99999"},     {-5, "errno -5"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.want);
    EXPECT_EQ(ErrnoName(r.err), r.want);
  }
}

// A connected pair of TCP sockets on a loopback address of `family`, or
// false when that family is unavailable here (no IPv6 in a container).
bool ConnectedPair(int family, int* client, int* accepted, int* listener) {
  sockaddr_storage ss{};
  socklen_t len;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_loopback;
    len = sizeof(sockaddr_in6);
  }
  *listener = socket(family, SOCK_STREAM, 0);
  if (*listener < 0) return false;
  if (bind(*listener, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(*listener, 1) != 0 ||
      getsockname(*listener, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    close(*listener);
    return false;
  }
  *client = socket(family, SOCK_STREAM, 0);
  if (connect(*client, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    close(*client);
    close(*listener);
    return false;
  }
  *accepted = accept(*listener, nullptr, nullptr);
  return *accepted >= 0;
}

TEST(CulpritClientTest, SocketEndpointsOfARealConnection) {
  for (int family : {AF_INET, AF_INET6}) {
    int client = -1, accepted = -1, listener = -1;
    if (!ConnectedPair(family, &client, &accepted, &listener)) {
      ASSERT_NE(family, AF_INET) << "no IPv4 loopback";
      continue;  // no IPv6 here
    }
    const Endpoints c = SocketEndpoints(client);
    const Endpoints a = SocketEndpoints(accepted);
    const std::string host = family == AF_INET ? "127.0.0.1:" : "[::1]:";
    EXPECT_EQ(c.local.rfind(host, 0), 0u) << c.local;
    EXPECT_EQ(c.peer.rfind(host, 0), 0u) << c.peer;
    EXPECT_EQ(c.local, a.peer);  // what the server sees is what the client reports
    EXPECT_EQ(c.peer, a.local);
    close(client);
    close(accepted);
    close(listener);
  }
}

TEST(CulpritClientTest, SocketEndpointsOfNoSocket) {
  const Endpoints none = SocketEndpoints(-1);
  EXPECT_EQ(none.local, "");
  EXPECT_EQ(none.peer, "");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  EXPECT_EQ(SocketEndpoints(fds[0]).local, "");  // not a socket
  close(fds[0]);
  close(fds[1]);
}

TEST(CulpritClientTest, UnknownClientAddressFailsWithoutCallingTheDaemon) {
  const Reporter reporter = Reporter::Connect("unix:/nonexistent/culpritd.sock", {});
  SocketFailure f;
  f.err = ECONNRESET;
  const Result r = reporter.ReportSocketError(-1, f);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("client address"), std::string::npos) << r.error;
}

TEST(CulpritClientTest, DaemonDownIsAnErrorValue) {
  Options options;
  options.timeout = std::chrono::milliseconds(500);
  const Reporter reporter = Reporter::Connect("unix:/nonexistent/culpritd.sock", options);
  SocketFailure f;
  f.err = ECONNRESET;
  f.known = {"127.0.0.1:40000", "127.0.0.1:80"};
  const Result r = reporter.ReportSocketError(-1, f);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("Submit to unix:/nonexistent/culpritd.sock failed: "), std::string::npos)
      << r.error;
}

}  // namespace
}  // namespace culprit::client
