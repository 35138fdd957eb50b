#ifndef CULPRIT_DAEMON_SERVICE_RPC_METRICS_H_
#define CULPRIT_DAEMON_SERVICE_RPC_METRICS_H_

// RpcMetrics: what the gRPC service exports to the metrics registry.
//
//   culprit_rpc_duration_seconds{method,code}   histogram: each culprit.v1
//       call from its start to its status, by method ("Submit") and gRPC
//       code ("OK", "INVALID_ARGUMENT"), measured by a server interceptor
//       so every exit of every handler is counted;
//   culprit_reports_received_total{method}      counter: Submit and
//       Correlate calls (each carries one reset report);
//   culprit_reports_answered_total{method,cause} counter: those answered
//       with a diagnosis, by its top cause.
//
// Only culprit.v1 methods are measured (health and reflection are not): the
// label values come from a fixed list, never from the caller.
//
// Thread-safe. Lifetime: outlives the grpc::Server its interceptor factory
// is given to; the registry outlives it.

#include <atomic>
#include <memory>

#include "daemon/service/auth.h"
#include "parsers/event.h"

namespace grpc::experimental {
class ServerInterceptorFactoryInterface;
}  // namespace grpc::experimental

namespace culprit::metrics {
class Counter;
class Histogram;
class Registry;
template <typename M>
class Family;
}  // namespace culprit::metrics

namespace culprit::service {

class RpcMetrics {
 public:
  // REQUIRES: registry != nullptr, outlives this.
  explicit RpcMetrics(metrics::Registry* registry);
  ~RpcMetrics();
  RpcMetrics(const RpcMetrics&) = delete;
  RpcMetrics& operator=(const RpcMetrics&) = delete;

  // For grpc::ServerBuilder::experimental().SetInterceptorCreators().
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory();

  void ReportReceived(Rpc rpc);
  void ReportAnswered(Rpc rpc, Cause cause);

  // Called by the interceptor. `code` is a gRPC status code (0..16; others
  // count as UNKNOWN).
  void ObserveCall(Rpc rpc, int code, double seconds);

 private:
  static constexpr int kRpcs = 6;
  static constexpr int kCodes = 17;
  metrics::Family<metrics::Histogram>* durations_;
  metrics::Family<metrics::Counter>* answered_;
  metrics::Counter* received_[kRpcs] = {};
  // Children looked up on first use, then read without a lock.
  std::atomic<metrics::Histogram*> duration_children_[kRpcs][kCodes] = {};
  std::atomic<metrics::Counter*> answered_children_[kRpcs][kCauseCount] = {};
};

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_RPC_METRICS_H_
