#include "proto/time_convert.h"
#include "daemon/service/report_convert.h"

#include "base/check.h"
#include "base/ip_address.h"
#include "base/utf8.h"
#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "culprit/v1/culprit.pb.h"
#include "daemon/store/json_text.h"

namespace culprit::service {
namespace {

Status Bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument("report." + field + ": " + why);
}

std::string Quote(std::string_view s) {
  if (s.size() > 64) return "\"" + std::string(s.substr(0, 64)) + "...\"";
  return "\"" + std::string(s) + "\"";
}

Status CheckLength(const std::string& field, const std::string& value, size_t max) {
  if (value.size() > max) {
    return Bad(field, std::to_string(value.size()) + " bytes is longer than the limit of " +
                          std::to_string(max));
  }
  return Status::Ok();
}

const char* PhaseName(v1::Phase p) {
  switch (p) {
    case v1::CONNECT: return "connect";
    case v1::TLS_HANDSHAKE: return "tls_handshake";
    case v1::REQUEST_SENT: return "request_sent";
    case v1::AWAITING_RESPONSE: return "awaiting_response";
    case v1::READING_RESPONSE: return "reading_response";
    case v1::IDLE_REUSE: return "idle_reuse";
    default: return "";
  }
}

}  // namespace

Result<correlate::ResetReport> ReportFromProto(const v1::ResetReport& in, Timestamp now) {
  correlate::ResetReport r;
  if (!in.has_seen_at()) return Bad("seen_at", "required (when the client saw the error)");
  if (in.seen_at().nanos() < 0 || in.seen_at().nanos() > 999'999'999 ||
      in.seen_at().seconds() < 0 || in.seen_at().seconds() > 253402300799) {
    return Bad("seen_at", "is not a valid time");
  }
  r.reported_at = proto::FromProto(in.seen_at());
  if (r.reported_at > now + kMaxReportAhead) {
    return Bad("seen_at", FormatRfc3339(r.reported_at) + " is more than a day ahead of the "
                          "server's clock (" + FormatRfc3339(now) + ")");
  }
  if (r.reported_at < now - kMaxReportAge) {
    return Bad("seen_at", FormatRfc3339(r.reported_at) + " is more than 30 days in the past");
  }
  if (in.has_clock_uncertainty()) {
    const Duration u = proto::FromProto(in.clock_uncertainty());
    if (u.count() < 0 || u > kMaxClockUncertainty) {
      return Bad("clock_uncertainty", FormatDuration(u) + " is outside 0 .. 1h");
    }
    r.clock_uncertainty = u;
  }
  if (in.client().empty()) return Bad("client", "required (the client's address, with its port if known)");
  auto client = Endpoint::Parse(in.client());
  if (!client.ok()) return Bad("client", Quote(in.client()) + " is not an address or address:port");
  r.client_ip = client->ip;
  r.client_port = client->port;
  if (!in.server().empty()) {
    auto server = Endpoint::Parse(in.server());
    if (!server.ok()) return Bad("server", Quote(in.server()) + " is not an address or address:port");
    r.server_ip = server->ip;
    r.server_port = server->port;
  }
  CULPRIT_RETURN_IF_ERROR(CheckLength("server_name", in.server_name(), kMaxShortFieldBytes));
  CULPRIT_RETURN_IF_ERROR(CheckLength("error", in.error(), kMaxErrorBytes));
  CULPRIT_RETURN_IF_ERROR(CheckLength("request_id", in.request_id(), kMaxShortFieldBytes));
  r.server_name = in.server_name();
  r.error = in.error();
  r.request_id = in.request_id();
  if (!v1::Phase_IsValid(in.phase())) {
    return Bad("phase", std::to_string(in.phase()) + " is not a known phase");
  }
  r.phase = PhaseName(in.phase());
  if (in.has_bytes_sent()) {
    if (in.bytes_sent() < 0) return Bad("bytes_sent", "must not be negative");
    r.bytes_sent = in.bytes_sent();
  }
  if (in.has_bytes_received()) {
    if (in.bytes_received() < 0) return Bad("bytes_received", "must not be negative");
    r.bytes_received = in.bytes_received();
  }
  if (in.has_idle_before()) {
    const Duration d = proto::FromProto(in.idle_before());
    if (d.count() < 0) return Bad("idle_before", "must not be negative");
    r.idle_before = d;
  }
  if (in.has_connection_age()) {
    const Duration d = proto::FromProto(in.connection_age());
    if (d.count() < 0) return Bad("connection_age", "must not be negative");
    r.connection_age = d;
  }
  if (in.http_status() != 0) {
    if (in.http_status() < 100 || in.http_status() > 999) {
      return Bad("http_status", std::to_string(in.http_status()) + " is not an HTTP status");
    }
    r.http_status = in.http_status();
  }
  if (static_cast<size_t>(in.labels_size()) > kMaxLabels) {
    return Bad("labels", std::to_string(in.labels_size()) + " labels; at most " +
                             std::to_string(kMaxLabels));
  }
  for (const auto& [k, v] : in.labels()) {
    CULPRIT_RETURN_IF_ERROR(CheckLength("labels[" + Quote(k) + "]", k + v, kMaxShortFieldBytes));
  }
  return r;
}

