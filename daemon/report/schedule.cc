#include "daemon/report/schedule.h"

#include <cstdio>
#include <string>

#include "daemon/report/render_util.h"

namespace culprit::report {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr Duration kDay = hours(24);

Timestamp LocalMidnight(int64_t day, const TimeZone& zone) {
  return zone.LocalToUtc(Timestamp(day * kDay));
}

}  // namespace

Result<DailyTime> ParseDailyTime(std::string_view text) {
  const auto bad = [&] {
    return Status::InvalidArgument("\"" + std::string(text.substr(0, 32)) +
                                   "\" is not a time of day (HH:MM, 00:00 .. 23:59)");
  };
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() - colon != 3) {
    return bad();
  }
  int h = 0, m = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == colon) continue;
    if (text[i] < '0' || text[i] > '9') return bad();
    (i < colon ? h : m) = (i < colon ? h : m) * 10 + (text[i] - '0');
  }
  if (h > 23 || m > 59) return bad();
  return DailyTime{h, m};
}

int64_t LocalDay(Timestamp t, const TimeZone& zone) {
  return std::chrono::floor<std::chrono::days>(t + zone.OffsetAt(t)).time_since_epoch().count();
}

Timestamp RunTimeOnDay(int64_t day, DailyTime at, const TimeZone& zone) {
  return zone.LocalToUtc(Timestamp(day * kDay + hours(at.hour) + minutes(at.minute)));
}

Timestamp LatestRunAtOrBefore(Timestamp now, DailyTime at, const TimeZone& zone) {
  const int64_t day = LocalDay(now, zone);
  for (int64_t d = day + 1; d >= day - 2; --d) {
    const Timestamp run = RunTimeOnDay(d, at, zone);
    if (run <= now) return run;
  }
  return RunTimeOnDay(day - 1, at, zone);  // unreachable for real zones
}

Timestamp NextRunAfter(Timestamp now, DailyTime at, const TimeZone& zone) {
  const int64_t day = LocalDay(now, zone);
  for (int64_t d = day - 1; d <= day + 2; ++d) {
    const Timestamp run = RunTimeOnDay(d, at, zone);
    if (run > now) return run;
  }
  return RunTimeOnDay(day + 1, at, zone);  // unreachable for real zones
}

DayPeriod DayBefore(Timestamp run, const TimeZone& zone) {
  const int64_t day = LocalDay(run, zone) - 1;
  DayPeriod p;
  p.from = LocalMidnight(day, zone);
  p.to = LocalMidnight(day + 1, zone);
  p.date = LocalTime(Timestamp(day * kDay), TimeZone::Utc(), false).substr(0, 10);
  return p;
}

}  // namespace culprit::report
