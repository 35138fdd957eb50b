#include "daemon/service/query_pool.h"

#include <gtest/gtest.h>

#include <future>

namespace culprit::service {
namespace {

class NullQuery final : public store::EventQuery {
 public:
  Result<std::vector<store::SourceStats>> ListSources() override {
    return std::vector<store::SourceStats>{};
  }
  Result<std::vector<store::StoredEvent>> FindEvents(const store::EventFilter&) override {
    return std::vector<store::StoredEvent>{};
  }
  Result<int64_t> CountReports(const IpAddress&, Timestamp, Timestamp) override { return 0; }
  Result<std::vector<store::CauseCount>> CountCauses(Timestamp, Timestamp) override {
    return std::vector<store::CauseCount>{};
  }
};

constexpr auto kWait = std::chrono::seconds(10);

TEST(QueryPoolTest, RefusesWorkPastTheQueueBound) {
  std::promise<void> entered, release;
  std::shared_future<void> release_f = release.get_future().share();
  bool first = true;
  QueryPool pool(
      [&]() -> Result<std::unique_ptr<store::EventQuery>> {
        if (first) {
          first = false;
          entered.set_value();
          release_f.wait();  // bounded: released below
        }
        return std::unique_ptr<store::EventQuery>(new NullQuery);
      },
      /*threads=*/1, /*max_queue=*/1);
  std::atomic<int> ran{0};
  auto job = [&](Result<store::EventQuery*> q) {
    EXPECT_TRUE(q.ok());
    ++ran;
  };
  ASSERT_TRUE(pool.Submit(job));  // taken by the worker, which blocks opening
  ASSERT_EQ(entered.get_future().wait_for(kWait), std::future_status::ready);
  EXPECT_TRUE(pool.Submit(job));   // queued
  EXPECT_FALSE(pool.Submit(job));  // over the bound
  release.set_value();
  pool.Stop();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_FALSE(pool.Submit(job));  // stopped
}

TEST(QueryPoolTest, FactoryFailureReachesTheJobAndIsRetried) {
  int calls = 0;
  QueryPool pool(
      [&]() -> Result<std::unique_ptr<store::EventQuery>> {
        if (++calls == 1) return Status::Unavailable("database \"x\" is locked");
        return std::unique_ptr<store::EventQuery>(new NullQuery);
      },
      1, 8);
  std::promise<std::string> first, second;
  ASSERT_TRUE(pool.Submit([&](Result<store::EventQuery*> q) {
    first.set_value(q.ok() ? "ok" : q.status().message());
  }));
  ASSERT_TRUE(pool.Submit([&](Result<store::EventQuery*> q) {
    second.set_value(q.ok() ? "ok" : q.status().message());
  }));
  auto f1 = first.get_future();
  auto f2 = second.get_future();
  ASSERT_EQ(f1.wait_for(kWait), std::future_status::ready);
  ASSERT_EQ(f2.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(f1.get(), "database \"x\" is locked");
  EXPECT_EQ(f2.get(), "ok");
}

}  // namespace
}  // namespace culprit::service
