#ifndef CULPRIT_PARSERS_JSON_JSON_VALUES_H_
#define CULPRIT_PARSERS_JSON_JSON_VALUES_H_

// Value decoders of the JSON-lines parser: decimal numbers, times, levels.
//
// Internal to parsers/json. Every function is pure, allocation-free and
// thread-safe; none calls into libc's locale-dependent number or time code.
// They take the text of one JSON value (a number token, or the unescaped
// contents of a string) and report failure with `false` / nullopt: the
// caller names the field in its reason.

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/time.h"

namespace culprit {
class TimeZone;
}

namespace culprit::parsers::json_internal {

// A decimal number as written: value = mantissa * 10^exp10 (sign apart).
// Keeps the last written digit's position, which is what the precision of an
// epoch stamp depends on ("1693840791.7564995" has exp10 = -7).
struct Decimal {
  uint64_t mantissa = 0;
  int exp10 = 0;
  int int_digits = 0;  // significant digits before the decimal point
  bool negative = false;
  bool integral = true;  // written without fraction or exponent
};

// Parses a JSON-style number, leading/trailing spaces allowed: "-12",
// "0.000002701", "1.5e-3", "1745532517537". More than 19 significant digits
// are truncated. False on anything else ("", "1.", "0x10", "12abc").
bool ParseDecimal(std::string_view text, Decimal* out);

// mantissa * 10^(exp10 + shift), truncated toward zero. False when the result
// does not fit in an int64.
bool DecimalToInt(const Decimal& d, int shift, int64_t* out);

// A whole number (a JSON integer or a string of digits, "200", "200.0");
// nullopt when it is not a number or lies outside [min, max].
std::optional<int64_t> ParseInteger(std::string_view text, int64_t min, int64_t max);

struct ParsedTime {
  Timestamp time;
  Duration precision = std::chrono::seconds(1);  // 1 s, 1 ms or 1 us
};

// Parses an RFC 3339 / ISO 8601 time: "2026-11-23T20:01:30.372256Z",
// "2025-12-31T17:37:40.493035218+01:00", a space or 't' for 'T', any number of
// fraction digits ('.' or ','), an offset "Z", "+HH:MM", "+HHMM" or "+HH".
// A time without an offset is local time of `zone`. Precision: 1 s without a
// fraction, 1 ms for 1-3 digits, 1 us beyond (digits past microseconds are
// truncated). False on a malformed or impossible date or time.
bool ParseRfc3339Time(std::string_view text, const TimeZone& zone, ParsedTime* out);

// Parses a Unix epoch number (a JSON number or a numeric string); the unit is
// told by magnitude: up to 11 integer digits seconds, 12-14 milliseconds,
// 15-17 microseconds, more nanoseconds. Precision follows the last written
// digit, clamped to 1 s / 1 ms / 1 us. False for negatives and non-numbers.
bool ParseEpochTime(std::string_view text, ParsedTime* out);

// An epoch number (JSON number) or, for a string, RFC 3339 first and then a
// numeric epoch string.
bool ParseTimeValue(std::string_view text, bool is_number, const TimeZone& zone,
                    ParsedTime* out);

// A duration: a number counted in units of 10^unit_exp10 seconds (e.g. -3
// for milliseconds), truncated to microseconds. False for negatives and
// non-numbers.
bool ParseDurationNumber(std::string_view text, int unit_exp10, Duration* out);

// A duration string with unit suffixes, as Go and humans write them:
// "1.5s", "250ms", "3us", "3µs", "120ns", "1m30s", "2h". False otherwise.
bool ParseDurationText(std::string_view text, Duration* out);

// Syslog severity (0 emerg .. 7 debug) of a level name, case-insensitive:
// emerg(ency)/panic 0, alert 1, crit(ical)/fatal/dpanic 2, err(or)/severe 3,
// warn(ing) 4, notice 5, info(rmation) 6, debug/trace/verbose/fine 7, and the
// one-letter forms E W I D. nullopt for other names.
std::optional<int> SeverityFromName(std::string_view name);

// Syslog severity of a numeric level: 0..7 are taken as syslog severities;
// bunyan/pino levels 10 trace 20 debug 30 info 40 warn 50 error 60 fatal map
// to 7 7 6 4 3 2 (values in between round down to the nearest of these).
std::optional<int> SeverityFromNumber(int64_t level);

}  // namespace culprit::parsers::json_internal

#endif  // CULPRIT_PARSERS_JSON_JSON_VALUES_H_
