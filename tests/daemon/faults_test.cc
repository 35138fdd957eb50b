// Faults around the real culpritd: a second daemon on the same database, a
// corrupt database at start, and reports acknowledged just before the daemon
// is killed (SIGKILL). Every wait is bounded; nothing sleeps for timing.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "culprit/v1/culprit.grpc.pb.h"
#include "daemon/store/sqlite/db.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace culprit {
namespace {

using culprit::testing::RunProgram;
using culprit::testing::Subprocess;
using culprit::testing::TempDir;
using namespace std::chrono_literals;

const std::string kCulpritd = std::string(CULPRIT_BINARY_DIR) + "/daemon/culpritd";

class FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("logs/access.log",
               "192.0.2.1 - - [20/Nov/2026:09:14:01 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"\n");
    dir_.Write("culprit.toml", R"(
[daemon]
listen = "127.0.0.1:0"
database = "state/culprit.db"

[[source]]
name = "edge-access"
path = "logs/access.log"
format = "nginx_combined"
)");
    dir_.Write("state/.keep", "");
  }

  TempDir dir_;
};

TEST_F(FaultsTest, SecondDaemonOnTheSameDatabaseStopsAtOnce) {
  Subprocess first({kCulpritd, "--config", dir_.File("culprit.toml")});
  ASSERT_GT(culprit::testing::WaitForServingPort(first), 0);
  auto second = RunProgram({kCulpritd, "--config", dir_.File("culprit.toml")}, 20s);
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_NE(second.err.find("database \"" + dir_.File("state/culprit.db") + "\" is in use"),
            std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find("pid " + std::to_string(first.pid())), std::string::npos)
      << second.err;
  // The first one was not disturbed, and stops cleanly.
  first.Signal(SIGTERM);
  auto code = first.Wait(20s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << first.err();
}

TEST_F(FaultsTest, CorruptDatabaseIsRefusedWithItsName) {
  std::string junk;
  for (int i = 0; i < 512; ++i) junk += "this is not an SQLite database. ";
  dir_.Write("state/culprit.db", junk);
  auto r = RunProgram({kCulpritd, "--config", dir_.File("culprit.toml")}, 20s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(dir_.File("state/culprit.db")), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not a database"), std::string::npos) << r.err;
  // Nothing was written over the operator's file.
  EXPECT_EQ(culprit::testing::ReadFileOrEmpty(dir_.File("state/culprit.db")), junk);
}

// Submitters run until the daemon stops answering; each remembers the
// reports the daemon acknowledged (id -> request id).
class Submitters {
 public:
  Submitters(const std::string& target, int cycle, int threads) {
    auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    stub_ = v1::Culprit::NewStub(channel);
    running_ = threads;  // before any starts: WaitForAcks() counts on it
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, cycle, t] { Run(cycle, t); });
    }
  }
  ~Submitters() { Join(); }

  // Waits (bounded) until `n` reports are acknowledged in all.
  bool WaitForAcks(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 30s, [&] { return acked_.size() >= n || running_ == 0; }) &&
           acked_.size() >= n;
  }
  void Join() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::map<int64_t, std::string> acked() {
    std::lock_guard lock(mu_);
    return acked_;
  }
  std::string first_error() {
    std::lock_guard lock(mu_);
    return first_error_;
  }

 private:
  void Run(int cycle, int thread) {
    // Bounded: a few thousand reports at most, then give up.
    for (int n = 0; n < 5000; ++n) {
      v1::SubmitRequest req;
      v1::ResetReport* r = req.mutable_report();
      const auto now = std::chrono::system_clock::now().time_since_epoch();
      r->mutable_seen_at()->set_seconds(std::chrono::duration_cast<std::chrono::seconds>(now).count());
      r->set_client("198.51.100." + std::to_string(10 + thread) + ":" + std::to_string(40000 + n % 20000));
      r->set_server("192.0.2.10:443");
      r->set_error("ECONNRESET");
      r->set_request_id("c" + std::to_string(cycle) + "-t" + std::to_string(thread) + "-" +
                        std::to_string(n));
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + 10s);
      v1::SubmitResponse resp;
      const grpc::Status st = stub_->Submit(&ctx, req, &resp);
      if (!st.ok()) {  // killed: stop
        std::lock_guard lock(mu_);
        if (first_error_.empty()) {
          first_error_ = std::to_string(st.error_code()) + " " + st.error_message();
        }
        break;
      }
      std::lock_guard lock(mu_);
      acked_[resp.report_id()] = r->request_id();
      cv_.notify_all();
    }
    std::lock_guard lock(mu_);
    --running_;
    cv_.notify_all();
  }

  std::unique_ptr<v1::Culprit::Stub> stub_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int64_t, std::string> acked_;
  std::string first_error_;
  int running_ = 0;
  std::vector<std::thread> threads_;
};

TEST_F(FaultsTest, AcknowledgedReportsSurviveSigkill) {
  std::mt19937 rng(20261127);
  std::map<int64_t, std::string> acked;
  constexpr int kCycles = 6;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    Subprocess daemon({kCulpritd, "--config", dir_.File("culprit.toml")});
    const int port = culprit::testing::WaitForServingPort(daemon);
    ASSERT_GT(port, 0);
    Submitters s("127.0.0.1:" + std::to_string(port), cycle, 4);
    const size_t kill_after = std::uniform_int_distribution<size_t>(5, 80)(rng);
    ASSERT_TRUE(s.WaitForAcks(kill_after))
        << "cycle " << cycle << ": " << s.acked().size() << " acknowledged, first error: "
        << s.first_error() << "\n"
        << daemon.err();
    daemon.Signal(SIGKILL);  // with submissions in flight
    ASSERT_TRUE(daemon.Wait(20s).has_value());
    s.Join();
    for (const auto& [id, request_id] : s.acked()) {
      ASSERT_TRUE(acked.emplace(id, request_id).second) << "report id " << id << " given twice";
    }
  }
  ASSERT_GE(acked.size(), static_cast<size_t>(kCycles * 5));
  auto db = store::sqlite::Db::Open(dir_.File("state/culprit.db"), store::sqlite::Db::Mode::kReadWrite);
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto stmt = (*db)->Prepare("SELECT id, request_id FROM reports");
  ASSERT_TRUE(stmt.ok());
  std::map<int64_t, std::string> stored;
  while (*stmt->Step()) stored[stmt->ColumnInt(0)] = std::string(stmt->ColumnText(1));
  for (const auto& [id, request_id] : acked) {
    auto it = stored.find(id);
    ASSERT_NE(it, stored.end()) << "acknowledged report " << id << " (" << request_id << ") lost";
    EXPECT_EQ(it->second, request_id) << "report " << id;
  }
  std::map<std::string, int> seen;
  for (const auto& [id, request_id] : stored) EXPECT_EQ(++seen[request_id], 1) << request_id;
}

}  // namespace
}  // namespace culprit
