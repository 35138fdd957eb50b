// The registry and the text exposition format 0.0.4: each row builds a
// registry and states the exact text a scrape must get.

#include "daemon/metrics/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "daemon/metrics/registry.h"

namespace culprit::metrics {
namespace {

struct RenderCase {
  const char* name;
  std::function<void(Registry&, CollectorHandle*)> build;
  const char* want;
};

TEST(ExpositionTest, RendersEachKindExactly) {
  const RenderCase cases[] = {
      {"counter without labels, at 0 before any update",
       [](Registry& r, CollectorHandle*) { r.AddCounter("culprit_x_total", "Things."); },
       "# HELP culprit_x_total Things.\n# TYPE culprit_x_total counter\nculprit_x_total 0\n"},
      {"counter incremented",
       [](Registry& r, CollectorHandle*) {
         Counter* c = r.AddCounter("culprit_x_total", "Things.")->Get({});
         c->Inc();
         c->Inc(41);
       },
       "# HELP culprit_x_total Things.\n# TYPE culprit_x_total counter\nculprit_x_total 42\n"},
      {"gauge children sorted by label values, fractions and negatives",
       [](Registry& r, CollectorHandle*) {
         auto* g = r.AddGauge("culprit_lag_bytes", "Behind.", {"source", "kind"});
         g->Get({"web", "b"})->Set(-1.5);
         g->Get({"app", "z"})->Set(0.25);
         g->Get({"web", "a"})->Add(1e21);
       },
       "# HELP culprit_lag_bytes Behind.\n# TYPE culprit_lag_bytes gauge\n"
       "culprit_lag_bytes{source=\"app\",kind=\"z\"} 0.25\n"
       "culprit_lag_bytes{source=\"web\",kind=\"a\"} 1e+21\n"
       "culprit_lag_bytes{source=\"web\",kind=\"b\"} -1.5\n"},
      {"histogram: cumulative buckets, le inclusive, +Inf, sum, count",
       [](Registry& r, CollectorHandle*) {
         Histogram* h = r.AddHistogram("culprit_op_seconds", "Op time.", {}, {0.25, 1})->Get({});
         for (double v : {0.125, 0.25, 0.5, 4.0}) h->Observe(v);
       },
       "# HELP culprit_op_seconds Op time.\n# TYPE culprit_op_seconds histogram\n"
       "culprit_op_seconds_bucket{le=\"0.25\"} 2\n"
       "culprit_op_seconds_bucket{le=\"1\"} 3\n"
       "culprit_op_seconds_bucket{le=\"+Inf\"} 4\n"
       "culprit_op_seconds_sum 4.875\n"
       "culprit_op_seconds_count 4\n"},
      {"labelled histogram puts le last",
       [](Registry& r, CollectorHandle*) {
         auto* f = r.AddHistogram("culprit_rpc_seconds", "RPC.", {"method"}, {0.5});
         f->Get({"Submit"})->ObserveDuration(std::chrono::milliseconds(250));
       },
       "# HELP culprit_rpc_seconds RPC.\n# TYPE culprit_rpc_seconds histogram\n"
       "culprit_rpc_seconds_bucket{method=\"Submit\",le=\"0.5\"} 1\n"
       "culprit_rpc_seconds_bucket{method=\"Submit\",le=\"+Inf\"} 1\n"
       "culprit_rpc_seconds_sum{method=\"Submit\"} 0.25\n"
       "culprit_rpc_seconds_count{method=\"Submit\"} 1\n"},
      {"label values escape quote, backslash and newline; help escapes backslash and newline",
       [](Registry& r, CollectorHandle*) {
         r.AddCounter("culprit_e_total", "A \"quoted\" C:\\path\nsecond line", {"v"})
             ->Get({"say \"hi\"\\n\nend"})
             ->Inc();
       },
       "# HELP culprit_e_total A \"quoted\" C:\\\\path\\nsecond line\n"
       "# TYPE culprit_e_total counter\n"
       "culprit_e_total{v=\"say \\\"hi\\\"\\\\n\\nend\"} 1\n"},
      {"invalid UTF-8 and control bytes in a label value are written as \\\\xNN",
       [](Registry& r, CollectorHandle*) {
         r.AddGauge("culprit_u", "U.", {"v"})->Get({std::string("caf\xc3\xa9 \xff\x00\tz", 10)})->Set(1);
       },
       "# HELP culprit_u U.\n# TYPE culprit_u gauge\n"
       "culprit_u{v=\"caf\xc3\xa9 \\\\xff\\\\x00\\\\x09z\"} 1\n"},
      {"a labelled family with no child yet is left out",
       [](Registry& r, CollectorHandle*) { r.AddCounter("culprit_none_total", "None yet.", {"cause"}); }, ""},
      {"families sorted by name, collected ones merged in",
       [](Registry& r, CollectorHandle* handle) {
         r.AddGauge("culprit_b", "B.")->Get({})->Set(2);
         *handle = r.AddCollector([](std::vector<FamilySnapshot>* out) {
           FamilySnapshot f;
           f.name = "culprit_a_total";
           f.help = "A.";
           f.type = MetricType::kCounter;
           f.label_names = {"source"};
           f.Add({"z"}, 7);
           f.Add({"m"}, 3);
           out->push_back(f);
         });
       },
       "# HELP culprit_a_total A.\n# TYPE culprit_a_total counter\n"
       "culprit_a_total{source=\"m\"} 3\nculprit_a_total{source=\"z\"} 7\n"
       "# HELP culprit_b B.\n# TYPE culprit_b gauge\nculprit_b 2\n"},
  };
  for (const RenderCase& c : cases) {
    SCOPED_TRACE(c.name);
    Registry registry;
    CollectorHandle handle;  // after the registry: goes first
    c.build(registry, &handle);
    EXPECT_EQ(registry.Render(), c.want);
  }
}

TEST(ExpositionTest, FormatsValues) {
  const struct {
    double value;
    const char* want;
  } cases[] = {
      {0, "0"},
      {3, "3"},
      {-2.5, "-2.5"},
      {0.0005, "0.0005"},
      {1e-05, "1e-05"},
      {1e6, "1000000"},
      {1e20, "100000000000000000000"},
      {1e21, "1e+21"},
      {123.456, "123.456"},
      {9007199254740993.0, "9007199254740992"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(FormatValue(c.value), c.want);
  }
}

TEST(ExpositionTest, NaNObservationGoesToInfBucket) {
  Histogram h({1});
  h.Observe(std::numeric_limits<double>::quiet_NaN());
  h.Observe(0.5);
  const Histogram::Snapshot s = h.Read();
  ASSERT_EQ(s.cumulative.size(), 1u);
  EXPECT_EQ(s.cumulative[0], 1u);
  EXPECT_EQ(s.count, 2u);
  EXPECT_TRUE(std::isnan(s.sum));
}

TEST(ExpositionTest, RedeclaringAFamilyReturnsTheSameOne) {
  Registry r;
  auto* a = r.AddCounter("culprit_same_total", "Same.", {"k"});
  auto* b = r.AddCounter("culprit_same_total", "Same.", {"k"});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a->Get({"x"}), b->Get({"x"}));
}

TEST(ExpositionTest, ACollectorStopsWithItsHandle) {
  Registry r;
  {
    CollectorHandle h = r.AddCollector([](std::vector<FamilySnapshot>* out) {
      FamilySnapshot f;
      f.name = "culprit_gone";
      f.help = "Gone.";
      f.type = MetricType::kGauge;
      f.Add({}, 1);
      out->push_back(f);
    });
    EXPECT_NE(r.Render().find("culprit_gone 1\n"), std::string::npos);
    CollectorHandle moved = std::move(h);
    EXPECT_NE(r.Render().find("culprit_gone 1\n"), std::string::npos);
  }
  EXPECT_EQ(r.Render(), "");
}

TEST(ExpositionTest, ValidatesNames) {
  for (const char* ok : {"culprit_x", "a:b_c9", "_x"}) EXPECT_TRUE(IsValidMetricName(ok)) << ok;
  for (const char* bad : {"", "9x", "a-b", "a b", "é"}) EXPECT_FALSE(IsValidMetricName(bad)) << bad;
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_TRUE(IsValidLabelName("source"));
}

TEST(ExpositionTest, ConcurrentUpdatesWhileScrapingLoseNothing) {
  Registry r;
  auto* family = r.AddCounter("culprit_c_total", "C.", {"t"});
  Histogram* h = r.AddHistogram("culprit_h_seconds", "H.", {}, LatencyBuckets())->Get({});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter* c = family->Get({t % 2 == 0 ? "even" : "odd"});
      for (int i = 0; i < kPerThread; ++i) {
        c->Inc();
        h->Observe(0.001 * (i % 7));
      }
    });
  }
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(r.Render().empty());
  for (auto& t : threads) t.join();
  const std::string text = r.Render();
  EXPECT_NE(text.find("culprit_c_total{t=\"even\"} 40000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("culprit_c_total{t=\"odd\"} 40000\n"), std::string::npos);
  EXPECT_NE(text.find("culprit_h_seconds_count 80000\n"), std::string::npos);
  EXPECT_NE(text.find("culprit_h_seconds_bucket{le=\"+Inf\"} 80000\n"), std::string::npos);
}

}  // namespace
}  // namespace culprit::metrics