Result<store::EventFilter> SearchFilterFromProto(
    const v1::SearchEventsRequest& in, const std::map<std::string, int64_t>& source_ids) {
  auto bad = [](const std::string& field, const std::string& why) {
    return Status::InvalidArgument("search." + field + ": " + why);
  };
  store::EventFilter f;
  CULPRIT_ASSIGN_OR_RETURN(auto range, TimeRangeFromProto(in.from(), in.has_from(), in.to(),
                                                          in.has_to(), "search"));
  f.from = range.first;
  f.to = range.second;
  if (!in.ip().empty()) {
    if (in.ip().find('/') != std::string::npos) {
      auto p = IpPrefix::Parse(in.ip());
      if (!p.ok()) return bad("ip", Quote(in.ip()) + " is not an address or network");
      f.client_prefix = *p;
    } else {
      auto a = IpAddress::Parse(in.ip());
      if (!a.ok()) return bad("ip", Quote(in.ip()) + " is not an address or network");
      f.client_ip = *a;
    }
  }
  if (in.client_port() > 65535) return bad("client_port", "is not a port");
  if (in.server_port() > 65535) return bad("server_port", "is not a port");
  f.client_port = static_cast<uint16_t>(in.client_port());
  f.server_port = static_cast<uint16_t>(in.server_port());
  if (!in.source().empty()) {
    auto it = source_ids.find(in.source());
    if (it == source_ids.end()) return bad("source", Quote(in.source()) + " is not a configured source");
    f.source_id = it->second;
  }
  if (!in.kind().empty()) {
    auto k = EventKindFromName(in.kind());
    if (!k) return bad("kind", Quote(in.kind()) + " is not an event kind");
    f.kind = *k;
  }
  if (in.cause() != v1::CAUSE_UNSPECIFIED) {
    if (!v1::Cause_IsValid(in.cause())) return bad("cause", "is not a known cause");
    f.cause = static_cast<Cause>(in.cause());
  }
  f.with_cause_only = in.with_cause_only();
  if (in.limit() > kMaxSearchLimit) {
    return bad("limit", std::to_string(in.limit()) + " is above the maximum of " +
                            std::to_string(kMaxSearchLimit));
  }
  f.limit = in.limit() == 0 ? kDefaultSearchLimit : in.limit();
  return f;
}

