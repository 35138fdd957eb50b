#include "base/time_format.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string>

#include "base/time_zone.h"

// Counts heap allocations made while g_count_allocations is set, to check
// that TimeFormat::Parse() does not allocate on success.
namespace {
thread_local bool g_count_allocations = false;
thread_local int g_allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
  if (g_count_allocations) ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace culprit {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Rows in IANA zones need the tzdata package; they are skipped without it.
bool Skip(const char* zone) {
  struct stat st;
  if (std::strchr(zone, '/') == nullptr || ::stat("/usr/share/zoneinfo", &st) == 0) return false;
  std::printf("skipping a row in %s: /usr/share/zoneinfo is missing (install tzdata)\n", zone);
  return true;
}

Timestamp At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : Timestamp();
}

TimeZone Zone(const char* name) {
  auto z = TimeZone::Load(name);
  EXPECT_TRUE(z.ok()) << z.status().message();
  return z.ok() ? *z : TimeZone::Utc();
}

struct ParseCase {
  const char* name;
  const char* pattern;
  const char* text;
  const char* zone;  // for times without %z
  const char* now;   // used by patterns without a year
  const char* want;  // RFC 3339, UTC or with an offset
  Duration precision;
};

// Real stamps from ../shared/corpus (lab-dev logs and public samples).
const ParseCase kParseCases[] = {
    {"nginx time_local", "%d/%b/%Y:%H:%M:%S %z", "23/Nov/2026:20:01:30 +0000", "UTC",
     "2026-11-23T21:00:00Z", "2026-11-23T20:01:30Z", seconds(1)},
    {"nginx time_local +0100", "%d/%b/%Y:%H:%M:%S %z", "07/Dec/2016:11:05:07 +0100", "UTC",
     "2026-11-23T21:00:00Z", "2016-12-07T10:05:07Z", seconds(1)},
    {"nginx time_local zone ignores source zone", "%d/%b/%Y:%H:%M:%S %z",
     "20/Jun/2022:13:09:14 +0200", "-05:00", "2026-11-23T21:00:00Z", "2022-06-20T11:09:14Z",
     seconds(1)},
    {"nginx time_local upper-case month", "%d/%b/%Y:%T %z", "23/NOV/2026:20:01:30 -0430", "UTC",
     "2026-11-23T21:00:00Z", "2026-11-24T00:31:30Z", seconds(1)},
    {"bracketed with %T", "[%d/%b/%Y:%T %z]", "[04/jan/2020:07:25:02 +0000]", "UTC",
     "2026-11-23T21:00:00Z", "2020-01-04T07:25:02Z", seconds(1)},
    {"nginx error UTC", "%Y/%m/%d %H:%M:%S", "2026/11/23 20:01:26", "UTC",
     "2026-11-23T21:00:00Z", "2026-11-23T20:01:26Z", seconds(1)},
    {"nginx error fixed zone", "%Y/%m/%d %H:%M:%S", "2021/12/02 11:53:15", "+01:00",
     "2026-11-23T21:00:00Z", "2021-12-02T10:53:15Z", seconds(1)},
    {"nginx error Berlin winter", "%Y/%m/%d %H:%M:%S", "2016/10/25 14:49:34", "Europe/Berlin",
     "2026-11-23T21:00:00Z", "2016-10-25T12:49:34Z", seconds(1)},
    {"haproxy accept date", "%d/%b/%Y:%H:%M:%S.%f", "23/Nov/2026:20:01:26.601", "UTC",
     "2026-11-23T21:00:00Z", "2026-11-23T20:01:26.601Z", milliseconds(1)},
    {"haproxy accept date New York", "%d/%b/%Y:%H:%M:%S.%f", "30/Jul/2018:09:03:52.726",
     "America/New_York", "2026-11-23T21:00:00Z", "2018-07-30T13:03:52.726Z", milliseconds(1)},
    {"stunnel", "%Y.%m.%d %H:%M:%S", "2026.11.23 20:01:26", "UTC", "2026-11-23T21:00:00Z",
     "2026-11-23T20:01:26Z", seconds(1)},
    {"syslog", "%b %e %H:%M:%S", "Nov 23 20:04:06", "UTC", "2026-11-23T21:00:00Z",
     "2026-11-23T20:04:06Z", seconds(1)},
    {"syslog padded day", "%b %e %H:%M:%S", "Jun  8 14:34:33", "UTC", "2026-11-23T21:00:00Z",
     "2026-06-08T14:34:33Z", seconds(1)},
    {"syslog %e without padding", "%b %e %H:%M:%S", "Jun 8 14:34:33", "UTC",
     "2026-11-23T21:00:00Z", "2026-06-08T14:34:33Z", seconds(1)},
    {"syslog %e glued padding", "%b%e %H:%M:%S", "Nov 3 01:02:03", "UTC",
     "2026-11-23T21:00:00Z", "2026-11-03T01:02:03Z", seconds(1)},
    {"syslog December read on New Year", "%b %e %H:%M:%S", "Dec 31 23:59:59", "UTC",
     "2027-01-01T00:00:05Z", "2026-12-31T23:59:59Z", seconds(1)},
    {"syslog January read on New Year's Eve", "%b %e %H:%M:%S", "Jan  1 00:00:01", "UTC",
     "2026-12-31T23:59:58Z", "2027-01-01T00:00:01Z", seconds(1)},
    {"syslog year inferred from local now", "%b %e %H:%M:%S", "Jan  1 01:29:00", "+02:00",
     "2026-12-30T23:30:00Z", "2026-12-31T23:29:00Z", seconds(1)},
    {"syslog same line, UTC now is two days before", "%b %e %H:%M:%S", "Jan  1 01:29:00",
     "UTC", "2026-12-30T23:30:00Z", "2026-01-01T01:29:00Z", seconds(1)},
    {"syslog Feb 29 goes back to a leap year", "%b %e %H:%M:%S", "Feb 29 12:00:00", "UTC",
     "2027-01-10T00:00:00Z", "2024-02-29T12:00:00Z", seconds(1)},
    {"syslog Berlin summer", "%b %e %H:%M:%S", "Sep 30 10:09:23", "Europe/Berlin",
     "2026-11-23T21:00:00Z", "2026-09-30T08:09:23Z", seconds(1)},
    {"app comma millis", "%F %T,%f", "2026-11-23 20:01:26,825", "UTC", "2026-11-23T21:00:00Z",
     "2026-11-23T20:01:26.825Z", milliseconds(1)},
    {"RFC 3339 micros Z", "%FT%T.%f%z", "2026-11-23T20:01:26.295486Z", "-05:00",
     "2026-11-23T21:00:00Z", "2026-11-23T20:01:26.295486Z", microseconds(1)},
    {"RFC 3339 +03:00", "%FT%T.%f%z", "2026-11-23T20:01:26.123456+03:00", "UTC",
     "2026-11-23T21:00:00Z", "2026-11-23T17:01:26.123456Z", microseconds(1)},
    {"RFC 3339 nanos truncated", "%FT%T.%f%z", "2025-12-31T17:37:40.493035218+01:00", "UTC",
     "2026-11-23T21:00:00Z", "2025-12-31T16:37:40.493035Z", microseconds(1)},
    {"RFC 3339 one digit", "%FT%T.%f%z", "2022-08-27T14:22:01.6z", "UTC",
     "2026-11-23T21:00:00Z", "2022-08-27T14:22:01.6Z", milliseconds(100)},
    {"RFC 3339 no colon offset", "%Y-%m-%dT%H:%M:%S%z", "2026-11-23T22:01:30+0200", "UTC",
     "2026-11-23T21:00:00Z", "2026-11-23T20:01:30Z", seconds(1)},
    {"epoch with millis", "%s", "1764000000.123", "Europe/Berlin", "2026-11-23T21:00:00Z",
     "2025-11-24T16:00:00.123Z", milliseconds(1)},
    {"epoch caddy 7 digits", "%s", "1693840791.7564995", "UTC", "2026-11-23T21:00:00Z",
     "2023-09-04T15:19:51.756499Z", microseconds(1)},
    {"epoch whole", "%s", "1795464087", "UTC", "2026-11-23T21:00:00Z", "2026-11-23T20:01:27Z",
     seconds(1)},
    {"epoch with spelled fraction", "%s.%f", "1795464087.370", "UTC", "2026-11-23T21:00:00Z",
     "2026-11-23T20:01:27.370Z", milliseconds(1)},
    {"epoch in brackets", "[%s]", "[1795464087.5]", "UTC", "2026-11-23T21:00:00Z",
     "2026-11-23T20:01:27.5Z", milliseconds(100)},
    {"minute precision", "%Y-%m-%d %H:%M", "2026-11-23 20:01", "UTC", "2026-11-23T21:00:00Z",
     "2026-11-23T20:01:00Z", seconds(60)},
    {"day precision", "%d.%m.%Y", "23.11.2026", "UTC", "2026-11-23T21:00:00Z",
     "2026-11-23T00:00:00Z", std::chrono::hours(24)},
    {"single digits", "%Y-%m-%d %H:%M:%S", "2026-1-5 7:3:9", "UTC", "2026-11-23T21:00:00Z",
     "2026-01-05T07:03:09Z", seconds(1)},
    {"space matches several", "%Y-%m-%d %H:%M:%S", "2026-11-23   20:01:26", "UTC",
     "2026-11-23T21:00:00Z", "2026-11-23T20:01:26Z", seconds(1)},
    {"literal percent", "%d%%%m%%%Y", "23%11%2026", "UTC", "2026-11-23T21:00:00Z",
     "2026-11-23T00:00:00Z", std::chrono::hours(24)},
    {"leap second read as :59", "%F %T", "2016-12-31 23:59:60", "UTC", "2026-11-23T21:00:00Z",
     "2016-12-31T23:59:59Z", seconds(1)},
    {"leap day", "%F %T", "2024-02-29 00:00:00", "UTC", "2026-11-23T21:00:00Z",
     "2024-02-29T00:00:00Z", seconds(1)},
    {"Berlin gap uses offset before", "%F %T", "2026-03-29 02:30:00", "Europe/Berlin",
     "2026-11-23T21:00:00Z", "2026-03-29T01:30:00Z", seconds(1)},
    {"Berlin overlap takes earlier", "%F %T", "2026-10-25 02:30:00", "Europe/Berlin",
     "2026-11-23T21:00:00Z", "2026-10-25T00:30:00Z", seconds(1)},
};

TEST(TimeFormatTest, ParsesRealStamps) {
  for (const ParseCase& c : kParseCases) {
    SCOPED_TRACE(c.name);
    if (Skip(c.zone)) continue;
    auto f = TimeFormat::Compile(c.pattern);
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_EQ(f->pattern(), c.pattern);
    auto t = f->Parse(c.text, Zone(c.zone), At(c.now));
    ASSERT_TRUE(t.ok()) << t.status().message();
    EXPECT_EQ(FormatRfc3339(t->time), FormatRfc3339(At(c.want)));
    EXPECT_EQ(t->precision, c.precision);
  }
}

TEST(TimeFormatTest, HasYear) {
  EXPECT_TRUE(TimeFormat::Compile("%F %T")->has_year());
  EXPECT_TRUE(TimeFormat::Compile("%s")->has_year());
  EXPECT_FALSE(TimeFormat::Compile("%b %e %T")->has_year());
}

struct ErrorCase {
  const char* pattern;
  std::string text;
  const char* want_substring;
};

TEST(TimeFormatTest, RejectsBadText) {
  const ErrorCase cases[] = {
      {"%F %T", "2026-02-29 10:00:00", "\"2026-02-29 10:00:00\": no such date 2026-02-29"},
      {"%F %T", "2026-04-31 10:00:00", "no such date 2026-04-31"},
      {"%F %T", "2026-13-01 10:00:00", "no such month 13"},
      {"%F %T", "2026-00-01 10:00:00", "no such month 0"},
      {"%F %T", "2026-11-00 10:00:00", "no such date 2026-11-00"},
      {"%F %T", "0000-01-01 10:00:00", "no such date 0000-01-01"},
      {"%F %T", "2026-11-23 24:00:00", "no such time of day 24:00:00"},
      {"%F %T", "2026-11-23 23:60:00", "no such time of day 23:60:00"},
      {"%F %T", "2026-11-23 23:59:61", "no such time of day 23:59:61"},
      {"%b %e %T", "Feb 30 10:00:00", "no such date"},
      {"%d/%b/%Y:%T %z", "23/Foo/2026:20:01:30 +0000",
       "expected a month name (Jan..Dec) at offset 3"},
      {"%d/%b/%Y:%T %z", "23/Nov/2026:20:01:3",
       "\"23/Nov/2026:20:01:3\" does not match time format \"%d/%b/%Y:%T %z\": expected a "
       "space at the end"},
      {"%d/%b/%Y:%T %z", "23/Nov/2026:20:01:30 +0000x", "expected the end of the time at "
       "offset 26"},
      {"%d/%b/%Y:%T %z", "23/Nov/2026:20:01:30 +2500", "a zone offset within 23:59"},
      {"%d/%b/%Y:%T %z", "23/Nov/2026:20:01:30 +01", "a zone (Z, +HHMM or +HH:MM)"},
      {"%d/%b/%Y:%T %z", "23/Nov/2026:20:01:30 UTC", "a zone (Z, +HHMM or +HH:MM) at offset 21"},
      {"%d/%b/%Y:%T %z", "23/Nov/26:20:01:30 +0000", "a 4-digit year at offset 7"},
      {"%d/%b/%Y:%T %z", "", "expected a day (01-31) at the end"},
      {"%F %T", "2026-11-23T20:01:26", "expected a space at offset 10"},
      {"%F %T,%f", "2026-11-23 20:01:26,", "a fraction of a second (1-9 digits) at the end"},
      {"%F %T,%f", "2026-11-23 20:01:26,1234567890", "expected the end of the time"},
      {"%F %T,%f", "2026-11-23 20:01:26.825", "expected ',' at offset 19"},
      {"%s", "12345678901234", "Unix seconds (1-12 digits)"},
      {"%s", "-5", "Unix seconds"},
      {"%s", "17.", "a fraction of a second"},
      {"%F %T", std::string("2026-11-23\0 20:01:26", 20), "\"2026-11-23\\x00 20:01:26\""},
      {"%F %T", "2026-11-23 \xff\xfe:01:26", "\"2026-11-23 \\xff\\xfe:01:26\""},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.text);
    auto f = TimeFormat::Compile(c.pattern);
    ASSERT_TRUE(f.ok()) << f.status().message();
    auto t = f->Parse(c.text, TimeZone::Utc(), At("2026-11-23T21:00:00Z"));
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(t.status().message().find(c.want_substring), std::string::npos)
        << t.status().message();
  }
}

