// Scenario tests of Tailer on FakeFileSystem: one test per case of
// tailer.h's rules. Each drives Poll() by hand; nothing sleeps.

#include "daemon/tail/tailer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/tail/committer.h"
#include "tests/tail/fake_file_system.h"

namespace culprit::tail {
namespace {

using ::culprit::testing::Committer;
using ::culprit::testing::FailingFileSystem;
using ::culprit::testing::FakeFileSystem;
using ::culprit::testing::Texts;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kLog[] = "/var/log/nginx/access.log";
// Real line shapes (nginx combined), shortened.
constexpr char kA[] = "10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] \"GET /a HTTP/1.1\" 200 12";
constexpr char kB[] = "10.0.0.2 - - [24/Nov/2026:10:00:02 +0000] \"GET /b HTTP/1.1\" 502 0";
constexpr char kC[] = "10.0.0.3 - - [24/Nov/2026:10:00:03 +0000] \"POST /c HTTP/2.0\" 201 7";
constexpr char kD[] = "10.0.0.4 - - [24/Nov/2026:10:00:04 +0000] \"GET /d HTTP/1.1\" 404 9";

std::string L(const char* line) { return std::string(line) + "\n"; }

Tailer::Options Opts(std::string pattern) {
  Tailer::Options o;
  o.pattern = std::move(pattern);
  return o;
}

// Every chunk offset is just after a '\n' of the file it names (or 0).
void ExpectLineBoundaries(FakeFileSystem& fs, const PollResult& r) {
  for (const FileChunk& c : r.chunks) {
    if (c.finished) continue;
    const std::string data = fs.Contents(c.path);
    if (fs.Inode(c.path) != c.identity.inode) continue;  // renamed since
    EXPECT_TRUE(c.end_offset == 0 || (c.end_offset <= static_cast<int64_t>(data.size()) &&
                                      data[c.end_offset - 1] == '\n'))
        << c.path << " end_offset " << c.end_offset;
  }
}

TEST(Tailer, ReadsLinesWithOffsetsAndHoldsBackPartialLine) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA) + L(kB));
  fs.AppendPartial(kLog, "10.0.0.3 - -");
  Tailer tailer(&fs, Opts(kLog), {});
  PollResult r = tailer.Poll();
  EXPECT_THAT(r.problems, IsEmpty());
  ASSERT_EQ(r.chunks.size(), 1u);
  const FileChunk& c = r.chunks[0];
  EXPECT_EQ(c.path, kLog);
  EXPECT_EQ(c.identity.inode, fs.Inode(kLog));
  EXPECT_EQ(c.identity.fingerprint, fs.Contents(kLog).substr(0, kFingerprintBytes));
  ASSERT_EQ(c.lines.size(), 2u);
  EXPECT_EQ(c.Text(c.lines[0]), kA);
  EXPECT_EQ(c.lines[1].offset, static_cast<int64_t>(L(kA).size()));
  EXPECT_EQ(c.start_offset, 0);
  EXPECT_EQ(c.end_offset, static_cast<int64_t>(L(kA).size() + L(kB).size()));
  EXPECT_FALSE(r.more);
  const int64_t first_end = c.end_offset;

  EXPECT_THAT(Texts(tailer.Poll()), IsEmpty());  // still partial
  fs.Append(kLog, std::string(kC).substr(12) + "\n");
  r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre(kC));
  EXPECT_EQ(r.chunks[0].start_offset, first_end);
  ExpectLineBoundaries(fs, r);
  ASSERT_EQ(tailer.Followed().size(), 1u);
  EXPECT_EQ(tailer.Followed()[0].read_offset, static_cast<int64_t>(fs.Contents(kLog).size()));
}

TEST(Tailer, StripsTrailingCarriageReturnOnly) {
  FakeFileSystem fs;
  fs.Append(kLog, std::string(kA) + "\r\n" + "a\rb\r\r\n" + "\r\n");
  Tailer tailer(&fs, Opts(kLog), {});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA, "a\rb\r", ""));
}

