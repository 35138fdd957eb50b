#ifndef CULPRIT_BASE_TIME_FORMAT_H_
#define CULPRIT_BASE_TIME_FORMAT_H_

// TimeFormat: a strftime-style pattern compiled once and used to parse log
// timestamps fast (no allocation, no locale, no libc time functions).
//
//   auto f = TimeFormat::Compile("%d/%b/%Y:%H:%M:%S %z");   // nginx $time_local
//   auto t = f->Parse("23/Nov/2026:20:01:30 +0000", zone, now);
//
// Specifiers:
//   %Y year (4 digits)     %m month 01-12      %d day 01-31
//   %e day, space-padded or 1-2 digits          %H hour 00-23
//   %M minute              %S second (60 is read as 59)
//   %b month name, 3 letters, any case (Jan..Dec)
//   %f fraction of a second: 1-9 digits, after the '.' or ',' written in the
//      pattern; sets the precision (3 digits = 1 ms, 6 = 1 us, ...)
//   %z zone: Z, +HHMM, +HH:MM, -HHMM, -HH:MM
//   %s Unix seconds, with an optional .fraction (sets the precision)
//   %T = %H:%M:%S   %F = %Y-%m-%d   %% a literal '%'
//   a space in the pattern matches one or more spaces
// Any other character must match itself.
//
// A time without %z (and not %s) is local to the `zone` given to Parse(). A
// pattern without %Y takes the year from `now` (InferYear below).
//
// Numeric fields other than %Y accept 1 or 2 digits ("7" or "07"). A pattern
// must give a month and a day (%m or %b, %d or %e, or %F), or be %s; each
// field may appear once; %f needs %S or %s; %s excludes all other fields.
//
// Compiled formats are immutable values; Parse() is thread-safe.
//
// Performance: Parse() does not allocate on success, and calls nothing but
// zone.LocalToUtc() (and zone.OffsetAt() once for a pattern without a year).
// Errors allocate their message, so they are slower than successes.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace culprit {

class TimeZone;

struct ParsedTime {
  Timestamp time;  // UTC
  // The unit of the finest field parsed: 1 s for %S or %s; 10^-n s for an
  // n-digit fraction (at best 1 us); 1 min, 1 h or 1 day for a pattern that
  // stops at %M, %H or the day.
  Duration precision = std::chrono::seconds(1);
};

class TimeFormat {
 public:
  // Errors (InvalidArgument) name the pattern and the bad specifier:
  //   time format "%d/%q/%Y": unknown specifier %q
  static Result<TimeFormat> Compile(std::string_view pattern);

  // Parses exactly `text` (nothing may be left over). Errors
  // (InvalidArgument) name the text and say what was expected where, or which
  // value is out of range:
  //   "23/Nov/2026:20:01:xx +0000" does not match time format "...":
  //   expected a second (00-60) at offset 18
  //   "2026-02-29 10:00:00": no such date 2026-02-29
  // `now` (UTC) is used only when the pattern has no year: the year is
  // InferYear(month, day, now as wall-clock time in `zone`).
  Result<ParsedTime> Parse(std::string_view text, const TimeZone& zone, Timestamp now) const;

  const std::string& pattern() const { return pattern_; }
  bool has_year() const { return has_year_; }

 private:
  // One element of the compiled pattern (interpreted by Parse()).
  struct Step {
    enum class Kind : unsigned char {
      kLiteral,    // `ch` must match
      kSpaces,     // at least `count` spaces, greedy
      kYear,       // %Y
      kMonth,      // %m
      kMonthName,  // %b
      kDay,        // %d
      kDaySpace,   // %e
      kHour,       // %H
      kMinute,     // %M
      kSecond,     // %S
      kFraction,   // %f
      kZone,       // %z
      kEpoch,      // %s; `count` = 1 if it reads its own ".fraction"
    };
    Kind kind;
    char ch = 0;
    unsigned char count = 0;
  };

  std::string pattern_;
  std::vector<Step> steps_;
  bool has_year_ = false;
  Duration base_precision_ = std::chrono::seconds(1);
};

// The year for a stamp written without one (syslog's "Nov 23 20:01:30"):
// the one that puts month/day nearest to `now`, never more than a day in
// the future (a December line read in early January is last year's).
// Precisely: the latest year in which month/day exists and falls no later
// than the day after `now`'s date. Feb 29 gets the nearest such leap year
// (searched up to 8 years back). `now` is compared as a calendar date, so
// pass the wall-clock time of the log's zone (Parse() does). An impossible
// month/day (13/40) returns `now`'s year; the caller validates the date.
int InferYear(int month, int day, Timestamp now);

}  // namespace culprit

#endif  // CULPRIT_BASE_TIME_FORMAT_H_
