#include "parsers/format/internal/field_apply.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "base/ip_address.h"
#include "base/time_zone.h"

namespace culprit::parsers::internal {
namespace {

std::string Bad(std::string_view field, std::string_view text, std::string_view what) {
  std::string msg = "field \"";
  msg += field;
  msg += "\": ";
  msg += Quote(text);
  msg += ' ';
  msg += what;
  return msg;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::optional<double> ParseNumber(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<int> ParseLevel(std::string_view text) {
  if (auto n = ParseInt(text)) {
    if (*n >= 0 && *n <= 7) return static_cast<int>(*n);
    return std::nullopt;
  }
  static constexpr std::pair<std::string_view, int> kNames[] = {
      {"emerg", 0}, {"alert", 1},   {"crit", 2},    {"error", 3}, {"err", 3},
      {"warn", 4},  {"warning", 4}, {"notice", 5},  {"info", 6},  {"debug", 7},
  };
  for (const auto& [name, level] : kNames) {
    if (name == text) return level;
  }
  return std::nullopt;
}

// Unix seconds (or ms when `scale` is 1000) with an optional fraction; the
// precision follows the number of fraction digits.
Result<ParsedTime> ParseEpoch(std::string_view text, int64_t scale) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  const auto w = ParseInt(whole);
  if (!w || *w < 0 || *w > std::numeric_limits<int64_t>::max() / 1000000 || frac.size() > 9) {
    return Status::InvalidArgument("not a Unix time");
  }
  int64_t frac_us = 0;  // the fraction, in microseconds of the unit
  int64_t digits_scale = 1000000;
  for (char c : frac) {
    if (c < '0' || c > '9') return Status::InvalidArgument("not a Unix time");
    digits_scale /= 10;
    frac_us += (c - '0') * digits_scale;
  }
  const int64_t unit_us = 1000000 / scale;
  ParsedTime t;
  t.time = FromUnixMicros(*w * unit_us + frac_us / scale);
  int64_t prec = unit_us;
  for (size_t i = 0; i < frac.size() && prec > 1; ++i) prec /= 10;
  t.precision = Duration(prec);
  return t;
}

Result<ParsedTime> ParseAuto(std::string_view text, const LineContext& ctx) {
  // RFC 3339 first: it carries its own zone.
  if (auto t = ParseRfc3339(text); t.ok()) {
    ParsedTime p;
    p.time = *t;
    const size_t dot = text.find('.');
    if (dot != std::string_view::npos) {
      size_t n = 0;
      while (dot + 1 + n < text.size() && text[dot + 1 + n] >= '0' && text[dot + 1 + n] <= '9') ++n;
      p.precision = n >= 6 ? Duration(1) : n >= 3 ? Duration(1000) : Duration(100000);
    }
    return p;
  }
  static const auto* const kFormats = [] {
    auto* v = new std::vector<TimeFormat>;
    for (const char* f : {"%F %T,%f", "%F %T.%f", "%F %T", "%FT%T.%f", "%FT%T", "%FT%T,%f"}) {
      if (auto c = TimeFormat::Compile(f); c.ok()) v->push_back(std::move(c).value());
    }
    return v;
  }();
  for (const TimeFormat& f : *kFormats) {
    if (auto t = f.Parse(text, *ctx.zone, ctx.now); t.ok()) return t;
  }
  return Status::InvalidArgument("is not a time in RFC 3339, \"%F %T,%f\", \"%F %T.%f\" or \"%F %T\"");
}

}  // namespace

bool IsAbsent(std::string_view text, const FieldRef& ref) {
  return text.empty() || (text == "-" && ref.target != Target::kMessage);
}

std::string Quote(std::string_view text) {
  constexpr size_t kMax = 120;
  std::string out = "\"";
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    } else {
      out += static_cast<char>(c);
    }
  }
  out += text.size() > kMax ? "...\"" : "\"";
  return out;
}

Result<ParsedTime> ParseTimeText(TimeKind kind, const TimeFormat* format, std::string_view text,
                                 const LineContext& ctx) {
  switch (kind) {
    case TimeKind::kFormat:
      return format->Parse(text, *ctx.zone, ctx.now);
    case TimeKind::kEpoch:
      return ParseEpoch(text, 1);
    case TimeKind::kEpochMs:
      return ParseEpoch(text, 1000);
    case TimeKind::kAuto:
      return ParseAuto(text, ctx);
  }
  return Status::InvalidArgument("unknown time kind");
}