namespace {

// `s` itself, moved, when it is valid UTF-8 (the common case: no copy), else
// with \xNN escapes as EscapeInvalidUtf8() writes them.
std::string ValidUtf8(std::string&& s) {
  for (size_t i = 0; i < s.size();) {
    // ASCII, the bulk of log text, eight bytes at a time.
    uint64_t word;
    if (i + sizeof(word) <= s.size()) {
      std::memcpy(&word, s.data() + i, sizeof(word));
      if ((word & 0x8080808080808080ULL) == 0) {
        i += sizeof(word);
        continue;
      }
    }
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return EscapeInvalidUtf8(s);
    i += n;
  }
  return std::move(s);
}

// The text of the address seen last: an answer is often one client's, and
// printing an address is a good part of converting an event.
struct AddressText {
  std::optional<IpAddress> ip;
  std::string text;
};

// As Endpoint{ip, port}.ToString() writes it.
std::string EndpointText(const IpAddress& ip, uint16_t port, AddressText* cache) {
  if (!cache->ip || *cache->ip != ip) {
    cache->ip = ip;
    cache->text = ip.ToString();
  }
  if (port == 0) return cache->text;
  std::string out;
  out.reserve(cache->text.size() + 8);
  if (ip.is_v4()) {
    out += cache->text;
  } else {
    out += '[';
    out += cache->text;
    out += ']';
  }
  out += ':';
  out += std::to_string(port);
  return out;
}

// One stored event for the wire, its strings moved out of `in`.
void EventToProto(store::StoredEvent&& in, const std::string& source_name,
                  AddressText* client_text, AddressText* server_text, v1::EventRecord* out) {
  parsers::Event& e = in.event;
  proto::ToProto(e.time, out->mutable_time());
  out->set_source(source_name);
  out->set_file(std::move(in.path));
  out->set_offset(in.offset);
  out->set_kind(std::string(EventKindName(e.kind)));
  out->set_cause(static_cast<v1::Cause>(static_cast<int>(e.cause)));
  if (e.client_ip) out->set_client(EndpointText(*e.client_ip, e.client_port, client_text));
  if (e.server_ip) out->set_server(EndpointText(*e.server_ip, e.server_port, server_text));
  else if (e.server_port != 0) out->set_server(":" + std::to_string(e.server_port));
  if (e.status) out->set_status(*e.status);
  out->set_conn_id(ValidUtf8(std::move(e.conn_id)));
  out->set_request_id(ValidUtf8(std::move(e.request_id)));
  out->set_phase(ValidUtf8(std::move(e.phase)));
  out->set_detail(ValidUtf8(std::move(e.detail)));
  out->set_message(ValidUtf8(std::move(e.message)));
  out->set_raw(ValidUtf8(std::move(in.raw)));
}

}  // namespace

void EventBatchesToProto(std::vector<store::StoredEvent> events,
                         const std::map<int64_t, std::string>& source_names,
                         google::protobuf::Arena* arena, const BatchSink& emit, size_t max_events,
                         size_t max_bytes) {
  CULPRIT_CHECK(arena != nullptr && max_events >= 1);
  using google::protobuf::Arena;
  v1::SearchEventsResponse* batch = nullptr;
  size_t bytes = 0;  // encoded size of `batch` so far
  AddressText client_text, server_text;
  for (store::StoredEvent& e : events) {
    auto* record = Arena::CreateMessage<v1::EventRecord>(arena);
    auto it = source_names.find(e.source_id);
    const std::string unnamed = it == source_names.end() ? std::to_string(e.source_id) : "";
    EventToProto(std::move(e), it == source_names.end() ? unnamed : it->second, &client_text,
                 &server_text, record);
    // As encoded inside the batch: field tag (1 byte), length, the record.
    const size_t size = record->ByteSizeLong();
    const size_t cost = 1 + google::protobuf::io::CodedOutputStream::VarintSize64(size) + size;
    if (batch != nullptr &&
        (static_cast<size_t>(batch->events_size()) >= max_events || bytes + cost > max_bytes)) {
      if (!emit(batch, false)) return;  // it holds at least one event
      batch = nullptr;
    }
    if (batch == nullptr) {
      batch = Arena::CreateMessage<v1::SearchEventsResponse>(arena);
      bytes = 0;
    }
    // Both on `arena`: the record is linked in, not copied.
    batch->mutable_events()->UnsafeArenaAddAllocated(record);
    bytes += cost;
  }
  if (batch != nullptr) emit(batch, true);
}