TEST(Tailer, LongLineIsCutFlaggedAndItsRestSkippedAcrossPollsAndBudget) {
  FakeFileSystem fs;
  Tailer::Options o = Opts(kLog);
  o.max_line_bytes = 10;
  o.max_bytes_per_poll = 7;
  Tailer tailer(&fs, o, {});
  fs.Append(kLog, "0123456789ABCDEFGHIJ");  // no '\n' yet
  Committer store;
  for (int i = 0; i < 5; ++i) store.Commit(tailer.Poll());
  EXPECT_THAT(store.Texts(), IsEmpty());  // not complete: held back
  fs.Append(kLog, "KLMNOP\nshort\n");
  for (int i = 0; i < 10; ++i) store.Commit(tailer.Poll());
  ASSERT_EQ(store.lines().size(), 2u);
  EXPECT_EQ(store.lines()[0].text, "0123456789");
  EXPECT_TRUE(store.lines()[0].truncated);
  EXPECT_EQ(store.lines()[1].text, "short");
  EXPECT_EQ(store.lines()[1].offset, 27);
  EXPECT_FALSE(store.lines()[1].truncated);
  EXPECT_EQ(store.CommittedOffset(fs.dev(), fs.Inode(kLog)), 33);
}

TEST(Tailer, RotationFinishesTheOldFileBeforeTheNewOne) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA));
  Tailer tailer(&fs, Opts(kLog), {});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA));
  const uint64_t old_inode = fs.Inode(kLog);

  fs.Append(kLog, L(kB));
  fs.Rotate(kLog, std::string(kLog) + ".1");
  fs.Append(kLog, L(kC));
  PollResult r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre(kB, kC));
  ASSERT_EQ(r.chunks.size(), 2u);
  EXPECT_EQ(r.chunks[0].identity.inode, old_inode);
  EXPECT_EQ(r.chunks[1].identity.inode, fs.Inode(kLog));
  EXPECT_EQ(r.chunks[1].start_offset, 0);

  // nginx writes to the old file until it reopens its log: still read.
  fs.Append(std::string(kLog) + ".1", L(kD));
  r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre(kD));
  EXPECT_FALSE(r.chunks[0].finished);

  // A pass with nothing new in the old file finishes it.
  r = tailer.Poll();
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_TRUE(r.chunks[0].finished);
  EXPECT_EQ(r.chunks[0].identity.inode, old_inode);
  EXPECT_THAT(r.chunks[0].lines, IsEmpty());
  EXPECT_EQ(fs.OpenCount(std::string(kLog) + ".1"), 0);  // closed
  ASSERT_EQ(tailer.Followed().size(), 1u);
  EXPECT_EQ(tailer.Followed()[0].identity.inode, fs.Inode(kLog));
}

TEST(Tailer, RotationWhileDownIsFinishedFromTheCheckpointThenTheNewFile) {
  for (const char* rotated_name : {".1", "-20261124"}) {
    SCOPED_TRACE(rotated_name);
    FakeFileSystem fs;
    const std::string rotated = std::string(kLog) + rotated_name;
    fs.Append(kLog, L(kA));
    Committer store;
    {
      Tailer tailer(&fs, Opts(kLog), {});
      store.Commit(tailer.Poll());
    }
    // While the daemon is down: more lines, then logrotate, then new lines.
    fs.Append(kLog, L(kB));
    fs.Rotate(kLog, rotated);
    fs.Append(kLog, L(kC));
    fs.Append(std::string(kLog) + ".2.gz", "\x1f\x8b compressed");  // never read
    fs.Append("/var/log/nginx/error.log", "unrelated\n");

    Tailer tailer(&fs, Opts(kLog), store.Checkpoints());
    PollResult r = tailer.Poll();
    EXPECT_THAT(r.problems, IsEmpty());
    EXPECT_THAT(Texts(r), ElementsAre(kB, kC));
    ASSERT_EQ(r.chunks.size(), 2u);
    EXPECT_EQ(r.chunks[0].path, rotated);
    EXPECT_EQ(r.chunks[0].start_offset, static_cast<int64_t>(L(kA).size()));
    store.Commit(r);
    store.Commit(tailer.Poll());  // the rotated file is finished and retired
    EXPECT_EQ(store.Checkpoints().size(), 1u);
    EXPECT_EQ(store.Checkpoints()[0].identity.inode, fs.Inode(kLog));
  }
}

