#ifndef CULPRIT_BASE_CLOCK_H_
#define CULPRIT_BASE_CLOCK_H_

// Clock: where "now" comes from. Everything that reads the time (batch flush
// intervals, uptime, retention, report schedules) takes a Clock so tests can
// inject a fake one. Implementations must be thread-safe.

#include "base/time.h"

namespace culprit {

class Clock {
 public:
  virtual ~Clock() = default;
  // Current UTC time, microsecond resolution.
  virtual Timestamp Now() const = 0;
};

// The real wall clock. The only caller of std::chrono::system_clock::now();
// constructed in main() (and by the logger for its line prefixes).
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

}  // namespace culprit

#endif  // CULPRIT_BASE_CLOCK_H_
