#include "parsers/parser_factory.h"

#include <cstdint>
#include <string>

#include "parsers/format/format_loader.h"
#include "parsers/format/format_parser.h"
#include "parsers/format/regex_format.h"
#include "parsers/json/json_parser.h"
#include "parsers/nginx/nginx_access_parser.h"

namespace culprit::parsers {
namespace {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: the times RFC 3339
// and google.protobuf.Timestamp can write.
constexpr int64_t kMinTimeUs = -62135596800LL * 1000000;
constexpr int64_t kMaxTimeUs = 253402300799LL * 1000000 + 999999;

// Every parser's result passes through here: a line whose time lands
// outside years 1..9999 once converted to UTC (a year-9999 stamp with a
// western offset, an epoch value in the distant future) is malformed,
// whichever parser produced it.
class TimeRangeCheck final : public LineParser {
 public:
  explicit TimeRangeCheck(std::unique_ptr<LineParser> inner) : inner_(std::move(inner)) {}
  ParseResult Parse(std::string_view line, const LineContext& ctx, Event* event) override {
    ParseResult r = inner_->Parse(line, ctx, event);
    if (!r.ok()) return r;
    const int64_t us = ToUnixMicros(event->time);
    if (us < kMinTimeUs || us > kMaxTimeUs) {
      return ParseResult::Malformed("time " + std::to_string(us) +
                                    " us since 1970 is outside years 1..9999 (UTC)");
    }
    return r;
  }

 private:
  std::unique_ptr<LineParser> inner_;
};

Result<std::unique_ptr<LineParser>> NewUncheckedLineParser(const ParserSpec& spec) {
  if (spec.format == "nginx_combined") {
    const std::string combined(kNginxCombinedLogFormat);
    return NewNginxAccessParser(std::span<const std::string>(&combined, 1));
  }
  if (spec.format == "nginx") {
    if (spec.log_formats.empty()) return Status::InvalidArgument("log_format: required");
    return NewNginxAccessParser(spec.log_formats);
  }
  if (spec.format == "json") {
    JsonParserOptions options;
    options.fields = spec.fields;
    options.prefix = spec.prefix;
    return NewJsonParser(options);
  }
  if (spec.format == "regex") {
    return NewRegexParser(spec.pattern, spec.time_format, spec.fields);
  }
  // Every other format is a built-in format file.
  CULPRIT_ASSIGN_OR_RETURN(auto def, BuiltinFormat(spec.format));
  return NewFormatParser(std::move(def));
}

}  // namespace

Result<std::unique_ptr<LineParser>> NewLineParser(const ParserSpec& spec) {
  CULPRIT_ASSIGN_OR_RETURN(std::unique_ptr<LineParser> parser, NewUncheckedLineParser(spec));
  return std::unique_ptr<LineParser>(new TimeRangeCheck(std::move(parser)));
}

}  // namespace culprit::parsers
