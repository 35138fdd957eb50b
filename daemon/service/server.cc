#include "proto/time_convert.h"
#include "daemon/service/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include "base/ip_address.h"
#include "base/log.h"
#include "base/version.h"
#include "culprit/v1/culprit.grpc.pb.h"
#include "daemon/correlate/correlator.h"
#include "daemon/service/grpc_status.h"
#include "daemon/service/report_convert.h"
#include "daemon/service/report_request.h"
#include "daemon/service/report_sink.h"
#include "daemon/service/rpc_metrics.h"
#include "daemon/service/source_probe.h"

namespace culprit::service {
namespace {

namespace v1 = ::culprit::v1;

// What every RPC answers when the query pool's queue is full, or when its
// reader connection cannot be opened.
::culprit::Status Busy() {
  return ::culprit::Status::ResourceExhausted(
      "culpritd is busy: too many queries queued; retry shortly");
}
grpc::Status BusyStatus() { return ToGrpcStatus(Busy()); }
::culprit::Status Unreadable(const ::culprit::Status& why) {
  return ::culprit::Status::Unavailable("the database cannot be read: " + why.message());
}

// A reporter's view of a diagnosis: causes, confidences, explanations and
// remedies. The evidence (server log lines, file names and offsets) and
// `searched` (the sources and how many events they hold) are removed.
void StripServerDetail(v1::Diagnosis* d) {
  for (v1::Verdict& v : *d->mutable_verdicts()) v.clear_evidence();
  d->clear_searched();
}

// The cause a diagnosis answers with: its best verdict's.
Cause TopCause(const correlate::Diagnosis& d) {
  return d.verdicts.empty() ? Cause::kNoneOnServer : d.verdicts.front().cause;
}

// The rate limiter's key for a caller: its token's name, else its address
// without the port (a client opens new connections from new ports).
std::string ClientKey(const Caller& caller, const std::string& peer) {
  if (!caller.name.empty()) return "token:" + caller.name;
  const std::string address = PeerAddress(peer);
  if (address.empty()) return "local";  // a unix socket
  auto ep = Endpoint::Parse(address);
  return "ip:" + (ep.ok() ? ep->ip.ToString() : address);
}

// SearchEvents is a raw method: its answer is encoded by EventBatchesToWire,
// not built as messages.
class CulpritServiceImpl final
    : public v1::Culprit::WithRawCallbackMethod_SearchEvents<v1::Culprit::CallbackService> {
 public:
  // `metrics` may be null (none exported).
  CulpritServiceImpl(const ServerOptions& options, RpcMetrics* metrics)
      : options_(options),
        metrics_(metrics),
        auth_(options.tokens),
        submit_limiter_(options.submit_limit, options.clock),
        pool_(options.query_factory, options.query_threads, options.max_queued_queries),
        sources_(std::make_shared<const std::vector<ServedSource>>(options.sources)) {}

  void StopPool() { pool_.Stop(); }

  // The configured sources; replaced on a config reload.
  std::shared_ptr<const std::vector<ServedSource>> Sources() const {
    std::lock_guard lock(sources_mu_);
    return sources_;
  }
  void SetSources(std::vector<ServedSource> sources) {
    auto fresh = std::make_shared<const std::vector<ServedSource>>(std::move(sources));
    std::lock_guard lock(sources_mu_);
    sources_ = std::move(fresh);
  }

  // Who is calling, if they may call `rpc`: UNAUTHENTICATED without a valid
  // token (when tokens are configured), PERMISSION_DENIED when the role may
  // not call it.
  Result<Caller> Authorize(grpc::CallbackServerContext* context, Rpc rpc) const {
    std::vector<std::string_view> values;
    const auto range = context->client_metadata().equal_range("authorization");
    for (auto it = range.first; it != range.second; ++it) {
      values.emplace_back(it->second.data(), it->second.size());
    }
    auto caller = auth_.Authenticate(values);
    if (!caller.ok()) {
      CULPRIT_LOG(kDebug) << RpcName(rpc) << " from " << context->peer() << ": "
                          << caller.status().message();
      return caller.status();
    }
    if (!Allowed(caller->role, rpc)) {
      return ::culprit::Status(::culprit::StatusCode::kPermissionDenied,
                               "the " + std::string(RoleName(caller->role)) + " token \"" +
                                   caller->name + "\" may not call " +
                                   std::string(RpcName(rpc)) + "; it needs an operator token");
    }
    return caller;
  }

  grpc::ServerUnaryReactor* Status(grpc::CallbackServerContext* context,
                                   const v1::StatusRequest* /*request*/,
                                   v1::StatusResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    auto caller = Authorize(context, Rpc::kStatus);
    if (!caller.ok()) {
      reactor->Finish(ToGrpcStatus(caller.status()));
      return reactor;
    }
    if (caller->role == Role::kReporter) {
      // Version and uptime only: paths, sources and the database are the
      // operator's business.
      response->set_version(kVersion);
      proto::ToProto(options_.started_at, response->mutable_started_at());
      proto::ToProto(options_.clock->Now() - options_.started_at, response->mutable_uptime());
      reactor->Finish(grpc::Status::OK);
      return reactor;
    }
    const bool queued = pool_.Submit([this, context, reactor,
                                      response](Result<store::EventQuery*> query) {
      if (context->IsCancelled()) {
        reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
        return;
      }
      if (!query.ok()) {
        reactor->Finish(ToGrpcStatus(Unreadable(query.status())));
        return;
      }
      reactor->Finish(ToGrpcStatus(FillStatus(**query, response)));
    });
    if (!queued) {
      reactor->Finish(BusyStatus());
    }
    return reactor;
  }

  grpc::ServerUnaryReactor* Correlate(grpc::CallbackServerContext* context,
                                      const v1::CorrelateRequest* request,
                                      v1::CorrelateResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (metrics_ != nullptr) metrics_->ReportReceived(Rpc::kCorrelate);
    if (auto caller = Authorize(context, Rpc::kCorrelate); !caller.ok()) {
      reactor->Finish(ToGrpcStatus(caller.status()));
      return reactor;
    }
    if (options_.correlator == nullptr) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "correlation is not enabled"));
      return reactor;
    }
    // Validate before queueing: a bad field is the caller's error, named.
    auto report = ReportFromProto(request->report(), options_.clock->Now());
    if (!report.ok()) {
      reactor->Finish(ToGrpcStatus(report.status()));
      return reactor;
    }
    const bool queued = pool_.Submit([this, context, reactor, response,
                                      report = std::move(*report)](
                                         Result<store::EventQuery*> query) {
      if (context->IsCancelled()) {
        reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
        return;
      }
      if (!query.ok()) {
        reactor->Finish(ToGrpcStatus(Unreadable(query.status())));
        return;
      }
      auto diagnosis = options_.correlator->Correlate(report, **query);
      if (!diagnosis.ok()) {
        reactor->Finish(ToGrpcStatus(diagnosis.status()));
        return;
      }
      DiagnosisToProto(*diagnosis, response->mutable_diagnosis());
      if (metrics_ != nullptr) metrics_->ReportAnswered(Rpc::kCorrelate, TopCause(*diagnosis));
      reactor->Finish(grpc::Status::OK);
    });
    if (!queued) {
      reactor->Finish(BusyStatus());
    }
    return reactor;
  }

  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context,
                                   const v1::SubmitRequest* request,
                                   v1::SubmitResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (metrics_ != nullptr) metrics_->ReportReceived(Rpc::kSubmit);
    auto caller = Authorize(context, Rpc::kSubmit);
    if (!caller.ok()) {
      reactor->Finish(ToGrpcStatus(caller.status()));
      return reactor;
    }
    // Every attempt counts, valid or not: the limit bounds the work a
    // client can cause.
    const RateLimiter::Decision decision =
        submit_limiter_.Take(ClientKey(*caller, context->peer()));
    if (!decision.allowed) {
      const int64_t ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(decision.retry_after).count();
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.3f", static_cast<double>(ms) / 1000.0);
      context->AddTrailingMetadata("retry-after-ms", std::to_string(ms));
      reactor->Finish(ToGrpcStatus(::culprit::Status::ResourceExhausted(
          "too many reports from this client: at most " +
          std::to_string(options_.submit_limit.per_minute) + " a minute (burst " +
          std::to_string(options_.submit_limit.burst) + "); retry in " + seconds + " s")));
      return reactor;
    }
    const bool strip = caller->role == Role::kReporter && !options_.reporter_sees_evidence;
    if (options_.correlator == nullptr || options_.report_sink == nullptr) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "reports are not stored"));
      return reactor;
    }
    v1::ResetReport wire = request->report();
    if (wire.client().empty()) wire.set_client(PeerAddress(context->peer()));
    const Timestamp now = options_.clock->Now();
    auto report = ReportFromProto(wire, now);
    if (!report.ok()) {
      reactor->Finish(ToGrpcStatus(report.status()));
      return reactor;
    }
    const bool queued = pool_.Submit([this, context, reactor, response, wire, now, strip,
                                      report = std::move(*report)](
                                         Result<store::EventQuery*> query) {
      if (!query.ok()) {
        reactor->Finish(ToGrpcStatus(Unreadable(query.status())));
        return;
      }
      auto diagnosis = options_.correlator->Correlate(report, **query);
      if (!diagnosis.ok()) {
        reactor->Finish(ToGrpcStatus(diagnosis.status()));
        return;
      }
      DiagnosisToProto(*diagnosis, response->mutable_diagnosis());
      // The stored diagnosis is complete; only the answer is narrowed.
      store::ReportRecord record = ReportRecordFrom(wire, report, response->diagnosis(), now);
      if (strip) StripServerDetail(response->mutable_diagnosis());
      record.done = [metrics = metrics_, reactor, response,
                     top = TopCause(*diagnosis)](Result<int64_t> id) {
        if (!id.ok()) {
          reactor->Finish(ToGrpcStatus(id.status()));
          return;
        }
        response->set_report_id(*id);
        if (metrics != nullptr) metrics->ReportAnswered(Rpc::kSubmit, top);
        reactor->Finish(grpc::Status::OK);
      };
      (void)context;
      options_.report_sink->Store(std::move(record));
    });
    if (!queued) {
      reactor->Finish(BusyStatus());
    }
    return reactor;
  }

  grpc::ServerWriteReactor<grpc::ByteBuffer>* SearchEvents(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override;

  grpc::ServerUnaryReactor* TopCauses(grpc::CallbackServerContext* context,
                                      const v1::TopCausesRequest* request,
                                      v1::TopCausesResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (auto caller = Authorize(context, Rpc::kTopCauses); !caller.ok()) {
      reactor->Finish(ToGrpcStatus(caller.status()));
      return reactor;
    }
    auto range = TimeRangeFromProto(request->from(), request->has_from(), request->to(),
                                    request->has_to(), "top");
    if (!range.ok()) {
      reactor->Finish(ToGrpcStatus(range.status()));
      return reactor;
    }
    const bool queued = pool_.Submit([reactor, response, range = *range](
                                         Result<store::EventQuery*> query) {
      if (!query.ok()) {
        reactor->Finish(ToGrpcStatus(Unreadable(query.status())));
        return;
      }
      auto counts = (*query)->CountCauses(range.first, range.second);
      if (!counts.ok()) {
        reactor->Finish(ToGrpcStatus(counts.status()));
        return;
      }
      CauseCountsToProto(*counts, response);
      reactor->Finish(grpc::Status::OK);
    });
    if (!queued) {
      reactor->Finish(BusyStatus());
    }
    return reactor;
  }

  grpc::ServerUnaryReactor* Report(grpc::CallbackServerContext* context,
                                   const v1::ReportRequest* request,
                                   v1::ReportResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (auto caller = Authorize(context, Rpc::kReport); !caller.ok()) {
      reactor->Finish(ToGrpcStatus(caller.status()));
      return reactor;
    }
    if (!options_.make_report) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "reports are not enabled"));
      return reactor;
    }
    auto spec = ReportSpecFromProto(*request, options_.report_timezone);
    if (!spec.ok()) {
      reactor->Finish(ToGrpcStatus(spec.status()));
      return reactor;
    }
    // The report reads through its own read-only connection; the pool only
    // keeps the work off gRPC's threads and bounds how much runs at once.
    const bool queued = pool_.Submit([this, context, reactor, response, spec = *spec](
                                         Result<store::EventQuery*> /*query*/) {
      if (context->IsCancelled()) {
        reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
        return;
      }
      auto document = options_.make_report(spec.from, spec.to, spec.format, spec.zone);
      if (!document.ok()) {
        reactor->Finish(ToGrpcStatus(document.status()));
        return;
      }
      response->set_document(std::move(*document));
      response->set_content_type(std::string(report::ContentType(spec.format)));
      response->set_file_name(ReportFileName(spec));
      reactor->Finish(grpc::Status::OK);
    });
    if (!queued) {
      reactor->Finish(BusyStatus());
    }
    return reactor;
  }

 private:
  ::culprit::Status FillStatus(store::EventQuery& query, v1::StatusResponse* out) {
    auto stats = query.ListSources();
    if (!stats.ok()) return stats.status();
    std::map<int64_t, const store::SourceStats*> by_id;
    for (const store::SourceStats& s : *stats) by_id[s.id] = &s;

    const Timestamp now = options_.clock->Now();
    out->set_version(kVersion);
    proto::ToProto(options_.started_at, out->mutable_started_at());
    proto::ToProto(now - options_.started_at, out->mutable_uptime());
    out->set_database_path(options_.database_path);
    out->set_listen(options_.listen);
    if (options_.ingest_problem) {
      if (auto problem = options_.ingest_problem()) {
        out->set_ingest_problem(problem->first);
        proto::ToProto(problem->second, out->mutable_ingest_problem_since());
      }
    }

    const auto sources = Sources();
    for (const ServedSource& src : *sources) {
      v1::SourceStatus* s = out->add_sources();
      s->set_name(src.name);
      s->set_path(src.path);
      s->set_format(src.format);
      const store::SourceStats* st = nullptr;
      if (auto it = by_id.find(src.id); it != by_id.end()) st = it->second;
      if (st != nullptr) {
        s->set_lines_parsed(st->lines_parsed);
        s->set_lines_rejected(st->lines_rejected);
        if (st->newest_event) proto::ToProto(*st->newest_event, s->mutable_newest_event_time());
      }
      int64_t size_total = 0;
      int64_t committed_total = 0;
      for (const ProbedFile& f : options_.probe->Files(src.path)) {
        // The committed offset counts only for the file identity it was
        // recorded for: a rotated-in file at the same path starts at 0.
        int64_t committed = 0;
        if (st != nullptr) {
          for (const store::FileCheckpoint& c : st->files) {
            if (c.dev == f.dev && c.inode == f.inode) committed = std::min(c.offset, f.size);
          }
        }
        v1::FileStatus* fs = s->add_files();
        fs->set_path(f.path);
        fs->set_size(f.size);
        fs->set_committed_offset(committed);
        size_total += f.size;
        committed_total += committed;
      }
      s->set_file_size(size_total);
      s->set_committed_offset(committed_total);
      s->set_lag_bytes(size_total - committed_total);
      if (s->files_size() == 0) s->set_problem("no file matches the path yet");
    }
    return ::culprit::Status();
  }

  const ServerOptions& options_;
  RpcMetrics* const metrics_;
  const Authenticator auth_;
  RateLimiter submit_limiter_;
  QueryPool pool_;
  mutable std::mutex sources_mu_;
  std::shared_ptr<const std::vector<ServedSource>> sources_;  // guarded by sources_mu_
};

