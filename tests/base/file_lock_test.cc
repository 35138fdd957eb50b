#include "base/file_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>

#include "tests/testing/temp_dir.h"

namespace culprit {
namespace {

TEST(FileLock, SecondHolderIsRefusedWithTheFirstOnesPid) {
  testing::TempDir dir;
  const std::string path = dir.File("culprit.db.lock");
  auto first = FileLock::Acquire(path);
  ASSERT_TRUE(first.ok()) << first.status().message();
  // Another open file description conflicts like another process would.
  auto second = FileLock::Acquire(path);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(path), std::string::npos);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(getpid())), std::string::npos)
      << second.status().message();
}

TEST(FileLock, ReleasedWhenTheHolderGoesAndKeptAcrossAMove) {
  testing::TempDir dir;
  const std::string path = dir.File("x.lock");
  std::optional<FileLock> held;
  {
    auto lock = FileLock::Acquire(path);
    ASSERT_TRUE(lock.ok());
    held.emplace(std::move(*lock));  // the moved-from object must not unlock
  }
  EXPECT_FALSE(FileLock::Acquire(path).ok());
  held.reset();
  EXPECT_TRUE(FileLock::Acquire(path).ok());  // a stale file does not block
}

TEST(FileLock, UncreatableFileSaysWhy) {
  auto lock = FileLock::Acquire("/nonexistent-dir/for/sure/x.lock");
  ASSERT_FALSE(lock.ok());
  EXPECT_NE(lock.status().message().find("cannot create lock file"), std::string::npos);
  EXPECT_NE(lock.status().message().find("/nonexistent-dir/for/sure/x.lock"), std::string::npos);
}

}  // namespace
}  // namespace culprit
