// The database's disk fills up under the real culpritd: ingestion pauses,
// Status says why, and once space returns reading resumes with every line
// stored exactly once. The database lives on a small tmpfs mounted in a
// mount namespace of the test's own (root only; skipped otherwise).

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <google/protobuf/util/json_util.h>
#include <set>
#include <string>

#include "culprit/v1/culprit.pb.h"
#include "tests/testing/stored_events.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace culprit {
namespace {

using culprit::testing::RunProgram;
using culprit::testing::Subprocess;
using culprit::testing::TempDir;
using namespace std::chrono_literals;

const std::string kCulpritd = std::string(CULPRIT_BINARY_DIR) + "/daemon/culpritd";
const std::string kCulprit = std::string(CULPRIT_BINARY_DIR) + "/cli/culprit";
constexpr int kLines = 60000;

// `culprit status --json`, parsed; nullopt if the call failed.
std::optional<v1::StatusResponse> Status(const std::string& addr) {
  auto r = RunProgram({kCulprit, "--daemon", addr, "status", "--json"});
  if (r.exit_code != 0) return std::nullopt;
  v1::StatusResponse s;
  if (!google::protobuf::util::JsonStringToMessage(r.out, &s).ok()) return std::nullopt;
  return s;
}

TEST(DiskFullTest, IngestionPausesAndResumesWithNothingLostOrDuplicated) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  // A mount namespace of our own, so the tmpfs is invisible outside and
  // goes away with the test. (Single-threaded here: unshare needs that.)
  if (unshare(CLONE_NEWNS) != 0) GTEST_SKIP() << "unshare(CLONE_NEWNS): " << std::strerror(errno);
  ASSERT_EQ(mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0) << std::strerror(errno);
  TempDir dir;
  dir.Write("state/.keep", "");
  const std::string state = dir.File("state");
  ASSERT_EQ(mount("tmpfs", state.c_str(), "tmpfs", 0, "size=3m"), 0) << std::strerror(errno);
  struct Unmount {  // before the directory goes, however the test ends
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{state};

  std::string log;
  for (int i = 0; i < kLines; ++i) {
    log += "198.51." + std::to_string(i % 200) + "." + std::to_string(i % 250) +
           " - - [27/Nov/2026:10:" + std::to_string(10 + i / 6000) + ":" +
           std::to_string(10 + (i / 100) % 50) + " +0000] \"GET /item/" + std::to_string(i) +
           " HTTP/1.1\" 200 " + std::to_string(1000 + i) + " \"-\" \"bench/1.0\"\n";
  }
  dir.Write("logs/access.log", log);
  dir.Write("culprit.toml", R"(
[daemon]
listen = "127.0.0.1:0"
database = "state/culprit.db"

[[source]]
name = "edge"
path = "logs/access.log"
format = "nginx_combined"
)");

  Subprocess daemon({kCulpritd, "--config", dir.File("culprit.toml")});
  const int port = culprit::testing::WaitForServingPort(daemon);
  ASSERT_GT(port, 0) << daemon.err();
  const std::string addr = "127.0.0.1:" + std::to_string(port);

  // 60,000 lines do not fit in 3 MB: the writer fails and says so.
  ASSERT_TRUE(daemon.WaitForStderrLine("database or disk is full", 60s).has_value())
      << daemon.err();
  auto paused = Status(addr);
  ASSERT_TRUE(paused.has_value());
  EXPECT_NE(paused->ingest_problem().find("database or disk is full"), std::string::npos)
      << paused->ingest_problem();
  EXPECT_TRUE(paused->has_ingest_problem_since());
  EXPECT_LT(paused->sources(0).lines_parsed(), kLines);

  // Space returns: the retried transaction commits and reading goes on.
  ASSERT_EQ(mount("tmpfs", state.c_str(), "tmpfs", MS_REMOUNT, "size=256m"), 0)
      << std::strerror(errno);
  ASSERT_TRUE(daemon.WaitForStderrLine("writing to the database works again", 30s).has_value())
      << daemon.err();
  std::optional<v1::StatusResponse> done;
  for (int i = 0; i < 300; ++i) {  // bounded; each call is a round trip
    done = Status(addr);
    if (done && done->sources(0).lines_parsed() == kLines) break;
  }
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->sources(0).lines_parsed(), kLines) << daemon.err();
  EXPECT_EQ(done->ingest_problem(), "");

  daemon.Signal(SIGTERM);
  auto code = daemon.Wait(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << daemon.err();
  // Every line once: one event per line offset.
  const auto events = culprit::testing::AllStoredEvents(dir.File("state/culprit.db"));
  EXPECT_EQ(events.size(), static_cast<size_t>(kLines));
  std::set<int64_t> offsets;
  for (const auto& e : events) EXPECT_TRUE(offsets.insert(e.offset).second) << e.offset;
}

}  // namespace
}  // namespace culprit