TEST(Tailer, RestartResumesAtTheCommittedOffsetNotAtWhatWasRead) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA) + L(kB));
  Committer store;
  {
    Tailer tailer(&fs, Opts(kLog), {});
    store.Commit(tailer.Poll());
    fs.Append(kLog, L(kC));
    EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kC));  // read, then a crash: not committed
  }
  fs.Append(kLog, L(kD));
  Tailer::Options o = Opts(kLog);
  o.start_at_end = true;  // a checkpoint wins over start_at_end
  Tailer tailer(&fs, o, store.Checkpoints());
  store.Commit(tailer.Poll());
  EXPECT_THAT(store.Texts(), ElementsAre(kA, kB, kC, kD));
}

TEST(Tailer, CopyTruncateStartsAgainAtZero) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA) + L(kB));
  Tailer tailer(&fs, Opts(kLog), {});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA, kB));
  fs.CopyTruncate(kLog, std::string(kLog) + ".1");
  fs.Append(kLog, L(kC));  // shorter than our offset
  PollResult r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre(kC));
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_TRUE(r.chunks[0].truncated_file);
  EXPECT_EQ(r.chunks[0].start_offset, 0);
  EXPECT_EQ(tailer.truncations(), 1);
  // The next chunk is not flagged again.
  fs.Append(kLog, L(kD));
  r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre(kD));
  EXPECT_FALSE(r.chunks[0].truncated_file);
  EXPECT_EQ(tailer.truncations(), 1);
}

TEST(Tailer, CopyTruncateThatGrewBackPastOurOffsetIsNoticedByFingerprint) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA));
  Tailer tailer(&fs, Opts(kLog), {});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA));
  fs.CopyTruncate(kLog, std::string(kLog) + ".1");
  fs.Append(kLog, L(kB) + L(kC));  // already longer than kA when we look
  PollResult r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre(kB, kC));
  EXPECT_TRUE(r.chunks[0].truncated_file);
  EXPECT_EQ(r.chunks[0].lines[0].offset, 0);
  EXPECT_EQ(tailer.truncations(), 1);
}

TEST(Tailer, TruncatedWhileDownRestartsAtZero) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA) + L(kB));
  Committer store;
  {
    Tailer tailer(&fs, Opts(kLog), {});
    store.Commit(tailer.Poll());
  }
  fs.CopyTruncate(kLog, std::string(kLog) + ".1");
  fs.Append(kLog, L(kC));
  Tailer tailer(&fs, Opts(kLog), store.Checkpoints());
  PollResult r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre(kC));
  EXPECT_TRUE(r.chunks[0].truncated_file);
  EXPECT_EQ(tailer.truncations(), 1);
}

TEST(Tailer, DeleteThenRecreateLater) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA));
  Tailer tailer(&fs, Opts(kLog), {});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA));
  const uint64_t old_inode = fs.Inode(kLog);
  fs.Delete(kLog);
  EXPECT_THAT(tailer.Poll().chunks, IsEmpty());  // gone: noticed
  PollResult r = tailer.Poll();                  // and nothing new since: finished
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_TRUE(r.chunks[0].finished);
  EXPECT_EQ(r.chunks[0].identity.inode, old_inode);
  EXPECT_THAT(tailer.Followed(), IsEmpty());
  fs.Append(kLog, L(kB));  // a new file, new inode
  r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre(kB));
  EXPECT_EQ(r.chunks[0].start_offset, 0);
  EXPECT_EQ(tailer.truncations(), 0);
}

