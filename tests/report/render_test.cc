// The three renderings of the fixture's report: structure, numbers, escaping,
// and the empty period. JSON is checked with SQLite's JSON functions.

#include "daemon/report/render.h"

#include <gtest/gtest.h>

#include <regex>

#include "daemon/report/render_util.h"
#include "daemon/report/sqlite_report_query.h"
#include "daemon/store/sqlite/db.h"
#include "tests/report/report_fixture.h"
#include "tests/testing/temp_dir.h"

namespace culprit::report {
namespace {

using culprit::testing::TempDir;
using testing::kFrom;
using testing::kTo;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class RenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("c.db");
    testing::BuildFixtureDatabase(path_);
    auto db = store::sqlite::Db::Open(path_, store::sqlite::Db::Mode::kReadOnly);
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    auto d = BuildReportFromDatabase(path_, {kFrom, kTo, kTo + std::chrono::hours(3), {}});
    ASSERT_TRUE(d.ok()) << d.status().message();
    data_ = std::move(*d);
    auto e = BuildReportFromDatabase(
        path_, {kFrom + std::chrono::hours(24 * 30), kFrom + std::chrono::hours(24 * 31),
                kTo, {}});
    ASSERT_TRUE(e.ok()) << e.status().message();
    empty_ = std::move(*e);
  }

