#include "base/time_zone.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace culprit {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kZoneinfo[] = "/usr/share/zoneinfo";

bool HaveZoneinfo() {
  struct stat st;
  return ::stat(kZoneinfo, &st) == 0 && S_ISDIR(st.st_mode);
}

#define REQUIRE_ZONEINFO()                                                              \
  if (!HaveZoneinfo()) {                                                                \
    GTEST_SKIP() << kZoneinfo << " is missing: install the tzdata package to run the " \
                                 "IANA time zone tests";                               \
  }

Timestamp At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : Timestamp();
}

int64_t Seconds(Timestamp t) { return ToUnixMicros(t) / 1'000'000; }

// Sets an environment variable for the life of the object, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
    ::tzset();
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
    ::tzset();
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// glibc's view: the UTC offset at `t` in the zone named by $TZ.
int64_t GlibcOffset(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm;
  if (::localtime_r(&tt, &tm) == nullptr) return INT64_MIN;
  return tm.tm_gmtoff;
}

// Instants from 1970 to 2100: every ~5 days with seeded jitter, every hour
// of a few years (one before and some after 2037, where the TZif data stops
// and the footer rule takes over), and a few far-future ones.
std::vector<int64_t> SampleInstants() {
  std::vector<int64_t> out;
  std::mt19937_64 rng(42);
  const int64_t start = Seconds(At("1970-01-01T00:00:00Z"));
  const int64_t end = Seconds(At("2100-12-31T23:59:59Z"));
  for (int64_t t = start; t < end; t += 5 * 86400) {
    out.push_back(t + static_cast<int64_t>(rng() % (5 * 86400)));
  }
  for (const char* year_start : {"2026-01-01T00:00:00Z", "2040-01-01T00:00:00Z",
                                 "2099-01-01T00:00:00Z"}) {
    const int64_t y = Seconds(At(year_start));
    for (int64_t t = y; t < y + 366 * 86400; t += 3600) out.push_back(t);
  }
  for (const char* far : {"2200-07-01T12:00:00Z", "2441-03-28T12:00:00Z", "2500-01-15T00:00:00Z",
                          "3000-10-30T00:00:00Z", "6000-04-01T00:00:00Z"}) {
    out.push_back(Seconds(At(far)));
  }
  return out;
}