// Streams one search's batches as the query thread builds them, one Write()
// at a time (gRPC allows one in flight), the last together with the status.
// Thread-safe: the producer (Add/End/Release) and gRPC's reactions meet
// under mu_. Deleted once both the producer has Release()d and OnDone().
class SearchReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  // The answer's next batch, encoded (`last`: none follows). False once the
  // call is over (the client went away): build no more.
  bool Add(std::string&& batch, bool last) {
    // The bytes go to gRPC as they are: the slice owns them.
    auto* owned = new std::string(std::move(batch));
    grpc::Slice slice(owned->data(), owned->size(),
                      [](void* p) { delete static_cast<std::string*>(p); }, owned);
    std::unique_lock lock(mu_);
    if (over_) return false;
    pending_.emplace_back(&slice, 1);
    last_added_ = last;
    Pump(lock);
    return true;
  }
  // Instead of any Add(): finishes with `status` (OK: no events).
  void End(::culprit::Status status) {
    {
      std::lock_guard lock(mu_);
      if (over_) return;
      over_ = true;
    }
    Finish(ToGrpcStatus(status));
  }
  // The producer's last call.
  void Release() {
    bool gone;
    {
      std::lock_guard lock(mu_);
      released_ = true;
      gone = done_;
    }
    if (gone) delete this;
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock lock(mu_);
    writing_ = false;
    if (!ok) {
      if (over_) return;
      over_ = true;
      lock.unlock();
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    Pump(lock);
  }
  void OnDone() override {
    bool gone;
    {
      std::lock_guard lock(mu_);
      done_ = true;
      gone = released_;
    }
    if (gone) delete this;
  }

 private:
  // Starts the next write if none is in flight and a batch waits; the last
  // batch goes with the status, saving a separate Finish()'s round trip.
  // gRPC is called without mu_ held.
  void Pump(std::unique_lock<std::mutex>& lock) {
    if (writing_ || over_ || next_ >= pending_.size()) return;
    const grpc::ByteBuffer* batch = &pending_[next_++];
    const bool final = last_added_ && next_ == pending_.size();
    if (final) {
      over_ = true;
    } else {
      writing_ = true;
    }
    lock.unlock();
    if (final) {
      StartWriteAndFinish(batch, grpc::WriteOptions(), grpc::Status::OK);
    } else {
      StartWrite(batch);
    }
  }

  std::mutex mu_;
  // Batches stay until the reactor goes (a deque: their addresses hold
  // while more are added).
  std::deque<grpc::ByteBuffer> pending_;  // guarded by mu_
  size_t next_ = 0;          // the next of pending_ to write; guarded by mu_
  bool last_added_ = false;  // guarded by mu_
  bool writing_ = false;     // a write in flight; guarded by mu_
  bool over_ = false;        // Finish (or StartWriteAndFinish) called; guarded by mu_
  bool released_ = false;    // guarded by mu_
  bool done_ = false;        // OnDone() came; guarded by mu_
};