TEST(Tailer, DeleteAndRecreateBetweenTwoPolls) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA));
  Tailer tailer(&fs, Opts(kLog), {});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA));
  const uint64_t old_inode = fs.Inode(kLog);
  fs.Delete(kLog);
  fs.Append(kLog, L(kB));
  PollResult r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre(kB));
  EXPECT_NE(fs.Inode(kLog), old_inode);
  r = tailer.Poll();
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_TRUE(r.chunks[0].finished);
  EXPECT_EQ(r.chunks[0].identity.inode, old_inode);
  EXPECT_EQ(tailer.truncations(), 0);
}

TEST(Tailer, InodeReuseIsANewFileReadFromZero) {
  for (bool start_at_end : {false, true}) {
    SCOPED_TRACE(start_at_end);
    FakeFileSystem fs;
    fs.Append(kLog, L(kA) + L(kB));
    Committer store;
    {
      Tailer tailer(&fs, Opts(kLog), {});
      store.Commit(tailer.Poll());
    }
    const uint64_t inode = fs.Inode(kLog);
    ASSERT_TRUE(fs.RecreateWithSameInode(kLog).ok());
    fs.Append(kLog, L(kC) + L(kD) + L(kA));  // longer than the old offset
    ASSERT_EQ(fs.Inode(kLog), inode);
    Tailer::Options o = Opts(kLog);
    o.start_at_end = start_at_end;
    Tailer tailer(&fs, o, store.Checkpoints());
    PollResult r = tailer.Poll();
    EXPECT_THAT(Texts(r), ElementsAre(kC, kD, kA));
    EXPECT_THAT(r.problems, IsEmpty());
  }
}

TEST(Tailer, FakeRefusesToReuseAnInodeThatIsStillOpen) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA));
  Tailer tailer(&fs, Opts(kLog), {});
  (void)tailer.Poll();
  EXPECT_EQ(fs.RecreateWithSameInode(kLog).code(), StatusCode::kFailedPrecondition);
}

TEST(Tailer, FileThatDoesNotExistYetIsReadFromZeroWhenItAppears) {
  FakeFileSystem fs;
  Tailer::Options o = Opts(kLog);
  o.start_at_end = true;  // only for files present at the first Poll()
  Tailer tailer(&fs, o, {});
  PollResult r = tailer.Poll();
  EXPECT_THAT(r.chunks, IsEmpty());
  EXPECT_THAT(r.problems, IsEmpty());
  fs.Append(kLog, L(kA) + L(kB));
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA, kB));
}

TEST(Tailer, GlobFollowsEachFileAndReadsNewOnesFromZero) {
  FakeFileSystem fs;
  fs.Append("/var/log/app/a.jsonl", "{\"a\":1}\n");
  fs.Append("/var/log/app/notes.txt", "not matched\n");
  fs.Append("/var/log/app/sub/c.jsonl", "{\"deeper\":1}\n");  // * does not cross '/'
  fs.MakeDirectory("/var/log/app/dir.jsonl");
  Tailer::Options o = Opts("/var/log/app/*.jsonl");
  o.start_at_end = true;
  Tailer tailer(&fs, o, {});
  PollResult r = tailer.Poll();
  EXPECT_THAT(Texts(r), IsEmpty());  // a.jsonl: at its end
  EXPECT_THAT(r.problems, IsEmpty());

  fs.Append("/var/log/app/b.jsonl", "{\"b\":1}\n{\"b\":2}\n");
  fs.Append("/var/log/app/a.jsonl", "{\"a\":2}\n");
  fs.AppendPartial("/var/log/app/b.jsonl", "{\"b\":");
  r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre("{\"a\":2}", "{\"b\":1}", "{\"b\":2}"));
  ASSERT_EQ(r.chunks.size(), 2u);
  EXPECT_EQ(r.chunks[1].path, "/var/log/app/b.jsonl");
  EXPECT_EQ(tailer.Followed().size(), 2u);

  // Independent: a's rotation does not disturb b's partial line.
  fs.Rotate("/var/log/app/a.jsonl", "/var/log/app/a.jsonl.1");
  fs.Append("/var/log/app/a.jsonl", "{\"a\":3}\n");
  fs.Append("/var/log/app/b.jsonl", "3}\n");
  // Each file in its own order; files relative to each other in no set order.
  EXPECT_THAT(Texts(tailer.Poll()), UnorderedElementsAre("{\"a\":3}", "{\"b\":3}"));
}

