// The core tailer scenarios again, on real files: PosixFileSystem in a
// TempDir, so the kernel's own rename/unlink/truncate semantics are used.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "daemon/tail/file_system.h"
#include "daemon/tail/tailer.h"
#include "tests/tail/committer.h"
#include "tests/testing/temp_dir.h"

namespace culprit::tail {
namespace {

using ::culprit::testing::Committer;
using ::culprit::testing::TempDir;
using ::culprit::testing::Texts;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kA[] =
    "2026-11-24T10:00:01.123Z haproxy[12]: 10.0.0.1:5123 [fe] be/s1 0/0/1/2/3 200 1";
constexpr char kB[] =
    "2026-11-24T10:00:02.456Z haproxy[12]: 10.0.0.2:5124 [fe] be/s1 0/0/1/2/3 502 0";
constexpr char kC[] =
    "2026-11-24T10:00:03.789Z haproxy[12]: 10.0.0.3:5125 [fe] be/s2 0/0/1/2/3 200 7";

// Appends like a logging program: O_APPEND, one write(2) per call.
void AppendTo(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

std::string L(const char* line) { return std::string(line) + "\n"; }

uint64_t InodeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

Tailer::Options Opts(std::string pattern) {
  Tailer::Options o;
  o.pattern = std::move(pattern);
  return o;
}

TEST(PosixTailer, RenameAndCreateRotationFinishesTheOldFileFirst) {
  TempDir dir;
  const std::string log = dir.File("haproxy.log");
  PosixFileSystem fs;
  AppendTo(log, L(kA));
  Tailer tailer(&fs, Opts(log), {});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA));
  const uint64_t old_inode = InodeOf(log);

  AppendTo(log, L(kB));
  ASSERT_EQ(::rename(log.c_str(), (log + ".1").c_str()), 0);
  AppendTo(log, L(kC));
  PollResult r = tailer.Poll();
  EXPECT_THAT(r.problems, IsEmpty());
  EXPECT_THAT(Texts(r), ElementsAre(kB, kC));
  ASSERT_EQ(r.chunks.size(), 2u);
  EXPECT_EQ(r.chunks[0].identity.inode, old_inode);
  EXPECT_EQ(r.chunks[1].identity.inode, InodeOf(log));

  r = tailer.Poll();
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_TRUE(r.chunks[0].finished);
}

TEST(PosixTailer, CopyTruncateStartsAgainAtZero) {
  TempDir dir;
  const std::string log = dir.File("haproxy.log");
  PosixFileSystem fs;
  AppendTo(log, L(kA) + L(kB));
  Tailer tailer(&fs, Opts(log), {});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA, kB));
  AppendTo(log + ".1", culprit::testing::ReadFileOrEmpty(log));  // the copy
  ASSERT_EQ(::truncate(log.c_str(), 0), 0);
  AppendTo(log, L(kC));
  PollResult r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre(kC));
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_TRUE(r.chunks[0].truncated_file);
  EXPECT_EQ(tailer.truncations(), 1);
}

TEST(PosixTailer, RotatedWhileDownResumesFromTheCheckpoint) {
  TempDir dir;
  const std::string log = dir.File("haproxy.log");
  PosixFileSystem fs;
  AppendTo(log, L(kA));
  Committer store;
  {
    Tailer tailer(&fs, Opts(log), {});
    store.Commit(tailer.Poll());
  }
  AppendTo(log, L(kB));
  ASSERT_EQ(::rename(log.c_str(), (log + "-20261124").c_str()), 0);
  AppendTo(log + ".2.gz", "\x1f\x8b not text");
  AppendTo(log, L(kC));
  Tailer tailer(&fs, Opts(log), store.Checkpoints());
  PollResult r = tailer.Poll();
  EXPECT_THAT(r.problems, IsEmpty());
  EXPECT_THAT(Texts(r), ElementsAre(kB, kC));
  ASSERT_EQ(r.chunks.size(), 2u);
  EXPECT_EQ(r.chunks[0].path, log + "-20261124");
}

TEST(PosixTailer, GlobNewFileAndPartialLine) {
  TempDir dir;
  PosixFileSystem fs;
  Tailer tailer(&fs, Opts(dir.path() + "/*.jsonl"), {});
  EXPECT_THAT(tailer.Poll().chunks, IsEmpty());  // nothing there yet: no problem either
  AppendTo(dir.File("a.jsonl"), "{\"n\":1}\r\n{\"n\":");
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre("{\"n\":1}"));
  AppendTo(dir.File("a.jsonl"), "2}\n");
  AppendTo(dir.File("b.jsonl"), "{\"m\":1}\n");
  AppendTo(dir.File("c.txt"), "ignored\n");
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre("{\"n\":2}", "{\"m\":1}"));
  EXPECT_EQ(tailer.Followed().size(), 2u);
}

TEST(PosixTailer, DeletedFileIsFinishedAndTheRecreatedOneReadFromZero) {
  TempDir dir;
  const std::string log = dir.File("haproxy.log");
  PosixFileSystem fs;
  AppendTo(log, L(kA));
  Tailer tailer(&fs, Opts(log), {});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA));
  ASSERT_EQ(::unlink(log.c_str()), 0);
  EXPECT_THAT(tailer.Poll().chunks, IsEmpty());
  PollResult r = tailer.Poll();
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_TRUE(r.chunks[0].finished);
  AppendTo(log, L(kB));
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kB));
}

TEST(PosixTailer, UnreadableFileIsAProblemNamingItAndIsRetried) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  TempDir dir;
  const std::string log = dir.File("haproxy.log");
  PosixFileSystem fs;
  AppendTo(log, L(kA));
  ASSERT_EQ(::chmod(log.c_str(), 0), 0);
  Tailer tailer(&fs, Opts(log), {});
  PollResult r = tailer.Poll();
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].message().find(log), std::string::npos) << r.problems[0].ToString();
  ASSERT_EQ(::chmod(log.c_str(), 0644), 0);
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA));
}

// The log's directory removed (a cleanup, a redeploy) and made again: the
// old file is finished, and the new one is read from its first line, with
// no line lost or repeated. Checked for a plain path and for a glob.
TEST(PosixTailer, DirectoryRemovedAndRecreatedIsFollowedAgain) {
  for (const bool glob : {false, true}) {
    SCOPED_TRACE(glob ? "glob" : "plain path");
    TempDir dir;
    const std::string sub = dir.File("app");
    const std::string log = sub + "/app.log";
    PosixFileSystem fs;
    ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
    AppendTo(log, L(kA));
    Tailer tailer(&fs, Opts(glob ? sub + "/*.log" : log), {});
    EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA));
    ASSERT_EQ(::unlink(log.c_str()), 0);
    ASSERT_EQ(::rmdir(sub.c_str()), 0);
    // Bounded: the old file is declared finished within a few polls.
    bool finished = false;
    for (int i = 0; i < 5 && !finished; ++i) {
      PollResult r = tailer.Poll();
      EXPECT_THAT(Texts(r), IsEmpty());
      for (const FileChunk& c : r.chunks) finished = finished || c.finished;
    }
    EXPECT_TRUE(finished);
    ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
    AppendTo(log, L(kB) + L(kC));
    std::vector<std::string> got;
    for (int i = 0; i < 5 && got.size() < 2; ++i) {
      for (const std::string& t : Texts(tailer.Poll())) got.push_back(t);
    }
    EXPECT_THAT(got, ElementsAre(kB, kC));
  }
}

}  // namespace
}  // namespace culprit::tail
