#include "base/clock.h"

#include <chrono>

namespace culprit {

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

}  // namespace culprit