TEST(Tailer, PlainPathNamingADirectoryIsAProblem) {
  FakeFileSystem fs;
  fs.MakeDirectory("/var/log/app");
  Tailer tailer(&fs, Opts("/var/log/app"), {});
  PollResult r = tailer.Poll();
  EXPECT_THAT(r.chunks, IsEmpty());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].message().find("/var/log/app"), std::string::npos);
}

TEST(Tailer, RenameWithinTheGlobIsTheSameFile) {
  FakeFileSystem fs;
  fs.Append("/logs/app.log", L(kA));
  Tailer tailer(&fs, Opts("/logs/*.log"), {});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA));
  fs.Rename("/logs/app.log", "/logs/app-20261124.log");
  fs.Append("/logs/app-20261124.log", L(kB));
  fs.Append("/logs/app.log", L(kC));
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kB, kC));
  for (int i = 0; i < 3; ++i) EXPECT_THAT(Texts(tailer.Poll()), IsEmpty());  // no re-read
}

TEST(Tailer, AFinishedFileThatTurnsUpInThePatternAgainIsNotReadAgain) {
  // The listing of one pass may miss a file being renamed (readdir is not
  // atomic against rename): the file is then taken as rotated away and
  // finished. When a later listing shows it under a name the pattern
  // matches, it must be resumed where it ended.
  FakeFileSystem fs;
  fs.Append("/logs/app.log", L(kA));
  Tailer tailer(&fs, Opts("/logs/*.log"), {});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kA));
  fs.Rotate("/logs/app.log", "/logs/app.old");  // out of the pattern
  EXPECT_THAT(Texts(tailer.Poll()), IsEmpty());
  PollResult r = tailer.Poll();
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_TRUE(r.chunks[0].finished);

  fs.Rename("/logs/app.old", "/logs/app-1.log");  // back into the pattern
  EXPECT_THAT(Texts(tailer.Poll()), IsEmpty());
  fs.Append("/logs/app-1.log", L(kB));
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kB));
}

TEST(Tailer, FilesFinishedBeforeARestartAreNotReadAgain) {
  FakeFileSystem fs;
  fs.Append("/logs/app.log.1", L(kA) + L(kB));
  fs.Append("/logs/app.log", L(kC));
  const std::string old_fp = fs.Contents("/logs/app.log.1").substr(0, kFingerprintBytes);
  FileCheckpoint finished{"/logs/app.log", {fs.dev(), fs.Inode("/logs/app.log.1"), old_fp},
                          static_cast<int64_t>(L(kA).size() + L(kB).size())};
  Tailer tailer(&fs, Opts("/logs/app.log*"), {});
  tailer.AddRetired({finished});
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kC));
  fs.Append("/logs/app.log.1", L(kD));  // a late write to the rotated file
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kD));
}

TEST(Tailer, StartAtEndStartsAtTheLastLineBoundary) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA) + L(kB));
  fs.AppendPartial(kLog, "10.0.0.3 - - [24/Nov");
  Tailer::Options o = Opts(kLog);
  o.start_at_end = true;
  Tailer tailer(&fs, o, {});
  PollResult r = tailer.Poll();
  EXPECT_THAT(Texts(r), IsEmpty());
  // An empty chunk tells the caller where reading starts, so it can commit it.
  ASSERT_EQ(r.chunks.size(), 1u);
  const auto boundary = static_cast<int64_t>(L(kA).size() + L(kB).size());
  EXPECT_EQ(r.chunks[0].end_offset, boundary);
  EXPECT_EQ(tailer.Followed()[0].read_offset, boundary);
  fs.Append(kLog, std::string(kC).substr(20) + "\n" + L(kD));
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kC, kD));
}