std::string SetFieldFromText(const FieldRef& ref, std::string_view text,
                             std::string_view field_name, Event* e) {
  switch (ref.target) {
    case Target::kTime:
      return Bad(field_name, text, "needs type = \"timestamp\"");
    case Target::kClient:
    case Target::kServer: {
      auto ep = Endpoint::Parse(text);
      if (!ep.ok()) return Bad(field_name, text, "is not an address[:port]");
      if (ref.target == Target::kClient) {
        e->client_ip = ep->ip;
        if (ep->port != 0) e->client_port = ep->port;
      } else {
        e->server_ip = ep->ip;
        if (ep->port != 0) e->server_port = ep->port;
      }
      return {};
    }
    case Target::kClientIp:
    case Target::kServerIp: {
      auto ip = IpAddress::Parse(text);
      if (!ip.ok()) return Bad(field_name, text, "is not an IP address");
      (ref.target == Target::kClientIp ? e->client_ip : e->server_ip) = *ip;
      return {};
    }
    case Target::kClientPort:
    case Target::kServerPort: {
      const auto n = ParseInt(text);
      if (!n || *n < 0 || *n > 65535) return Bad(field_name, text, "is not a port");
      (ref.target == Target::kClientPort ? e->client_port : e->server_port) =
          static_cast<uint16_t>(*n);
      return {};
    }
    case Target::kStatus: {
      const auto n = ParseInt(text);
      if (!n || *n < -1 || *n > 999) return Bad(field_name, text, "is not a status code");
      if (*n >= 0) e->status = static_cast<int>(*n);  // HAProxy writes -1 for "none"
      return {};
    }
    case Target::kBytesIn:
    case Target::kBytesOut: {
      const auto n = ParseInt(text);
      if (!n) return Bad(field_name, text, "is not an integer");
      if (*n >= 0) (ref.target == Target::kBytesIn ? e->bytes_in : e->bytes_out) = *n;
      return {};
    }
    case Target::kDuration: {
      auto d = ParseDuration(text);
      if (!d.ok()) return Bad(field_name, text, "is not a duration");
      e->duration = *d;
      return {};
    }
    case Target::kLevel: {
      const auto l = ParseLevel(text);
      if (!l) return Bad(field_name, text, "is not a level (0..7 or emerg..debug)");
      e->level = *l;
      return {};
    }
    case Target::kKind: {
      const auto k = EventKindFromName(text);
      if (!k) return Bad(field_name, text, "is not an event kind");
      e->kind = *k;
      return {};
    }
    case Target::kCause: {
      const auto c = CauseFromName(text);
      if (!c) return Bad(field_name, text, "is not a cause");
      e->cause = *c;
      return {};
    }
    case Target::kConnId:
      e->conn_id.assign(text);
      return {};
    case Target::kRequestId:
      e->request_id.assign(text);
      return {};
    case Target::kPhase:
      e->phase.assign(text);
      return {};
    case Target::kDetail:
      e->detail.assign(text);
      return {};
    case Target::kMessage:
      e->message.assign(text);
      return {};
    case Target::kExtra:
      e->SetExtra(ref.extra, text);
      return {};
  }
  return Bad(field_name, text, "has an unknown target");
}

