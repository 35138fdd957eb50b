#ifndef CULPRIT_TESTS_TESTING_FAKE_CLOCK_H_
#define CULPRIT_TESTS_TESTING_FAKE_CLOCK_H_

// A Clock that only moves when the test says so. Thread-safe.

#include <atomic>

#include "base/clock.h"

namespace culprit::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start = FromUnixMicros(1795464090000000)) : now_us_(ToUnixMicros(start)) {}
  Timestamp Now() const override { return FromUnixMicros(now_us_.load()); }
  void Set(Timestamp t) { now_us_.store(ToUnixMicros(t)); }
  void Advance(Duration d) { now_us_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace culprit::testing

#endif  // CULPRIT_TESTS_TESTING_FAKE_CLOCK_H_
