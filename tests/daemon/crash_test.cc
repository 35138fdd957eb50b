// Exactly once across crashes: while a writer appends (with partial lines)
// and rotates a log, the real culpritd is killed with SIGKILL at random
// moments and restarted. Afterwards every line is in the events table
// exactly once.
//
// CULPRIT_CRASH_CYCLES (default 24) and CULPRIT_CRASH_SEED override the
// number of kills and the random seed, for a longer run by hand.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "daemon/store/database.h"
#include "daemon/store/sqlite/db.h"
#include "tests/testing/stored_events.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace culprit {
namespace {

using culprit::testing::AllStoredEvents;
using culprit::testing::Subprocess;
using culprit::testing::TempDir;
using namespace std::chrono_literals;

const std::string kCulpritd = std::string(CULPRIT_BINARY_DIR) + "/daemon/culpritd";

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// Appends numbered JSON lines to dir/app.log, sometimes in two writes (a
// partial line first), and rotates by rename every `rotate_every` lines
// (app.log -> app.log.N, N growing, so every rotated file stays readable).
class LogWriter {
 public:
  LogWriter(std::string dir, uint32_t seed) : dir_(std::move(dir)), rng_(seed) {}

  void Run(const std::atomic<bool>& stop) {
    FILE* f = Open();
    int in_file = 0;
    while (!stop && written_ < kMaxLines) {
      const int burst = std::uniform_int_distribution<int>(1, 40)(rng_);
      for (int i = 0; i < burst; ++i) {
        char line[160];
        const int n = std::snprintf(
            line, sizeof line,
            "{\"ts\":\"2026-11-27T10:00:%02d.%06dZ\",\"level\":\"info\",\"msg\":\"seq\","
            "\"request_id\":\"seq-%d\"}\n",
            (written_ / 1000000) % 60, written_ % 1000000, written_);
        if (std::uniform_int_distribution<int>(0, 9)(rng_) == 0) {
          // Half a line now, the rest after a flush: the daemon may be
          // killed in between.
          const int half = n / 2;
          std::fwrite(line, 1, half, f);
          std::fflush(f);
          std::fwrite(line + half, 1, n - half, f);
        } else {
          std::fwrite(line, 1, n, f);
        }
        ++written_;
        ++in_file;
      }
      std::fflush(f);
      if (in_file >= kRotateEvery) {
        std::fclose(f);
        const std::string rotated = dir_ + "/app.log." + std::to_string(++rotations_);
        std::rename((dir_ + "/app.log").c_str(), rotated.c_str());
        f = Open();
        in_file = 0;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(
          std::uniform_int_distribution<int>(200, 3000)(rng_)));
    }
    std::fclose(f);
  }

  int written() const { return written_; }
  int rotations() const { return rotations_; }

 private:
  static constexpr int kMaxLines = 2'000'000;  // bound, never reached in practice
  static constexpr int kRotateEvery = 1500;

  FILE* Open() { return std::fopen((dir_ + "/app.log").c_str(), "a"); }

