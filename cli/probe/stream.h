#ifndef CULPRIT_CLI_PROBE_STREAM_H_
#define CULPRIT_CLI_PROBE_STREAM_H_

// A byte stream over a connected socket, plain or TLS, so the HTTP and
// keep-alive checks run the same way over both.
//
// Thread-compatible; a Stream owns its Socket.

#include <string>
#include <string_view>

#include "cli/probe/net.h"

namespace culprit::cli::probe {

class Stream {
 public:
  virtual ~Stream() = default;

  // Sends all of `data` before `deadline`.
  virtual IoResult Send(std::string_view data, SteadyTime deadline) = 0;

  // Appends the next bytes to *out (at most 16 KiB). kClosed on the peer's
  // orderly end (FIN, or a TLS close_notify: reason "close_notify"), kReset
  // on RST, kTlsError on a TLS alert or bad record, kTimeout at `deadline`.
  virtual IoResult Recv(std::string* out, SteadyTime deadline) = 0;

  // The underlying socket (addresses, readiness).
  virtual Socket& socket() = 0;
};

// Stream over a plain TCP socket.
class PlainStream final : public Stream {
 public:
  explicit PlainStream(Socket socket) : socket_(std::move(socket)) {}
  IoResult Send(std::string_view data, SteadyTime deadline) override {
    return socket_.SendAll(data, deadline);
  }
  IoResult Recv(std::string* out, SteadyTime deadline) override {
    return socket_.Recv(out, 16384, deadline);
  }
  Socket& socket() override { return socket_; }

 private:
  Socket socket_;
};

}  // namespace culprit::cli::probe

#endif  // CULPRIT_CLI_PROBE_STREAM_H_
