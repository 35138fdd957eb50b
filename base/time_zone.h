#ifndef CULPRIT_BASE_TIME_ZONE_H_
#define CULPRIT_BASE_TIME_ZONE_H_

// TimeZone: converts the local wall-clock times logs write into UTC.
//
// Names: "UTC" / "Z"; a fixed offset "+HH:MM" / "-HH:MM"; "local" (the
// host's /etc/localtime); or an IANA name ("Europe/Berlin") read from the
// zoneinfo database ($TZDIR, default /usr/share/zoneinfo) as TZif, including
// the POSIX TZ footer rule that covers times after the last transition.
//
// A TimeZone is an immutable value, cheap to copy (it shares its data) and
// safe to use from any number of threads.

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/time.h"

namespace culprit {

class TimeZone {
 public:
  // UTC.
  TimeZone();

  // Loads a zone by name. Errors name it: `unknown time zone "Mars/Olympus"`.
  static Result<TimeZone> Load(std::string_view name);
  static TimeZone Utc() { return TimeZone(); }
  static TimeZone FixedOffset(Duration offset);

  const std::string& name() const;

  // The offset from UTC (local = UTC + offset) in effect at a UTC instant.
  Duration OffsetAt(Timestamp utc) const;

  // Converts a local wall-clock time to UTC. `local` holds the civil time's
  // fields counted as if they were UTC (what DaysFromCivil + time of day
  // gives). In a DST overlap (fall back) the earlier instant is chosen; in a
  // gap (spring forward) the time is read with the offset before the gap.
  Timestamp LocalToUtc(Timestamp local) const;

 private:
  struct Data;
  explicit TimeZone(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  std::shared_ptr<const Data> data_;  // null means UTC
};

}  // namespace culprit

#endif  // CULPRIT_BASE_TIME_ZONE_H_