store::ReportRecord ReportRecordFrom(const v1::ResetReport& wire,
                                     const correlate::ResetReport& report,
                                     const v1::Diagnosis& diagnosis, Timestamp received) {
  store::ReportRecord r;
  r.received_us = ToUnixMicros(received);
  r.reported_us = ToUnixMicros(report.reported_at);
  r.clock_uncertainty_us = report.clock_uncertainty.count();
  r.client_ip = report.client_ip;
  r.client_port = report.client_port;
  r.server_ip = report.server_ip;
  r.server_port = report.server_port;
  r.server_name = EscapeInvalidUtf8(report.server_name);
  r.error = EscapeInvalidUtf8(report.error);
  r.phase = report.phase;
  r.request_id = EscapeInvalidUtf8(report.request_id);
  if (wire.labels_size() > 0) {
    std::vector<std::pair<std::string, std::string>> labels(wire.labels().begin(),
                                                            wire.labels().end());
    std::sort(labels.begin(), labels.end());
    r.labels_json.clear();
    store::AppendJsonObject(labels, &r.labels_json);
  }
  if (diagnosis.verdicts_size() > 0) {
    r.cause = static_cast<Cause>(static_cast<int>(diagnosis.verdicts(0).cause()));
    r.confidence = diagnosis.verdicts(0).confidence();
  }
  r.diagnosis_json = DiagnosisJson(diagnosis);
  return r;
}

namespace {

// "name": with the comma that separates it from the field before.
void AppendKey(std::string_view name, bool* first, std::string* out) {
  if (!*first) out->push_back(',');
  *first = false;
  out->push_back('"');
  out->append(name);
  out->append("\":");
}

void AppendStringField(std::string_view name, const std::string& value, bool* first,
                       std::string* out) {
  if (value.empty()) return;  // proto3 JSON leaves out default values
  AppendKey(name, first, out);
  store::AppendJsonString(value, out);
}

void AppendCauseField(v1::Cause cause, bool* first, std::string* out) {
  if (cause == v1::CAUSE_UNSPECIFIED) return;
  AppendKey("cause", first, out);
  const std::string& name = v1::Cause_Name(cause);
  if (name.empty()) {
    out->append(std::to_string(static_cast<int>(cause)));  // as protobuf: the number
  } else {
    out->push_back('"');
    out->append(name);
    out->push_back('"');
  }
}

}  // namespace

std::string DiagnosisJson(const v1::Diagnosis& d) {
  std::string out;
  out.reserve(1024);
  out.push_back('{');
  bool first = true;
  if (d.verdicts_size() > 0) {
    AppendKey("verdicts", &first, &out);
    out.push_back('[');
    for (int i = 0; i < d.verdicts_size(); ++i) {
      const v1::Verdict& v = d.verdicts(i);
      if (i > 0) out.push_back(',');
      out.push_back('{');
      bool vf = true;
      AppendCauseField(v.cause(), &vf, &out);
      if (v.confidence() != 0 && std::isfinite(v.confidence())) {
        AppendKey("confidence", &vf, &out);
        char buf[32];
        // The shortest text that reads back as the same double.
        const auto res = std::to_chars(buf, buf + sizeof buf, v.confidence());
        out.append(buf, res.ptr);
      }
      AppendStringField("explanation", v.explanation(), &vf, &out);
      AppendStringField("remedy", v.remedy(), &vf, &out);
      if (v.evidence_size() > 0) {
        AppendKey("evidence", &vf, &out);
        out.push_back('[');
        for (int j = 0; j < v.evidence_size(); ++j) {
          const v1::Evidence& e = v.evidence(j);
          if (j > 0) out.push_back(',');
          out.push_back('{');
          bool ef = true;
          AppendStringField("source", e.source(), &ef, &out);
          AppendStringField("file", e.file(), &ef, &out);
          if (e.offset() != 0) {
            AppendKey("offset", &ef, &out);
            out.push_back('"');  // int64 is a string in protobuf's mapping
            out.append(std::to_string(e.offset()));
            out.push_back('"');
          }
          if (e.has_time()) {
            AppendKey("time", &ef, &out);
            const int32_t nanos = e.time().nanos();
            const int digits = nanos == 0 ? 0 : nanos % 1'000'000 == 0 ? 3 : 6;
            out.push_back('"');
            out.append(FormatRfc3339(proto::FromProto(e.time()), digits));
            out.push_back('"');
          }
          AppendStringField("raw", e.raw(), &ef, &out);
          AppendCauseField(e.cause(), &ef, &out);
          AppendStringField("kind", e.kind(), &ef, &out);
          AppendStringField("role", e.role(), &ef, &out);
          out.push_back('}');
        }
        out.push_back(']');
      }
      out.push_back('}');
    }
    out.push_back(']');
  }
  if (d.similar_recent() != 0) {
    AppendKey("similarRecent", &first, &out);
    out.append(std::to_string(d.similar_recent()));
  }
  if (d.retry_may_help()) {
    AppendKey("retryMayHelp", &first, &out);
    out.append("true");
  }
  AppendStringField("searched", d.searched(), &first, &out);
  out.push_back('}');
  return out;
}

