#ifndef CULPRIT_BASE_TIME_H_
#define CULPRIT_BASE_TIME_H_

// Time types shared by every module, and their text forms.
//
// Inside C++ a point in time is a Timestamp: UTC, microseconds since the Unix
// epoch. In SQLite it is the same count as an INTEGER; on the wire it is a
// google.protobuf.Timestamp. All functions here are pure and thread-safe.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace culprit {

using Duration = std::chrono::microseconds;
using Timestamp = std::chrono::sys_time<Duration>;

inline int64_t ToUnixMicros(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromUnixMicros(int64_t us) { return Timestamp(Duration(us)); }

// Formats as RFC 3339 in UTC with `frac_digits` (0..6) fractional digits,
// e.g. "2026-11-23T20:01:30.372256Z".
std::string FormatRfc3339(Timestamp t, int frac_digits = 6);

// Parses RFC 3339 ("2026-11-23T20:01:30.372Z", "...+02:00"); also accepts a
// space instead of 'T', a lowercase 't'/'z', and an offset written "+0200".
// Fractions beyond microseconds are truncated. A time without a zone is an
// error (the caller knows which zone to assume; this function does not).
// Errors name the text: `"2026-13-01T00:00:00Z" is not an RFC 3339 time: ...`.
Result<Timestamp> ParseRfc3339(std::string_view text);

// Parses what a person types for a point in time: RFC 3339 as above, or Unix
// seconds with an optional fraction ("1795464090.372").
Result<Timestamp> ParseTimeArg(std::string_view text);

// Parses a duration: one or more <number><unit> groups, units us, ms, s, m, h,
// d; the number may have a fraction ("1.5s", "1h30m", "14d", "250ms").
// A bare number without a unit is an error.
Result<Duration> ParseDuration(std::string_view text);

// Formats a duration compactly ("1.5s", "250ms", "3h2m5s", "14d").
std::string FormatDuration(Duration d);

// Days since 1970-01-01 of a proleptic Gregorian date. REQUIRES: a valid date.
int64_t DaysFromCivil(int year, unsigned month, unsigned day);

// True if year/month/day is a real calendar date (year 1..9999).
bool IsValidDate(int year, int month, int day);

}  // namespace culprit

#endif  // CULPRIT_BASE_TIME_H_
