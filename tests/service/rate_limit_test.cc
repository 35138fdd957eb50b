// The Submit rate limiter, driven by a fake clock (no sleeping).

#include "daemon/service/rate_limit.h"

#include <gtest/gtest.h>

#include "tests/testing/fake_clock.h"

namespace culprit::service {
namespace {

using culprit::testing::FakeClock;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiterTest, DisabledAllowsEverything) {
  FakeClock clock;
  RateLimiter limiter({0, 1}, &clock);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Take("ip:192.0.2.1").allowed);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiterTest, BurstThenRefillAtTheRate) {
  FakeClock clock;
  RateLimiter limiter({60, 3}, &clock);  // one a second, three at once
  // Each step: advance the clock, then expect allowed or the retry hint.
  const struct {
    Duration advance;
    bool allowed;
    Duration retry_after;
  } steps[] = {
      {seconds(0), true, {}},
      {seconds(0), true, {}},
      {seconds(0), true, {}},
      {seconds(0), false, milliseconds(1000)},   // empty: a full second to go
      {milliseconds(250), false, milliseconds(750)},
      {milliseconds(749), false, milliseconds(1)},  // rounded up, never 0
      {milliseconds(1), true, {}},
      {seconds(0), false, milliseconds(1000)},
      {seconds(3600), true, {}},  // a long pause refills to the burst only
      {seconds(0), true, {}},
      {seconds(0), true, {}},
      {seconds(0), false, milliseconds(1000)},
  };
  int i = 0;
  for (const auto& s : steps) {
    SCOPED_TRACE("step " + std::to_string(i++));
    clock.Advance(s.advance);
    const RateLimiter::Decision d = limiter.Take("token:app");
    EXPECT_EQ(d.allowed, s.allowed);
    EXPECT_EQ(d.retry_after, s.retry_after);
  }
}

TEST(RateLimiterTest, ClientsHaveTheirOwnBuckets) {
  FakeClock clock;
  RateLimiter limiter({6, 1}, &clock);  // one every 10 s
  EXPECT_TRUE(limiter.Take("ip:192.0.2.1").allowed);
  const RateLimiter::Decision second = limiter.Take("ip:192.0.2.1");
  EXPECT_FALSE(second.allowed);
  EXPECT_EQ(second.retry_after, seconds(10));
  EXPECT_TRUE(limiter.Take("ip:192.0.2.2").allowed);
  EXPECT_TRUE(limiter.Take("token:ops").allowed);
  EXPECT_EQ(limiter.size(), 3u);
}

TEST(RateLimiterTest, ClockGoingBackGrantsNothing) {
  FakeClock clock;
  RateLimiter limiter({60, 1}, &clock);
  EXPECT_TRUE(limiter.Take("k").allowed);
  clock.Advance(-seconds(30));
  EXPECT_FALSE(limiter.Take("k").allowed);
  clock.Advance(seconds(30));  // back where it was: still nothing earned
  EXPECT_FALSE(limiter.Take("k").allowed);
  clock.Advance(seconds(1));
  EXPECT_TRUE(limiter.Take("k").allowed);
}

TEST(RateLimiterTest, TableStaysBoundedAndDropsRefilledBucketsFirst) {
  FakeClock clock;
  RateLimiter limiter({60, 2}, &clock, /*max_keys=*/3);
  EXPECT_TRUE(limiter.Take("a").allowed);
  EXPECT_TRUE(limiter.Take("a").allowed);  // a: 0 left
  clock.Advance(seconds(1));
  EXPECT_TRUE(limiter.Take("b").allowed);  // b: 1 left
  clock.Advance(seconds(1));
  EXPECT_TRUE(limiter.Take("c").allowed);  // c: 1 left
  EXPECT_EQ(limiter.size(), 3u);
  // Full. By now a and b have refilled to 2 (the same as no bucket) and
  // are dropped; c has not.
  EXPECT_TRUE(limiter.Take("d").allowed);
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(RateLimiterTest, WhenNoBucketHasRefilledTheLeastRecentlyUsedGoes) {
  FakeClock clock;
  RateLimiter limiter({1, 5}, &clock, /*max_keys=*/2);  // one a minute
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Take("x").allowed);
  EXPECT_FALSE(limiter.Take("x").allowed);
  clock.Advance(seconds(1));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Take("y").allowed);
  clock.Advance(seconds(1));
  EXPECT_TRUE(limiter.Take("z").allowed);  // evicts x (used longest ago)
  EXPECT_EQ(limiter.size(), 2u);
  clock.Advance(seconds(1));
  // x starts over: the documented cost of a bounded table.
  EXPECT_TRUE(limiter.Take("x").allowed);  // evicts y
  EXPECT_TRUE(limiter.Take("z").allowed);  // z kept its bucket (3 left)
  EXPECT_EQ(limiter.size(), 2u);
}

}  // namespace
}  // namespace culprit::service