// Checks OffsetAt against glibc at every sample, and that LocalToUtc inverts
// it (or, in an overlap, returns the earlier instant of the same wall time).
void CompareWithGlibc(const TimeZone& zone, const char* glibc_tz) {
  ScopedEnv tz("TZ", glibc_tz);
  int mismatches = 0;
  for (int64_t t : SampleInstants()) {
    const Timestamp u = FromUnixMicros(t * 1'000'000);
    const int64_t ours = zone.OffsetAt(u).count() / 1'000'000;
    const int64_t want = GlibcOffset(t);
    if (ours != want && ++mismatches <= 5) {
      ADD_FAILURE() << glibc_tz << " at " << FormatRfc3339(u, 0) << ": offset " << ours
                    << " s, glibc says " << want << " s";
    }
    const Timestamp local = u + zone.OffsetAt(u);
    const Timestamp back = zone.LocalToUtc(local);
    if (back != u) {
      const bool earlier_same_wall_time = back < u && back + zone.OffsetAt(back) == local;
      if (!earlier_same_wall_time && ++mismatches <= 5) {
        ADD_FAILURE() << glibc_tz << ": LocalToUtc(local of " << FormatRfc3339(u, 0)
                      << ") = " << FormatRfc3339(back, 0);
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << glibc_tz;
}

TEST(TimeZoneTest, IanaZonesMatchGlibc) {
  REQUIRE_ZONEINFO();
  ScopedEnv no_tzdir("TZDIR", nullptr);
  for (const char* name :
       {"Europe/Berlin", "America/New_York", "Asia/Tehran", "Australia/Lord_Howe",
        "America/Sao_Paulo", "Pacific/Chatham", "Asia/Kolkata", "UTC", "Etc/UTC",
        // Footers with a negative time (/-1), a time past 24h (/26, /24), a
        // negative DST (Dublin) and DST across the new year (Santiago).
        "America/Nuuk", "Asia/Jerusalem", "America/Santiago", "Europe/Dublin",
        "Africa/Casablanca", "Antarctica/Troll"}) {
    SCOPED_TRACE(name);
    auto zone = TimeZone::Load(name);
    ASSERT_TRUE(zone.ok()) << zone.status().message();
    EXPECT_EQ(zone->name(), name == std::string("UTC") ? "UTC" : name);
    CompareWithGlibc(*zone, name);
  }
}

TEST(TimeZoneTest, BerlinTransitions2026) {
  REQUIRE_ZONEINFO();
  auto berlin = TimeZone::Load("Europe/Berlin");
  ASSERT_TRUE(berlin.ok()) << berlin.status().message();
  const struct {
    const char* utc;
    Duration offset;
  } offsets[] = {
      {"2026-03-29T00:59:59.999999Z", hours(1)}, {"2026-03-29T01:00:00Z", hours(2)},
      {"2026-10-25T00:59:59.999999Z", hours(2)}, {"2026-10-25T01:00:00Z", hours(1)},
      {"2026-07-01T00:00:00Z", hours(2)},        {"2026-12-31T23:00:00Z", hours(1)},
  };
  for (const auto& c : offsets) {
    SCOPED_TRACE(c.utc);
    EXPECT_EQ(berlin->OffsetAt(At(c.utc)), c.offset);
  }
  // Local wall-clock times (written as if UTC) and the instant they mean.
  const struct {
    const char* name;
    const char* local;
    const char* want;
  } locals[] = {
      {"before the gap", "2026-03-29T01:59:59Z", "2026-03-29T00:59:59Z"},
      {"gap start: offset before the gap", "2026-03-29T02:00:00Z", "2026-03-29T01:00:00Z"},
      {"inside the gap", "2026-03-29T02:30:00.5Z", "2026-03-29T01:30:00.5Z"},
      {"end of the gap", "2026-03-29T02:59:59Z", "2026-03-29T01:59:59Z"},
      {"after the gap", "2026-03-29T03:00:00Z", "2026-03-29T01:00:00Z"},
      {"before the overlap", "2026-10-25T01:59:59Z", "2026-10-24T23:59:59Z"},
      {"overlap start: earlier instant", "2026-10-25T02:00:00Z", "2026-10-25T00:00:00Z"},
      {"inside the overlap", "2026-10-25T02:30:00.25Z", "2026-10-25T00:30:00.25Z"},
      {"end of the overlap", "2026-10-25T02:59:59Z", "2026-10-25T00:59:59Z"},
      {"after the overlap", "2026-10-25T03:00:00Z", "2026-10-25T02:00:00Z"},
      {"summer", "2026-07-01T12:00:00Z", "2026-07-01T10:00:00Z"},
      {"far future summer", "2999-07-01T12:00:00Z", "2999-07-01T10:00:00Z"},
      {"far future overlap", "2999-10-27T02:30:00Z", "2999-10-27T00:30:00Z"},
      {"far future gap", "2999-03-31T02:30:00Z", "2999-03-31T01:30:00Z"},
  };
  for (const auto& c : locals) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(FormatRfc3339(berlin->LocalToUtc(At(c.local))), FormatRfc3339(At(c.want)));
  }
}

TEST(TimeZoneTest, RejectsBadNames) {
  ScopedEnv no_tzdir("TZDIR", nullptr);
  for (std::string name :
       {std::string("Mars/Olympus"), std::string("../../etc/passwd"),
        std::string("Europe/../Europe/Berlin"), std::string("./Europe/Berlin"),
        std::string("Europe/./Berlin"), std::string("."), std::string(".hidden"), std::string("/etc/localtime"),
        std::string("/usr/share/zoneinfo/Europe/Berlin"), std::string("Europe//Berlin"),
        std::string("Europe/Berlin/"), std::string("Europe/Berlin "), std::string("Europe"),
        std::string("Europe/Berlin\0x", 15), std::string("Europe/Berl\xc3\xafn"),
        std::string("Europe\\Berlin"), std::string(""), std::string("utc"), std::string("-x"),
        std::string("+25:00"), std::string("+1:00"), std::string("+01:0a"),
        std::string("+01:60"), std::string("0100"), std::string(300, 'a')}) {
    SCOPED_TRACE(name);
    auto zone = TimeZone::Load(name);
    ASSERT_FALSE(zone.ok());
    EXPECT_EQ(zone.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(zone.status().message(), "unknown time zone \"" + name + "\"");
  }
}

TEST(TimeZoneTest, UtcAndFixedOffsets) {
  const Timestamp t = At("2026-11-23T20:01:30Z");
  EXPECT_EQ(TimeZone().name(), "UTC");
  EXPECT_EQ(TimeZone::Utc().OffsetAt(t), Duration(0));
  EXPECT_EQ(TimeZone::Utc().LocalToUtc(t), t);
  for (const char* utc : {"UTC", "Z"}) {
    auto z = TimeZone::Load(utc);
    ASSERT_TRUE(z.ok());
    EXPECT_EQ(z->name(), "UTC");
    EXPECT_EQ(z->OffsetAt(t), Duration(0));
  }
  const struct {
    const char* text;
    const char* name;
    Duration offset;
  } cases[] = {
      {"+05:30", "+05:30", hours(5) + minutes(30)}, {"+0530", "+05:30", hours(5) + minutes(30)},
      {"-03:30", "-03:30", -(hours(3) + minutes(30))}, {"-1000", "-10:00", -hours(10)},
      {"+00:00", "+00:00", Duration(0)},            {"-00:00", "+00:00", Duration(0)},
      {"+14:00", "+14:00", hours(14)},              {"+23:59", "+23:59", hours(23) + minutes(59)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto z = TimeZone::Load(c.text);
    ASSERT_TRUE(z.ok()) << z.status().message();
    EXPECT_EQ(z->name(), c.name);
    EXPECT_EQ(z->OffsetAt(t), c.offset);
    EXPECT_EQ(z->LocalToUtc(t + c.offset), t);
  }
  EXPECT_EQ(TimeZone::FixedOffset(-(hours(9) + minutes(30))).name(), "-09:30");
  EXPECT_EQ(TimeZone::FixedOffset(seconds(3723)).name(), "+01:02:03");
  EXPECT_EQ(TimeZone::FixedOffset(hours(2)).LocalToUtc(At("2026-11-23T22:00:00.5Z")),
            At("2026-11-23T20:00:00.5Z"));
}

TEST(TimeZoneTest, LocalIsEtcLocaltimeOrUtc) {
  auto local = TimeZone::Load("local");
  ASSERT_TRUE(local.ok()) << local.status().message();
  struct stat st;
  if (::stat("/etc/localtime", &st) != 0) {
    EXPECT_EQ(local->name(), "UTC");
    return;
  }
  EXPECT_EQ(local->name(), "local");
  CompareWithGlibc(*local, ":/etc/localtime");
}

TEST(TimeZoneTest, LoadedZonesAreSharedAcrossThreads) {
  REQUIRE_ZONEINFO();
  ScopedEnv no_tzdir("TZDIR", nullptr);
  std::vector<std::thread> threads;
  std::vector<const std::string*> names(8);
  std::vector<int64_t> offsets(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([i, &names, &offsets] {
      for (int j = 0; j < 50; ++j) {
        auto z = TimeZone::Load(j % 2 ? "Asia/Kolkata" : "Pacific/Chatham");
        if (!z.ok()) return;
        if (j == 1) {
          names[i] = &z->name();  // the cache keeps the data alive
          offsets[i] = z->OffsetAt(At("2026-11-23T20:00:00Z")).count();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) {
    ASSERT_NE(names[i], nullptr);
    EXPECT_EQ(names[i], names[0]) << "zone data not shared";  // one copy of the data
    EXPECT_EQ(offsets[i], Duration(hours(5) + minutes(30)).count());
  }
}

// ---------------------------------------------------------------------------
// Synthetic TZif files in a temporary $TZDIR.

void PutBe(std::string* out, int64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

struct TzifSpec {
  char version = '2';
  std::vector<std::pair<int64_t, int>> transitions;  // (UTC seconds, type index)
  std::vector<int32_t> type_offsets = {0};
  std::string footer;
};

std::string MakeTzif(const TzifSpec& spec) {
  auto block = [&](int time_size) {
    std::string b = "TZif";
    b.push_back(spec.version);
    b.append(15, '\0');
    const int64_t n = static_cast<int64_t>(spec.transitions.size());
    const int64_t types = static_cast<int64_t>(spec.type_offsets.size());
    for (int64_t count : {int64_t{0}, int64_t{0}, int64_t{0}, n, types, types * 4}) {
      PutBe(&b, count, 4);
    }
    for (const auto& [t, i] : spec.transitions) PutBe(&b, t, time_size);
    for (const auto& [t, i] : spec.transitions) b.push_back(static_cast<char>(i));
    for (size_t i = 0; i < spec.type_offsets.size(); ++i) {
      PutBe(&b, spec.type_offsets[i], 4);
      b.push_back(0);                              // isdst
      b.push_back(static_cast<char>(i * 4));      // desigidx
    }
    for (size_t i = 0; i < spec.type_offsets.size(); ++i) b.append("ZZZ", 4);
    return b;
  };
  std::string out = block(4);
  if (spec.version != '\0') out += block(8) + "\n" + spec.footer + "\n";
  return out;
}

class SyntheticZoneTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "culprit_tz_" + std::to_string(::getpid());
    ::mkdir(dir_.c_str(), 0700);
    tzdir_.emplace("TZDIR", dir_.c_str());
  }
  void TearDown() override {
    for (const std::string& path : written_) std::remove(path.c_str());
    ::rmdir(dir_.c_str());
  }
  // Writes `bytes` as zone `name` (unique per test: loaded zones are cached).
  void Write(const std::string& name, const std::string& bytes) {
    written_.push_back(dir_ + "/" + name);
    std::FILE* f = std::fopen(written_.back().c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  std::string dir_;
  std::vector<std::string> written_;
  std::optional<ScopedEnv> tzdir_;
};

// A file with no transitions, only a footer: the rule alone must agree with
// glibc reading the same POSIX TZ string.
TEST_F(SyntheticZoneTest, FooterRulesMatchGlibc) {
  const char* rules[] = {
      "CET-1CEST,M3.5.0,M10.5.0/3",
      "EST5EDT,M3.2.0,M11.1.0",
      "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",            // negative time
      "IST-2IDT,M3.4.4/26,M10.5.0",                 // time past 24h
      "<-04>4<-03>,M9.1.6/24,M4.1.6/24",            // southern hemisphere
      "IST-1GMT0,M10.5.0,M3.5.0/1",                 // negative DST
      "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
      "AAA3BBB,J60/1,J300",                         // Jn: Feb 29 never counted
      "AAA-1BBB,59/2,300/3",                        // n: zero-based, Feb 29 counted
      "AAA-1:30BBB-2:15:30,J1/5,J365/1:30:15",
      "AAA5BBB4,M2.1.0/-100,M11.5.6/150",            // times far outside a day
      "<+0330>-3:30",
      "AAA4",
  };
  int i = 0;
  for (const char* rule : rules) {
    SCOPED_TRACE(rule);
    const std::string name = "Rule" + std::to_string(i++);
    TzifSpec spec;
    spec.footer = rule;
    Write(name, MakeTzif(spec));
    auto zone = TimeZone::Load(name);
    ASSERT_TRUE(zone.ok()) << zone.status().message();
    CompareWithGlibc(*zone, rule);
  }
}

// RFC 8536 section 3.3.1: "EST5EDT,0/0,J365/25" is DST all year. (glibc
// reads the rule per UTC year and so gives EST for the last hours of each
// local year; the RFC is followed here.)
TEST_F(SyntheticZoneTest, PermanentDst) {
  TzifSpec spec;
  spec.footer = "EST5EDT,0/0,J365/25";
  Write("AllYearDst", MakeTzif(spec));
  auto zone = TimeZone::Load("AllYearDst");
  ASSERT_TRUE(zone.ok()) << zone.status().message();
  for (int64_t t : SampleInstants()) {
    const Timestamp u = FromUnixMicros(t * 1'000'000);
    ASSERT_EQ(zone->OffsetAt(u), -hours(4)) << FormatRfc3339(u, 0);
    ASSERT_EQ(zone->LocalToUtc(u - hours(4)), u);
  }
}

TEST_F(SyntheticZoneTest, TransitionsThenFooter) {
  // +1 until 2000-01-01, +3 until 2030-06-01, then the rule (DST +5/+6).
  TzifSpec spec;
  spec.type_offsets = {3600, 3 * 3600, 5 * 3600};
  spec.transitions = {{Seconds(At("2000-01-01T00:00:00Z")), 1},
                      {Seconds(At("2030-06-01T00:00:00Z")), 2}};
  spec.footer = "AAA-5BBB-6,M3.5.0,M10.5.0/3";
  Write("Mixed", MakeTzif(spec));
  auto zone = TimeZone::Load("Mixed");
  ASSERT_TRUE(zone.ok()) << zone.status().message();
  CompareWithGlibc(*zone, (":" + dir_ + "/Mixed").c_str());
  EXPECT_EQ(zone->OffsetAt(At("1999-12-31T23:59:59Z")), hours(1));
  EXPECT_EQ(zone->OffsetAt(At("2000-01-01T00:00:00Z")), hours(3));
  EXPECT_EQ(zone->OffsetAt(At("2030-05-31T23:59:59Z")), hours(3));
  EXPECT_EQ(zone->OffsetAt(At("2030-06-01T00:00:00Z")), hours(5));   // the file's type
  EXPECT_EQ(zone->OffsetAt(At("2030-06-01T00:00:01Z")), hours(6));   // then the rule
  EXPECT_EQ(zone->OffsetAt(At("2030-12-01T00:00:00Z")), hours(5));
  EXPECT_EQ(zone->OffsetAt(At("2500-07-01T00:00:00Z")), hours(6));
  EXPECT_EQ(zone->OffsetAt(At("2500-01-01T00:00:00Z")), hours(5));
  // 2000-01-01 01:00..03:00 local does not exist: read with +1.
  EXPECT_EQ(zone->LocalToUtc(At("2000-01-01T02:00:00Z")), At("2000-01-01T01:00:00Z"));
  EXPECT_EQ(zone->LocalToUtc(At("2000-01-01T03:00:00Z")), At("2000-01-01T00:00:00Z"));
}

TEST_F(SyntheticZoneTest, VersionOneFile) {
  TzifSpec spec;
  spec.version = '\0';
  spec.type_offsets = {-5 * 3600, -4 * 3600};
  spec.transitions = {{Seconds(At("2026-03-08T07:00:00Z")), 1},
                      {Seconds(At("2026-11-01T06:00:00Z")), 0}};
  Write("V1", MakeTzif(spec));
  auto zone = TimeZone::Load("V1");
  ASSERT_TRUE(zone.ok()) << zone.status().message();
  CompareWithGlibc(*zone, (":" + dir_ + "/V1").c_str());
  EXPECT_EQ(zone->OffsetAt(At("2026-01-01T00:00:00Z")), -hours(5));
  EXPECT_EQ(zone->OffsetAt(At("2026-07-01T00:00:00Z")), -hours(4));
  EXPECT_EQ(zone->OffsetAt(At("2030-07-01T00:00:00Z")), -hours(5));  // no footer: last type
  EXPECT_EQ(zone->LocalToUtc(At("2026-11-01T01:30:00Z")), At("2026-11-01T05:30:00Z"));
}

TEST_F(SyntheticZoneTest, CorruptFilesAreErrors) {
  TzifSpec good;
  good.type_offsets = {0, 3600};
  good.transitions = {{1000, 1}, {2000, 0}};
  good.footer = "AAA0";
  const std::string bytes = MakeTzif(good);
  TzifSpec bad_type = good;
  bad_type.transitions = {{1000, 7}};
  TzifSpec unordered = good;
  unordered.transitions = {{2000, 1}, {1000, 0}};
  TzifSpec bad_footer = good;
  bad_footer.footer = "AAA0BBB,M13.1.0,M1.1.0";
  const std::pair<const char*, std::string> cases[] = {
      {"Empty", ""},
      {"Magic", "TZjf" + bytes.substr(4)},
      {"Truncated", bytes.substr(0, 60)},
      {"NoFooter", bytes.substr(0, bytes.size() - 6)},
      {"BadType", MakeTzif(bad_type)},
      {"Unordered", MakeTzif(unordered)},
      {"BadFooter", MakeTzif(bad_footer)},
  };
  for (const auto& [name, content] : cases) {
    SCOPED_TRACE(name);
    Write(name, content);
    auto zone = TimeZone::Load(name);
    ASSERT_FALSE(zone.ok());
    EXPECT_NE(zone.status().message().find(std::string("time zone \"") + name + "\""),
              std::string::npos)
        << zone.status().message();
  }
}

TEST_F(SyntheticZoneTest, TruncatedAndGarbledRealFilesNeverCrash) {
  if (!HaveZoneinfo()) GTEST_SKIP() << kZoneinfo << " is missing";
  std::string real;
  std::FILE* f = std::fopen("/usr/share/zoneinfo/America/New_York", "rb");
  ASSERT_NE(f, nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) real.append(buf, n);
  std::fclose(f);
  std::mt19937 rng(7);
  for (size_t len = 0; len < real.size(); len += 7) {
    const std::string name = "Cut" + std::to_string(len);
    Write(name, real.substr(0, len));
    auto zone = TimeZone::Load(name);
    if (zone.ok()) zone->OffsetAt(At("2026-11-23T20:00:00Z"));
  }
  for (int i = 0; i < 300; ++i) {
    std::string garbled = real;
    for (int j = 0; j < 4; ++j) garbled[rng() % garbled.size()] = static_cast<char>(rng());
    const std::string name = "Garbled" + std::to_string(i);
    Write(name, garbled);
    auto zone = TimeZone::Load(name);
    if (zone.ok()) {
      const Timestamp t = At("2026-11-23T20:00:00Z");
      zone->LocalToUtc(t + zone->OffsetAt(t));
    }
  }
}

}  // namespace
}  // namespace culprit
