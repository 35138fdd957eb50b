#include "parsers/json/json_values.h"

#include <gtest/gtest.h>

#include "base/time_zone.h"

namespace culprit::parsers::json_internal {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct TimeCase {
  const char* text;
  bool is_number;
  bool ok;
  int64_t want_us;
  Duration precision;
};

// Real stamps from the corpus (lab app, Caddy, Envoy CRI, Traefik, bunyan,
// pino, ECS) plus RFC 3339 edge cases.
TEST(ParseTimeValueTest, Table) {
  const TimeCase cases[] = {
      {"2026-11-23T20:01:26.295486Z", false, true, 1795464086295486, microseconds(1)},
      {"2023-03-24T14:26:16.243Z", false, true, 1679667976243000, milliseconds(1)},
      {"2021-12-08T14:02:43Z", false, true, 1638972163000000, seconds(1)},
      {"2021-12-08T14:02:43.587782192Z", false, true, 1638972163587782, microseconds(1)},
      {"2025-12-31T17:37:40.493035218+01:00", false, true, 1767199060493035, microseconds(1)},
      {"2025-12-31T17:37:40.493+0100", false, true, 1767199060493000, milliseconds(1)},
      {"2025-12-31T17:37:40-01", false, true, 1767206260000000, seconds(1)},
      {"2025-12-31 16:37:40,5z", false, true, 1767199060500000, milliseconds(1)},
      {"2025-12-31T16:37:40", false, true, 1767199060000000, seconds(1)},  // zone: UTC
      {"2016-12-31T23:59:60Z", false, true, 1483228799000000, seconds(1)},
      {"1693840791.7564995", true, true, 1693840791756499, microseconds(1)},  // Caddy
      {"1711741798.04", true, true, 1711741798040000, milliseconds(1)},
      {"1745532517537", true, true, 1745532517537000, milliseconds(1)},   // pino ms
      {"1693840791", true, true, 1693840791000000, seconds(1)},
      {"1693840791123456", true, true, 1693840791123456, microseconds(1)},
      {"1693840791123456789", true, true, 1693840791123456, microseconds(1)},
      {"1.6938407917564995e9", true, true, 1693840791756499, microseconds(1)},
      {"1693840791.5", false, true, 1693840791500000, milliseconds(1)},  // numeric string
      {"0", true, true, 0, seconds(1)},
      {"-5", true, false, 0, seconds(1)},
      {"2026-02-29T00:00:00Z", false, false, 0, seconds(1)},
      {"2026-13-01T00:00:00Z", false, false, 0, seconds(1)},
      {"2026-11-23T24:00:00Z", false, false, 0, seconds(1)},
      {"2026-11-23T20:01:30.Z", false, false, 0, seconds(1)},
      {"2026-11-23T20:01:30Zjunk", false, false, 0, seconds(1)},
      {"2026-11-23T20:01:30+25:00", false, false, 0, seconds(1)},
      {"2026-11-23", false, false, 0, seconds(1)},
      {"", false, false, 0, seconds(1)},
      {"yesterday", false, false, 0, seconds(1)},
      {"1e999999", true, false, 0, seconds(1)},
  };
  const TimeZone utc = TimeZone::Utc();
  for (const TimeCase& c : cases) {
    SCOPED_TRACE(c.text);
    ParsedTime t;
    ASSERT_EQ(ParseTimeValue(c.text, c.is_number, utc, &t), c.ok);
    if (!c.ok) continue;
    EXPECT_EQ(ToUnixMicros(t.time), c.want_us) << FormatRfc3339(t.time);
    EXPECT_EQ(t.precision, c.precision);
  }
}

TEST(ParseTimeValueTest, ZonelessTimeUsesTheSourceZone) {
  const TimeZone plus2 = TimeZone::FixedOffset(std::chrono::hours(2));
  ParsedTime t;
  ASSERT_TRUE(ParseRfc3339Time("2026-11-23T22:01:30", plus2, &t));
  EXPECT_EQ(FormatRfc3339(t.time, 0), "2026-11-23T20:01:30Z");
  ASSERT_TRUE(ParseRfc3339Time("2026-11-23T22:01:30Z", plus2, &t));  // explicit zone wins
  EXPECT_EQ(FormatRfc3339(t.time, 0), "2026-11-23T22:01:30Z");
}

TEST(ParseDecimalTest, Table) {
  struct Case {
    const char* text;
    bool ok;
    int shift;
    int64_t want;
  };
  const Case cases[] = {
      {"200", true, 0, 200},          {"-12", true, 0, -12},
      {"0.000002701", true, 9, 2701}, {"2.701e-06", true, 9, 2701},
      {"1.5E3", true, 0, 1500},       {" 7 ", true, 0, 7},
      {"200.0", true, 0, 200},        {"0.9", true, 0, 0},
      {"", false, 0, 0},              {"-", false, 0, 0},
      {"1.", false, 0, 0},            {".5", false, 0, 0},
      {"0x10", false, 0, 0},          {"12abc", false, 0, 0},
      {"1e", false, 0, 0},            {"99999999999999999999999", true, 0, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Decimal d;
    ASSERT_EQ(ParseDecimal(c.text, &d), c.ok);
    if (!c.ok) continue;
    int64_t v = 0;
    if (std::string_view(c.text).size() > 20) {
      EXPECT_FALSE(DecimalToInt(d, c.shift, &v));  // does not fit
      continue;
    }
    ASSERT_TRUE(DecimalToInt(d, c.shift, &v));
    EXPECT_EQ(v, c.want);
  }
  EXPECT_EQ(ParseInteger("65535", 0, 65535), 65535);
  EXPECT_EQ(ParseInteger("65536", 0, 65535), std::nullopt);
  EXPECT_EQ(ParseInteger("-", 0, 65535), std::nullopt);
}

TEST(DurationTest, NumbersAndText) {
  Duration d;
  ASSERT_TRUE(ParseDurationNumber("0.000002701", 0, &d));  // Caddy seconds
  EXPECT_EQ(d, microseconds(2));
  ASSERT_TRUE(ParseDurationNumber("357313", -9, &d));  // Traefik ns
  EXPECT_EQ(d, microseconds(357));
  ASSERT_TRUE(ParseDurationNumber("11", -3, &d));  // Envoy ms
  EXPECT_EQ(d, milliseconds(11));
  EXPECT_FALSE(ParseDurationNumber("-1", 0, &d));
  EXPECT_FALSE(ParseDurationNumber("fast", 0, &d));

  struct Case {
    const char* text;
    bool ok;
    int64_t want_us;
  };
  const Case cases[] = {
      {"1.5s", true, 1500000}, {"250ms", true, 250000}, {"3us", true, 3},
      {"3\xC2\xB5s", true, 3}, {"1200ns", true, 1},     {"1m30s", true, 90000000},
      {"2h", true, 7200000000}, {"", false, 0},          {"5", false, 0},
      {"5 parsecs", false, 0}, {"s", false, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    ASSERT_EQ(ParseDurationText(c.text, &d), c.ok);
    if (c.ok) {
      EXPECT_EQ(d.count(), c.want_us);
    }
  }
}

TEST(SeverityTest, NamesAndNumbers) {
  EXPECT_EQ(SeverityFromName("info"), 6);
  EXPECT_EQ(SeverityFromName("WARNING"), 4);
  EXPECT_EQ(SeverityFromName("warn"), 4);
  EXPECT_EQ(SeverityFromName("Error"), 3);
  EXPECT_EQ(SeverityFromName("CRITICAL"), 2);
  EXPECT_EQ(SeverityFromName("fatal"), 2);
  EXPECT_EQ(SeverityFromName("emerg"), 0);
  EXPECT_EQ(SeverityFromName("trace"), 7);
  EXPECT_EQ(SeverityFromName("notice"), 5);
  EXPECT_EQ(SeverityFromName("chatty"), std::nullopt);
  EXPECT_EQ(SeverityFromNumber(10), 7);  // bunyan/pino trace
  EXPECT_EQ(SeverityFromNumber(20), 7);
  EXPECT_EQ(SeverityFromNumber(30), 6);
  EXPECT_EQ(SeverityFromNumber(40), 4);
  EXPECT_EQ(SeverityFromNumber(50), 3);
  EXPECT_EQ(SeverityFromNumber(60), 2);
  EXPECT_EQ(SeverityFromNumber(3), 3);  // syslog severity as is
  EXPECT_EQ(SeverityFromNumber(-1), std::nullopt);
}

}  // namespace
}  // namespace culprit::parsers::json_internal
