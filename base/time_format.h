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
// Compiled formats are immutable values; Parse() is thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace culprit {

class TimeZone;

struct ParsedTime {
  Timestamp time;  // UTC
  Duration precision = std::chrono::seconds(1);
};

class TimeFormat {
 public:
  // Errors name the pattern and the bad specifier.
  static Result<TimeFormat> Compile(std::string_view pattern);

  // Parses exactly `text` (nothing may be left over). Errors name the text.
  // `now` is used only when the pattern has no year.
  Result<ParsedTime> Parse(std::string_view text, const TimeZone& zone, Timestamp now) const;

  const std::string& pattern() const { return pattern_; }
  bool has_year() const { return has_year_; }

 private:
  struct Step;
  std::string pattern_;
  std::vector<Step> steps_;
  bool has_year_ = false;
};

// The year for a stamp written without one (syslog's "Nov 23 20:01:30"):
// the one that puts month/day nearest to `now`, never more than a day in
// the future (a December line read in early January is last year's).
int InferYear(int month, int day, Timestamp now);

}  // namespace culprit

#endif  // CULPRIT_BASE_TIME_FORMAT_H_
