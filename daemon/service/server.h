#ifndef CULPRIT_DAEMON_SERVICE_SERVER_H_
#define CULPRIT_DAEMON_SERVICE_SERVER_H_

// Server: culpritd's gRPC endpoint. Serves culprit.v1.Culprit, the standard
// health service (grpc.health.v1) and server reflection.
//
// The RPC handlers only validate and convert: database work runs on a
// QueryPool, so gRPC's threads never block. This header does not include
// gRPC; the implementation is in server.cc.
//
// Access control (auth.h): with `tokens` set, every culprit.v1 RPC first
// resolves the caller's role from its bearer token (UNAUTHENTICATED without
// a valid one) and checks the policy (PERMISSION_DENIED). A reporter's
// Submit answer keeps only causes, explanations and remedies (evidence and
// `searched` are removed unless reporter_sees_evidence), and its Status only
// version, start time and uptime. Submit is rate-limited per client
// (RESOURCE_EXHAUSTED with trailing metadata "retry-after-ms"). The health
// and reflection services stay open: they reveal no data.
//
// Metrics (ServerOptions::metrics, optional): call latency by method and
// code, and reports received and answered by cause; see rpc_metrics.h.
//
// Thread-safe. Shutdown() (also run by the destructor) stops accepting
// calls, lets those in flight finish within a grace period, then joins.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/time_zone.h"
#include "daemon/report/report_format.h"
#include "daemon/service/auth.h"
#include "daemon/service/query_pool.h"
#include "daemon/service/rate_limit.h"

namespace culprit::correlate {
class Correlator;
}
namespace culprit::metrics {
class Registry;
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
  // Access control; empty: off (every caller is an operator).
  std::vector<TokenEntry> tokens;
  // Whether a reporter's Submit answer keeps the server-side evidence.
  bool reporter_sees_evidence = false;
  // Submit calls per client (a token's name, else the peer's address);
  // per_minute 0: no limit.
  RateLimit submit_limit;
  // TLS for the listener, as PEM text. Empty cert_chain: plaintext. With
  // client_ca, clients must present a certificate it signed (mutual TLS).
  struct Tls {
    std::string cert_chain;
    std::string private_key;
    std::string client_ca;
  } tls;
  int query_threads = 2;
  size_t max_queued_queries = 256;
  // Where to export the service's metrics; null: none. Must outlive the
  // Server.
  metrics::Registry* metrics = nullptr;
  // Why nothing is being committed right now (Status: ingest_problem), and
  // since when; nullopt while ingestion runs. Called on a query thread;
  // must be thread-safe. Null: never a problem.
  std::function<std::optional<std::pair<std::string, Timestamp>>()> ingest_problem;
};

class Server {
 public:
  // Binds and starts serving. Fails with UNAVAILABLE naming the address when
  // it cannot listen (in use, no permission, bad address, or with TLS a
  // certificate or key that is not valid PEM or does not match).
  static Result<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();

  // The TCP port bound (useful with port 0); 0 for unix sockets.
  int port() const;

  // Replaces the sources Status and SearchEvents know (a config reload).
  // Thread-safe.
  void SetSources(std::vector<ServedSource> sources);

  // Stops serving: refuses new calls, waits up to `grace` for calls in flight.
  void Shutdown(Duration grace);

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_SERVER_H_
