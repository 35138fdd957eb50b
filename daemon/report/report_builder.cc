#include "daemon/report/report_builder.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "daemon/correlate/explain.h"

namespace culprit::report {
namespace {

using std::chrono::hours;

// Counts by label for one breakdown.
using Tally = std::map<std::string, int64_t>;

struct CauseTallies {
  Tally servers, ports, networks, labels, hours;
};

std::vector<Ranked> TopOf(const Tally& tally, int64_t whole, int rows) {
  std::vector<Ranked> out;
  for (const auto& [label, count] : tally) {
    out.push_back({label, count, whole > 0 ? static_cast<double>(count) / whole : 0});
  }
  std::sort(out.begin(), out.end(), [](const Ranked& a, const Ranked& b) {
    return a.count != b.count ? a.count > b.count : a.label < b.label;
  });
  if (out.size() > static_cast<size_t>(std::max(rows, 0))) out.resize(std::max(rows, 0));
  return out;
}

// The client's network: /24 for IPv4, /64 for IPv6.
std::string NetworkOf(const IpAddress& ip) {
  auto prefix = IpPrefix::Parse(ip.ToString() + (ip.is_v4() ? "/24" : "/64"));
  return prefix.ok() ? prefix->ToString() : ip.ToString();
}

std::string HourOfDay(Timestamp t, const TimeZone& zone) {
  const int64_t local_s =
      std::chrono::duration_cast<std::chrono::seconds>((t + zone.OffsetAt(t)).time_since_epoch())
          .count();
  int64_t h = (local_s % 86400 + 86400) % 86400 / 3600;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:00", static_cast<int>(h));
  return buf;
}

void Tally1(const ReportRow& r, const TimeZone& zone, CauseTallies* t) {
  if (r.server_ip || !r.server_name.empty()) {
    std::string server = r.server_ip ? Endpoint{*r.server_ip, r.server_port}.ToString() : "";
    if (!r.server_name.empty()) {
      server = server.empty() ? r.server_name : r.server_name + " (" + server + ")";
    }
    ++t->servers[server];
  }
  if (r.server_port != 0) ++t->ports[std::to_string(r.server_port)];
  if (r.client_ip) ++t->networks[NetworkOf(*r.client_ip)];
  if (!r.app.empty() || !r.version.empty()) {
    std::string label = r.app.empty() ? "(no app)" : r.app;
    if (!r.version.empty()) label += " " + r.version;
    ++t->labels[label];
  }
  ++t->hours[HourOfDay(r.reported_at, zone)];
}

bool IsDiagnosed(Cause c) { return c != Cause::kNone && c != Cause::kNoneOnServer; }

}  // namespace

Duration TimelineStep(Duration period) {
  if (period <= hours(24 * 7)) return hours(1);
  if (period <= hours(24 * 92)) return hours(24);
  return hours(24 * 7);
}

Result<ReportData> BuildReport(ReportQuery& query, const BuildOptions& o) {
  if (o.from >= o.to) {
    return Status::InvalidArgument("report period: `to` (" + FormatRfc3339(o.to, 0) +
                                   ") must be after `from` (" + FormatRfc3339(o.from, 0) + ")");
  }
  if (o.to - o.from > kMaxReportPeriod) {
    return Status::InvalidArgument("report period: longer than 366 days");
  }
  ReportData d;
  d.from = o.from;
  d.to = o.to;
  d.previous_from = o.from - (o.to - o.from);
  d.generated_at = o.generated_at;
  d.zone = o.zone;
  d.bucket = TimelineStep(o.to - o.from);
  const int64_t buckets = ((o.to - o.from) + d.bucket - Duration(1)) / d.bucket;
  d.timeline.resize(static_cast<size_t>(buckets));
  for (int64_t i = 0; i < buckets; ++i) d.timeline[i].start = o.from + i * d.bucket;

  std::array<int64_t, kCauseCount> now_counts{};
  std::array<int64_t, kCauseCount> prev_counts{};
  std::array<CauseTallies, kCauseCount> tallies;
  CULPRIT_RETURN_IF_ERROR(query.ForEachReport(o.from, o.to, [&](const ReportRow& r) {
    const size_t c = static_cast<size_t>(r.cause);
    ++d.reports;
    ++now_counts[c];
    if (IsDiagnosed(r.cause)) ++d.diagnosed;
    if (r.cause == Cause::kNoneOnServer) ++d.none_on_server;
    Tally1(r, o.zone, &tallies[c]);
    const int64_t b = (r.reported_at - o.from) / d.bucket;
    if (b >= 0 && b < buckets) {
      ++d.timeline[b].by_cause[c];
      ++d.timeline[b].total;
    }
  }));
  CULPRIT_RETURN_IF_ERROR(query.ForEachReport(d.previous_from, o.from, [&](const ReportRow& r) {
    ++d.previous_reports;
    ++prev_counts[static_cast<size_t>(r.cause)];
  }));
  if (d.reports > 0) {
    d.diagnosed_share = static_cast<double>(d.diagnosed) / d.reports;
    d.none_on_server_share = static_cast<double>(d.none_on_server) / d.reports;
  }

  for (int c = 0; c < kCauseCount; ++c) {
    if (now_counts[c] == 0 && prev_counts[c] == 0) continue;
    d.causes.push_back({static_cast<Cause>(c), now_counts[c],
                        d.reports > 0 ? static_cast<double>(now_counts[c]) / d.reports : 0,
                        prev_counts[c]});
  }
  std::sort(d.causes.begin(), d.causes.end(), [](const CauseCount& a, const CauseCount& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.previous != b.previous) return a.previous > b.previous;
    return a.cause < b.cause;
  });

