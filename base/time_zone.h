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
//
// Loaded zones are cached process-wide by file path (thread-safe), so every
// source in "Europe/Berlin" shares one table; a file is read once per process
// and later changes to it are not seen. Zones with leap seconds ("right/...")
// are refused. Offsets are whole seconds.
//
// Performance: OffsetAt() and LocalToUtc() are a binary search over the
// zone's transitions (O(1) for UTC and fixed offsets) and never allocate.
// Times after a zone's last listed transition follow its POSIX TZ rule for
// any year (the rule is expanded once at load time over a 400-year cycle).

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

  // Loads a zone by name:
  //   "UTC", "Z"                 UTC
  //   "+HH:MM" "-HH:MM" "+HHMM"   a fixed offset, up to 23:59
  //   "local"                    /etc/localtime; UTC if that file is missing
  //   "Area/City"                $TZDIR/<name> (default /usr/share/zoneinfo)
  // Errors (InvalidArgument) name it: `unknown time zone "Mars/Olympus"`, also
  // for names with "..", a leading '/', or characters other than
  // [A-Za-z0-9/_+.-]. A file that is not valid TZif gives DataLoss naming the
  // zone and the path.
  static Result<TimeZone> Load(std::string_view name);
  static TimeZone Utc() { return TimeZone(); }
  // `offset` is truncated to whole seconds. Named "+05:30" (or "+01:02:03").
  static TimeZone FixedOffset(Duration offset);

  // The name given to Load() ("UTC" for "Z"), or the fixed offset's name.
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
