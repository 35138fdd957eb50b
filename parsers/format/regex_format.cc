#include "parsers/format/regex_format.h"

#include <re2/re2.h>

#include "parsers/format/format_parser.h"
#include "parsers/format/internal/compile.h"
#include "parsers/json/json_cause.h"

namespace culprit::parsers {
namespace {

ValueTable LevelTable() {
  ValueTable t;
  t.name = "levels";
  const std::pair<const char*, int> kLevels[] = {
      {"emerg", 0}, {"emergency", 0}, {"alert", 1}, {"crit", 2},   {"critical", 2},
      {"fatal", 2}, {"error", 3},     {"err", 3},   {"warn", 4},   {"warning", 4},
      {"notice", 5}, {"info", 6},     {"debug", 7}, {"trace", 7},
  };
  for (const auto& [name, level] : kLevels) {
    std::string lower = name, upper = name, capital = name;
    for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
    capital[0] = static_cast<char>(capital[0] - 'a' + 'A');
    for (const std::string& key : {lower, upper, capital}) {
      t.entries.push_back({key, std::to_string(level), level});
    }
  }
  return t;
}

FieldType NaturalType(Target t) {
  switch (t) {
    case Target::kTime:
      return FieldType::kTimestamp;
    case Target::kClient:
    case Target::kServer:
      return FieldType::kEndpoint;
    case Target::kClientIp:
    case Target::kServerIp:
      return FieldType::kIp;
    case Target::kClientPort:
    case Target::kServerPort:
      return FieldType::kPort;
    case Target::kStatus:
    case Target::kBytesIn:
    case Target::kBytesOut:
      return FieldType::kInt;
    case Target::kDuration:
      return FieldType::kDuration;
    case Target::kLevel:
      return FieldType::kEnum;
    default:
      return FieldType::kString;
  }
}

// An application's plain-text log says what went wrong the way its JSON
// log would (a level, a status, an error), so its lines get the cause hint
// a JSON line with those fields gets (json_cause.h).
class ClassifyingParser final : public LineParser {
 public:
  explicit ClassifyingParser(std::unique_ptr<LineParser> inner) : inner_(std::move(inner)) {}
  ParseResult Parse(std::string_view line, const LineContext& ctx, Event* event) override {
    ParseResult r = inner_->Parse(line, ctx, event);
    if (r.ok() && event->cause == Cause::kNone) {
      json_internal::CauseInput in;
      in.severity = event->level;
      in.status = event->status;
      in.message = event->message.empty() ? line : std::string_view(event->message);
      in.error = event->Extra("error");
      event->cause = json_internal::ClassifyJsonLine(in);
    }
    return r;
  }

 private:
  std::unique_ptr<LineParser> inner_;
};

}  // namespace

Result<std::unique_ptr<LineParser>> NewRegexParser(
    std::string_view pattern, std::string_view time_format,
    std::span<const std::pair<std::string, std::string>> fields) {
  auto re = internal::CompileRegex(pattern);
  if (!re.ok()) return Status::InvalidArgument("pattern: " + re.status().message());
  const std::map<std::string, int>& groups = internal::NamedGroups(**re);

  // capture -> target, from `fields` first.
  std::map<std::string, FieldRef> mapped;
  for (const auto& [target, capture] : fields) {
    auto ref = ParseFieldRef(target);
    if (!ref) {
      return Status::InvalidArgument("fields." + target + ": unknown field" +
                                     internal::Suggest(target, internal::TargetNames()));
    }
    if (groups.find(capture) == groups.end()) {
      return Status::InvalidArgument("fields." + target + ": no capture named \"" + capture +
                                     "\" in pattern");
    }
    mapped[capture] = *ref;
  }

  auto def = std::make_shared<FormatDef>();
  def->name = "regex";
  def->title = "plain-text log matched by an RE2 pattern";
  def->file = "config";
  def->tables.push_back(LevelTable());
  PatternDef p;
  p.name = "regex";
  p.regex = std::string(pattern);
  p.re = *re;
  p.kind = EventKind::kApp;
  for (const auto& [name, group] : groups) {
    FieldSpec f;
    f.capture = name;
    f.group = group;
    if (auto it = mapped.find(name); it != mapped.end()) {
      f.ref = it->second;
    } else if (auto ref = ParseFieldRef(name)) {
      f.ref = *ref;
    } else {
      f.ref = FieldRef{Target::kExtra, name};
    }
    f.type = NaturalType(f.ref.target);
    if (f.type == FieldType::kEnum) f.table = 0;
    if (f.type == FieldType::kTimestamp) {
      p.has_time = true;
      if (time_format.empty()) {
        f.time_kind = TimeKind::kAuto;
      } else {
        auto tf = TimeFormat::Compile(time_format);
        if (!tf.ok()) return Status::InvalidArgument("time_format: " + tf.status().message());
        f.time_format = std::make_shared<const TimeFormat>(std::move(tf).value());
      }
    }
    p.fields.push_back(std::move(f));
  }
  if (!p.has_time) {
    return Status::InvalidArgument(
        "pattern: no capture gives the time (name one (?P<time>...) or map it with fields.time)");
  }
  p.nsubmatch = internal::FinishFields(&p.fields);
  def->patterns.push_back(std::move(p));
  CULPRIT_ASSIGN_OR_RETURN(auto parser, NewFormatParser(std::move(def)));
  return std::unique_ptr<LineParser>(new ClassifyingParser(std::move(parser)));
}

}  // namespace culprit::parsers
