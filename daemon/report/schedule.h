#ifndef CULPRIT_DAEMON_REPORT_SCHEDULE_H_
#define CULPRIT_DAEMON_REPORT_SCHEDULE_H_

// When the nightly report runs and which day it covers, in the configured
// time zone. Pure functions of their arguments (the caller passes "now");
// thread-safe.
//
// Daylight saving: a run time that does not exist on a day (02:30 when the
// clocks spring forward) runs at the instant TimeZone::LocalToUtc() gives
// (read with the offset before the gap); one that exists twice runs at the
// earlier instant. A covered day is [local midnight, next local midnight),
// 23 or 25 hours long on transition days.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/time.h"
#include "base/time_zone.h"

namespace culprit::report {

// A time of day, "HH:MM".
struct DailyTime {
  int hour = 3;
  int minute = 0;
};

// Parses "03:00", "3:05", "23:59". Error (INVALID_ARGUMENT) names the text:
// `"25:00" is not a time of day (HH:MM, 00:00 .. 23:59)`.
Result<DailyTime> ParseDailyTime(std::string_view text);

// The local calendar day of `t` in `zone`, as days since 1970-01-01.
int64_t LocalDay(Timestamp t, const TimeZone& zone);

// The instant `at` on local day `day`.
Timestamp RunTimeOnDay(int64_t day, DailyTime at, const TimeZone& zone);

// The latest scheduled instant <= now.
Timestamp LatestRunAtOrBefore(Timestamp now, DailyTime at, const TimeZone& zone);

// The first scheduled instant > now.
Timestamp NextRunAfter(Timestamp now, DailyTime at, const TimeZone& zone);

// A local calendar day as a period.
struct DayPeriod {
  Timestamp from;    // local midnight
  Timestamp to;      // the next local midnight
  std::string date;  // "2026-11-20"
};

// The local day before the local day of `run`: what a run at `run` covers.
DayPeriod DayBefore(Timestamp run, const TimeZone& zone);

}  // namespace culprit::report

#endif  // CULPRIT_DAEMON_REPORT_SCHEDULE_H_