grpc::ServerWriteReactor<grpc::ByteBuffer>* CulpritServiceImpl::SearchEvents(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  auto* reactor = new SearchReactor();
  // Each path ends with Release(): the reactor outlives the producer.
  if (auto caller = Authorize(context, Rpc::kSearchEvents); !caller.ok()) {
    reactor->End(caller.status());
    reactor->Release();
    return reactor;
  }
  v1::SearchEventsRequest request;
  {
    grpc::ByteBuffer bytes(*raw_request);  // shares the slices
    if (!grpc::SerializationTraits<v1::SearchEventsRequest>::Deserialize(&bytes, &request).ok()) {
      reactor->End(::culprit::Status::InvalidArgument(
          "search: the request is not a culprit.v1.SearchEventsRequest"));
      reactor->Release();
      return reactor;
    }
  }
  std::map<std::string, int64_t> source_ids;
  std::map<int64_t, std::string> source_names;
  for (const ServedSource& s : *Sources()) {
    source_ids[s.name] = s.id;
    source_names[s.id] = s.name;
  }
  auto filter = SearchFilterFromProto(request, source_ids);
  if (!filter.ok()) {
    reactor->End(filter.status());
    reactor->Release();
    return reactor;
  }
  const bool queued = pool_.Submit([context, reactor, filter = std::move(*filter),
                                    source_names](Result<store::EventQuery*> query) {
    ::culprit::Status failed;
    std::vector<store::StoredEvent> found;
    if (context->IsCancelled()) {
      failed = ::culprit::Status::Cancelled("cancelled by the client");
    } else if (!query.ok()) {
      failed = Unreadable(query.status());
    } else if (auto events = (*query)->FindEvents(filter); !events.ok()) {
      failed = events.status();
    } else {
      found = std::move(*events);
    }
    if (!failed.ok() || found.empty()) {
      reactor->End(failed);
      reactor->Release();
      return;
    }
    // Each batch is written as soon as it is built.
    EventBatchesToWire(found, source_names, [reactor](std::string&& batch, bool last) {
      return reactor->Add(std::move(batch), last);
    });
    reactor->Release();
  });
  if (!queued) {
    reactor->End(Busy());
    reactor->Release();
  }
  return reactor;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<RpcMetrics> metrics;  // before `server`, which calls it
  std::unique_ptr<CulpritServiceImpl> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  bool shut_down = false;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Shutdown(std::chrono::seconds(5)); }

