#ifndef CULPRIT_PARSERS_NGINX_FORMAT_MATCHER_H_
#define CULPRIT_PARSERS_NGINX_FORMAT_MATCHER_H_

// Splits a line into the values of a compiled nginx log_format's variables,
// by scanning for the literal text between them (no regex, no allocation).
// The rules are documented in nginx_access_parser.h ("Matching").
//
// Internal to parsers/nginx/. Pure functions; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "parsers/nginx/log_format.h"

namespace culprit::parsers::nginx {

// Where and why a line did not fit a format.
struct MatchFailure {
  enum class What : uint8_t {
    kPrefix,      // the literal text before the first variable is not there
    kLiteral,     // the text after steps[step] was not found
    kLineEnd,     // the text after the last variable (steps[step]) is not at the end
    kEmptyToken,  // steps[step] is followed directly by a variable but has no text
    kBadShape,    // steps[step]'s value is not the number the variable holds
  };
  What what = What::kPrefix;
  size_t step = 0;
  size_t offset = 0;  // where the value of steps[step] starts (0 for kPrefix)
  size_t length = 0;  // kBadShape: length of the value at `offset`
};

// Fills values[0 .. format.steps.size()) with views into `line` and returns
// true when the whole line fits the format. On false, *failure says where
// the plain left-to-right split (before any value was extended) stopped.
// REQUIRES: values has room for format.steps.size() entries (at most
// kMaxFormatSteps); failure != nullptr.
bool MatchLogFormat(const CompiledLogFormat& format, std::string_view line,
                    std::string_view* values, MatchFailure* failure);

// A human-readable reason for `failure` of `format` on `line`, e.g.
// `expected "] \x22" after $time_local (value from byte 18)`.
std::string DescribeFailure(const CompiledLogFormat& format, std::string_view line,
                            const MatchFailure& failure);

// `text` cut to `max` bytes, with '"' and bytes outside printable ASCII
// written as \xHH (nginx's own escape), so reasons built from log bytes stay
// readable one-line text.
std::string Printable(std::string_view text, size_t max = 64);

}  // namespace culprit::parsers::nginx

#endif  // CULPRIT_PARSERS_NGINX_FORMAT_MATCHER_H_
