// BuildReport over a real fixture database (SqliteReportQuery): the numbers,
// the previous-period comparison, the breakdowns and the empty period.

#include "daemon/report/report_builder.h"

#include <gtest/gtest.h>

#include "daemon/report/sqlite_report_query.h"
#include "tests/report/report_fixture.h"
#include "tests/testing/temp_dir.h"

namespace culprit::report {
namespace {

using culprit::testing::TempDir;
using testing::kFrom;
using testing::kTo;

class ReportBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("c.db");
    testing::BuildFixtureDatabase(path_);
  }
  Result<ReportData> Build(Timestamp from, Timestamp to, TimeZone zone = TimeZone::Utc()) {
    return BuildReportFromDatabase(path_, {from, to, kTo + std::chrono::hours(3), zone});
  }
  TempDir dir_;
  std::string path_;
};

std::vector<std::pair<std::string, int64_t>> Pairs(const std::vector<Ranked>& list) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const Ranked& r : list) out.emplace_back(r.label, r.count);
  return out;
}

TEST_F(ReportBuilderTest, CountsAndShares) {
  auto d = Build(kFrom, kTo);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->reports, 8);  // the report at exactly `to` is the next period's
  EXPECT_EQ(d->previous_reports, 7);
  EXPECT_EQ(d->diagnosed, 6);
  EXPECT_EQ(d->none_on_server, 2);
  EXPECT_DOUBLE_EQ(d->diagnosed_share, 0.75);
  EXPECT_DOUBLE_EQ(d->none_on_server_share, 0.25);
  EXPECT_FALSE(d->empty());
  EXPECT_EQ(d->previous_from, kFrom - std::chrono::hours(24));
}

TEST_F(ReportBuilderTest, CausesRankedAgainstThePreviousPeriod) {
  auto d = Build(kFrom, kTo);
  ASSERT_TRUE(d.ok()) << d.status().message();
  struct Row {
    Cause cause;
    int64_t count, previous;
    double share;
  };
  const Row want[] = {
      {Cause::kTlsHandshakeFailed, 4, 2, 0.5},
      {Cause::kIdleTimeout, 2, 4, 0.25},    // ties with NONE_ON_SERVER: previous decides
      {Cause::kNoneOnServer, 2, 0, 0.25},
      {Cause::kFirewall, 0, 1, 0.0},        // only in the previous period
  };
  ASSERT_EQ(d->causes.size(), std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(d->causes[i].cause, want[i].cause);
    EXPECT_EQ(d->causes[i].count, want[i].count);
    EXPECT_EQ(d->causes[i].previous, want[i].previous);
    EXPECT_DOUBLE_EQ(d->causes[i].share, want[i].share);
  }
}

TEST_F(ReportBuilderTest, TopCausesHaveBreakdownsExamplesAndRemedy) {
  auto d = Build(kFrom, kTo);
  ASSERT_TRUE(d.ok()) << d.status().message();
  // NONE_ON_SERVER is ranked but has no detail: there is nothing to fix.
  ASSERT_EQ(d->top.size(), 2u);
  const CauseDetail& tls = d->top[0];
  EXPECT_EQ(tls.cause, Cause::kTlsHandshakeFailed);
  EXPECT_EQ(tls.count, 4);
  using P = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(Pairs(tls.servers), (P{{"192.0.2.10:443", 3}, {"192.0.2.11:8443", 1}}));
  EXPECT_EQ(Pairs(tls.ports), (P{{"443", 3}, {"8443", 1}}));
  EXPECT_EQ(Pairs(tls.networks),
            (P{{"198.51.100.0/24", 2}, {"2001:db8:1:2::/64", 1}, {"203.0.113.0/24", 1}}));
  EXPECT_EQ(Pairs(tls.labels), (P{{"shop-ios 5.2.1", 2}, {"web", 1}}));
  EXPECT_EQ(Pairs(tls.hours), (P{{"09:00", 3}, {"14:00", 1}}));
  EXPECT_DOUBLE_EQ(tls.servers[0].share, 0.75);
  EXPECT_FALSE(tls.remedy.empty());

  // Highest confidence first, at most three.
  ASSERT_EQ(tls.examples.size(), 3u);
  EXPECT_DOUBLE_EQ(tls.examples[0].confidence, 0.95);
  EXPECT_DOUBLE_EQ(tls.examples[1].confidence, 0.9);
  EXPECT_DOUBLE_EQ(tls.examples[2].confidence, 0.8);
  const Example& e = tls.examples[0];
  EXPECT_EQ(e.client, "198.51.100.8:40112");
  EXPECT_EQ(e.server, "192.0.2.10:443");
  EXPECT_EQ(e.error, "ECONNRESET");
  EXPECT_NE(e.explanation.find("unsupported protocol"), std::string::npos);
  ASSERT_EQ(e.evidence.size(), 2u);
  EXPECT_EQ(e.evidence[0].role, "cause");
  EXPECT_EQ(e.evidence[0].source, "nginx-error");
  ASSERT_TRUE(e.evidence[0].time.has_value());
  EXPECT_EQ(FormatRfc3339(*e.evidence[0].time, 0), "2026-11-20T09:20:01Z");
  EXPECT_EQ(e.evidence[1].role, "consequence");
  EXPECT_EQ(tls.examples[1].evidence.size(), 0u);  // a verdict without evidence

  // A diagnosis and labels that are not JSON do not fail the report.
  const CauseDetail& idle = d->top[1];
  EXPECT_EQ(idle.cause, Cause::kIdleTimeout);
  ASSERT_EQ(idle.examples.size(), 2u);
  EXPECT_TRUE(idle.labels.empty());
  EXPECT_EQ(Pairs(idle.hours), (P{{"00:00", 1}, {"09:00", 1}}));
}

