#include "daemon/service/rpc_metrics.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <chrono>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "base/check.h"
#include "base/status.h"
#include "daemon/metrics/registry.h"

namespace culprit::service {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::Interceptor;
using grpc::experimental::InterceptorBatchMethods;
using grpc::experimental::ServerRpcInfo;

constexpr std::string_view kServicePrefix = "/culprit.v1.Culprit/";

int Index(Rpc rpc) { return static_cast<int>(rpc); }
static_assert(std::size(kAllRpcs) == 6, "RpcMetrics::kRpcs must count every Rpc");

// The culprit.v1 method a full method name ("/culprit.v1.Culprit/Submit")
// names, if any.
std::optional<Rpc> RpcOf(const char* method) {
  if (method == nullptr) return std::nullopt;
  std::string_view m(method);
  if (!m.starts_with(kServicePrefix)) return std::nullopt;
  m.remove_prefix(kServicePrefix.size());
  for (Rpc rpc : kAllRpcs) {
    if (RpcName(rpc) == m) return rpc;
  }
  return std::nullopt;
}

// Created by gRPC for each call; times it from creation (the call's start)
// to the status being sent.
class TimingInterceptor final : public Interceptor {
 public:
  TimingInterceptor(RpcMetrics* metrics, Rpc rpc)
      : metrics_(metrics), rpc_(rpc), start_(std::chrono::steady_clock::now()) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start_;
      metrics_->ObserveCall(rpc_, static_cast<int>(status.error_code()), took.count());
    }
    methods->Proceed();
  }

 private:
  RpcMetrics* metrics_;
  Rpc rpc_;
  std::chrono::steady_clock::time_point start_;
};

class TimingFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit TimingFactory(RpcMetrics* metrics) : metrics_(metrics) {}
  Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    const std::optional<Rpc> rpc = RpcOf(info->method());
    if (!rpc) return nullptr;  // health, reflection, unknown methods
    return new TimingInterceptor(metrics_, *rpc);
  }

 private:
  RpcMetrics* metrics_;
};

}  // namespace

RpcMetrics::RpcMetrics(metrics::Registry* registry) {
  CULPRIT_CHECK(registry != nullptr);
  durations_ = registry->AddHistogram(
      "culprit_rpc_duration_seconds",
      "Time from the start of a culprit.v1 call to its status, by method and gRPC code.",
      {"method", "code"}, metrics::LatencyBuckets());
  auto* received = registry->AddCounter(
      "culprit_reports_received_total",
      "Reset reports received (Submit and Correlate calls), valid or not.", {"method"});
  answered_ = registry->AddCounter(
      "culprit_reports_answered_total",
      "Reset reports answered with a diagnosis, by its top cause.", {"method", "cause"});
  for (Rpc rpc : {Rpc::kSubmit, Rpc::kCorrelate}) {
    received_[Index(rpc)] = received->Get({RpcName(rpc)});
  }
}

RpcMetrics::~RpcMetrics() = default;

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RpcMetrics::InterceptorFactory() {
  return std::make_unique<TimingFactory>(this);
}

void RpcMetrics::ReportReceived(Rpc rpc) {
  if (metrics::Counter* c = received_[Index(rpc)]) c->Inc();
}

void RpcMetrics::ReportAnswered(Rpc rpc, Cause cause) {
  const int c = static_cast<int>(cause);
  if (c < 0 || c >= kCauseCount) return;
  std::atomic<metrics::Counter*>& slot = answered_children_[Index(rpc)][c];
  metrics::Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Two threads may both look it up: Get() returns the same child.
    counter = answered_->Get({RpcName(rpc), CauseName(cause)});
    slot.store(counter, std::memory_order_release);
  }
  counter->Inc();
}

void RpcMetrics::ObserveCall(Rpc rpc, int code, double seconds) {
  if (code < 0 || code >= kCodes) code = static_cast<int>(StatusCode::kUnknown);
  std::atomic<metrics::Histogram*>& slot = duration_children_[Index(rpc)][code];
  metrics::Histogram* h = slot.load(std::memory_order_acquire);
  if (h == nullptr) {
    h = durations_->Get({RpcName(rpc), StatusCodeName(static_cast<StatusCode>(code))});
    slot.store(h, std::memory_order_release);
  }
  h->Observe(seconds);
}

}  // namespace culprit::service
