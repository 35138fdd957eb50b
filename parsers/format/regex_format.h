#ifndef CULPRIT_PARSERS_FORMAT_REGEX_FORMAT_H_
#define CULPRIT_PARSERS_FORMAT_REGEX_FORMAT_H_

// The `regex` format: a plain-text application log described by one RE2
// pattern from the operator's config instead of a format file.
//
//   [[source]]
//   format = "regex"
//   pattern = '''^(?P<time>\S+ \S+) (?P<level>[A-Z]+) \[[^\]]*\] (?P<message>.*?) client=(?P<client>\S+)'''
//   time_format = "%F %T,%f"          # optional
//   fields = { request_id = "rid" }   # optional: target = capture
//
// Captures named after a normalized target (time, client, client_ip,
// client_port, server, server_ip, server_port, status, conn_id, request_id,
// duration (seconds), bytes_in, bytes_out, phase, detail, message, level,
// kind, cause) fill it with that target's natural type; `fields` maps other
// capture names to targets; every other capture goes to extra.<name>.
// Events have kind "app" unless a `kind` capture says otherwise. The
// pattern is anchored at both ends. The level capture accepts syslog names
// in lower, upper or capitalized case, plus fatal/critical/trace.
//
// Thread-safety: as NewFormatParser() (format_parser.h).

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "parsers/line_parser.h"

namespace culprit::parsers {

// `time_format` empty: RFC 3339, then "%F %T,%f", "%F %T.%f", "%F %T".
// Errors (INVALID_ARGUMENT) name the config value: `pattern: regex does not
// compile: ...`, `time_format: ...`, `fields.client_ip: no capture named
// "src" in pattern`, `pattern: no capture gives the time ...`.
Result<std::unique_ptr<LineParser>> NewRegexParser(
    std::string_view pattern, std::string_view time_format,
    std::span<const std::pair<std::string, std::string>> fields);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_FORMAT_REGEX_FORMAT_H_
