#include "daemon/correlate/correlator.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "daemon/correlate/explain.h"
#include "daemon/correlate/report_profile.h"

namespace culprit::correlate {
namespace {

using std::chrono::seconds;
using store::StoredEvent;

// Score of the NONE_ON_SERVER answer: a server-side explanation must beat
// it. About: right time + cause event + fitting phase, with the address only.
constexpr double kNoneBaseline = 3.5;
// How far before the report a connection's lines may lie (the accept time
// HAProxy logs, the last request before an idle reuse).
constexpr Duration kLookBefore = seconds(30);
// At most this many client events per lookup (see Run::Go()), and of the
// client's events near the reported moment whatever their port.
constexpr size_t kMaxClientEvents = 2000;
constexpr size_t kMaxNearbyEvents = 50;
// Of the client's events with a cause over the whole window, the newest
// this many: a busy address (a NAT) can have hundreds in a minute, and the
// ones that matter are near the reported moment or on its connection (the
// lookup by port, which then runs too).
constexpr size_t kMaxCausedEvents = 64;
constexpr size_t kMaxChainQueries = 6;
// How far back an idle connection's last request is looked for when the
// usual window has none (see Run::Go()), at most.
constexpr Duration kMaxIdleLookBack = std::chrono::minutes(10);

Duration Abs(Duration d) { return d < Duration(0) ? -d : d; }

// Lines from one software share connection ids (nginx `*N` = `$connection`).
std::string Family(const SourceInfo* s) {
  if (s == nullptr) return "?";
  const std::string& f = s->format;
  if (f.rfind("nginx", 0) == 0) return "nginx";
  return f + "#" + std::to_string(s->id);
}

// Keep-alive timeout when the operator did not set one: the software's
// default (nginx keepalive_timeout 75 s; HAProxy falls back to
// timeout http-request, commonly 10 s; stunnel TIMEOUTidle 43200 s).
std::optional<Duration> IdleTimeoutOf(const SourceInfo* s) {
  if (s == nullptr) return std::nullopt;
  if (s->idle_timeout) return s->idle_timeout;
  if (s->format.rfind("nginx", 0) == 0) return seconds(75);
  if (s->format == "haproxy") return seconds(10);
  if (s->format == "stunnel") return seconds(43200);
  return std::nullopt;
}

struct Scored {
  const StoredEvent* ev = nullptr;
  const SourceInfo* src = nullptr;
  Duration offset{0};  // event time - reported time
  double time_pts = 0;
  int port_state = 0;  // +1 exact, -1 different, 0 unknown
};

// One connection (events sharing a family + connection id), or one event.
struct Unit {
  std::vector<Scored> members;
  const Scored* root = nullptr;  // the member whose cause explains the unit
  Cause cause = Cause::kNone;
  double score = 0;
  bool normal_completion = false;  // a request that ended fine on that exact port
  std::vector<Evidence> upstream;  // root causes found behind a proxy
};

// Evidence by reference, into the events the run holds; copied into an
// Evidence only for the verdicts returned. A busy address yields dozens of
// candidates, and copying every one's events and writing its explanation
// was a fifth of its diagnosis.
struct EvRef {
  const StoredEvent* ev;
  std::string_view role;  // "cause", "consequence", "context"
};

struct Candidate {
  Cause cause = Cause::kNone;
  double score = 0;
  std::function<std::string()> explain;  // the explanation, when it is returned
  std::vector<EvRef> evidence;
};

class Run {
 public:
  Run(const std::vector<SourceInfo>& sources, const Correlator::Options& options,
      const ResetReport& report, store::EventQuery& query)
      : sources_(sources), options_(options), r_(report), q_(query), p_(ProfileOf(report)) {
    u_ = std::min(std::max(report.clock_uncertainty, Duration(0)), options.max_window);
  }

  Result<Diagnosis> Go();