std::string ApplyField(const FieldSpec& spec, std::string_view text, const FormatDef& def,
                       const LineContext& ctx, Event* e, bool* time_set) {
  if (spec.type == FieldType::kIgnore || IsAbsent(text, spec.ref)) return {};
  std::string err;
  switch (spec.type) {
    case FieldType::kIgnore:
      return {};
    case FieldType::kTimestamp: {
      auto t = ParseTimeText(spec.time_kind, spec.time_format.get(), text, ctx);
      if (!t.ok()) return Bad(spec.capture, text, "is not a valid time: " + t.status().message());
      e->time = t->time;
      e->precision = t->precision;
      *time_set = true;
      break;
    }
    case FieldType::kDuration: {
      const auto n = ParseNumber(text);
      if (!n) return Bad(spec.capture, text, "is not a number");
      if (*n * spec.unit_us > 9e18) return Bad(spec.capture, text, "is too large a duration");
      if (*n >= 0) {
        e->duration = Duration(static_cast<int64_t>(std::llround(*n * spec.unit_us)));
      }
      break;
    }
    case FieldType::kEnum: {
      const ValueTable& table = def.tables[static_cast<size_t>(spec.table)];
      const ValueTable::Entry* entry = table.Find(text);
      if (entry == nullptr) return Bad(spec.capture, text, "is not in table \"" + table.name + "\"");
      err = SetFieldFromText(spec.ref, entry->text, spec.capture, e);
      break;
    }
    case FieldType::kInt:
      if (!ParseInt(text)) return Bad(spec.capture, text, "is not an integer");
      err = SetFieldFromText(spec.ref, text, spec.capture, e);
      break;
    case FieldType::kIp:
      if (spec.ref.target == Target::kExtra) {
        auto ip = IpAddress::Parse(text);
        if (!ip.ok()) return Bad(spec.capture, text, "is not an IP address");
        e->SetExtra(spec.ref.extra, ip->ToString());
        break;
      }
      err = SetFieldFromText(spec.ref, text, spec.capture, e);
      break;
    case FieldType::kPort:
    case FieldType::kEndpoint:
    case FieldType::kString:
      err = SetFieldFromText(spec.ref, text, spec.capture, e);
      break;
  }
  if (!err.empty()) return err;
  if (spec.decoder != nullptr) {
    Status s = spec.decoder->decode(text, ctx, e);
    if (!s.ok()) {
      return "field \"" + spec.capture + "\": decoder " + std::string(spec.decoder->name) + ": " +
             s.message();
    }
  }
  return {};
}

bool FieldText(const Event& e, const FieldRef& ref, std::string* out) {
  out->clear();
  switch (ref.target) {
    case Target::kTime: {
      const int digits = e.precision >= std::chrono::seconds(1)        ? 0
                         : e.precision >= std::chrono::milliseconds(1) ? 3
                                                                       : 6;
      *out = FormatRfc3339(e.time, digits);
      return true;
    }
    case Target::kClient:
      if (!e.client_ip) return false;
      *out = Endpoint{*e.client_ip, e.client_port}.ToString();
      return true;
    case Target::kServer:
      if (!e.server_ip) return false;
      *out = Endpoint{*e.server_ip, e.server_port}.ToString();
      return true;
    case Target::kClientIp:
      if (!e.client_ip) return false;
      *out = e.client_ip->ToString();
      return true;
    case Target::kServerIp:
      if (!e.server_ip) return false;
      *out = e.server_ip->ToString();
      return true;
    case Target::kClientPort:
      if (e.client_port == 0) return false;
      *out = std::to_string(e.client_port);
      return true;
    case Target::kServerPort:
      if (e.server_port == 0) return false;
      *out = std::to_string(e.server_port);
      return true;
    case Target::kStatus:
      if (!e.status) return false;
      *out = std::to_string(*e.status);
      return true;
    case Target::kDuration:
      if (!e.duration) return false;
      *out = FormatDuration(*e.duration);
      return true;
    case Target::kBytesIn:
      if (!e.bytes_in) return false;
      *out = std::to_string(*e.bytes_in);
      return true;
    case Target::kBytesOut:
      if (!e.bytes_out) return false;
      *out = std::to_string(*e.bytes_out);
      return true;
    case Target::kLevel:
      if (!e.level) return false;
      *out = std::to_string(*e.level);
      return true;
    case Target::kKind:
      *out = EventKindName(e.kind);
      return true;
    case Target::kCause:
      *out = CauseName(e.cause);
      return true;
    case Target::kConnId:
      *out = e.conn_id;
      break;
    case Target::kRequestId:
      *out = e.request_id;
      break;
    case Target::kPhase:
      *out = e.phase;
      break;
    case Target::kDetail:
      *out = e.detail;
      break;
    case Target::kMessage:
      *out = e.message;
      break;
    case Target::kExtra:
      *out = e.Extra(ref.extra);
      break;
  }
  return !out->empty();
}

}  // namespace culprit::parsers::internal