void Server::SetSources(std::vector<ServedSource> sources) {
  impl_->service->SetSources(std::move(sources));
}

int Server::port() const { return impl_->port; }

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  CULPRIT_CHECK(options.probe != nullptr && options.clock != nullptr);
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  if (impl->options.metrics != nullptr) {
    impl->metrics = std::make_unique<RpcMetrics>(impl->options.metrics);
  }
  impl->service = std::make_unique<CulpritServiceImpl>(impl->options, impl->metrics.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Without this, gRPC sets SO_REUSEPORT and a second culpritd would bind
  // the same port silently instead of failing.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int selected_port = 0;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  const ServerOptions::Tls& tls = impl->options.tls;
  if (!tls.cert_chain.empty()) {
    grpc::SslServerCredentialsOptions ssl(
        tls.client_ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                              : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = tls.client_ca;
    ssl.pem_key_cert_pairs.push_back({tls.private_key, tls.cert_chain});
    credentials = grpc::SslServerCredentials(ssl);
  }
  builder.AddListeningPort(impl->options.listen, credentials, &selected_port);
  builder.RegisterService(impl->service.get());
  if (impl->metrics != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(impl->metrics->InterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  impl->server = builder.BuildAndStart();
  const bool is_unix = impl->options.listen.starts_with("unix:");
  if (impl->server == nullptr || (!is_unix && selected_port == 0)) {
    impl->service->StopPool();
    return ::culprit::Status::Unavailable(
        "cannot listen on \"" + impl->options.listen +
        "\" (address in use, not an address of this host, or no permission" +
        (tls.cert_chain.empty() ? std::string(")")
                                : "; or the TLS certificate, key or client CA is not valid PEM, "
                                  "or the key does not match the certificate)"));
  }
  impl->port = selected_port;
  if (auto* health = impl->server->GetHealthCheckService()) {
    health->SetServingStatus(true);
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::Shutdown(Duration grace) {
  if (impl_ == nullptr || impl_->shut_down) return;
  impl_->shut_down = true;
  if (auto* health = impl_->server->GetHealthCheckService()) {
    health->SetServingStatus(false);
  }
  // Calls in flight finish on the pool, so the pool must outlive Shutdown().
  impl_->server->Shutdown(gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                       gpr_time_from_micros(grace.count(), GPR_TIMESPAN)));
  impl_->server->Wait();
  impl_->service->StopPool();
}

}  // namespace culprit::service
