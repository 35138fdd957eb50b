#include "parsers/nginx/nginx_access_parser.h"

#include <utility>
#include <vector>

#include "parsers/nginx/format_matcher.h"
#include "parsers/nginx/log_format.h"
#include "parsers/nginx/nginx_classify.h"
#include "parsers/nginx/nginx_variables.h"

namespace culprit::parsers {
namespace {

using nginx::CompiledLogFormat;
using nginx::FormatStep;
using nginx::IsAbsent;
using nginx::MatchFailure;
using nginx::Printable;
using nginx::Role;
using nginx::Var;

// Extra entries whose strings grew beyond this are not kept for reuse (one
// 1 MiB line must not pin 1 MiB per parser).
constexpr size_t kMaxReusedBytes = 64 * 1024;

// An HTTP method is a token (RFC 9110 §5.6.2).
bool IsToken(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (const char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' ||
                    c == '*' || c == '+' || c == '-' || c == '.' || c == '^' || c == '_' ||
                    c == '`' || c == '|' || c == '~';
    if (!ok) return false;
  }
  return true;
}

struct RequestLine {
  std::string_view method, uri, protocol;
};

// Splits "METHOD URI[ HTTP/x.y]". False when the text is not a request line
// (binary bytes, "HELP", an empty request).
bool SplitRequest(std::string_view request, RequestLine* out) {
  const size_t sp = request.find(' ');
  if (sp == std::string_view::npos) return false;
  out->method = request.substr(0, sp);
  if (!IsToken(out->method)) return false;
  std::string_view rest = request.substr(sp + 1);
  out->uri = rest;
  out->protocol = {};
  if (const size_t last = rest.rfind(' '); last != std::string_view::npos) {
    const std::string_view proto = rest.substr(last + 1);
    if (proto.starts_with("HTTP/")) {
      out->uri = rest.substr(0, last);
      out->protocol = proto;
    }
  }
  return !out->uri.empty();
}

class NginxAccessParser final : public LineParser {
 public:
  explicit NginxAccessParser(std::vector<CompiledLogFormat> formats)
      : formats_(std::move(formats)) {}

  ParseResult Parse(std::string_view line, const LineContext& ctx, Event* event) override;

 private:
  // Fills *event from values_ matched against `f`, the extra fields into
  // extra_. On a bad value returns false with *reason set (the event is
  // then partly filled).
  bool Apply(const CompiledLogFormat& f, Event* event, std::string* reason);
  // Clear()s the event. Its extra entries move to extra_ to be overwritten:
  // assigning into a string that has the capacity allocates nothing.
  void Reset(Event* event);
  void AddExtra(bool unique, std::string_view key, std::string_view value);
  // Hands the extra_used_ entries built by Apply to event->extra.
  void Publish(Event* event);

