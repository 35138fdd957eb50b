// The HTTP endpoint on a real loopback socket, scraped with a plain socket
// client.

#include "daemon/metrics/http_server.h"

#include <gtest/gtest.h>

#include <string>

#include "daemon/metrics/exposition.h"
#include "daemon/metrics/registry.h"
#include "tests/metrics/scrape.h"

namespace culprit::metrics {
namespace {

using testing::HttpGet;
using testing::SampleValue;

std::unique_ptr<MetricsServer> StartOrDie(const Registry* registry, const std::string& listen) {
  auto server = MetricsServer::Start(registry, {.listen = listen});
  EXPECT_TRUE(server.ok()) << server.status().message();
  return server.ok() ? std::move(*server) : nullptr;
}

TEST(MetricsServerTest, ServesTheRegistryAtSlashMetrics) {
  Registry registry;
  registry.AddCounter("culprit_things_total", "Things.", {"kind"})->Get({"a\"b"})->Inc(5);
  registry.AddHistogram("culprit_op_seconds", "Op.", {}, {0.1})->Get({})->Observe(0.05);
  auto server = StartOrDie(&registry, "127.0.0.1:0");
  ASSERT_NE(server, nullptr);
  ASSERT_GT(server->port(), 0);

  auto r = HttpGet(server->port(), "/metrics");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, kTextContentType);
  EXPECT_EQ(r->body, registry.Render());
  EXPECT_EQ(SampleValue(r->body, "culprit_things_total{kind=\"a\\\"b\"}"), 5);
  EXPECT_EQ(SampleValue(r->body, "culprit_op_seconds_bucket{le=\"0.1\"}"), 1);

  // A second scrape sees the update in between.
  registry.AddCounter("culprit_things_total", "Things.", {"kind"})->Get({"a\"b"})->Inc();
  r = HttpGet(server->port(), "/metrics");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(SampleValue(r->body, "culprit_things_total{kind=\"a\\\"b\"}"), 6);
}

TEST(MetricsServerTest, OtherPathsAreNotFound) {
  Registry registry;
  auto server = StartOrDie(&registry, "127.0.0.1:0");
  ASSERT_NE(server, nullptr);
  for (const char* path : {"/", "/metrics/x", "/debug", "/metric"}) {
    SCOPED_TRACE(path);
    auto r = HttpGet(server->port(), path);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->status, 404);
  }
}

TEST(MetricsServerTest, RejectsAddressesItCannotBind) {
  const struct {
    const char* listen;
    StatusCode code;
  } cases[] = {
      {"127.0.0.1", StatusCode::kInvalidArgument},
      {"127.0.0.1:", StatusCode::kInvalidArgument},
      {"localhost:9750", StatusCode::kInvalidArgument},
      {"127.0.0.1:70000", StatusCode::kInvalidArgument},
      {"127.0.0.1:-1", StatusCode::kInvalidArgument},
      {"127.0.0.1:97x", StatusCode::kInvalidArgument},
      {"::1:9750", StatusCode::kInvalidArgument},
      {"[::1:9750", StatusCode::kInvalidArgument},
      {"", StatusCode::kInvalidArgument},
      // TEST-NET-1: not an address of this host.
      {"192.0.2.1:9750", StatusCode::kUnavailable},
  };
  Registry registry;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.listen);
    auto server = MetricsServer::Start(&registry, {.listen = c.listen});
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), c.code) << server.status().message();
    EXPECT_NE(server.status().message().find(std::string("\"") + c.listen + "\""),
              std::string::npos)
        << server.status().message();
  }
}

TEST(MetricsServerTest, APortInUseIsRefused) {
  Registry registry;
  auto first = StartOrDie(&registry, "127.0.0.1:0");
  ASSERT_NE(first, nullptr);
  auto second = MetricsServer::Start(&registry,
                                     {.listen = "127.0.0.1:" + std::to_string(first->port())});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST(MetricsServerTest, StopsPromptlyEvenRightAfterStart) {
  Registry registry;
  for (int i = 0; i < 20; ++i) {
    auto server = StartOrDie(&registry, "127.0.0.1:0");
    ASSERT_NE(server, nullptr);
    if (i % 2 == 0) server->Stop();  // explicit, then again in the destructor
  }
  auto server = StartOrDie(&registry, "127.0.0.1:0");
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  server->Stop();
  EXPECT_FALSE(HttpGet(port, "/metrics").ok());
}

}  // namespace
}  // namespace culprit::metrics