TEST(TimeFormatTest, HugeTextGivesBoundedError) {
  auto f = TimeFormat::Compile("%F %T");
  ASSERT_TRUE(f.ok());
  std::string text = "2026-11-23 20:01:26";
  text.append(1 << 20, 'x');
  auto t = f->Parse(text, TimeZone::Utc(), Timestamp());
  ASSERT_FALSE(t.ok());
  EXPECT_LT(t.status().message().size(), 400u);
  EXPECT_NE(t.status().message().find("at offset 19"), std::string::npos);
}

TEST(TimeFormatTest, RejectsBadPatterns) {
  const struct {
    const char* pattern;
    const char* want;
  } cases[] = {
      {"%d/%q/%Y", "time format \"%d/%q/%Y\": unknown specifier %q"},
      {"%F %T%", "'%' at the end of the pattern"},
      {"", "empty pattern"},
      {"%Y-%m %H", "needs a month (%m or %b) and a day (%d or %e), or %s"},
      {"%T", "needs a month"},
      {"%F %T %Y", "%Y appears twice"},
      {"%b %m %d", "the month (%m/%b) appears twice"},
      {"%e %d %m", "the day (%d/%e) appears twice"},
      {"%s %Y", "%s cannot be combined"},
      {"%s %z", "%s cannot be combined"},
      {"%F.%f", "%f needs %S or %s"},
      {"%F %T.%f.%f", "%f appears twice"},
      {"%F %T %z %z", "%z appears twice"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.pattern);
    auto f = TimeFormat::Compile(c.pattern);
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(f.status().message().find(c.want), std::string::npos) << f.status().message();
  }
  EXPECT_FALSE(TimeFormat::Compile(std::string(300, 'x')).ok());
}