TEST_F(ReportBuilderTest, HourlyTimelineCoversThePeriod) {
  auto d = Build(kFrom, kTo);
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_EQ(d->timeline.size(), 24u);
  EXPECT_EQ(d->bucket, std::chrono::hours(1));
  EXPECT_EQ(d->timeline[9].total, 4);
  EXPECT_EQ(d->timeline[9].by_cause[static_cast<int>(Cause::kTlsHandshakeFailed)], 3);
  EXPECT_EQ(d->timeline[9].by_cause[static_cast<int>(Cause::kIdleTimeout)], 1);
  EXPECT_EQ(d->timeline[0].total, 1);
  EXPECT_EQ(d->timeline[23].total, 1);
  int64_t sum = 0;
  for (const TimelineBucket& b : d->timeline) sum += b.total;
  EXPECT_EQ(sum, d->reports);
}

TEST_F(ReportBuilderTest, HoursOfDayAreCountedInTheReportZone) {
  auto zone = TimeZone::Load("+02:00");
  ASSERT_TRUE(zone.ok());
  auto d = Build(kFrom, kTo, *zone);
  ASSERT_TRUE(d.ok()) << d.status().message();
  using P = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(Pairs(d->top[0].hours), (P{{"11:00", 3}, {"16:00", 1}}));
}

TEST_F(ReportBuilderTest, ServerSideEventsByCauseAndSource) {
  auto d = Build(kFrom, kTo);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->server_events, 6);
  EXPECT_EQ(d->previous_server_events, 1);
  ASSERT_EQ(d->server_side.size(), 3u);
  EXPECT_EQ(d->server_side[0].cause, Cause::kTlsHandshakeFailed);
  EXPECT_EQ(d->server_side[0].source, "nginx-error");
  EXPECT_EQ(d->server_side[0].events, 3);
  EXPECT_EQ(d->server_side[0].previous, 1);
  EXPECT_EQ(d->server_side[1].cause, Cause::kFirewall);
  EXPECT_EQ(d->server_side[1].source, "firewall");
  EXPECT_EQ(d->server_side[1].events, 2);
  EXPECT_EQ(d->server_side[2].source, "haproxy");
  EXPECT_EQ(d->server_side[2].events, 1);
}

TEST_F(ReportBuilderTest, AdviceNamesTheSourcesThatHideThings) {
  auto d = Build(kFrom, kTo);
  ASSERT_TRUE(d.ok()) << d.status().message();
  std::vector<std::string> sources;
  for (const Advice& a : d->advice) sources.push_back(a.source);
  EXPECT_EQ(sources, (std::vector<std::string>{"nginx-error", "access", "empty"}));
  EXPECT_NE(d->advice[0].fix.find("info"), std::string::npos);
  EXPECT_NE(d->advice[1].fix.find("$remote_port"), std::string::npos);
}

TEST_F(ReportBuilderTest, EmptyPeriod) {
  const Timestamp from = kFrom + std::chrono::hours(24 * 30);
  auto d = Build(from, from + std::chrono::hours(24));
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_TRUE(d->empty());
  EXPECT_EQ(d->reports, 0);
  EXPECT_EQ(d->previous_reports, 0);
  EXPECT_TRUE(d->causes.empty());
  EXPECT_TRUE(d->top.empty());
  EXPECT_EQ(d->diagnosed_share, 0.0);
  EXPECT_EQ(d->timeline.size(), 24u);
}

TEST_F(ReportBuilderTest, ComparesWithThePreviousPeriodOfTheSameLength) {
  // Two days: the previous period is the two days before (only 11-19 has data).
  auto d = Build(kFrom, kTo + std::chrono::hours(24));
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->reports, 9);  // now including the report at 11-21 00:00
  EXPECT_EQ(d->previous_reports, 7);
  EXPECT_EQ(d->previous_from, kFrom - std::chrono::hours(48));
  EXPECT_EQ(d->timeline.size(), 48u);
}

TEST_F(ReportBuilderTest, RefusesBadPeriods) {
  EXPECT_EQ(Build(kTo, kFrom).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Build(kFrom, kFrom).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Build(kFrom, kFrom + std::chrono::hours(24 * 367)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(TimelineStepTest, GrowsWithThePeriod) {
  using std::chrono::hours;
  EXPECT_EQ(TimelineStep(hours(24)), hours(1));
  EXPECT_EQ(TimelineStep(hours(24 * 7)), hours(1));
  EXPECT_EQ(TimelineStep(hours(24 * 8)), hours(24));
  EXPECT_EQ(TimelineStep(hours(24 * 366)), hours(24 * 7));
}

TEST(AdviseOnSourcesTest, NginxAccessLogWithoutJoinFields) {
  SourceProfile p;
  p.name = "access";
  p.format = "nginx";
  p.lines_parsed = 100;
  p.sampled = 100;
  p.with_client_port = 0;
  p.with_conn_id = 100;
  p.finest_precision_us = 1000000;
  auto advice = AdviseOnSources({p});
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_NE(advice[0].problem.find("$remote_port, $msec"), std::string::npos);
  p.with_client_port = 100;
  p.finest_precision_us = 1000;
  EXPECT_TRUE(AdviseOnSources({p}).empty());
}

}  // namespace
}  // namespace culprit::report
