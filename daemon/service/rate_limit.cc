#include "daemon/service/rate_limit.h"

#include <algorithm>

#include "base/check.h"

namespace culprit::service {

RateLimiter::RateLimiter(RateLimit limit, const Clock* clock, size_t max_keys)
    : limit_(limit), clock_(clock), max_keys_(std::max<size_t>(max_keys, 1)) {
  CULPRIT_CHECK(clock_ != nullptr);
  CULPRIT_CHECK(limit_.per_minute <= 0 ||
                (limit_.burst >= 1 && limit_.burst <= 1'000'000 && limit_.per_minute <= 1'000'000));
}

void RateLimiter::Refill(Bucket& b, Timestamp now) const {
  if (now <= b.updated) return;  // same instant, or the clock went back
  const int64_t full = limit_.burst * kUnitsPerCall;
  const int64_t elapsed_us = (now - b.updated).count();
  // Compare before multiplying: elapsed_us * per_minute may overflow, but
  // only when it would overfill the bucket anyway.
  const int64_t missing = full - b.units;
  if (elapsed_us >= (missing + limit_.per_minute - 1) / limit_.per_minute) {
    b.units = full;
  } else {
    b.units += elapsed_us * limit_.per_minute;
  }
  b.updated = now;
}

void RateLimiter::MakeRoom(Timestamp now) {
  // A bucket that has refilled completely behaves as a missing one.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(it->second, now);
    if (it->second.units >= limit_.burst * kUnitsPerCall) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  if (buckets_.size() < max_keys_) return;
  auto oldest = std::min_element(buckets_.begin(), buckets_.end(), [](const auto& a, const auto& b) {
    return a.second.last_used < b.second.last_used;
  });
  buckets_.erase(oldest);
}

RateLimiter::Decision RateLimiter::Take(const std::string& key) {
  if (!enabled()) return {};
  const Timestamp now = clock_->Now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) MakeRoom(now);
    it = buckets_.emplace(key, Bucket{limit_.burst * kUnitsPerCall, now, now}).first;
  }
  Bucket& b = it->second;
  Refill(b, now);
  b.last_used = std::max(b.last_used, now);
  if (b.units >= kUnitsPerCall) {
    b.units -= kUnitsPerCall;
    return {};
  }
  const int64_t wait_us = (kUnitsPerCall - b.units + limit_.per_minute - 1) / limit_.per_minute;
  const int64_t ms = std::max<int64_t>(1, (wait_us + 999) / 1000);
  return {false, std::chrono::milliseconds(ms)};
}

size_t RateLimiter::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

}  // namespace culprit::service