  std::string dir_;
  std::mt19937 rng_;
  int written_ = 0;
  int rotations_ = 0;
};

TEST(CrashTest, EveryLineOnceAfterRepeatedKills) {
  const int cycles = EnvInt("CULPRIT_CRASH_CYCLES", 24);
  const auto seed = static_cast<uint32_t>(EnvInt("CULPRIT_CRASH_SEED", 20261127));
  SCOPED_TRACE("seed " + std::to_string(seed) + ", cycles " + std::to_string(cycles));
  TempDir dir;
  dir.Write("logs/.keep", "");
  dir.Write("state/.keep", "");
  dir.Write("culprit.toml", R"(
[daemon]
listen = "127.0.0.1:0"
database = "state/culprit.db"

[[source]]
name = "app"
path = "logs/app.log*"
format = "json"
)");

  std::mt19937 rng(seed);
  std::atomic<bool> stop{false};
  LogWriter writer(dir.File("logs"), seed + 1);
  std::thread writer_thread([&] { writer.Run(stop); });

  int kills = 0;
  for (int i = 0; i < cycles; ++i) {
    Subprocess daemon({kCulpritd, "--config", dir.File("culprit.toml")});
    ASSERT_TRUE(daemon.WaitForStderrLine("serving on", 20s).has_value()) << daemon.err();
    // A random moment: right away, or after it has been reading a while.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 400)(rng)));
    daemon.Signal(SIGKILL);
    ASSERT_EQ(daemon.Wait(10s), 128 + SIGKILL);
    ++kills;
  }
  stop = true;
  writer_thread.join();
  const int64_t total = writer.written();

  // One last start: read everything that is left, then stop cleanly.
  Subprocess daemon({kCulpritd, "--config", dir.File("culprit.toml"), "--log-level", "info"});
  ASSERT_TRUE(daemon.WaitForStderrLine("serving on", 20s).has_value()) << daemon.err();
  int64_t stored = -1;
  for (int i = 0; i < 600 && stored != total; ++i) {  // bounded: at most ~60 s
    auto db = store::OpenForReading(dir.File("state/culprit.db"));
    ASSERT_TRUE(db.ok()) << db.status().message();
    // Advanced in the same transaction as the events it counts.
    auto n = (*db)->QueryInt("SELECT COALESCE(SUM(lines_parsed), 0) FROM sources");
    ASSERT_TRUE(n.ok()) << n.status().message();
    stored = *n;
    if (stored != total) daemon.WaitForStderrLine("\x01never\x01", 100ms);
  }
  daemon.Signal(SIGTERM);
  ASSERT_EQ(daemon.Wait(20s), 0) << daemon.err();

  auto db = store::OpenForReading(dir.File("state/culprit.db"));
  ASSERT_TRUE(db.ok());
  // Every stored event, whether an `events` row or packed in a group.
  const std::vector<store::StoredEvent> events = AllStoredEvents(dir.File("state/culprit.db"));
  std::map<std::string, std::vector<const store::StoredEvent*>> by_request;
  for (const auto& e : events) by_request[e.event.request_id].push_back(&e);
  const auto distinct = static_cast<int64_t>(by_request.size());
  stored = static_cast<int64_t>(events.size());
  auto rejected = (*db)->QueryInt("SELECT COUNT(*) FROM rejected_lines");
  ASSERT_TRUE(rejected.ok());
  std::printf("crash test: %d kills, %d rotations, %lld lines written, %lld stored, %lld distinct\n",
              kills, writer.rotations(), static_cast<long long>(total),
              static_cast<long long>(stored), static_cast<long long>(distinct));
  if (stored != total || distinct != total) {
    // Say where: the first duplicated lines with the files and offsets they
    // were stored from, and every checkpoint.
    int shown = 0;
    for (const auto& [rid, copies] : by_request) {
      if (copies.size() < 2 || ++shown > 10) continue;
      std::string where;
      for (const auto* e : copies) {
        where += " " + std::to_string(e->file_id) + ":" + e->path + "@" + std::to_string(e->offset);
      }
      std::printf("  duplicate %s x%zu:%s\n", rid.c_str(), copies.size(), where.c_str());
    }
    auto cps = (*db)->Prepare(
        "SELECT id, path, inode, offset, active, hex(substr(fingerprint, 1, 40)) FROM checkpoints "
        "ORDER BY id");
    ASSERT_TRUE(cps.ok()) << cps.status().message();
    for (auto row = cps->Step(); row.ok() && *row; row = cps->Step()) {
      std::printf("  checkpoint %lld %s inode %lld offset %lld active %lld fp %s\n",
                  static_cast<long long>(cps->ColumnInt(0)),
                  std::string(cps->ColumnText(1)).c_str(),
                  static_cast<long long>(cps->ColumnInt(2)),
                  static_cast<long long>(cps->ColumnInt(3)),
                  static_cast<long long>(cps->ColumnInt(4)),
                  std::string(cps->ColumnText(5)).c_str());
    }
  }
  EXPECT_EQ(stored, total) << "lines lost or duplicated";
  EXPECT_EQ(distinct, total) << "some line stored twice";
  EXPECT_EQ(*rejected, 0) << "a line was torn: it was stored as rejected";
}

}  // namespace
}  // namespace culprit
