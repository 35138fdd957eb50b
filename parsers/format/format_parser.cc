#include "parsers/format/format_parser.h"

#include <algorithm>

#include "parsers/format/internal/field_apply.h"
#include "parsers/format/internal/format_parser_impl.h"
#include "parsers/syslog/syslog_header.h"

namespace culprit::parsers {
namespace internal {
namespace {

// The event's own text for string fields (no copy), else its formatted text
// in *scratch. Empty when absent.
std::string_view FieldView(const Event& e, const FieldRef& ref, std::string* scratch) {
  switch (ref.target) {
    case Target::kConnId:
      return e.conn_id;
    case Target::kRequestId:
      return e.request_id;
    case Target::kPhase:
      return e.phase;
    case Target::kDetail:
      return e.detail;
    case Target::kMessage:
      return e.message;
    case Target::kExtra:
      return e.Extra(ref.extra);
    default:
      if (!FieldText(e, ref, scratch)) scratch->clear();
      return *scratch;
  }
}

bool HasField(const Event& e, const FieldRef& ref) {
  switch (ref.target) {
    case Target::kClient:
    case Target::kClientIp:
      return e.client_ip.has_value();
    case Target::kClientPort:
      return e.client_port != 0;
    case Target::kServer:
    case Target::kServerIp:
      return e.server_ip.has_value();
    case Target::kServerPort:
      return e.server_port != 0;
    case Target::kStatus:
      return e.status.has_value();
    case Target::kConnId:
      return !e.conn_id.empty();
    case Target::kRequestId:
      return !e.request_id.empty();
    case Target::kDuration:
      return e.duration.has_value();
    case Target::kBytesIn:
      return e.bytes_in.has_value();
    case Target::kBytesOut:
      return e.bytes_out.has_value();
    case Target::kPhase:
      return !e.phase.empty();
    case Target::kDetail:
      return !e.detail.empty();
    case Target::kMessage:
      return !e.message.empty();
    case Target::kLevel:
      return e.level.has_value();
    case Target::kExtra:
      return !e.Extra(ref.extra).empty();
    case Target::kTime:
    case Target::kKind:
    case Target::kCause:
      return true;
  }
  return false;
}

void CopyField(const Event& from, const FieldRef& ref, Event* to) {
  switch (ref.target) {
    case Target::kClient:
      to->client_ip = from.client_ip;
      to->client_port = from.client_port;
      break;
    case Target::kClientIp:
      to->client_ip = from.client_ip;
      break;
    case Target::kClientPort:
      to->client_port = from.client_port;
      break;
    case Target::kServer:
      to->server_ip = from.server_ip;
      to->server_port = from.server_port;
      break;
    case Target::kServerIp:
      to->server_ip = from.server_ip;
      break;
    case Target::kServerPort:
      to->server_port = from.server_port;
      break;
    case Target::kStatus:
      to->status = from.status;
      break;
    case Target::kConnId:
      to->conn_id = from.conn_id;
      break;
    case Target::kRequestId:
      to->request_id = from.request_id;
      break;
    case Target::kDuration:
      to->duration = from.duration;
      break;
    case Target::kBytesIn:
      to->bytes_in = from.bytes_in;
      break;
    case Target::kBytesOut:
      to->bytes_out = from.bytes_out;
      break;
    case Target::kPhase:
      to->phase = from.phase;
      break;
    case Target::kDetail:
      to->detail = from.detail;
      break;
    case Target::kMessage:
      to->message = from.message;
      break;
    case Target::kLevel:
      to->level = from.level;
      break;
    case Target::kExtra:
      to->SetExtra(ref.extra, from.Extra(ref.extra));
      break;
    case Target::kTime:
    case Target::kKind:
    case Target::kCause:
      break;
  }
}

}  // namespace

FormatParser::FormatParser(std::shared_ptr<const FormatDef> def) : def_(std::move(def)) {
  int n = 1;
  for (const PatternDef& p : def_->patterns) n = std::max(n, p.nsubmatch);
  sub_.resize(static_cast<size_t>(n));
  int r = 1;
  for (const RuleDef& rule : def_->rules) r = std::max(r, rule.nsubmatch);
  rule_sub_.resize(static_cast<size_t>(r));
}

ParseResult FormatParser::Parse(std::string_view line, const LineContext& ctx, Event* event) {
  event->Clear();
  last_pattern_ = -1;
  if (def_->framing == Framing::kNone) return MatchBody(line, nullptr, ctx, event);

  std::optional<SyslogHeader> header = ParseSyslogHeader(line, ctx);
  if (!header) {
    if (def_->framing == Framing::kSyslog) {
      return ParseResult::NoMatch("no syslog header (format " + def_->name + " needs one)");
    }
    return MatchBody(line, nullptr, ctx, event);
  }
  const size_t offset = std::min(header->body_offset, line.size());
  ParseResult r = MatchBody(line.substr(offset), &*header, ctx, event);
  if (r.outcome == ParseOutcome::kNoMatch && def_->framing == Framing::kSyslogOptional) {
    // What looked like a header may be the start of a native line (a
    // format whose own stamp a syslog parser also accepts): try the whole
    // line before giving up.
    event->Clear();
    ParseResult whole = MatchBody(line, nullptr, ctx, event);
    if (whole.outcome != ParseOutcome::kNoMatch) return whole;
    event->Clear();
  }
  return r;
}

ParseResult FormatParser::MatchBody(std::string_view body, const SyslogHeader* header,
                                    const LineContext& ctx, Event* event) {
  const std::vector<PatternDef>& patterns = def_->patterns;
  const re2::StringPiece text(body.data(), body.size());
  const int count = static_cast<int>(patterns.size());
  // The source's last successful pattern first, then the others in order.
  for (int k = -1; k < count; ++k) {
    const int i = k < 0 ? preferred_ : k;
    if (i < 0 || (k >= 0 && k == preferred_)) continue;
    if (i >= count) continue;
    const PatternDef& p = patterns[static_cast<size_t>(i)];
    if (p.header && header == nullptr) continue;
    if (p.continuation && !previous_time_) continue;
    if (!p.re->Match(text, 0, text.size(), re2::RE2::ANCHOR_BOTH, sub_.data(), p.nsubmatch)) {
      continue;
    }
    // A fallback is never tried first: once it matched, trying it first
    // would take lines a more specific earlier pattern should get.
    preferred_ = p.fallback ? -1 : i;
    last_pattern_ = i;
    return Fill(i, header, ctx, event);
  }
  return ParseResult::NoMatch(header != nullptr ? "the syslog body matches no pattern of " + def_->name
                                                : "matches no pattern of " + def_->name);
}

ParseResult FormatParser::Fill(int index, const SyslogHeader* header, const LineContext& ctx,
                               Event* event) {
  const PatternDef& p = def_->patterns[static_cast<size_t>(index)];
  event->kind = p.kind;
  event->cause = p.cause;
  bool time_set = false;
  for (const FieldSpec& f : p.fields) {
    const re2::StringPiece& sp = sub_[static_cast<size_t>(f.group)];
    if (sp.data() == nullptr) continue;  // optional group that did not take part
    std::string err = ApplyField(f, std::string_view(sp.data(), sp.size()), *def_, ctx, event,
                                 &time_set);
    if (!err.empty()) return ParseResult::Malformed(std::move(err));
  }
  if (header != nullptr) {
    // The body's own values win; the header fills what the body lacks.
    if (!time_set && header->time) {
      event->time = header->time->time;
      event->precision = header->time->precision;
      time_set = true;
    }
    if (!event->level && header->severity) event->level = header->severity;
    if (!header->host.empty() && event->Extra("host").empty()) event->SetExtra("host", header->host);
    if (!header->app.empty() && event->Extra("app").empty()) event->SetExtra("app", header->app);
    if (!header->pid.empty() && event->Extra("pid").empty()) event->SetExtra("pid", header->pid);
  }
  if (p.continuation && !time_set && previous_time_) {
    event->time = previous_time_->time;
    event->precision = previous_time_->precision;
    time_set = true;
  }
  if (!time_set) return ParseResult::Malformed("field \"time\": absent (pattern " + p.name + ")");
  if (p.time_is_start && event->duration) event->time += *event->duration;
  std::string err = RunRules(index, ctx, event);
  if (!err.empty()) return ParseResult::Malformed(std::move(err));
  // After the rules, which may have found the client in the message (the
  // stunnel accept line).
  if (def_->connections) Carry(event);
  previous_time_ = ParsedTime{event->time, event->precision};
  return ParseResult::Parsed();
}

void FormatParser::Carry(Event* event) {
  const ConnectionsDef& c = *def_->connections;
  std::string_view key = FieldView(*event, c.key, &scratch_);
  if (key.empty()) return;
  bool has_any = false;
  for (const FieldRef& f : c.carry) has_any = has_any || HasField(*event, f);
  auto it = carried_.find(std::string(key));
  if (has_any) {
    if (it == carried_.end()) {
      if (carried_.size() >= c.max && !carried_order_.empty()) {
        carried_.erase(carried_order_.front());
        carried_order_.pop_front();
      }
      it = carried_.emplace(std::string(key), Event()).first;
      carried_order_.push_back(it->first);
    }
    for (const FieldRef& f : c.carry) {
      if (HasField(*event, f)) CopyField(*event, f, &it->second);
    }
    return;
  }
  if (it == carried_.end()) return;
  for (const FieldRef& f : c.carry) {
    if (!HasField(*event, f) && HasField(it->second, f)) CopyField(it->second, f, event);
  }
}

std::string FormatParser::RunRules(int index, const LineContext& ctx, Event* event) {
  for (const RuleDef& rule : def_->rules) {
    if (rule.pattern >= 0 && rule.pattern != index) continue;
    const std::string_view text = FieldView(*event, rule.field, &scratch_);
    bool matched = false;
    switch (rule.match) {
      case RuleMatch::kEquals:
        matched = text == rule.value;
        break;
      case RuleMatch::kContains:
        matched = text.find(rule.value) != std::string_view::npos;
        break;
      case RuleMatch::kPrefix:
        matched = text.substr(0, rule.value.size()) == rule.value;
        break;
      case RuleMatch::kRegex: {
        // The captures point into an event field the rule may overwrite:
        // copy the text first (only when the rule has captures to apply).
        re2::StringPiece in(text.data(), text.size());
        if (!rule.fields.empty()) {
          rule_text_.assign(text);
          in = re2::StringPiece(rule_text_.data(), rule_text_.size());
        }
        matched = rule.re->Match(in, 0, in.size(), re2::RE2::UNANCHORED, rule_sub_.data(),
                                 rule.nsubmatch);
        break;
      }
    }
    if (!matched) continue;
    if (rule.kind) event->kind = *rule.kind;
    if (rule.cause) event->cause = *rule.cause;
    if (rule.detail) event->detail = *rule.detail;
    if (rule.phase) event->phase = *rule.phase;
    if (rule.level) event->level = *rule.level;
    bool time_set = false;
    for (const FieldSpec& f : rule.fields) {
      const re2::StringPiece& sp = rule_sub_[static_cast<size_t>(f.group)];
      if (sp.data() == nullptr) continue;
      std::string err = ApplyField(f, std::string_view(sp.data(), sp.size()), *def_, ctx, event,
                                   &time_set);
      if (!err.empty()) return err;
    }
    if (rule.stop) break;
  }
  return {};
}

}  // namespace internal

Result<std::unique_ptr<LineParser>> NewFormatParser(std::shared_ptr<const FormatDef> def) {
  if (def == nullptr) return Status::InvalidArgument("NewFormatParser: no format");
  return std::unique_ptr<LineParser>(std::make_unique<internal::FormatParser>(std::move(def)));
}

}  // namespace culprit::parsers
