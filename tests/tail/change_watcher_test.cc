// ChangeWatcher on a real temp directory. Waits that must succeed are
// bounded (5 s, far above the few milliseconds they take); waits that must
// time out use 10-50 ms. Nothing sleeps.

#include "daemon/tail/change_watcher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace culprit::tail {
namespace {

using ::culprit::testing::TempDir;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Duration kLong = seconds(5);
constexpr Duration kShort = milliseconds(10);

void AppendTo(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

std::unique_ptr<ChangeWatcher> MakeWatcher(ChangeWatcher::Options options = {}) {
  Result<std::unique_ptr<ChangeWatcher>> w = ChangeWatcher::Create(options);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? std::move(*w) : nullptr;
}

TEST(ChangeWatcher, WriteToTheWatchedFileWakesWait) {
  TempDir dir;
  auto watcher = MakeWatcher();
  ASSERT_TRUE(watcher->using_inotify());
  ASSERT_TRUE(watcher->AddPath(dir.File("access.log")).ok());
  EXPECT_FALSE(watcher->Wait(kShort));
  AppendTo(dir.File("access.log"),
           "10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200 1\n");
  EXPECT_TRUE(watcher->Wait(kLong));
  // All of it was one change: consumed by that wake-up.
  EXPECT_FALSE(watcher->Wait(kShort));
}

TEST(ChangeWatcher, RotationByRenameAndCreateWakesWait) {
  TempDir dir;
  const std::string log = dir.File("access.log");
  AppendTo(log, "a\n");
  auto watcher = MakeWatcher();
  ASSERT_TRUE(watcher->AddPath(log).ok());
  ASSERT_EQ(::rename(log.c_str(), (log + ".1").c_str()), 0);
  EXPECT_TRUE(watcher->Wait(kLong));
  // The rotated file is still being finished: writes to it count too.
  AppendTo(log + ".1", "b\n");
  EXPECT_TRUE(watcher->Wait(kLong));
  AppendTo(log, "c\n");
  EXPECT_TRUE(watcher->Wait(kLong));
}

TEST(ChangeWatcher, UnrelatedFilesInTheDirectoryDoNotWake) {
  TempDir dir;
  auto watcher = MakeWatcher();
  ASSERT_TRUE(watcher->AddPath(dir.File("access.log")).ok());
  AppendTo(dir.File("error.log"), "x\n");
  EXPECT_FALSE(watcher->Wait(milliseconds(50)));
}

TEST(ChangeWatcher, GlobPatternWakesForNewMatchingFiles) {
  TempDir dir;
  auto watcher = MakeWatcher();
  ASSERT_TRUE(watcher->AddPath(dir.path() + "/*.jsonl").ok());
  AppendTo(dir.File("new.jsonl"), "{}\n");
  EXPECT_TRUE(watcher->Wait(kLong));
}

TEST(ChangeWatcher, WakeFromAnotherThread) {
  auto watcher = MakeWatcher();
  std::thread waker([&] { watcher->Wake(); });
  EXPECT_TRUE(watcher->Wait(kLong));
  waker.join();
  EXPECT_FALSE(watcher->Wait(kShort));  // consumed
}

TEST(ChangeWatcher, WakeBeforeWaitIsNotLost) {
  auto watcher = MakeWatcher();
  watcher->Wake();
  watcher->Wake();
  EXPECT_TRUE(watcher->Wait(Duration::zero()));
  EXPECT_FALSE(watcher->Wait(Duration::zero()));
}

TEST(ChangeWatcher, TimeoutReturnsFalse) {
  TempDir dir;
  auto watcher = MakeWatcher();
  ASSERT_TRUE(watcher->AddPath(dir.File("quiet.log")).ok());
  EXPECT_FALSE(watcher->Wait(kShort));
  EXPECT_FALSE(watcher->Wait(Duration::zero()));
  EXPECT_FALSE(watcher->Wait(Duration(-5)));
}

TEST(ChangeWatcher, DirectoryThatAppearsLaterIsWatchedThen) {
  TempDir dir;
  ChangeWatcher::Options options;
  options.missing_dir_retry = milliseconds(5);
  auto watcher = MakeWatcher(options);
  const std::string sub = dir.File("later");
  ASSERT_TRUE(watcher->AddPath(sub + "/app.log").ok());
  EXPECT_FALSE(watcher->Wait(milliseconds(20)));
  ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
  EXPECT_TRUE(watcher->Wait(kLong));  // it appeared
  AppendTo(sub + "/app.log", "x\n");
  EXPECT_TRUE(watcher->Wait(kLong));  // and is watched now
}

TEST(ChangeWatcher, DirectoryRemovedAndRecreatedIsWatchedAgain) {
  TempDir dir;
  ChangeWatcher::Options options;
  options.missing_dir_retry = milliseconds(5);
  auto watcher = MakeWatcher(options);
  const std::string sub = dir.File("logs");
  ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
  ASSERT_TRUE(watcher->AddPath(sub + "/app.log").ok());
  std::filesystem::remove_all(sub);
  EXPECT_TRUE(watcher->Wait(kLong));
  for (int i = 0; i < 100 && watcher->Wait(kShort); ++i) {
  }
  ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
  EXPECT_TRUE(watcher->Wait(kLong));
  AppendTo(sub + "/app.log", "x\n");
  EXPECT_TRUE(watcher->Wait(kLong));
}

TEST(ChangeWatcher, WithoutInotifyOnlyWakeAndTimeout) {
  TempDir dir;
  ChangeWatcher::Options options;
  options.use_inotify = false;
  auto watcher = MakeWatcher(options);
  EXPECT_FALSE(watcher->using_inotify());
  ASSERT_TRUE(watcher->AddPath(dir.File("access.log")).ok());
  AppendTo(dir.File("access.log"), "x\n");
  EXPECT_FALSE(watcher->Wait(kShort));  // not noticed: the caller polls on timeout
  watcher->Wake();
  EXPECT_TRUE(watcher->Wait(kLong));
}

TEST(ChangeWatcher, EmptyPatternIsInvalid) {
  auto watcher = MakeWatcher();
  EXPECT_EQ(watcher->AddPath("").code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace culprit::tail
