// WriterThread's maintenance hook: when it runs relative to commits and idle
// time. Waits are bounded and wait for a condition, never for a duration.

#include "daemon/ingest/writer_thread.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "daemon/store/database.h"
#include "daemon/store/sqlite/db.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace culprit::ingest {
namespace {

// A maintenance step that says "more" for its first `more_for` calls.
class CountingStep {
 public:
  explicit CountingStep(int more_for) : more_for_(more_for) {}
  bool operator()() {
    std::lock_guard lock(mu_);
    ++calls_;
    cv_.notify_all();
    return calls_ <= more_for_;
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  void set_more_for(int n) {
    std::lock_guard lock(mu_);
    more_for_ = n;
  }
  // Waits (at most 10 s) until `n` calls were made.
  bool WaitFor(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return calls_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  int more_for_;
};

class WriterThreadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::OpenForWriting(dir_.File("culprit.db"));
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    auto w = store::EventWriter::Create(db_.get(), &clock_);
    ASSERT_TRUE(w.ok()) << w.status().message();
    writer_ = std::move(*w);
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<store::EventWriter> writer_;
};

TEST_F(WriterThreadTest, IdleMaintenanceRunsUntilNothingIsLeft) {
  CountingStep step(/*more_for=*/4);
  WriterThread::Options o;
  o.maintenance = [&] { return step(); };
  o.maintenance_interval = std::chrono::hours(1);  // no timed runs in this test
  WriterThread t(writer_.get(), o);
  t.Start();
  // Calls 1..4 say more, call 5 says done: exactly five back to back.
  ASSERT_TRUE(step.WaitFor(5));
  // An empty batch commits; with nothing more to do and the interval far
  // away, no step follows the commit.
  t.Submit(t.Acquire());
  ASSERT_TRUE(t.Flush().ok());
  t.Stop();
  EXPECT_EQ(step.calls(), 5);
}

TEST_F(WriterThreadTest, MaintenanceWithMoreToDoRunsAfterEveryCommit) {
  CountingStep step(/*more_for=*/1000000);  // always more
  WriterThread::Options o;
  o.maintenance = [&] { return step(); };
  o.maintenance_interval = std::chrono::hours(1);
  WriterThread t(writer_.get(), o);
  t.Start();
  ASSERT_TRUE(step.WaitFor(3));  // idle steps run back to back
  // Busy: every commit is followed by a step, so deletion keeps pace.
  for (int i = 0; i < 5; ++i) {
    const int before = step.calls();
    t.Submit(t.Acquire());
    ASSERT_TRUE(t.Flush().ok());
    ASSERT_TRUE(step.WaitFor(before + 1));
  }
  t.Stop();
  EXPECT_EQ(t.batches_committed(), 5);
}

TEST_F(WriterThreadTest, CallRunsOnTheWriterThreadBetweenTransactions) {
  WriterThread t(writer_.get(), WriterThread::Options{});
  // Before Start(): on the calling thread.
  std::thread::id ran_on;
  EXPECT_TRUE(t.Call([&] {
                 ran_on = std::this_thread::get_id();
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  t.Start();
  t.Submit(t.Acquire());
  // Its result comes back, and it ran on the writer's thread after the
  // batch submitted before it.
  int64_t committed_before_call = -1;
  const Status st = t.Call([&] {
    ran_on = std::this_thread::get_id();
    committed_before_call = t.batches_committed();
    return Status::Unavailable("from the writer thread");
  });
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(st.message(), "from the writer thread");
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_EQ(committed_before_call, 1);
  t.Stop();
  EXPECT_EQ(t.Call([] { return Status::Ok(); }).code(), StatusCode::kUnavailable);
}

// SIGTERM's promise: what was queued when Stop() was called is committed.
TEST_F(WriterThreadTest, StopCommitsWhatIsQueued) {
  std::mutex mu;
  std::condition_variable cv;
  bool in_step = false, release = false;
  WriterThread::Options o;
  o.max_queued = 4;
  o.maintenance_interval = std::chrono::hours(1);
  // The first idle step holds the writer thread until released, so the
  // batches below are still queued when Stop() begins.
  o.maintenance = [&] {
    std::unique_lock lock(mu);
    in_step = true;
    cv.notify_all();
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return release; });
    return false;
  };
  WriterThread t(writer_.get(), o);
  t.Start();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return in_step; }));
  }
  for (int i = 0; i < 3; ++i) t.Submit(t.Acquire());
  EXPECT_EQ(t.batches_committed(), 0);
  std::thread stopper([&] { t.Stop(); });
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  stopper.join();
  EXPECT_EQ(t.batches_committed(), 3);
}

TEST_F(WriterThreadTest, NoMaintenanceWhenUnset) {
  WriterThread t(writer_.get(), WriterThread::Options{});
  t.Start();
  t.Submit(t.Acquire());
  EXPECT_TRUE(t.Flush().ok());
  t.Stop();
  EXPECT_EQ(t.batches_committed(), 1);
}

}  // namespace
}  // namespace culprit::ingest