std::string PeerAddress(const std::string& peer) {
  std::string_view p(peer);
  if (p.starts_with("ipv4:")) {
    p.remove_prefix(5);
  } else if (p.starts_with("ipv6:")) {
    p.remove_prefix(5);
  } else {
    return "";
  }
  // "1.2.3.4:5" or "[::1]:5", possibly percent-encoded ("%5B::1%5D").
  std::string s(p);
  for (auto [from, to] : {std::pair<std::string, std::string>{"%5B", "["}, {"%5D", "]"}}) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from)) {
      s.replace(at, from.size(), to);
    }
  }
  return s;
}

Result<std::pair<Timestamp, Timestamp>> TimeRangeFromProto(const google::protobuf::Timestamp& from,
                                                           bool has_from,
                                                           const google::protobuf::Timestamp& to,
                                                           bool has_to, const std::string& prefix) {
  if (!has_from) return Status::InvalidArgument(prefix + ".from: required");
  if (!has_to) return Status::InvalidArgument(prefix + ".to: required");
  const Timestamp f = proto::FromProto(from);
  const Timestamp t = proto::FromProto(to);
  if (t < f) return Status::InvalidArgument(prefix + ".to: is before from");
  if (t - f > kMaxSearchRange) {
    return Status::InvalidArgument(prefix + ".to: the range is longer than 31 days");
  }
  return std::make_pair(f, t);
}

void CauseCountsToProto(const std::vector<store::CauseCount>& in, v1::TopCausesResponse* out) {
  std::vector<store::CauseCount> sorted = in;
  std::sort(sorted.begin(), sorted.end(), [](const store::CauseCount& a, const store::CauseCount& b) {
    if (a.reports != b.reports) return a.reports > b.reports;
    if (a.events != b.events) return a.events > b.events;
    return a.cause < b.cause;
  });
  int64_t reports = 0, events = 0;
  for (const store::CauseCount& c : sorted) {
    v1::CauseCount* pc = out->add_causes();
    pc->set_cause(static_cast<v1::Cause>(static_cast<int>(c.cause)));
    pc->set_reports(c.reports);
    pc->set_events(c.events);
    reports += c.reports;
    events += c.events;
  }
  out->set_reports(reports);
  out->set_events(events);
}

void DiagnosisToProto(const correlate::Diagnosis& in, v1::Diagnosis* out) {
  for (const correlate::Verdict& v : in.verdicts) {
    v1::Verdict* pv = out->add_verdicts();
    pv->set_cause(static_cast<v1::Cause>(static_cast<int>(v.cause)));
    pv->set_confidence(v.confidence);
    pv->set_explanation(v.explanation);
    pv->set_remedy(v.remedy);
    for (const correlate::Evidence& e : v.evidence) {
      v1::Evidence* pe = pv->add_evidence();
      pe->set_source(e.source_name);
      pe->set_file(e.event.path);
      pe->set_offset(e.event.offset);
      proto::ToProto(e.event.event.time, pe->mutable_time());
      pe->set_raw(EscapeInvalidUtf8(e.event.raw));
      pe->set_cause(static_cast<v1::Cause>(static_cast<int>(e.event.event.cause)));
      pe->set_kind(std::string(EventKindName(e.event.event.kind)));
      pe->set_role(e.role);
    }
  }
  out->set_similar_recent(in.similar_recent);
  out->set_retry_may_help(in.retry_may_help);
  out->set_searched(in.searched);
}

}  // namespace culprit::service
