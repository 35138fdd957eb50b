#ifndef CULPRIT_PARSERS_NGINX_LOG_FORMAT_H_
#define CULPRIT_PARSERS_NGINX_LOG_FORMAT_H_

// An nginx `log_format` string compiled into steps that a line is matched
// against without regexes: an optional literal prefix, then for each
// variable the literal text that follows it.
//
//   "$remote_addr - $remote_user [$time_local] \"$request\" ..."
//   prefix ""  steps: {remote_addr, " - "}, {remote_user, " ["},
//                     {time_local, "] \""}, {request, "\" "}, ...
//
// Variable syntax is nginx's (ngx_http_script.c): "$name" where name is
// [A-Za-z0-9_]+, or "${name}" when letters follow directly. Everything else
// is literal text. The caller passes the format as nginx sees it after
// reading nginx.conf: the quotes around the concatenated pieces removed.
//
// Also resolves, once, which variable fills which Event field when several
// could (see Role): $msec wins over $time_local over $time_iso8601,
// $remote_addr over $binary_remote_addr over $realip_remote_addr, $bytes_sent
// over $body_bytes_sent. The losers keep their text in Event::extra (times
// are dropped: the winner carries the same moment).
//
// Internal to parsers/nginx/. Immutable after compilation; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "parsers/nginx/nginx_variables.h"

namespace culprit::parsers::nginx {

// What a step's value becomes in the Event.
enum class Role : uint8_t {
  kExtra,           // Event::extra[name] = text (unless "-")
  kSkip,            // a time variable superseded by a more precise one
  kClientIp,        // address or "a, b" list; the list itself also goes to extra
  kClientIpBinary,  // $binary_remote_addr
  kClientPort,
  kServerIp,
  kServerPort,
  kStatus,
  kBytesOut,
  kBytesIn,
  kDuration,
  kTimeMsec,
  kTimeLocal,
  kTimeIso8601,
  kConnId,
  kRequestId,
  kRequest,  // split into extra method / uri / protocol
};

// What a value must look like for the matcher to accept a split of the
// line. It keeps "$remote_addr:$remote_port" working for "[2001:db8::1]:443":
// a port that is not digits makes the matcher move the ':' it split at.
enum class Shape : uint8_t {
  kAny,
  kDigits,   // [0-9]+ or "-"
  kDecimal,  // [0-9]+(.[0-9]+)? or "-"
};

struct FormatStep {
  std::string name;  // without '$': "remote_addr", "http_user_agent"
  Var var = Var::kText;
  Role role = Role::kExtra;
  Shape shape = Shape::kAny;
  // Text between this variable and the next one (or the end of the line).
  // Empty when the next variable follows directly, or at the end.
  std::string literal;
};

// How the matcher finds where a value ends, from the literal after it.
enum class EndRule : uint8_t {
  kRest,    // the last variable, nothing after it: the rest of the line
  kToken,   // another variable follows directly: a run of non-space bytes
  kQuote,   // the literal starts with '"': the next unescaped '"'
  kSuffix,  // the last variable, then a literal that must end the line
  kFind,    // the next occurrence of the literal
};

// FormatStep reduced to what matching reads, kept contiguous and small.
struct MatchStep {
  EndRule rule = EndRule::kRest;
  Shape shape = Shape::kAny;
  // kFind with a literal starting with ' ' (but not " :"): a space after
  // ',' or before ": " continues a list value ("a, b", "a : b").
  bool list_aware = false;
  uint32_t literal_offset = 0;  // into CompiledLogFormat::literals
  uint32_t literal_size = 0;
};

// Most variables a format may have: bounds the matcher's arrays.
inline constexpr size_t kMaxFormatSteps = 64;

struct CompiledLogFormat {
  std::string text;    // the log_format as given
  std::string label;   // for messages: `log_format #2 "$host $remote_addr - ..."`
  std::string prefix;  // literal text before the first variable
  std::vector<FormatStep> steps;
  // Event::extra keys the steps may write are distinct (no variable is
  // repeated and none collides with "method"/"uri"/"protocol"), so extras
  // can be appended without searching for an existing key.
  bool unique_extra_keys = true;
  // One per step, and the steps' literals end to end.
  std::vector<MatchStep> match;
  std::string literals;
};

// Compiles `text`; `index` (0-based) names it in messages ("log_format #1").
// Fails, naming the format and the position, on: an empty format, "$" not
// followed by a name, an unterminated "${", more than kMaxFormatSteps
// variables, and a format without a time variable ($msec, $time_local or
// $time_iso8601), since every event needs a time.
Result<CompiledLogFormat> CompileLogFormat(std::string_view text, size_t index);

}  // namespace culprit::parsers::nginx

#endif  // CULPRIT_PARSERS_NGINX_LOG_FORMAT_H_