TEST(TimeFormatTest, DefaultConstructedFailsCleanly) {
  TimeFormat f;
  EXPECT_FALSE(f.Parse("2026-11-23", TimeZone::Utc(), Timestamp()).ok());
}

TEST(TimeFormatTest, ParseDoesNotAllocate) {
  if (Skip("Europe/Berlin")) GTEST_SKIP();
  const TimeZone berlin = Zone("Europe/Berlin");
  const Timestamp now = At("2026-11-23T21:00:00Z");
  for (const ParseCase& c : kParseCases) {
    SCOPED_TRACE(c.name);
    auto f = TimeFormat::Compile(c.pattern);
    ASSERT_TRUE(f.ok());
    const TimeZone zone = Zone(c.zone);
    g_allocations = 0;
    g_count_allocations = true;
    auto t = f->Parse(c.text, zone, now);
    auto t2 = f->Parse(c.text, berlin, now);
    g_count_allocations = false;
    EXPECT_TRUE(t.ok());
    EXPECT_TRUE(t2.ok());
    EXPECT_EQ(g_allocations, 0);
  }
}

TEST(TimeFormatTest, RandomBytesNeverCrash) {
  const char* patterns[] = {"%d/%b/%Y:%H:%M:%S %z", "%b %e %H:%M:%S", "%FT%T.%f%z", "%s",
                            "%Y.%m.%d %H:%M:%S"};
  std::mt19937 rng(20261123);
  std::string alphabet = "0123456789 :/.-+,TZNovDecjan";
  alphabet += '\0';
  alphabet += '\xff';
  for (const char* p : patterns) {
    auto f = TimeFormat::Compile(p);
    ASSERT_TRUE(f.ok());
    for (int i = 0; i < 20000; ++i) {
      std::string text(rng() % 40, ' ');
      for (char& ch : text) ch = alphabet[rng() % alphabet.size()];
      auto t = f->Parse(text, TimeZone::Utc(), At("2026-11-23T21:00:00Z"));
      if (!t.ok()) {
        EXPECT_FALSE(t.status().message().empty());
      }
    }
  }
}