  // json_extract(json, path) as text ("" for SQL NULL), via SQLite.
  std::string Json(const std::string& json, const std::string& path) {
    auto s = db_->Prepare("SELECT CAST(json_extract(?1, ?2) AS TEXT)");
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE(s->BindText(0, json).ok());
    EXPECT_TRUE(s->BindText(1, path).ok());
    auto row = s->Step();
    EXPECT_TRUE(row.ok() && *row) << path;
    return s->ColumnIsNull(0) ? "" : std::string(s->ColumnText(0));
  }
  std::string JsonType(const std::string& json, const std::string& path) {
    auto s = db_->Prepare("SELECT json_type(?1, ?2)");
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE(s->BindText(0, json).ok());
    EXPECT_TRUE(s->BindText(1, path).ok());
    auto row = s->Step();
    EXPECT_TRUE(row.ok() && *row) << path;
    return s->ColumnIsNull(0) ? "missing" : std::string(s->ColumnText(0));
  }
  bool JsonValid(const std::string& json) {
    auto s = db_->Prepare("SELECT json_valid(?1)");
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE(s->BindText(0, json).ok());
    auto row = s->Step();
    return row.ok() && *row && s->ColumnInt(0) == 1;
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<store::sqlite::Db> db_;
  ReportData data_;
  ReportData empty_;
};

TEST_F(RenderTest, JsonHasTheDocumentedStructure) {
  const std::string j = RenderJson(data_);
  ASSERT_TRUE(JsonValid(j)) << j;
  const struct {
    const char* path;
    const char* type;
  } shape[] = {
      {"$.version", "integer"},          {"$.generator", "text"},
      {"$.generated_at", "text"},        {"$.timezone", "text"},
      {"$.period.from", "text"},         {"$.period.to", "text"},
      {"$.previous_period.from", "text"}, {"$.empty", "false"},
      {"$.summary", "object"},           {"$.causes", "array"},
      {"$.top_causes", "array"},         {"$.top_causes[0].servers", "array"},
      {"$.top_causes[0].client_networks", "array"},
      {"$.top_causes[0].client_labels", "array"},
      {"$.top_causes[0].hours", "array"}, {"$.top_causes[0].examples[0].evidence", "array"},
      {"$.timeline.bucket_seconds", "integer"}, {"$.timeline.buckets", "array"},
      {"$.server_side", "array"},        {"$.advice", "array"},
      {"$.causes[1].change", "real"},    {"$.causes[2].change", "null"},
  };
  for (const auto& s : shape) {
    SCOPED_TRACE(s.path);
    EXPECT_EQ(JsonType(j, s.path), s.type);
  }
  const struct {
    const char* path;
    const char* value;
  } values[] = {
      {"$.version", "1"},
      {"$.period.from", "2026-11-20T00:00:00Z"},
      {"$.period.to", "2026-11-21T00:00:00Z"},
      {"$.previous_period.from", "2026-11-19T00:00:00Z"},
      {"$.summary.reports", "8"},
      {"$.summary.previous_reports", "7"},
      {"$.summary.diagnosed", "6"},
      {"$.summary.diagnosed_share", "0.75"},
      {"$.summary.none_on_server", "2"},
      {"$.summary.none_on_server_share", "0.25"},
      {"$.summary.server_events", "6"},
      {"$.summary.previous_server_events", "1"},
      {"$.summary.server_events_change", "5"},
      {"$.causes[0].cause", "TLS_HANDSHAKE_FAILED"},
      {"$.causes[0].reports", "4"},
      {"$.causes[0].share", "0.5"},
      {"$.causes[0].previous_reports", "2"},
      {"$.causes[0].change", "1"},
      {"$.causes[1].cause", "IDLE_TIMEOUT"},
      {"$.causes[1].change", "-0.5"},
      {"$.causes[3].cause", "FIREWALL"},
      {"$.causes[3].change", "-1"},
      {"$.top_causes[0].servers[0].label", "192.0.2.10:443"},
      {"$.top_causes[0].servers[0].count", "3"},
      {"$.top_causes[0].client_networks[1].label", "2001:db8:1:2::/64"},
      {"$.top_causes[0].client_labels[0].label", "shop-ios 5.2.1"},
      {"$.top_causes[0].examples[0].client", "198.51.100.8:40112"},
      {"$.top_causes[0].examples[0].evidence[0].role", "cause"},
      {"$.top_causes[0].examples[0].evidence[0].time", "2026-11-20T09:20:01Z"},
      {"$.timeline.bucket_seconds", "3600"},
      {"$.timeline.buckets[9].reports", "4"},
      {"$.timeline.buckets[9].by_cause.TLS_HANDSHAKE_FAILED", "3"},
      {"$.server_side[0].source", "nginx-error"},
      {"$.server_side[0].events", "3"},
      {"$.advice[0].source", "nginx-error"},
  };
  for (const auto& v : values) {
    SCOPED_TRACE(v.path);
    EXPECT_EQ(Json(j, v.path), v.value);
  }
}

TEST_F(RenderTest, JsonOfAnEmptyPeriod) {
  const std::string j = RenderJson(empty_);
  ASSERT_TRUE(JsonValid(j));
  EXPECT_EQ(JsonType(j, "$.empty"), "true");
  EXPECT_EQ(Json(j, "$.summary.reports"), "0");
  EXPECT_EQ(JsonType(j, "$.summary.reports_change"), "null");
  EXPECT_EQ(JsonType(j, "$.causes"), "array");
  EXPECT_EQ(Json(j, "$.causes"), "[]");
  EXPECT_EQ(Json(j, "$.top_causes"), "[]");
}

TEST_F(RenderTest, HtmlIsSelfContainedWithCharts) {
  const std::string h = RenderHtml(data_);
  EXPECT_TRUE(h.starts_with("<!DOCTYPE html>"));
  EXPECT_TRUE(h.ends_with("</html>\n"));
  // Nothing runs and nothing is fetched; the log line's <script> is text.
  EXPECT_FALSE(Has(h, "<script"));
  EXPECT_TRUE(Has(h, "&lt;script&gt;x&lt;/script&gt;"));
  EXPECT_FALSE(std::regex_search(h, std::regex(R"((src|href)=["']?[a-z]+:|url\(|@import)")));
  // Two charts: causes and the timeline.
  EXPECT_EQ(std::count(h.begin(), h.end(), '\0'), 0);
  size_t svgs = 0;
  for (size_t at = h.find("<svg"); at != std::string::npos; at = h.find("<svg", at + 1)) ++svgs;
  EXPECT_EQ(svgs, 2u);
  EXPECT_TRUE(Has(h, "aria-label=\"Reports per cause\""));
  EXPECT_TRUE(Has(h, "aria-label=\"Reports over time, by cause\""));
  // Numbers and sections.
  EXPECT_TRUE(Has(h, "<div class=\"n\">8</div>"));
  EXPECT_TRUE(Has(h, "<div class=\"n\">75.0%</div>"));
  EXPECT_TRUE(Has(h, "1. TLS handshake failed: 4 reports"));
  EXPECT_TRUE(Has(h, "2. Idle timeout: 2 reports"));
  EXPECT_TRUE(Has(h, "+100%"));
  EXPECT_TRUE(Has(h, "\u221250%"));
  EXPECT_TRUE(Has(h, "Seen in the server logs"));
  EXPECT_TRUE(Has(h, "Configuration advice"));
  EXPECT_TRUE(Has(h, "<code>error_log /var/log/nginx/error.log info;</code>"));
  EXPECT_TRUE(Has(h, "@media print"));
  EXPECT_FALSE(Has(h, "No data for this period"));
}

TEST_F(RenderTest, HtmlOfAnEmptyPeriodSaysSo) {
  const std::string h = RenderHtml(empty_);
  EXPECT_TRUE(Has(h, "No data for this period."));
  EXPECT_FALSE(Has(h, "<svg"));  // no chart of nothing
  EXPECT_TRUE(h.ends_with("</html>\n"));
}

TEST_F(RenderTest, MarkdownTablesAndSections) {
  const std::string m = RenderMarkdown(data_);
  EXPECT_TRUE(m.starts_with("# Connection resets, 2026-11-20 00:00 \u2013 2026-11-21 00:00 (UTC)"));
  EXPECT_TRUE(Has(m, "| Reports received | 8 | 7 | +14% |"));
  EXPECT_TRUE(Has(m, "| Diagnosed (a cause found on the server) | 6 (75.0%) | | |"));
  EXPECT_TRUE(Has(m, "| 1 | TLS handshake failed (TLS_HANDSHAKE_FAILED) | 4 | 50.0% |"));
  EXPECT_TRUE(Has(m, "## 1. TLS handshake failed: 4 reports"));
  EXPECT_TRUE(Has(m, "- **Client networks:** 198.51.100.0/24 (2, 50.0%)"));
  EXPECT_TRUE(Has(m, "```text\n"));
  EXPECT_TRUE(Has(m, "| Firewall (FIREWALL) | firewall | 2 | 0 | new |"));
  EXPECT_TRUE(Has(m, "## Configuration advice"));
  // Every table row has the same number of cells as its header.
  size_t pos = 0;
  int tables = 0;
  while ((pos = m.find("\n|", pos)) != std::string::npos) {
    const size_t end = m.find('\n', pos + 1);
    const std::string header = m.substr(pos + 1, end - pos - 1);
    const auto cells = [](const std::string& row) {
      size_t n = 0;
      for (size_t i = 0; i < row.size(); ++i) n += row[i] == '|' && (i == 0 || row[i - 1] != '\\');
      return n;
    };
    size_t next = end;
    while (next + 1 < m.size() && m[next + 1] == '|') {
      const size_t e = m.find('\n', next + 1);
      EXPECT_EQ(cells(m.substr(next + 1, e - next - 1)), cells(header)) << header;
      next = e;
    }
    ++tables;
    pos = next;
  }
  EXPECT_EQ(tables, 3);
}

TEST_F(RenderTest, MarkdownOfAnEmptyPeriodSaysSo) {
  const std::string m = RenderMarkdown(empty_);
  EXPECT_TRUE(Has(m, "**No data for this period:**"));
  EXPECT_TRUE(Has(m, "No reset-causing event in the server logs in this period."));
}

TEST(RenderUtilTest, EscapersAcceptAnyBytes) {
  const std::string junk("a\0b\x16\x03\x01\xff<|>\"`", 12);
  EXPECT_EQ(HtmlEscape(junk), "a\\x00b\\x16\\x03\\x01\\xff&lt;|&gt;&quot;`");
  EXPECT_EQ(JsonString(junk), "\"a\\u0000b\\u0016\\u0003\\u0001\\\\xff<|>\\\"`\"");
  EXPECT_EQ(MarkdownEscape("a|b`c*"), "a\\|b\\`c\\*");
  EXPECT_EQ(ChangeText(4, 2), "+100%");
  EXPECT_EQ(ChangeText(2, 4), "\u221250%");
  EXPECT_EQ(ChangeText(3, 0), "new");
  EXPECT_EQ(ChangeText(0, 0), "\u2014");
  EXPECT_EQ(ChangeText(2, 2), "no change");
  EXPECT_EQ(Percent(0.0001), "<0.1%");
  EXPECT_EQ(JsonNumber(0.5), "0.5");
  EXPECT_EQ(JsonNumber(1.0), "1");
}

}  // namespace
}  // namespace culprit::report
