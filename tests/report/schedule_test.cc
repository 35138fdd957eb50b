// The nightly schedule (pure time arithmetic, in UTC and across DST), the
// nightly runner driven by a FakeClock, and the atomic file writer.

#include "daemon/report/schedule.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/atomic_file.h"
#include "daemon/report/nightly.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace culprit::report {
namespace {

using culprit::testing::FakeClock;
using culprit::testing::ReadFileOrEmpty;
using culprit::testing::TempDir;
using std::chrono::hours;
using std::chrono::minutes;

Timestamp At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : Timestamp();
}

TEST(ScheduleTest, ParseDailyTime) {
  const struct {
    const char* text;
    bool ok;
    int hour, minute;
  } cases[] = {
      {"03:00", true, 3, 0}, {"3:05", true, 3, 5},  {"23:59", true, 23, 59},
      {"00:00", true, 0, 0}, {"24:00", false, 0, 0}, {"12:60", false, 0, 0},
      {"12", false, 0, 0},   {"1:2", false, 0, 0},   {"", false, 0, 0},
      {"ab:cd", false, 0, 0}, {"123:00", false, 0, 0}, {"-1:00", false, 0, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto t = ParseDailyTime(c.text);
    ASSERT_EQ(t.ok(), c.ok);
    if (c.ok) {
      EXPECT_EQ(t->hour, c.hour);
      EXPECT_EQ(t->minute, c.minute);
    } else {
      EXPECT_EQ(t.status().message(),
                "\"" + std::string(c.text) + "\" is not a time of day (HH:MM, 00:00 .. 23:59)");
    }
  }
}

TEST(ScheduleTest, RunsAndDaysInUtc) {
  const TimeZone utc;
  const DailyTime at{3, 0};
  EXPECT_EQ(NextRunAfter(At("2026-11-20T02:59:59Z"), at, utc), At("2026-11-20T03:00:00Z"));
  EXPECT_EQ(NextRunAfter(At("2026-11-20T03:00:00Z"), at, utc), At("2026-11-21T03:00:00Z"));
  EXPECT_EQ(LatestRunAtOrBefore(At("2026-11-20T03:00:00Z"), at, utc), At("2026-11-20T03:00:00Z"));
  EXPECT_EQ(LatestRunAtOrBefore(At("2026-11-20T02:00:00Z"), at, utc), At("2026-11-19T03:00:00Z"));
  const DayPeriod day = DayBefore(At("2026-11-20T03:00:00Z"), utc);
  EXPECT_EQ(day.date, "2026-11-19");
  EXPECT_EQ(day.from, At("2026-11-19T00:00:00Z"));
  EXPECT_EQ(day.to, At("2026-11-20T00:00:00Z"));
  EXPECT_EQ(DayBefore(At("2027-01-01T03:00:00Z"), utc).date, "2026-12-31");
}

TEST(ScheduleTest, LocalZoneAndDaylightSaving) {
  auto berlin = TimeZone::Load("Europe/Berlin");
  ASSERT_TRUE(berlin.ok()) << berlin.status().message();
  const DailyTime at{3, 0};
  // Winter: 03:00 CET is 02:00Z.
  EXPECT_EQ(NextRunAfter(At("2026-11-20T01:00:00Z"), at, *berlin), At("2026-11-20T02:00:00Z"));
  const DayPeriod winter = DayBefore(At("2026-11-20T02:00:00Z"), *berlin);
  EXPECT_EQ(winter.date, "2026-11-19");
  EXPECT_EQ(winter.from, At("2026-11-18T23:00:00Z"));
  EXPECT_EQ(winter.to, At("2026-11-19T23:00:00Z"));
  // 2026-03-29 springs forward at 02:00 CET: that day has 23 hours.
  const DayPeriod spring = DayBefore(At("2026-03-30T01:00:00Z"), *berlin);
  EXPECT_EQ(spring.date, "2026-03-29");
  EXPECT_EQ(spring.to - spring.from, hours(23));
  // 2026-10-25 falls back: 25 hours.
  const DayPeriod autumn = DayBefore(At("2026-10-26T02:00:00Z"), *berlin);
  EXPECT_EQ(autumn.date, "2026-10-25");
  EXPECT_EQ(autumn.to - autumn.from, hours(25));
  // 02:30 does not exist on 2026-03-29; the run still happens that day, once.
  const DailyTime gap{2, 30};
  const Timestamp r = NextRunAfter(At("2026-03-29T00:00:00Z"), gap, *berlin);
  EXPECT_GT(r, At("2026-03-29T00:00:00Z"));
  EXPECT_LT(r, At("2026-03-29T02:00:00Z"));
  EXPECT_GT(NextRunAfter(r, gap, *berlin), At("2026-03-30T00:00:00Z"));
}

class NightlyTest : public ::testing::Test {
 protected:
  NightlyOptions Options() {
    NightlyOptions o;
    o.at = {3, 0};
    o.dir = dir_.path();
    o.formats = {ReportFormat::kJson, ReportFormat::kMarkdown};
    o.max_attempts = 3;
    return o;
  }
  NightlyReports::DataSource Source() {
    return [this](Timestamp from, Timestamp to) -> Result<ReportData> {
      asked_.emplace_back(from, to);
      if (failures_left_ > 0) {
        --failures_left_;
        return Status::Unavailable("database is locked");
      }
      ReportData d;
      d.from = from;
      d.to = to;
      d.previous_from = from - (to - from);
      return d;
    };
  }
  TempDir dir_;
  FakeClock clock_{At("2026-11-20T02:00:00Z")};
  std::vector<std::pair<Timestamp, Timestamp>> asked_;
  int failures_left_ = 0;
};

TEST_F(NightlyTest, WritesThePreviousDayOnceAtTheSetTime) {
  // Started after 03:00 on 11-19's run day? No: 02:00 on 11-20, so the
  // latest run (11-19 03:00) covered 11-18: made up at once.
  NightlyReports n(Options(), &clock_, Source());
  EXPECT_EQ(n.Step(), At("2026-11-20T03:00:00Z"));
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_EQ(asked_[0].first, At("2026-11-18T00:00:00Z"));
  EXPECT_TRUE(std::filesystem::exists(n.PathFor("2026-11-18", ReportFormat::kJson)));
  EXPECT_TRUE(std::filesystem::exists(dir_.File("culprit-report-2026-11-18.md")));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("culprit-report-2026-11-18.html")));

  // Nothing more until 03:00; then 11-19.
  clock_.Set(At("2026-11-20T02:59:59Z"));
  EXPECT_EQ(n.Step(), At("2026-11-20T03:00:00Z"));
  EXPECT_EQ(asked_.size(), 1u);
  clock_.Set(At("2026-11-20T03:00:00Z"));
  EXPECT_EQ(n.Step(), At("2026-11-21T03:00:00Z"));
  ASSERT_EQ(asked_.size(), 2u);
  EXPECT_EQ(asked_[1].first, At("2026-11-19T00:00:00Z"));
  EXPECT_EQ(asked_[1].second, At("2026-11-20T00:00:00Z"));
  const std::string json = ReadFileOrEmpty(dir_.File("culprit-report-2026-11-19.json"));
  EXPECT_NE(json.find("\"from\": \"2026-11-19T00:00:00Z\""), std::string::npos);

  // A restart does not write the day again.
  NightlyReports again(Options(), &clock_, Source());
  again.Step();
  EXPECT_EQ(asked_.size(), 2u);
}