struct InferCase {
  const char* now;
  int month;
  int day;
  int want;
};

TEST(InferYearTest, Table) {
  const InferCase cases[] = {
      {"2026-11-23T20:00:00Z", 11, 23, 2026},  // today
      {"2026-11-23T20:00:00Z", 11, 24, 2026},  // tomorrow: clock skew
      {"2026-11-23T20:00:00Z", 11, 25, 2025},  // two days ahead: last year's
      {"2026-11-23T20:00:00Z", 1, 5, 2026},
      {"2027-01-01T00:10:00Z", 12, 31, 2026},  // December line read on Jan 1
      {"2027-01-01T00:10:00Z", 1, 1, 2027},
      {"2027-01-02T09:00:00Z", 12, 25, 2026},
      {"2026-12-31T23:30:00Z", 1, 1, 2027},  // Jan 1 line, within a day
      {"2026-12-30T23:30:00Z", 1, 1, 2026},  // more than a day ahead
      {"2026-12-31T00:00:00Z", 1, 1, 2027},
      {"2027-03-01T00:00:00Z", 2, 29, 2024},
      {"2028-02-28T12:00:00Z", 2, 29, 2028},  // tomorrow
      {"2028-02-27T12:00:00Z", 2, 29, 2024},
      {"2028-03-01T12:00:00Z", 2, 29, 2028},
      {"2101-03-01T00:00:00Z", 2, 29, 2096},  // 2100 is not a leap year
      {"2104-01-01T00:00:00Z", 2, 29, 2096},
      {"2026-11-23T20:00:00Z", 2, 30, 2026},  // impossible: now's year
      {"2026-11-23T20:00:00Z", 13, 1, 2026},
  };
  for (const InferCase& c : cases) {
    SCOPED_TRACE(std::string(c.now) + " " + std::to_string(c.month) + "/" +
                 std::to_string(c.day));
    EXPECT_EQ(InferYear(c.month, c.day, At(c.now)), c.want);
  }
}

}  // namespace
}  // namespace culprit
