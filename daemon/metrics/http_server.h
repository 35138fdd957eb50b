#ifndef CULPRIT_DAEMON_METRICS_HTTP_SERVER_H_
#define CULPRIT_DAEMON_METRICS_HTTP_SERVER_H_

// MetricsServer: serves a Registry over HTTP for Prometheus to scrape.
// `GET /metrics` answers Registry::Render() with the content type
// "text/plain; version=0.0.4; charset=utf-8"; any other path is 404.
//
// Bounded: a small fixed pool of threads serves connections (scrapes are
// rare and cheap), a client that sends nothing is dropped after
// read_timeout, and request bodies are capped. It binds exactly the
// configured address; whether that address is wise (a non-loopback one
// without TLS) is the configuration's business, not this class's.
//
// Implemented with cpp-httplib, which only http_server.cc includes.
//
// Thread-safe. Stop() (also run by the destructor) closes the listener,
// lets requests in flight finish (each bounded by the timeouts) and joins.

#include <chrono>
#include <memory>
#include <string>

#include "base/result.h"
#include "base/time.h"
#include "daemon/metrics/registry.h"

namespace culprit::metrics {

class MetricsServer {
 public:
  struct Options {
    // "127.0.0.1:9750", "[::1]:9750"; port 0 picks a free port (see port()).
    // An IP address, not a host name: the listener binds one address.
    std::string listen;
    int threads = 2;
    Duration read_timeout = std::chrono::seconds(5);
    Duration write_timeout = std::chrono::seconds(5);
  };

  // Binds and starts serving. Errors: INVALID_ARGUMENT when `listen` is not
  // "<ip>:<port>" (naming it); UNAVAILABLE naming the address when it cannot
  // be bound (in use, not an address of this host, no permission).
  // REQUIRES: registry outlives the server; threads >= 1.
  static Result<std::unique_ptr<MetricsServer>> Start(const Registry* registry, Options options);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The TCP port bound (the chosen one when the configured port was 0).
  int port() const;

  // Stops serving. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace culprit::metrics

#endif  // CULPRIT_DAEMON_METRICS_HTTP_SERVER_H_
