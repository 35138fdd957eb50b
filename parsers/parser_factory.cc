#include "parsers/parser_factory.h"

#include "parsers/format/format_loader.h"
#include "parsers/format/format_parser.h"
#include "parsers/format/regex_format.h"
#include "parsers/json/json_parser.h"
#include "parsers/nginx/nginx_access_parser.h"

namespace culprit::parsers {

Result<std::unique_ptr<LineParser>> NewLineParser(const ParserSpec& spec) {
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

}  // namespace culprit::parsers