TEST(Tailer, StartAtEndInsideAHugeLastLineSkipsItsRest) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA) + std::string(2 << 20, 'x'));  // no '\n' in the last MiB
  Tailer::Options o = Opts(kLog);
  o.start_at_end = true;
  o.max_line_bytes = 16;
  Tailer tailer(&fs, o, {});
  EXPECT_THAT(Texts(tailer.Poll()), IsEmpty());
  fs.Append(kLog, "xxx\n" + L(kB));
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(std::string(kB).substr(0, 16)));
}

TEST(Tailer, ByteBudgetBoundsAPassAndSaysMore) {
  FakeFileSystem fs;
  std::vector<std::string> want;
  for (int i = 0; i < 50; ++i) {
    want.push_back("line " + std::to_string(i));
    fs.Append(kLog, want.back() + "\n");
  }
  Tailer::Options o = Opts(kLog);
  o.max_bytes_per_poll = 64;
  Tailer tailer(&fs, o, {});
  Committer store;
  int polls = 0;
  for (bool more = true; more && polls < 100; ++polls) {
    PollResult r = tailer.Poll();
    size_t bytes = 0;
    for (const FileChunk& c : r.chunks) bytes += c.data.size() + c.lines.size();
    EXPECT_LE(bytes, 64u);
    more = r.more;
    store.Commit(r);
  }
  EXPECT_GE(polls, 6);
  EXPECT_EQ(store.Texts(), want);
  EXPECT_FALSE(tailer.Poll().more);
}

TEST(Tailer, RotatedFileCutShortByTheBudgetStillComesFirst) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA));
  Tailer::Options o = Opts(kLog);
  o.max_bytes_per_poll = 100;
  Tailer tailer(&fs, o, {});
  Committer store;
  store.Commit(tailer.Poll());
  for (int i = 0; i < 5; ++i) fs.Append(kLog, L(kB));
  fs.Rotate(kLog, std::string(kLog) + ".1");
  fs.Append(kLog, L(kC));
  for (int i = 0; i < 20; ++i) store.Commit(tailer.Poll());
  EXPECT_THAT(store.Texts(), ElementsAre(kA, kB, kB, kB, kB, kB, kC));
}

TEST(Tailer, CommittedCheckpointThatMatchesNothingIsDropped) {
  FakeFileSystem fs;
  fs.Append(kLog, L(kA));
  FileCheckpoint gone{kLog, FileIdentity{fs.dev(), 999999, "whatever"}, 5};
  Tailer tailer(&fs, Opts(kLog), {gone});
  PollResult r = tailer.Poll();
  EXPECT_THAT(Texts(r), ElementsAre(kA));
  EXPECT_THAT(r.problems, IsEmpty());
  EXPECT_EQ(tailer.Followed().size(), 1u);
}

TEST(Tailer, SameFileAsComparesDevInodeAndFingerprintPrefix) {
  const FileIdentity a{1, 2, "abc"};
  EXPECT_TRUE(a.SameFileAs(FileIdentity{1, 2, "abcdef"}));
  EXPECT_TRUE(a.SameFileAs(FileIdentity{1, 2, ""}));
  EXPECT_FALSE(a.SameFileAs(FileIdentity{1, 2, "abd"}));
  EXPECT_FALSE(a.SameFileAs(FileIdentity{1, 3, "abc"}));
  EXPECT_FALSE(a.SameFileAs(FileIdentity{9, 2, "abc"}));
}

// Each failing call is followed by a retry that neither loses nor repeats.
struct ErrorCase {
  const char* name;
  FailingFileSystem::Op op;
  int nth;  // counted from the first Poll()
};

class TailerIoErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(TailerIoErrorTest, RetriedWithoutLossOrDuplication) {
  const ErrorCase& ec = GetParam();
  FakeFileSystem fake;
  FailingFileSystem fs(&fake);
  const std::string pattern = "/var/log/app/*.log";
  fake.Append("/var/log/app/x.log", L(kA));
  Tailer tailer(&fs, Opts(pattern), {});
  Committer store;
  fs.FailNth(ec.op, ec.nth, 2);
  bool saw_problem = false;
  for (int i = 0; i < 8; ++i) {
    if (i == 2) fake.Append("/var/log/app/x.log", L(kB));
    if (i == 3) fake.Rotate("/var/log/app/x.log", "/var/log/app/x.log.1");
    if (i == 4) fake.Append("/var/log/app/x.log", L(kC));
    if (i == 5) fake.Append("/var/log/app/y.log", L(kD));
    PollResult r = tailer.Poll();
    for (const Status& p : r.problems) {
      saw_problem = true;
      EXPECT_NE(p.message().find("/var/log/app/"), std::string::npos) << p.ToString();
    }
    store.Commit(r);
  }
  EXPECT_TRUE(saw_problem);
  EXPECT_THAT(store.Texts(), ElementsAre(kA, kB, kC, kD));
}

INSTANTIATE_TEST_SUITE_P(
    Ops, TailerIoErrorTest,
    ::testing::Values(ErrorCase{"glob_first", FailingFileSystem::Op::kGlob, 1},
                      ErrorCase{"glob_later", FailingFileSystem::Op::kGlob, 3},
                      ErrorCase{"stat_first", FailingFileSystem::Op::kStat, 1},
                      ErrorCase{"stat_later", FailingFileSystem::Op::kStat, 4},
                      ErrorCase{"open_first", FailingFileSystem::Op::kOpen, 1},
                      ErrorCase{"open_after_rotation", FailingFileSystem::Op::kOpen, 2},
                      ErrorCase{"read_first", FailingFileSystem::Op::kReadAt, 1},
                      ErrorCase{"read_later", FailingFileSystem::Op::kReadAt, 6},
                      ErrorCase{"fstat_first", FailingFileSystem::Op::kFileStat, 1},
                      ErrorCase{"fstat_later", FailingFileSystem::Op::kFileStat, 5}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return std::string(info.param.name); });

TEST(Tailer, OpenFailureAtFirstPollStillStartsAtEnd) {
  FakeFileSystem fake;
  FailingFileSystem fs(&fake);
  fake.Append(kLog, L(kA));
  Tailer::Options o = Opts(kLog);
  o.start_at_end = true;
  Tailer tailer(&fs, o, {});
  fs.FailNth(FailingFileSystem::Op::kOpen, 1);
  PollResult r = tailer.Poll();
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].message().find(kLog), std::string::npos);
  fake.Append(kLog, L(kB));
  EXPECT_THAT(Texts(tailer.Poll()), IsEmpty());  // kA and kB were there before it could open
  fake.Append(kLog, L(kC));
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kC));
}

TEST(Tailer, CheckpointOfAFileThatCannotBeOpenedIsKeptForTheNextPoll) {
  FakeFileSystem fake;
  FailingFileSystem fs(&fake);
  fake.Append(kLog, L(kA));
  Committer store;
  {
    Tailer tailer(&fs, Opts(kLog), {});
    store.Commit(tailer.Poll());
  }
  fake.Append(kLog, L(kB));
  Tailer tailer(&fs, Opts(kLog), store.Checkpoints());
  fs.FailNth(FailingFileSystem::Op::kOpen, 1);
  PollResult r = tailer.Poll();
  EXPECT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(Texts(r), IsEmpty());  // not mistaken for a new file
  EXPECT_THAT(Texts(tailer.Poll()), ElementsAre(kB));
}

}  // namespace
}  // namespace culprit::tail
