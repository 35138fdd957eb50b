#include "base/time.h"

#include <gtest/gtest.h>

namespace culprit {
namespace {

struct ParseCase {
  const char* text;
  int64_t want_us;  // ignored when !ok
  bool ok;
};

TEST(ParseRfc3339Test, Table) {
  const ParseCase cases[] = {
      {"2026-11-23T20:01:30.372256Z", 1795464090372256, true},
      {"2026-11-23T20:01:30Z", 1795464090000000, true},
      {"2026-11-23t20:01:30z", 1795464090000000, true},
      {"2026-11-23 20:01:30.372Z", 1795464090372000, true},
      {"2026-11-23T22:01:30.372+02:00", 1795464090372000, true},
      {"2026-11-23T22:01:30.372+0200", 1795464090372000, true},
      {"2026-11-23T15:31:30-04:30", 1795464090000000, true},
      {"2026-11-23T20:01:30.123456789Z", 1795464090123456, true},  // ns truncated
      {"1970-01-01T00:00:00Z", 0, true},
      {"1969-12-31T23:59:59.5Z", -500000, true},
      {"2016-12-31T23:59:60Z", 1483228799000000, true},  // leap second -> :59
      {"2024-02-29T00:00:00Z", 1709164800000000, true},
      {"2026-02-29T00:00:00Z", 0, false},  // not a leap year
      {"2026-13-01T00:00:00Z", 0, false},
      {"2026-11-23T24:00:00Z", 0, false},
      {"2026-11-23T20:01:30", 0, false},  // no zone
      {"2026-11-23T20:01:30.Z", 0, false},
      {"2026-11-23T20:01:30Zjunk", 0, false},
      {"2026-11-23", 0, false},
      {"", 0, false},
      {"yesterday", 0, false},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    auto t = ParseRfc3339(c.text);
    ASSERT_EQ(t.ok(), c.ok) << t.status().ToString();
    if (c.ok) {
      EXPECT_EQ(ToUnixMicros(*t), c.want_us);
    }
  }
}

TEST(ParseRfc3339Test, ErrorNamesTheText) {
  auto t = ParseRfc3339("2026-13-01T00:00:00Z");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("\"2026-13-01T00:00:00Z\""), std::string::npos);
}

TEST(FormatRfc3339Test, RoundTrips) {
  const int64_t values[] = {0, 1795464090372256, -500000, 253402300799999999};
  for (int64_t us : values) {
    SCOPED_TRACE(us);
    const std::string text = FormatRfc3339(FromUnixMicros(us));
    auto back = ParseRfc3339(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(ToUnixMicros(*back), us);
  }
  EXPECT_EQ(FormatRfc3339(FromUnixMicros(1795464090372256), 3), "2026-11-23T20:01:30.372Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMicros(1795464090372256), 0), "2026-11-23T20:01:30Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMicros(-500000)), "1969-12-31T23:59:59.500000Z");
}

TEST(ParseTimeArgTest, AcceptsUnixSecondsAndRfc3339) {
  EXPECT_EQ(ToUnixMicros(*ParseTimeArg("1795464090.372")), 1795464090372000);
  EXPECT_EQ(ToUnixMicros(*ParseTimeArg("1795464090")), 1795464090000000);
  EXPECT_EQ(ToUnixMicros(*ParseTimeArg("2026-11-23T20:01:30.372Z")), 1795464090372000);
  EXPECT_FALSE(ParseTimeArg("1795464090.3.7").ok());
  EXPECT_FALSE(ParseTimeArg("").ok());
  EXPECT_FALSE(ParseTimeArg(".5").ok());
  EXPECT_FALSE(ParseTimeArg("99999999999999999999").ok());
  auto bad = ParseTimeArg("noon");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"noon\""), std::string::npos);
}

TEST(ParseDurationTest, Table) {
  struct Case {
    const char* text;
    int64_t want_us;
    bool ok;
  };
  const Case cases[] = {
      {"5s", 5'000'000, true},         {"250ms", 250'000, true},
      {"1.5s", 1'500'000, true},       {"1h30m", 5'400'000'000, true},
      {"14d", 1'209'600'000'000, true}, {"75us", 75, true},
      {"2m", 120'000'000, true},       {"0s", 0, true},
      {"5", 0, false},                 {"", 0, false},
      {"5 s", 0, false},               {"5sec", 0, false},
      {"-5s", 0, false},               {"s", 0, false},
      {"99999999999d", 0, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto d = ParseDuration(c.text);
    ASSERT_EQ(d.ok(), c.ok) << d.status().ToString();
    if (c.ok) {
      EXPECT_EQ(d->count(), c.want_us);
    }
  }
}

TEST(FormatDurationTest, Readable) {
  EXPECT_EQ(FormatDuration(Duration(75)), "75us");
  EXPECT_EQ(FormatDuration(Duration(250'000)), "250ms");
  EXPECT_EQ(FormatDuration(Duration(1'500'000)), "1.5s");
  EXPECT_EQ(FormatDuration(Duration(5'400'000'000)), "1h30m");
  EXPECT_EQ(FormatDuration(Duration(1'209'600'000'000)), "14d");
  EXPECT_EQ(FormatDuration(Duration(-2'000'000)), "-2s");
}

}  // namespace
}  // namespace culprit