  for (const CauseCount& c : d.causes) {
    if (static_cast<int>(d.top.size()) >= o.top_causes) break;
    if (c.count == 0 || !IsDiagnosed(c.cause)) continue;
    const CauseTallies& t = tallies[static_cast<size_t>(c.cause)];
    CauseDetail detail;
    detail.cause = c.cause;
    detail.count = c.count;
    detail.servers = TopOf(t.servers, c.count, o.breakdown_rows);
    detail.ports = TopOf(t.ports, c.count, o.breakdown_rows);
    detail.networks = TopOf(t.networks, c.count, o.breakdown_rows);
    detail.labels = TopOf(t.labels, c.count, o.breakdown_rows);
    detail.hours = TopOf(t.hours, c.count, o.breakdown_rows);
    CULPRIT_ASSIGN_OR_RETURN(detail.examples,
                             query.Examples(o.from, o.to, c.cause, o.examples_per_cause));
    detail.remedy = correlate::RemedyFor(c.cause);
    d.top.push_back(std::move(detail));
  }

  CULPRIT_ASSIGN_OR_RETURN(std::vector<SourceProfile> sources, query.ProfileSources());
  std::map<int64_t, std::string> names;
  for (const SourceProfile& s : sources) names[s.id] = s.name;
  std::map<std::pair<int, int64_t>, ServerSideCount> side;
  auto add = [&](const std::vector<EventCount>& counts, bool previous) {
    for (const EventCount& e : counts) {
      ServerSideCount& s = side[{static_cast<int>(e.cause), e.source_id}];
      s.cause = e.cause;
      auto it = names.find(e.source_id);
      s.source = it != names.end() ? it->second : "source #" + std::to_string(e.source_id);
      (previous ? s.previous : s.events) += e.events;
      (previous ? d.previous_server_events : d.server_events) += e.events;
    }
  };
  CULPRIT_ASSIGN_OR_RETURN(auto now_events, query.CountCausedEvents(o.from, o.to));
  CULPRIT_ASSIGN_OR_RETURN(auto prev_events, query.CountCausedEvents(d.previous_from, o.from));
  add(now_events, false);
  add(prev_events, true);
  for (auto& [key, s] : side) d.server_side.push_back(std::move(s));
  std::sort(d.server_side.begin(), d.server_side.end(),
            [](const ServerSideCount& a, const ServerSideCount& b) {
              if (a.events != b.events) return a.events > b.events;
              if (a.previous != b.previous) return a.previous > b.previous;
              if (a.cause != b.cause) return a.cause < b.cause;
              return a.source < b.source;
            });
  d.advice = AdviseOnSources(sources);
  return d;
}

std::vector<Advice> AdviseOnSources(const std::vector<SourceProfile>& sources) {
  std::vector<Advice> out;
  for (const SourceProfile& s : sources) {
    if (s.lines_parsed == 0) {
      out.push_back({s.name, "No line has been read from this source yet.",
                     "Check that the configured path matches the log file and that culpritd "
                     "may read it (`culprit status` shows what the path matches)."});
      continue;
    }
    if (s.sampled == 0) continue;  // nothing recent to judge by
    if (s.format == "nginx_error" && s.with_level > 0 && s.at_info_or_debug == 0) {
      out.push_back({s.name,
                     "nginx writes this error_log above the `info` level, so TLS handshake "
                     "failures, client timeouts and resets by clients (all logged at `info`) "
                     "are invisible.",
                     "Set `error_log /var/log/nginx/error.log info;` in nginx.conf."});
    }
    if (s.format == "nginx_combined") {
      out.push_back({s.name,
                     "The combined access-log format has no client port, connection number "
                     "or sub-second time, so reports are matched by address and second only.",
                     "Add `rport=$remote_port conn=$connection msec=$msec` to the log_format "
                     "and configure the source as format = \"nginx\" with that log_format."});
    } else if (s.format == "nginx") {
      std::string missing;
      auto note = [&missing](const char* var) {
        if (!missing.empty()) missing += ", ";
        missing += var;
      };
      if (s.with_client_port == 0) note("$remote_port");
      if (s.with_conn_id == 0) note("$connection");
      if (s.finest_precision_us >= 1000000) note("$msec");
      if (!missing.empty()) {
        out.push_back({s.name,
                       "The access log's format lacks " + missing +
                           ", which weakens matching a report to its request.",
                       "Add " + missing + " to the log_format in nginx.conf and in the source's "
                       "log_format."});
      }
    }
  }
  return out;
}

}  // namespace culprit::report