  std::vector<CompiledLogFormat> formats_;
  size_t last_ok_ = 0;
  std::string_view values_[nginx::kMaxFormatSteps];
  nginx::TimeLocalReader time_local_;
  // Extra fields under construction: entries [0, extra_used_) are this
  // line's; the ones after are spares from earlier lines.
  std::vector<std::pair<std::string, std::string>> extra_;
  size_t extra_used_ = 0;
};

void NginxAccessParser::Reset(Event* event) {
  // The event's entries (our previous line's, usually) become the spares;
  // the event gets our emptied vector, so Clear() frees nothing.
  extra_.swap(event->extra);
  extra_used_ = 0;
  event->Clear();
}

void NginxAccessParser::AddExtra(bool unique, std::string_view key, std::string_view value) {
  if (!unique) {
    for (size_t i = 0; i < extra_used_; ++i) {
      if (extra_[i].first == key) {
        extra_[i].second.assign(value);
        return;
      }
    }
  }
  if (extra_used_ == extra_.size()) {
    extra_.emplace_back(std::string(key), std::string(value));
  } else {
    auto& [k, v] = extra_[extra_used_];
    if (k != key) k.assign(key);
    // clear()+append() is cheaper than assign(), which allows for overlap.
    v.clear();
    v.append(value);
  }
  ++extra_used_;
}

void NginxAccessParser::Publish(Event* event) {
  extra_.resize(extra_used_);
  for (auto& kv : extra_) {
    if (kv.second.capacity() > kMaxReusedBytes) kv.second.shrink_to_fit();
  }
  extra_.swap(event->extra);  // event->extra was emptied by Reset
  extra_.clear();
}

// Sets *reason to `$name "value" <what>`; returns false.
bool BadValue(const FormatStep& step, std::string_view value, std::string_view what,
              std::string* reason) {
  *reason = "$" + step.name + " \"" + Printable(value) + "\" " + std::string(what);
  return false;
}

bool NginxAccessParser::Apply(const CompiledLogFormat& f, Event* event, std::string* reason) {
  const bool unique = f.unique_extra_keys;
  nginx::RequestFacts facts;
  for (size_t i = 0; i < f.steps.size(); ++i) {
    const FormatStep& s = f.steps[i];
    const std::string_view v = values_[i];
    if (s.var == Var::kUpstreamAddr || s.var == Var::kUpstreamStatus) {
      facts.has_upstream_vars = true;
      facts.upstream_used = facts.upstream_used || !IsAbsent(v);
    }
    switch (s.role) {
      case Role::kSkip:
        break;
      case Role::kExtra:
        if (!IsAbsent(v)) AddExtra(unique, s.name, v);
        break;
      case Role::kClientIp: {
        if (v == "unix:") break;  // a unix-socket listener has no peer address
        std::optional<IpAddress> ip = nginx::FirstAddressInList(v);
        if (!ip) return BadValue(s, v, "holds no IP address", reason);
        event->client_ip = *ip;
        // An X-Forwarded-For-like list: keep all of it.
        if (v.find(',') != std::string_view::npos) AddExtra(unique, s.name, v);
        break;
      }
      case Role::kClientIpBinary: {
        std::optional<IpAddress> ip = nginx::DecodeBinaryAddress(v);
        if (!ip) return BadValue(s, v, "is not a 4- or 16-byte address", reason);
        event->client_ip = *ip;
        break;
      }
      case Role::kServerIp: {
        if (IsAbsent(v) || v == "unix:") break;
        const std::optional<IpAddress> ip = nginx::ParseAddress(v);
        if (!ip) return BadValue(s, v, "is not an IP address", reason);
        event->server_ip = *ip;
        break;
      }
      case Role::kClientPort:
      case Role::kServerPort: {
        if (IsAbsent(v)) break;
        const std::optional<uint64_t> port = nginx::ParseUnsigned(v, 65535);
        if (!port) return BadValue(s, v, "is not a port", reason);
        (s.role == Role::kClientPort ? event->client_port : event->server_port) =
            static_cast<uint16_t>(*port);
        break;
      }
      case Role::kStatus: {
        // nginx writes %03ui: "200", "499", "000" for no status at all.
        const std::optional<uint64_t> status = nginx::ParseUnsigned(v, 999);
        if (!status || v.size() != 3) return BadValue(s, v, "is not an HTTP status", reason);
        event->status = static_cast<int>(*status);
        break;
      }
      case Role::kBytesOut:
      case Role::kBytesIn: {
        if (IsAbsent(v)) break;
        const std::optional<uint64_t> n = nginx::ParseUnsigned(v, uint64_t{1} << 62);
        if (!n) return BadValue(s, v, "is not a byte count", reason);
        (s.role == Role::kBytesOut ? event->bytes_out : event->bytes_in) = static_cast<int64_t>(*n);
        break;
      }
      case Role::kDuration: {
        if (IsAbsent(v)) break;
        const std::optional<int64_t> us = nginx::ParseDecimalMicros(v);
        if (!us) return BadValue(s, v, "is not a number of seconds", reason);
        event->duration = Duration(*us);
        break;
      }
      case Role::kTimeMsec: {
        const std::optional<int64_t> us = nginx::ParseDecimalMicros(v);
        if (!us) return BadValue(s, v, "is not Unix seconds.milliseconds", reason);
        event->time = FromUnixMicros(*us);
        event->precision = std::chrono::milliseconds(1);
        break;
      }
      case Role::kTimeLocal:
      case Role::kTimeIso8601: {
        const std::optional<Timestamp> t =
            s.role == Role::kTimeLocal ? time_local_.Read(v) : nginx::ParseTimeIso8601(v);
        if (!t) {
          return BadValue(s, v,
                          s.role == Role::kTimeLocal
                              ? "is not a time like \"23/Nov/2026:20:01:30 +0000\""
                              : "is not a time like \"2026-11-23T20:01:30+00:00\"",
                          reason);
        }
        event->time = *t;
        event->precision = std::chrono::seconds(1);
        break;
      }
      case Role::kConnId:
        if (!IsAbsent(v)) event->conn_id.assign(v);
        break;
      case Role::kRequestId:
        if (!IsAbsent(v)) event->request_id.assign(v);
        break;
      case Role::kRequest: {
        facts.request = v;
        if (IsAbsent(v)) break;
        RequestLine req;
        if (SplitRequest(v, &req)) {
          AddExtra(unique, "method", req.method);
          AddExtra(unique, "uri", req.uri);
          if (!req.protocol.empty()) AddExtra(unique, "protocol", req.protocol);
        } else {
          AddExtra(unique, "request", v);
        }
        break;
      }
    }
  }
  facts.status = event->status.value_or(-1);
  nginx::ClassifyRequest(facts, event);
  return true;
}

ParseResult NginxAccessParser::Parse(std::string_view line, const LineContext& /*ctx*/,
                                     Event* event) {
  // Every time in an access line carries its own offset (or is epoch
  // seconds), so ctx.zone and ctx.now are not needed.
  Reset(event);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  const size_t n = formats_.size();
  // The failure to report if no format fits: a bad value beats a literal
  // that did not fit; then the one that got furthest into the line.
  bool have_malformed = false;
  std::string malformed_reason;
  size_t malformed_format = 0;
  MatchFailure best_failure;
  size_t best_format = n;

  for (size_t k = 0; k < n; ++k) {
    // last_ok_ first, then the others in the configured order.
    const size_t fi = k == 0 ? last_ok_ : (k <= last_ok_ ? k - 1 : k);
    const CompiledLogFormat& f = formats_[fi];
    MatchFailure failure;
    if (!nginx::MatchLogFormat(f, line, values_, &failure)) {
      const auto rank = [](const MatchFailure& m) {
        return std::make_pair(m.what == MatchFailure::What::kBadShape, m.offset);
      };
      if (best_format == n || rank(failure) > rank(best_failure)) {
        best_failure = failure;
        best_format = fi;
      }
      continue;
    }
    std::string reason;
    if (Apply(f, event, &reason)) {
      Publish(event);
      last_ok_ = fi;
      return ParseResult::Parsed();
    }
    event->Clear();
    extra_used_ = 0;
    if (!have_malformed) {
      have_malformed = true;
      malformed_reason = std::move(reason);
      malformed_format = fi;
    }
  }

  const auto label = [&](size_t fi) {
    return n == 1 ? std::string() : "log_format #" + std::to_string(fi + 1) + ": ";
  };
  if (have_malformed) return ParseResult::Malformed(label(malformed_format) + malformed_reason);
  std::string reason =
      label(best_format) + nginx::DescribeFailure(formats_[best_format], line, best_failure);
  // The literals fitted up to a value that is not a number: a bad field.
  if (best_failure.what == MatchFailure::What::kBadShape) {
    return ParseResult::Malformed(std::move(reason));
  }
  return ParseResult::NoMatch(std::move(reason));
}

}  // namespace

Result<std::unique_ptr<LineParser>> NewNginxAccessParser(std::span<const std::string> log_formats) {
  if (log_formats.empty()) {
    return Status::InvalidArgument("nginx access log: no log_format given");
  }
  std::vector<CompiledLogFormat> compiled;
  compiled.reserve(log_formats.size());
  for (size_t i = 0; i < log_formats.size(); ++i) {
    Result<CompiledLogFormat> f = nginx::CompileLogFormat(log_formats[i], i);
    if (!f.ok()) return f.status();
    compiled.push_back(std::move(f).value());
  }
  return std::unique_ptr<LineParser>(std::make_unique<NginxAccessParser>(std::move(compiled)));
}

}  // namespace culprit::parsers
