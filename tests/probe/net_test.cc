// Connect / reset / FIN / timeout classification on loopback sockets this
// test opens itself. No sleeps: every wait is a short bounded deadline.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <memory>

#include "cli/probe/keepalive.h"
#include "cli/probe/net.h"
#include "cli/probe/stream.h"
#include "cli/probe/tls.h"

namespace culprit::cli::probe {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// TlsStream REQUIRES SIGPIPE ignored, as RunProbe() arranges.
const bool kSigpipeIgnored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;

SteadyTime In(int ms) { return steady_clock::now() + milliseconds(ms); }

// A listening socket on 127.0.0.1:0 with the given backlog.
class Listener {
 public:
  explicit Listener(int backlog) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, backlog), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Accepts one connection (the client has connected already).
  int Accept() { return ::accept(fd_, nullptr, nullptr); }
  SocketAddress Address() const {
    auto t = ParseTarget("127.0.0.1:" + std::to_string(port_));
    return *Resolve(*t);
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

void CloseWithReset(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

TEST(SocketTest, RefusedWhenNothingListens) {
  ASSERT_TRUE(kSigpipeIgnored);
  SocketAddress address;
  {
    Listener l(1);
    address = l.Address();
  }  // closed: the port now refuses
  Socket s;
  const IoResult r = Socket::Connect(address, In(2000), &s);
  EXPECT_EQ(r.outcome, NetOutcome::kRefused);
  EXPECT_EQ(r.ClientError(), "ECONNREFUSED");
  EXPECT_FALSE(s.is_open());
}

TEST(SocketTest, ResetIsNotFin) {
  Listener l(4);
  Socket s;
  ASSERT_TRUE(Socket::Connect(l.Address(), In(2000), &s).ok());
  EXPECT_FALSE(s.LocalAddress().empty());
  EXPECT_EQ(s.PeerAddress(), l.Address().ToString());
  CloseWithReset(l.Accept());
  std::string buf;
  const IoResult r = s.Recv(&buf, 100, In(2000));
  EXPECT_EQ(r.outcome, NetOutcome::kReset);
  EXPECT_EQ(r.ClientError(), "ECONNRESET");
}

TEST(SocketTest, OrderlyCloseIsEof) {
  Listener l(4);
  Socket s;
  ASSERT_TRUE(Socket::Connect(l.Address(), In(2000), &s).ok());
  const int server = l.Accept();
  ASSERT_EQ(::write(server, "hi", 2), 2);
  ::close(server);
  std::string buf;
  EXPECT_TRUE(s.Recv(&buf, 100, In(2000)).ok());
  EXPECT_EQ(buf, "hi");
  const IoResult r = s.Recv(&buf, 100, In(2000));
  EXPECT_EQ(r.outcome, NetOutcome::kClosed);
  EXPECT_EQ(r.ClientError(), "EOF");
}

TEST(SocketTest, ReadTimeoutWhenServerNeverAnswers) {
  Listener l(4);  // never accepts: the kernel completes the handshake
  Socket s;
  ASSERT_TRUE(Socket::Connect(l.Address(), In(2000), &s).ok());
  ASSERT_TRUE(s.SendAll("GET / HTTP/1.1\r\n\r\n", In(2000)).ok());
  std::string buf;
  const IoResult r = s.Recv(&buf, 100, In(50));
  EXPECT_EQ(r.outcome, NetOutcome::kTimeout);
  EXPECT_EQ(r.ClientError(), "ETIMEDOUT");
}

TEST(SocketTest, ConnectTimeoutWhenBacklogIsFull) {
  // Backlog 0 holds one connection; the next SYN is dropped, so connect()
  // waits for a SYN-ACK that does not come before the deadline.
  Listener l(0);
  Socket first;
  ASSERT_TRUE(Socket::Connect(l.Address(), In(2000), &first).ok());
  Socket second;
  const IoResult r = Socket::Connect(l.Address(), In(200), &second);
  EXPECT_EQ(r.outcome, NetOutcome::kTimeout);
}

TEST(WatchIdleTest, ClassifiesTheClose) {
  struct Case {
    const char* name;
    int action;  // 0 FIN, 1 RST, 2 nothing
    NetOutcome expected;
  } cases[] = {{"fin", 0, NetOutcome::kClosed},
               {"rst", 1, NetOutcome::kReset},
               {"kept open", 2, NetOutcome::kTimeout}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Listener l(4);
    Socket s;
    ASSERT_TRUE(Socket::Connect(l.Address(), In(2000), &s).ok());
    const int server = l.Accept();
    if (c.action == 0) ::close(server);
    if (c.action == 1) CloseWithReset(server);
    PlainStream stream(std::move(s));
    const SteadyTime start = steady_clock::now();
    const IdleWatch w = WatchIdle(stream, start, start + milliseconds(50));
    EXPECT_EQ(w.end.outcome, c.expected);
    EXPECT_GE(w.idle_ms, 0);
    if (c.action == 2) {
      EXPECT_GE(w.idle_ms, 49);
      ::close(server);
    }
  }
}

TEST(WatchIdleTest, ReuseAfterFinGivesEofOrReset) {
  Listener l(4);
  Socket s;
  ASSERT_TRUE(Socket::Connect(l.Address(), In(2000), &s).ok());
  const int server = l.Accept();
  ::close(server);
  PlainStream stream(std::move(s));
  const SteadyTime start = steady_clock::now();
  ASSERT_EQ(WatchIdle(stream, start, In(2000)).end.outcome, NetOutcome::kClosed);
  std::string phase;
  int status = 0;
  const std::string error = ReuseAfterClose(stream, "GET / HTTP/1.1\r\n\r\n", In(2000), &phase,
                                            &status);
  EXPECT_TRUE(error == "EOF" || error == "ECONNRESET" || error == "EPIPE") << error;
  EXPECT_EQ(status, 0);
}

TEST(TlsTest, PlainAnswerIsWrongVersionNumber) {
  Listener l(4);
  Socket s;
  ASSERT_TRUE(Socket::Connect(l.Address(), In(2000), &s).ok());
  // A plain HTTP server answering before (and regardless of) the ClientHello.
  const int server = l.Accept();
  const char kAnswer[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  ASSERT_EQ(::write(server, kAnswer, sizeof kAnswer - 1), static_cast<ssize_t>(sizeof kAnswer - 1));
  std::unique_ptr<TlsStream> tls;
  TlsInfo info;
  const IoResult r = TlsStream::Handshake(std::move(s), TlsConfig{}, In(2000), &tls, &info);
  EXPECT_EQ(r.outcome, NetOutcome::kTlsError);
  EXPECT_NE(r.reason.find("wrong version number"), std::string::npos) << r.reason;
  EXPECT_EQ(tls, nullptr);
  ::close(server);
}

TEST(TlsTest, ResetAndCloseDuringHandshake) {
  for (const bool reset : {false, true}) {
    SCOPED_TRACE(reset ? "rst" : "fin");
    Listener l(4);
    Socket s;
    ASSERT_TRUE(Socket::Connect(l.Address(), In(2000), &s).ok());
    const int server = l.Accept();
    if (reset) {
      CloseWithReset(server);
    } else {
      ::close(server);
    }
    std::unique_ptr<TlsStream> tls;
    TlsInfo info;
    const IoResult r = TlsStream::Handshake(std::move(s), TlsConfig{}, In(2000), &tls, &info);
    if (reset) {
      EXPECT_EQ(r.outcome, NetOutcome::kReset) << r.ClientError();
    } else {
      // A FIN before the ServerHello: EOF (OpenSSL 3 names it), or an RST if
      // the ClientHello reached the closed socket first.
      EXPECT_TRUE(r.outcome == NetOutcome::kClosed || r.outcome == NetOutcome::kReset)
          << r.ClientError();
    }
  }
}

TEST(TlsTest, TimeoutWhenServerSaysNothing) {
  Listener l(4);
  Socket s;
  ASSERT_TRUE(Socket::Connect(l.Address(), In(2000), &s).ok());
  std::unique_ptr<TlsStream> tls;
  TlsInfo info;
  const IoResult r = TlsStream::Handshake(std::move(s), TlsConfig{}, In(50), &tls, &info);
  EXPECT_EQ(r.outcome, NetOutcome::kTimeout);
}

TEST(TlsTest, BadClientCertificateFileIsAnError) {
  TlsConfig c;
  c.cert_file = CULPRIT_SOURCE_DIR "/README.md";
  const Status st = CheckTlsFiles(c);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("README.md"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace culprit::cli::probe
