// WriterThread's maintenance hook: when it runs relative to commits and idle
// time. Waits are bounded and wait for a condition, never for a duration.

#include "daemon/ingest/writer_thread.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

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
