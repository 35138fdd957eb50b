#ifndef CULPRIT_DAEMON_SERVICE_SERVER_H_
#define CULPRIT_DAEMON_SERVICE_SERVER_H_

// Server: culpritd's gRPC endpoint. Serves culprit.v1.Culprit, the standard
// health service (grpc.health.v1) and server reflection.
//
// The RPC handlers only validate and convert: database work runs on a
// QueryPool, so gRPC's threads never block. This header does not include
// gRPC; the implementation is in server.cc.
//
// Thread-safe. Shutdown() (also run by the destructor) stops accepting
// calls, lets those in flight finish within a grace period, then joins.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/time_zone.h"
#include "daemon/report/report_format.h"
#include "daemon/service/query_pool.h"

namespace culprit::correlate {
class Correlator;
}

namespace culprit::service {

class SourceProbe;
class ReportSink;

// A source as configured, with its database id.
struct ServedSource {
  int64_t id = 0;
  std::string name;
  std::string path;
  std::string format;
};

struct ServerOptions {
  std::string listen;         // "127.0.0.1:7450", "[::1]:0", "unix:/run/culprit.sock"
  std::string database_path;  // reported by Status
  std::vector<ServedSource> sources;
  QueryPool::Factory query_factory;  // opens one read-only EventQuery
  const SourceProbe* probe = nullptr;  // REQUIRED; must outlive the Server
  const Clock* clock = nullptr;        // REQUIRED; must outlive the Server
  Timestamp started_at;
  // Diagnoses reports (Correlate). Must outlive the Server; null: Correlate
  // answers UNIMPLEMENTED.
  const correlate::Correlator* correlator = nullptr;
  // Stores submitted reports. Must outlive the Server; null: Submit answers
  // UNIMPLEMENTED.
  ReportSink* report_sink = nullptr;
  // Renders the report of [from, to) (Report). Called on a query thread;
  // must be thread-safe. Null: Report answers UNIMPLEMENTED.
  std::function<Result<std::string>(Timestamp from, Timestamp to, report::ReportFormat format,
                                    const TimeZone& zone)>
      make_report;
  // The zone of a Report whose request names none; must load.
  std::string report_timezone = "UTC";
  int query_threads = 2;
  size_t max_queued_queries = 256;
};

class Server {
 public:
  // Binds and starts serving. Fails with UNAVAILABLE naming the address when
  // it cannot listen (in use, no permission, bad address).
  static Result<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();

  // The TCP port bound (useful with port 0); 0 for unix sockets.
  int port() const;

  // Stops serving: refuses new calls, waits up to `grace` for calls in flight.
  void Shutdown(Duration grace);

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_SERVER_H_
