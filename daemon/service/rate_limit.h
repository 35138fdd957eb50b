#ifndef CULPRIT_DAEMON_SERVICE_RATE_LIMIT_H_
#define CULPRIT_DAEMON_SERVICE_RATE_LIMIT_H_

// RateLimiter: a token bucket per client key ("token:<name>" or
// "ip:<address>"), for Submit. Each bucket holds at most `burst` calls and
// refills at `per_minute` calls a minute; a call that finds it empty is
// refused with the time until the next call would be allowed.
//
// Time comes from the injected Clock, so tests step it instead of sleeping.
// A clock that goes backwards refills nothing (it never grants extra calls).
//
// Memory: at most `max_keys` buckets. When full, buckets that have refilled
// completely (the same as no bucket) are dropped; if none has, the one idle
// used least recently is. An attacker with many addresses can thus reset a bucket, but
// not grow memory.
//
// Thread-safe (one mutex; Take() is O(1) except when the table is full).

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "base/time.h"

namespace culprit::service {

struct RateLimit {
  // Calls a minute per client; 0 disables the limit.
  int64_t per_minute = 0;
  // Calls a client may make at once after being idle; at least 1.
  int burst = 1;
};

class RateLimiter {
 public:
  // REQUIRES: clock outlives the limiter; when limit.per_minute > 0:
  // 1 <= burst <= 1e6 and per_minute <= 1e6.
  RateLimiter(RateLimit limit, const Clock* clock, size_t max_keys = 10000);

  bool enabled() const { return limit_.per_minute > 0; }

  struct Decision {
    bool allowed = true;
    // When refused: how long until one call will be allowed (rounded up to
    // a whole millisecond, at least 1 ms). Zero when allowed.
    Duration retry_after{0};
  };

  // Takes one call from `key`'s bucket. Always allowed when disabled.
  Decision Take(const std::string& key);

  // Buckets kept (for tests).
  size_t size() const;

 private:
  // Exact integer arithmetic: one call is kUnitsPerCall units, and a
  // bucket gains per_minute units each microsecond.
  static constexpr int64_t kUnitsPerCall = 60'000'000;
  struct Bucket {
    int64_t units = 0;
    Timestamp updated;    // when units was last refilled
    Timestamp last_used;  // the last Take(), for eviction
  };
  void Refill(Bucket& b, Timestamp now) const;
  void MakeRoom(Timestamp now);

  const RateLimit limit_;
  const Clock* clock_;
  const size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_RATE_LIMIT_H_
