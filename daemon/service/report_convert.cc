#include "proto/time_convert.h"
#include "daemon/service/report_convert.h"

#include "base/check.h"
#include "base/ip_address.h"
#include "base/utf8.h"
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

// Whether `s` is valid UTF-8 (ASCII, the bulk of log text, is checked eight
// bytes at a time).
bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
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
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// The text of the address seen last: an answer is often one client's, and
// printing an address is a good part of converting an event.
struct AddressText {
  std::optional<IpAddress> ip;
  std::string text;
};

// As Endpoint{ip, port}.ToString() writes it, into `*out`.
void EndpointText(const IpAddress& ip, uint16_t port, AddressText* cache, std::string* out) {
  if (!cache->ip || *cache->ip != ip) {
    cache->ip = ip;
    cache->text = ip.ToString();
  }
  out->clear();
  if (port == 0) {
    *out = cache->text;
    return;
  }
  if (ip.is_v4()) {
    *out += cache->text;
  } else {
    *out += '[';
    *out += cache->text;
    *out += ']';
  }
  *out += ':';
  *out += std::to_string(port);
}

// Protocol buffers' wire format, for the one message written by hand.
enum WireType : uint32_t { kVarint = 0, kLengthDelimited = 2 };

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutTag(int field, WireType type, std::string* out) {
  PutVarint((static_cast<uint64_t>(field) << 3) | type, out);
}

// An int32/int64/enum field; proto3 leaves out zero. Negative values are
// ten bytes, sign-extended, as protobuf writes them.
void PutInt(int field, int64_t v, std::string* out) {
  if (v == 0) return;
  PutTag(field, kVarint, out);
  PutVarint(static_cast<uint64_t>(v), out);
}

void PutBytes(int field, std::string_view v, std::string* out) {
  PutTag(field, kLengthDelimited, out);
  PutVarint(v.size(), out);
  out->append(v);
}

// A string field; proto3 leaves out "". Text that is not valid UTF-8 gets
// \xNN for the bad bytes, as EscapeInvalidUtf8() writes them.
void PutText(int field, std::string_view v, std::string* out) {
  if (v.empty()) return;
  if (IsValidUtf8(v)) {
    PutBytes(field, v, out);
  } else {
    PutBytes(field, EscapeInvalidUtf8(v), out);
  }
}

// One stored event as an encoded EventRecord, appended to `*out`.
void AppendEventRecord(const store::StoredEvent& in, std::string_view source_name,
                       AddressText* client_text, AddressText* server_text, std::string* scratch,
                       std::string* out) {
  using R = v1::EventRecord;
  const parsers::Event& e = in.event;
  google::protobuf::Timestamp time;
  proto::ToProto(e.time, &time);
  {
    // Always present, whatever the time.
    std::string inner;
    PutInt(google::protobuf::Timestamp::kSecondsFieldNumber, time.seconds(), &inner);
    PutInt(google::protobuf::Timestamp::kNanosFieldNumber, time.nanos(), &inner);
    PutBytes(R::kTimeFieldNumber, inner, out);
  }
  PutText(R::kSourceFieldNumber, source_name, out);
  PutText(R::kFileFieldNumber, in.path, out);
  PutInt(R::kOffsetFieldNumber, in.offset, out);
  PutText(R::kKindFieldNumber, EventKindName(e.kind), out);
  PutInt(R::kCauseFieldNumber, static_cast<int>(e.cause), out);
  if (e.client_ip) {
    EndpointText(*e.client_ip, e.client_port, client_text, scratch);
    PutText(R::kClientFieldNumber, *scratch, out);
  }
  if (e.server_ip) {
    EndpointText(*e.server_ip, e.server_port, server_text, scratch);
    PutText(R::kServerFieldNumber, *scratch, out);
  } else if (e.server_port != 0) {
    PutText(R::kServerFieldNumber, ":" + std::to_string(e.server_port), out);
  }
  if (e.status) PutInt(R::kStatusFieldNumber, static_cast<int32_t>(*e.status), out);
  PutText(R::kConnIdFieldNumber, e.conn_id, out);
  PutText(R::kRequestIdFieldNumber, e.request_id, out);
  PutText(R::kPhaseFieldNumber, e.phase, out);
  PutText(R::kDetailFieldNumber, e.detail, out);
  PutText(R::kMessageFieldNumber, e.message, out);
  PutText(R::kRawFieldNumber, in.raw, out);
}

}  // namespace

void EventBatchesToWire(const std::vector<store::StoredEvent>& events,
                        const std::map<int64_t, std::string>& source_names,
                        const WireBatchSink& emit, size_t max_events, size_t max_bytes) {
  CULPRIT_CHECK(max_events >= 1);
  std::string batch;
  size_t count = 0;  // events in `batch`
  std::string record, scratch;
  AddressText client_text, server_text;
  for (const store::StoredEvent& e : events) {
    auto it = source_names.find(e.source_id);
    const std::string unnamed = it == source_names.end() ? std::to_string(e.source_id) : "";
    record.clear();
    AppendEventRecord(e, it == source_names.end() ? unnamed : it->second, &client_text,
                      &server_text, &scratch, &record);
    // As encoded inside the batch: field tag, length, the record.
    const size_t cost = 1 + google::protobuf::io::CodedOutputStream::VarintSize64(record.size()) +
                        record.size();
    if (count > 0 && (count >= max_events || batch.size() + cost > max_bytes)) {
      if (!emit(std::move(batch), false)) return;  // it holds at least one event
      batch = std::string();
      count = 0;
    }
    if (batch.empty()) batch.reserve(std::min(max_bytes, cost * max_events));
    PutBytes(v1::SearchEventsResponse::kEventsFieldNumber, record, &batch);
    ++count;
  }
  if (count > 0) emit(std::move(batch), true);
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