 private:
  const SourceInfo* Source(int64_t id) const {
    for (const SourceInfo& s : sources_) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }
  std::string SourceName(const StoredEvent& e) const {
    const SourceInfo* s = Source(e.source_id);
    return s ? s->name : "source " + std::to_string(e.source_id);
  }
  double TimePoints(const StoredEvent& e, Duration slack) const;
  double ServerPortPoints(const StoredEvent& e) const;
  Scored ScoreEvent(const StoredEvent& e) const;
  void BuildUnits();
  void ScoreUnit(Unit& u) const;
  Status FollowUpstream(Unit& u, size_t* budget);
  void AddClientCandidates();
  void AddHostCandidates();
  void InferIdle();
  Evidence Ev(const StoredEvent& e, std::string role) const {
    return Evidence{e, SourceName(e), std::move(role)};
  }
  Evidence Ev(const EvRef& ref) const { return Ev(*ref.ev, std::string(ref.role)); }
  std::string Describe(const StoredEvent& e) const;

  const std::vector<SourceInfo>& sources_;
  const Correlator::Options& options_;
  const ResetReport& r_;
  store::EventQuery& q_;
  ReportProfile p_;
  Duration u_{0};
  std::vector<StoredEvent> client_events_;
  std::vector<StoredEvent> host_events_;
  std::vector<Unit> units_;
  std::vector<Candidate> candidates_;
  double none_score_ = kNoneBaseline;
  std::vector<EvRef> none_evidence_;
  std::string none_note_;
  std::optional<Timestamp> last_exact_request_;
  const StoredEvent* last_exact_event_ = nullptr;
};

double Run::TimePoints(const StoredEvent& e, Duration slack) const {
  Duration dt = e.event.time - r_.reported_at;
  Duration dist = Abs(dt) - e.event.precision;
  // A line stamped at a connection's start (HAProxy's accept date) may lie
  // its duration before the moment the client saw the error.
  if (dt < Duration(0) && e.event.duration) dist -= *e.event.duration;
  if (dist < Duration(0)) dist = Duration(0);
  const double tol = static_cast<double>((u_ + slack).count());
  const double d = static_cast<double>(dist.count());
  if (d <= tol) return 2.0 - d / tol;  // 2 at once, 1 at the edge of the window
  return std::max(-4.0, 1.0 - 3.0 * (d - tol) / tol);
}

double Run::ServerPortPoints(const StoredEvent& e) const {
  if (r_.server_port == 0) return 0;
  if (e.event.server_port != 0) return e.event.server_port == r_.server_port ? 0.5 : -3;
  const SourceInfo* s = Source(e.source_id);
  if (s == nullptr || s->ports.empty()) return 0;
  return std::find(s->ports.begin(), s->ports.end(), r_.server_port) != s->ports.end() ? 0.3
                                                                                      : -2.5;
}

Scored Run::ScoreEvent(const StoredEvent& e) const {
  Scored s;
  s.ev = &e;
  s.src = Source(e.source_id);
  s.offset = e.event.time - r_.reported_at;
  s.time_pts = TimePoints(e, seconds(1));
  if (r_.client_port != 0 && e.event.client_port != 0) {
    s.port_state = e.event.client_port == r_.client_port ? 1 : -1;
  }
  return s;
}

void Run::BuildUnits() {
  std::map<std::string, size_t> by_conn;
  for (const StoredEvent& e : client_events_) {
    Scored s = ScoreEvent(e);
    std::string key;
    if (!e.event.conn_id.empty()) key = Family(s.src) + "|" + e.event.conn_id;
    auto it = key.empty() ? by_conn.end() : by_conn.find(key);
    if (it == by_conn.end()) {
      if (!key.empty()) by_conn[key] = units_.size();
      units_.push_back(Unit{});
      units_.back().members.push_back(s);
    } else {
      units_[it->second].members.push_back(s);
    }
  }
  for (Unit& u : units_) ScoreUnit(u);
}

// A unit's root is the member whose cause best fits the report; an error
// line beats the access entry that only reports its status, and a client
// abort is usually the consequence of something else.
void Run::ScoreUnit(Unit& u) const {
  int port_state = 0;
  double best_time = -10, status_fit = 0;
  for (const Scored& m : u.members) {
    if (m.port_state == 1) port_state = 1;
    if (m.port_state == -1 && port_state == 0) port_state = -1;
    best_time = std::max(best_time, m.time_pts);
    status_fit = std::max(status_fit, p_.StatusFit(m.ev->event.status));
    const parsers::Event& ev = m.ev->event;
    if (m.port_state == 1 && ev.kind == EventKind::kRequest && ev.cause == Cause::kNone &&
        ev.status && *ev.status > 0 && *ev.status < 400) {
      u.normal_completion = true;
    }
  }
  double best_root = -1e9;
  for (const Scored& m : u.members) {
    const parsers::Event& ev = m.ev->event;
    if (ev.cause == Cause::kNone || ev.cause == Cause::kNoneOnServer) continue;
    const Cause cause = p_.Reinterpret(ev);
    double v = p_.Compatibility(cause);
    if (ev.kind != EventKind::kRequest) v += 1;
    if (cause == Cause::kClientAbort) v -= 1.5;
    if (v > best_root) {
      best_root = v;
      u.root = &m;
      u.cause = cause;
    }
  }
  const Scored& ref = u.root ? *u.root : u.members.front();
  u.score = best_time + (port_state == 1 ? 4 : port_state == -1 ? -6 : 0) +
            ServerPortPoints(*ref.ev) + status_fit;
  if (u.root) u.score += 1 + p_.Compatibility(u.cause);
}

Status Run::FollowUpstream(Unit& u, size_t* budget) {
  if (u.cause != Cause::kUpstreamFailure && u.cause != Cause::kUpstreamTimeout) {
    return Status();
  }
  // By request id first (nginx $request_id forwarded as X-Request-ID).
  std::set<int64_t> seen;
  for (const Scored& m : u.members) {
    if (m.ev->event.request_id.empty() || *budget == 0) continue;
    --*budget;
    store::EventFilter f;
    f.request_id = m.ev->event.request_id;
    f.from = m.ev->event.time - options_.max_window;
    f.to = m.ev->event.time + options_.max_window;
    f.with_cause_only = true;
    f.limit = 20;
    auto found = q_.FindEvents(f);
    if (!found.ok()) return Status(found.status().code(), "request id chain: " + found.status().message());
    for (StoredEvent& e : *found) {
      if (e.source_id == m.ev->source_id || !seen.insert(e.id).second) continue;
      u.upstream.push_back(Ev(e, "cause"));
    }
  }
  if (!u.upstream.empty() || *budget == 0) return Status();
  // Else by time and the forwarded client address the backend logged.
  --*budget;
  const StoredEvent& root = *u.root->ev;
  store::EventFilter f;
  f.from = root.event.time - seconds(3) - root.event.duration.value_or(Duration(0));
  f.to = root.event.time + seconds(3) + root.event.duration.value_or(Duration(0));
  f.kind = EventKind::kApp;
  f.with_cause_only = true;
  f.limit = 50;
  auto found = q_.FindEvents(f);
  if (!found.ok()) return Status(found.status().code(), "upstream chain: " + found.status().message());
  const std::string client = r_.client_ip->ToString();
  for (StoredEvent& e : *found) {
    if (e.event.Extra("forwarded_for") != client) continue;
    const std::string_view fport = e.event.Extra("forwarded_port");
    if (r_.client_port != 0 && !fport.empty() && fport != std::to_string(r_.client_port)) continue;
    u.upstream.push_back(Ev(e, "cause"));
  }
  return Status();
}

std::string Run::Describe(const StoredEvent& e) const {
  std::string what = e.event.message.empty() ? e.raw : e.event.message;
  if (!e.event.detail.empty() && e.event.message.empty()) what = e.event.detail + ": " + e.raw;
  return SourceName(e) + " logged \"" + ShortLine(what, 160) + "\" at " +
         FormatRfc3339(e.event.time, 3) + " (" + OffsetText(e.event.time - r_.reported_at) + ")";
}

void Run::AddClientCandidates() {
  const std::string client = r_.client_ip->ToString() +
                             (r_.client_port ? ":" + std::to_string(r_.client_port) : "");
  for (Unit& u : units_) {
    if (u.normal_completion && u.score > 2 && p_.phase != Phase::kIdleReuse) {
      // The server finished a request on this very connection near the
      // reported time: whatever reset it happened after, or elsewhere.
      none_score_ = std::max(none_score_, kNoneBaseline + 1.5);
      none_evidence_.push_back({u.members.front().ev, "context"});
    }
    if (u.root == nullptr) continue;
    if (u.cause == Cause::kClientAbort) {
      if (u.score > 2) {
        none_score_ = std::max(none_score_, u.score + 1);
        none_evidence_.insert(none_evidence_.begin(), {u.root->ev, "context"});
        for (const Scored& m : u.members) {
          if (&m != u.root) none_evidence_.push_back({m.ev, "context"});
        }
        none_note_ = " The server itself saw the client side go away first (" +
                     Describe(*u.root->ev) + "), so the reset came from outside the server.";
      }
      continue;
    }
    Candidate c;
    c.cause = u.cause;
    c.score = u.score;
    for (const Evidence& e : u.upstream) c.evidence.push_back({&e.event, e.role});
    c.evidence.push_back({u.root->ev, u.upstream.empty() ? "cause" : "consequence"});
    for (const Scored& m : u.members) {
      if (&m == u.root) continue;
      const bool has_cause = m.ev->event.cause != Cause::kNone;
      c.evidence.push_back({m.ev, has_cause ? "consequence" : "context"});
    }
    c.explain = [this, &u, client] {
      std::string text = std::string(CauseName(u.cause)) + " for " + client + ": " +
                         Describe(*u.root->ev) + ".";
      if (!u.upstream.empty()) {
        text += " Behind the proxy, " + Describe(u.upstream.front().event) +
                ": the backend failed first and the proxy's line is the consequence.";
      }
      return text;
    };
    candidates_.push_back(std::move(c));
  }
}

void Run::AddHostCandidates() {
  bool connection_finished = false;
  for (const Unit& u : units_) {
    if (u.normal_completion && u.score > 2) connection_finished = true;
  }
  std::map<std::pair<int64_t, Cause>, Candidate> best;
  for (const StoredEvent& e : host_events_) {
    if (e.event.client_ip) continue;  // per-client lines were scored as units
    // The kernel's own trouble (conntrack table full, an OOM kill) hits
    // every port of the host: the ports a syslog source is configured with
    // (what its firewall lines are about) say nothing about it. A line that
    // names its port (SYN flooding) is still held to it.
    const SourceInfo* src = Source(e.source_id);
    const bool whole_host =
        e.event.server_port == 0 && src != nullptr && src->format == "syslog";
    double s = TimePoints(e, seconds(2)) + (whole_host ? 0 : ServerPortPoints(e)) + 1 +
               p_.Compatibility(e.event.cause);
    // A reload while the connection sat idle closes it: the classic
    // "reset on reuse" that is not an idle timeout.
    if (p_.phase == Phase::kIdleReuse && e.event.cause == Cause::kServerShutdown &&
        last_exact_request_ && e.event.time + e.event.precision >= *last_exact_request_) {
      s += 2;
    }
    if (connection_finished && p_.phase != Phase::kIdleReuse) s -= 3;
    auto key = std::make_pair(e.source_id, e.event.cause);
    Candidate& c = best[key];
    if (c.evidence.empty() || s > c.score) {
      c.cause = e.event.cause;
      c.score = s;
      c.explain = [this, &e] {
        return std::string(CauseName(e.event.cause)) +
               " (host-wide, no client address on the line): " + Describe(e) + ".";
      };
      c.evidence.insert(c.evidence.begin(), {&e, "cause"});
      for (size_t i = 1; i < c.evidence.size(); ++i) c.evidence[i].role = "context";
    } else if (c.evidence.size() < 4) {
      c.evidence.push_back({&e, "context"});
    }
  }
  for (auto& [key, c] : best) {
    if (last_exact_event_ && p_.phase == Phase::kIdleReuse) {
      c.evidence.push_back({last_exact_event_, "context"});
    }
    candidates_.push_back(std::move(c));
  }
}

// Logs never say "idle timeout": a reused connection fails, and the last
// request on that exact address and port ended longer ago than the server's
// keep-alive timeout.
void Run::InferIdle() {
  if (p_.phase != Phase::kIdleReuse && !r_.idle_before) return;
  if (last_exact_event_ == nullptr) return;
  const StoredEvent& last = *last_exact_event_;
  const std::optional<Duration> timeout = IdleTimeoutOf(Source(last.source_id));
  if (!timeout) return;
  // If the server saw the peer close the idle connection, it did not time it out.
  // A line without the port (nginx's error log) speaks of this connection
  // only if its connection id is the last request's (nginx `*N` is the
  // access log's $connection): a client address with several connections
  // closes others all the time.
  const std::string last_family = Family(Source(last.source_id));
  for (const StoredEvent& e : client_events_) {
    if (e.event.cause != Cause::kClientAbort || e.event.time + e.event.precision < last.event.time ||
        e.event.time > r_.reported_at + u_) {
      continue;
    }
    if (e.event.client_port != 0 && e.event.client_port != r_.client_port) continue;
    if (e.event.client_port == 0 && !e.event.conn_id.empty() && !last.event.conn_id.empty() &&
        Family(Source(e.source_id)) == last_family && e.event.conn_id != last.event.conn_id) {
      continue;
    }
    return;
  }
  const Duration gap = r_.reported_at - last.event.time;
  double s = 0;
  std::string how;
  if (r_.idle_before) {
    s = *r_.idle_before >= *timeout ? 7 : 1;
    how = "the client reports " + FormatDuration(*r_.idle_before) + " idle";
  } else if (gap - u_ >= *timeout) {
    s = 6.5;
    how = "about " + FormatDuration(gap) + " passed since";
  } else if (gap + u_ >= *timeout) {
    s = 4.5;
    how = "about " + FormatDuration(gap) + " (+/- " + FormatDuration(u_) +
          " clock uncertainty) passed since";
  } else {
    return;
  }
  Candidate c;
  c.cause = Cause::kIdleTimeout;
  c.score = s;
  std::string text = "IDLE_TIMEOUT (inferred: servers do not log keep-alive closes): " + how +
                     " the last request on " + r_.client_ip->ToString() + ":" +
                     std::to_string(r_.client_port) + ", which " + Describe(last) +
                     ", and the server's keep-alive timeout is " + FormatDuration(*timeout) +
                     "; the server closed the idle connection and the client reused it.";
  c.explain = [text = std::move(text)] { return text; };
  c.evidence.push_back({&last, "cause"});
  candidates_.push_back(std::move(c));
}

Result<Diagnosis> Run::Go() {
  const Timestamp t = r_.reported_at;
  const Duration before = std::min(u_ + kLookBefore, options_.max_window + kLookBefore);
  // The client's events, in up to three lookups that stay cheap for a busy
  // address (a NAT or a proxy can send thousands of requests a minute):
  //   events with a cause in the whole window, newest first, bounded;
  //   every event near the reported moment, newest first, bounded;
  //   with a known port, that port's events: over the whole window when the
  //   last request on the connection matters (an idle connection reused),
  //   else near the moment, and only if the bounded lookup was cut short.
  std::set<int64_t> have;
  auto lookup = [&](const store::EventFilter& filter) -> Result<size_t> {
    auto found = q_.FindEvents(filter);
    if (!found.ok()) {
      return Status(found.status().code(), "client events: " + found.status().message());
    }
    for (StoredEvent& e : *found) {
      if (have.insert(e.id).second) client_events_.push_back(std::move(e));
    }
    return found->size();
  };
  store::EventFilter f;
  f.client_ip = r_.client_ip;
  f.from = t - before;
  f.to = t + u_ + seconds(5);
  f.with_cause_only = true;
  f.newest_first = true;
  f.limit = kMaxCausedEvents;
  CULPRIT_ASSIGN_OR_RETURN(const size_t caused, lookup(f));
  f.with_cause_only = false;
  f.from = t - u_ - seconds(2);
  f.to = t + u_ + seconds(2);
  f.limit = kMaxNearbyEvents;
  CULPRIT_ASSIGN_OR_RETURN(const size_t nearby, lookup(f));
  const bool idle_reuse = p_.phase == Phase::kIdleReuse || r_.idle_before.has_value();
  if (r_.client_port != 0 &&
      (idle_reuse || nearby >= kMaxNearbyEvents || caused >= kMaxCausedEvents)) {
    if (idle_reuse) {
      f.from = t - before;
      f.to = t + u_ + seconds(5);
    }
    f.client_port = r_.client_port;
    f.limit = kMaxClientEvents;
    CULPRIT_ASSIGN_OR_RETURN(const size_t on_port, lookup(f));
    if (idle_reuse && on_port == 0) {
      // Nothing on this connection in the window: its last request came
      // before it sat idle, as long ago as the server's keep-alive timeout
      // (nginx's default is 75 s; a pool may reuse a connection well after
      // the server closed it: twice that), or the idle time reported. Only
      // the newest few events there matter, so the lookup stops early.
      Duration back = before;
      for (const SourceInfo& s : sources_) {
        const std::optional<Duration> timeout = IdleTimeoutOf(&s);
        if (timeout && *timeout <= kMaxIdleLookBack) {
          back = std::max(back, std::min(2 * *timeout, kMaxIdleLookBack) + u_ + seconds(5));
        }
      }
      if (r_.idle_before) {
        back = std::max(back, std::min(*r_.idle_before, kMaxIdleLookBack) + u_ + seconds(5));
      }
      if (back > before) {
        f.to = f.from - Duration(1);
        f.from = t - back;
        f.newest_first = true;
        f.limit = 4;
        CULPRIT_RETURN_IF_ERROR(lookup(f).status());
      }
    }
  }
  std::sort(client_events_.begin(), client_events_.end(),
            [](const StoredEvent& a, const StoredEvent& b) {
              return std::tie(a.event.time, a.id) < std::tie(b.event.time, b.id);
            });

  store::EventFilter h;
  h.from = t - u_ - seconds(5);
  h.to = t + u_ + seconds(3);
  h.with_cause_only = true;
  h.kind = EventKind::kProcess;
  h.limit = 500;
  auto host = q_.FindEvents(h);
  if (!host.ok()) return Status(host.status().code(), "host events: " + host.status().message());
  host_events_ = std::move(*host);
  h.kind.reset();
  h.cause = Cause::kResourceExhaustion;
  auto exhaustion = q_.FindEvents(h);
  if (!exhaustion.ok()) {
    return Status(exhaustion.status().code(), "host events: " + exhaustion.status().message());
  }
  for (StoredEvent& e : *exhaustion) {
    if (e.event.kind != EventKind::kProcess) host_events_.push_back(std::move(e));
  }

  // The last request seen on the exact client address and port.
  if (r_.client_port != 0) {
    for (const StoredEvent& e : client_events_) {
      if (e.event.client_port != r_.client_port || e.event.kind != EventKind::kRequest) continue;
      if (e.event.time > t + u_) continue;
      if (!last_exact_event_ || e.event.time >= last_exact_event_->event.time) last_exact_event_ = &e;
    }
    if (last_exact_event_) last_exact_request_ = last_exact_event_->event.time;
  }

  BuildUnits();
  size_t budget = kMaxChainQueries;
  for (Unit& u : units_) {
    if (u.root && u.score > 2) {
      Status s = FollowUpstream(u, &budget);
      if (!s.ok()) return s;
    }
  }
  AddClientCandidates();
  AddHostCandidates();
  InferIdle();

  Diagnosis d;
  d.searched = "client " + r_.client_ip->ToString() +
               (r_.client_port ? ":" + std::to_string(r_.client_port) : "") + " from " +
               FormatRfc3339(f.from, 3) + " to " + FormatRfc3339(f.to, 3) +
               ", host-wide events from " + FormatRfc3339(h.from, 3) + " to " +
               FormatRfc3339(h.to, 3) + " in " + std::to_string(sources_.size()) + " source(s):";
  for (const SourceInfo& s : sources_) d.searched += " " + s.name;
  d.searched += "; " + std::to_string(client_events_.size()) + " client event(s), " +
                std::to_string(host_events_.size()) + " host-wide event(s)";

  Candidate none;
  none.cause = Cause::kNoneOnServer;
  none.score = none_score_;
  std::string none_text =
      "NONE_ON_SERVER: no server-side event explains the " +
      std::string(ClientErrorName(p_.error)) + (r_.phase.empty() ? "" : " during " + r_.phase) +
      " at " + FormatRfc3339(t, 3) + " (searched " + d.searched + ")." + none_note_ +
      " Such resets usually come from a device that is not tailed (load balancer, NAT or "
      "firewall idle timeout, a transparent proxy), the client's network, or a client-side "
      "timeout.";
  none.explain = [text = std::move(none_text)] { return text; };
  none.evidence = none_evidence_;
  candidates_.push_back(std::move(none));

  // Best first; equal scores by the time between the report and the
  // candidate's root event (two host-wide events a second apart score the
  // same), then by cause code, so the order is deterministic.
  auto distance = [&](const Candidate& c) {
    if (c.evidence.empty()) return Duration::max();
    const Duration d = c.evidence.front().ev->event.time - t;
    return d < Duration(0) ? -d : d;
  };
  std::stable_sort(candidates_.begin(), candidates_.end(), [&](const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score > b.score;
    const Duration da = distance(a), db = distance(b);
    if (da != db) return da < db;
    return a.cause < b.cause;
  });
  std::set<Cause> used;
  for (Candidate& c : candidates_) {
    if (!used.insert(c.cause).second) continue;
    Verdict v;
    v.cause = c.cause;
    v.confidence = std::clamp(1.0 / (1.0 + std::exp(-(c.score - kNoneBaseline) / 1.5)), 0.02, 0.99);
    v.explanation = c.explain();
    v.remedy = RemedyFor(c.cause);
    v.evidence.reserve(c.evidence.size());
    for (const EvRef& ref : c.evidence) v.evidence.push_back(Ev(ref));
    d.verdicts.push_back(std::move(v));
    if (d.verdicts.size() >= 5) break;
  }
  const Cause top = d.verdicts.front().cause;
  d.retry_may_help = !(top == Cause::kProtocolMismatch || top == Cause::kTlsHandshakeFailed ||
                       top == Cause::kFirewall || top == Cause::kRequestRejected);

  // Similar resets: what this address reported in the lookback, and the
  // reset-causing events of it in the window searched.
  auto reports = q_.CountReports(*r_.client_ip, t - options_.similar_lookback, t + u_);
  if (!reports.ok()) {
    return Status(reports.status().code(), "similar reports: " + reports.status().message());
  }
  int64_t similar = *reports;
  for (const StoredEvent& e : client_events_) similar += e.event.cause != Cause::kNone ? 1 : 0;
  d.similar_recent = static_cast<int>(std::min<int64_t>(similar, INT32_MAX));
  return d;
}

}  // namespace

Correlator::Correlator(std::vector<SourceInfo> sources, Options options)
    : sources_(std::make_shared<const std::vector<SourceInfo>>(std::move(sources))),
      options_(options) {}

void Correlator::SetSources(std::vector<SourceInfo> sources) {
  auto fresh = std::make_shared<const std::vector<SourceInfo>>(std::move(sources));
  std::lock_guard lock(mu_);
  sources_ = std::move(fresh);
}

Result<Diagnosis> Correlator::Correlate(const ResetReport& report, store::EventQuery& query) const {
  if (!report.client_ip) return Status::InvalidArgument("report.client_ip: missing");
  if (report.clock_uncertainty < Duration(0)) {
    return Status::InvalidArgument("report.clock_uncertainty: negative (" +
                                   FormatDuration(report.clock_uncertainty) + ")");
  }
  if (options_.max_window <= Duration(0)) {
    return Status::InvalidArgument("options.max_window: must be positive");
  }
  std::shared_ptr<const std::vector<SourceInfo>> sources;
  {
    std::lock_guard lock(mu_);
    sources = sources_;
  }
  Run run(*sources, options_, report, query);
  // All of one diagnosis's lookups read one snapshot of the store.
  std::optional<Result<Diagnosis>> out;
  CULPRIT_RETURN_IF_ERROR(query.InOneSnapshot([&] { out.emplace(run.Go()); }));
  return std::move(*out);
}

}  // namespace culprit::correlate