TEST_F(NightlyTest, RetriesAFailureLaterAndGivesUpAfterMaxAttempts) {
  clock_.Set(At("2026-11-20T03:00:00Z"));
  failures_left_ = 100;
  NightlyReports n(Options(), &clock_, Source());
  EXPECT_EQ(n.Step(), At("2026-11-20T03:10:00Z"));
  EXPECT_EQ(n.attempts(), 1);
  clock_.Advance(minutes(5));
  EXPECT_EQ(n.Step(), At("2026-11-20T03:10:00Z"));  // not yet
  EXPECT_EQ(n.attempts(), 1);
  clock_.Set(At("2026-11-20T03:10:00Z"));
  EXPECT_EQ(n.Step(), At("2026-11-20T03:20:00Z"));
  clock_.Set(At("2026-11-20T03:20:00Z"));
  EXPECT_EQ(n.Step(), At("2026-11-21T03:00:00Z"));  // third failure: wait for tomorrow
  EXPECT_EQ(n.attempts(), 3);
  clock_.Set(At("2026-11-20T12:00:00Z"));
  n.Step();
  EXPECT_EQ(asked_.size(), 3u);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("culprit-report-2026-11-19.json")));
  // The next day starts afresh, and succeeds.
  failures_left_ = 0;
  clock_.Set(At("2026-11-21T03:00:00Z"));
  EXPECT_EQ(n.Step(), At("2026-11-22T03:00:00Z"));
  EXPECT_TRUE(std::filesystem::exists(dir_.File("culprit-report-2026-11-20.json")));
}

TEST_F(NightlyTest, RecoversOnRetry) {
  clock_.Set(At("2026-11-20T03:00:00Z"));
  failures_left_ = 1;
  NightlyReports n(Options(), &clock_, Source());
  n.Step();
  clock_.Set(At("2026-11-20T03:10:00Z"));
  EXPECT_EQ(n.Step(), At("2026-11-21T03:00:00Z"));
  EXPECT_TRUE(std::filesystem::exists(dir_.File("culprit-report-2026-11-19.md")));
}

TEST_F(NightlyTest, StopEndsTheThreadPromptly) {
  clock_.Set(At("2026-11-20T03:00:00Z"));
  NightlyReports n(Options(), &clock_, Source());
  n.Start();
  // The first Step() runs at once; Stop() must not wait for the next run
  // (a day away): it wakes the thread.
  const auto begin = std::chrono::steady_clock::now();
  n.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(10));
  n.Stop();  // idempotent
}

TEST(AtomicFileTest, ReplacesWholeAndLeavesNoTemporaryFile) {
  TempDir dir;
  const std::string path = dir.File("r.html");
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  ASSERT_TRUE(WriteFileAtomically(path, std::string("new\0x", 5)).ok());
  EXPECT_EQ(ReadFileOrEmpty(path), std::string("new\0x", 5));
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);
  const Status missing = WriteFileAtomically(dir.File("no/such/dir/r.html"), "x");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("no/such/dir/r.html"), std::string::npos);
}

}  // namespace
}  // namespace culprit::report
