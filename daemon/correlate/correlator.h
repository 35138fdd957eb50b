#ifndef CULPRIT_DAEMON_CORRELATE_CORRELATOR_H_
#define CULPRIT_DAEMON_CORRELATE_CORRELATOR_H_

// Correlator: answers "my client saw a connection reset — why?" from the
// server-side events in the store.
//
// Given what the client reported (time, addresses, error, phase), it looks up
// the events near that moment that involve the client's address, plus
// host-wide events (reloads, crashes, exhaustion) in the same window, scores
// each against the report (time distance, client/server port, phase and
// error compatibility, the kind of event), follows chains (request id,
// connection id, upstream address and time) so the root cause comes first,
// and infers what logs never say (an idle keep-alive timeout). When nothing
// on the server explains the report it says so (NONE_ON_SERVER) with what was
// searched, instead of a weak guess.
//
// Thread-safety: Correlate() is const and keeps no state; one Correlator may
// serve many threads at once, each with its own EventQuery.
// Deterministic: the same events and report give the same Diagnosis.
// Depends only on base/, parsers/event.h and the store::EventQuery interface.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "base/result.h"
#include "base/time.h"
#include "daemon/store/event_query.h"
#include "parsers/event.h"

namespace culprit::correlate {

// What the client saw.
struct ResetReport {
  // When the client saw the error, by the client's clock (UTC), and how far
  // that clock may be off from the servers'.
  Timestamp reported_at;
  Duration clock_uncertainty = std::chrono::seconds(5);
  // The client's address as the server sees it (after NAT), and its
  // ephemeral port (0 = unknown).
  std::optional<IpAddress> client_ip;
  uint16_t client_port = 0;
  std::optional<IpAddress> server_ip;
  uint16_t server_port = 0;
  std::string server_name;
  // ECONNRESET, EPIPE, ECONNABORTED, ECONNREFUSED, ETIMEDOUT,
  // WSAECONNRESET/10054, WSAECONNABORTED/10053, OpenSSL reasons such as
  // "SSL: WRONG_VERSION_NUMBER", "EOF", or a free-form message.
  std::string error;
  // connect, tls_handshake, request_sent, awaiting_response,
  // reading_response, idle_reuse (empty = unknown).
  std::string phase;
  std::string request_id;
  std::optional<int64_t> bytes_sent, bytes_received;
  std::optional<Duration> idle_before, connection_age;
  std::optional<int> http_status;
};

// How the operator configured one source (by store source id).
struct SourceInfo {
  int64_t id = 0;
  std::string name;
  std::string format;           // "nginx", "nginx_error", "haproxy", "stunnel", ...
  std::vector<uint16_t> ports;  // the ports the software behind it listens on
  // Keep-alive idle timeout of that software; unset = the format's default
  // (nginx keepalive_timeout 75 s, HAProxy http-keep-alive 10 s...).
  std::optional<Duration> idle_timeout;
};

struct Evidence {
  store::StoredEvent event;
  std::string source_name;
  std::string role;  // "cause", "consequence", "context"
};

struct Verdict {
  Cause cause = Cause::kNoneOnServer;
  double confidence = 0;  // 0..1
  std::string explanation;
  std::string remedy;
  std::vector<Evidence> evidence;  // root cause first
};

struct Diagnosis {
  // Ranked, best first. Never empty: NONE_ON_SERVER when nothing explains
  // the report.
  std::vector<Verdict> verdicts;
  // Reports from this client address within the lookback, plus its
  // reset-causing events in the window searched.
  int similar_recent = 0;
  // False when the server rejects such connections consistently (TLS or
  // protocol mismatch, firewall, rejected request): retrying the same way
  // will fail the same way.
  bool retry_may_help = true;
  std::string searched;  // the sources and time range searched
};

class Correlator {
 public:
  struct Options {
    // Upper bound on the half-width of the search window, whatever the
    // report's clock uncertainty.
    Duration max_window = std::chrono::seconds(60);
    // How far back similar_recent looks.
    Duration similar_lookback = std::chrono::hours(1);
  };

  Correlator(std::vector<SourceInfo> sources, Options options);
  explicit Correlator(std::vector<SourceInfo> sources) : Correlator(std::move(sources), Options()) {}

  // Diagnoses one report. A handful of FindEvents() calls (bounded: a few
  // per chain hop). Errors: INVALID_ARGUMENT when the report has no client
  // address, or a negative clock uncertainty; whatever the query returns
  // (UNAVAILABLE, INTERNAL), with the step that failed named.
  // Thread-safe: any number of threads may call it at once, also while
  // SetSources() runs.
  Result<Diagnosis> Correlate(const ResetReport& report, store::EventQuery& query) const;

  // Replaces the configured sources (a config reload); calls already
  // running finish with the sources they started with.
  void SetSources(std::vector<SourceInfo> sources);

 private:
  mutable std::mutex mu_;  // guards sources_ (the pointer, not the vector)
  std::shared_ptr<const std::vector<SourceInfo>> sources_;
  Options options_;
};

}  // namespace culprit::correlate

#endif  // CULPRIT_DAEMON_CORRELATE_CORRELATOR_H_
