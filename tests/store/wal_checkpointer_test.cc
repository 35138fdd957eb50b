#include "daemon/store/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "daemon/store/sqlite/db.h"
#include "tests/testing/temp_dir.h"

namespace culprit::store {
namespace {

using culprit::testing::TempDir;

// A frame is a 16 KiB page (Db::Open's page size for a new file) plus its
// 24-byte header; the WAL file starts with a 32-byte header.
constexpr int64_t kFrameBytes = 16384 + 24;

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = sqlite::Db::Open(path_, sqlite::Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, b BLOB NOT NULL) STRICT").ok());
  }

  // Commits `txns` transactions of `rows_per_txn` rows with a 10 KB blob
  // each, and returns the largest WAL file seen after a commit, in frames.
  int64_t Write(int txns, int rows_per_txn) {
    auto ins = db_->Prepare("INSERT INTO t (k, b) VALUES (?, ?)");
    EXPECT_TRUE(ins.ok());
    const std::vector<uint8_t> blob(10000, 0x5a);
    int64_t largest = 0;
    for (int i = 0; i < txns; ++i) {
      auto txn = sqlite::Txn::Begin(*db_);
      EXPECT_TRUE(txn.ok());
      for (int r = 0; r < rows_per_txn; ++r) {
        EXPECT_TRUE(ins->BindInt(0, next_key_++).ok());
        EXPECT_TRUE(ins->BindBlob(1, blob).ok());
        EXPECT_TRUE(ins->Run().ok());
      }
      EXPECT_TRUE(txn->Commit().ok());
      largest = std::max(largest, WalFrames());
    }
    return largest;
  }

  int64_t WalFrames() {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path_ + "-wal", ec);
    return ec ? 0 : static_cast<int64_t>((size - 32) / kFrameBytes);
  }

  // Thresholds small enough that a few hundred small transactions run many
  // passes.
  static WalCheckpointer::Options Small() {
    WalCheckpointer::Options options;
    options.start_frames = 8;
    options.wait_frames = 32;
    return options;
  }

  std::unique_ptr<WalCheckpointer> Attach(const WalCheckpointer::Options& options) {
    auto c = WalCheckpointer::Attach(db_.get(), options);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? std::move(*c) : nullptr;
  }

  int64_t CountFromReader() {
    auto r = sqlite::Db::Open(path_, sqlite::Db::Mode::kReadOnly);
    EXPECT_TRUE(r.ok());
    return *(*r)->QueryInt("SELECT COUNT(*) FROM t");
  }

  TempDir dir_;
  std::string path_ = dir_.File("t.db");
  std::unique_ptr<sqlite::Db> db_;
  int64_t next_key_ = 1;
};

TEST_F(WalCheckpointerTest, CopiesInTheBackgroundAndKeepsTheWalBounded) {
  const WalCheckpointer::Options options = Small();
  auto c = Attach(options);
  ASSERT_NE(c, nullptr);

  // 300 transactions of ~2 frames each: ~600 frames committed in all.
  const int64_t largest = Write(300, 3);
  const WalCheckpointer::Stats stats = c->stats();
  // The WAL was copied back and started over: it never held more than the
  // writer's bound plus what one transaction adds.
  EXPECT_LE(largest, options.wait_frames + 4);
  EXPECT_LE(stats.max_wal_frames, options.wait_frames + 4);
  // Passes ran on the checkpointer thread (at least the one the writer
  // waited for, if none other) and each was followed by the writer's tail.
  EXPECT_GE(stats.background_passes, 1);
  EXPECT_GE(stats.tail_passes, stats.background_passes - 1);
  EXPECT_LE(stats.tail_passes, stats.background_passes);
  EXPECT_EQ(CountFromReader(), 900);
}

TEST_F(WalCheckpointerTest, ChasesABusyWriterABoundedNumberOfPasses) {
  // Every pass leaves more than max_tail_frames behind (a transaction adds
  // ~2 frames), so the writer asks for another pass up to max_chase times,
  // then copies the tail itself.
  WalCheckpointer::Options options = Small();
  options.max_tail_frames = 0;
  options.max_chase = 2;
  auto c = Attach(options);
  ASSERT_NE(c, nullptr);

  const int64_t largest = Write(300, 3);
  const WalCheckpointer::Stats stats = c->stats();
  // Past wait_frames each commit waits for the running pass, and at most
  // max_chase + 1 passes run before the WAL starts over.
  EXPECT_LE(largest, options.wait_frames + (options.max_chase + 2) * 4);
  EXPECT_GE(stats.tail_passes, 1);
  EXPECT_LE(stats.background_passes, (options.max_chase + 1) * (stats.tail_passes + 1));
  EXPECT_EQ(CountFromReader(), 900);
}

TEST_F(WalCheckpointerTest, AReaderHoldingItsSnapshotDelaysCopiesButNeverBlocksTheWriter) {
  const WalCheckpointer::Options options = Small();
  auto c = Attach(options);
  ASSERT_NE(c, nullptr);
  Write(10, 3);

  auto reader = sqlite::Db::Open(path_, sqlite::Db::Mode::kReadOnly);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->Exec("BEGIN").ok());
  ASSERT_EQ(*(*reader)->QueryInt("SELECT COUNT(*) FROM t"), 30);

  // The reader's snapshot pins the WAL: it grows past the bound, and every
  // commit still returns (each waits at most for one pass).
  const int64_t pinned = Write(100, 3);
  EXPECT_GT(pinned, options.wait_frames + 4);
  EXPECT_EQ(*(*reader)->QueryInt("SELECT COUNT(*) FROM t"), 30);  // its snapshot
  ASSERT_TRUE((*reader)->Exec("COMMIT").ok());

  // Released: the next passes copy everything and the WAL starts over; a
  // restarted WAL is rewritten from its start, so its file stops growing.
  Write(100, 3);
  const int64_t size_after_release = WalFrames();
  Write(100, 3);
  EXPECT_EQ(WalFrames(), size_after_release);
  EXPECT_EQ(CountFromReader(), 930);
}

TEST_F(WalCheckpointerTest, DetachedConnectionCheckpointsByItselfAgain) {
  {
    auto c = Attach(Small());
    ASSERT_NE(c, nullptr);
    Write(20, 3);
  }
  // Without the checkpointer, SQLite's auto-checkpoint is back (every
  // kWalAutocheckpointPages frames): ~2 x that many frames committed leave a
  // WAL of about one interval, not two.
  const int txns = 2 * sqlite::kWalAutocheckpointPages / 20 + 10;
  const int64_t largest = Write(txns, 30);  // ~20 frames each
  EXPECT_LT(largest, sqlite::kWalAutocheckpointPages + 40);
  EXPECT_EQ(CountFromReader(), 60 + 30 * txns);
}

}  // namespace
}  // namespace culprit::store
