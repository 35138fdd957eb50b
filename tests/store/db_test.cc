#include "daemon/store/sqlite/db.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace culprit::store::sqlite {
namespace {

using culprit::testing::TempDir;

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::Open(dir_.File("t.db"), Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT, b BLOB) STRICT").ok());
  }

  int64_t Count() { return *db_->QueryInt("SELECT COUNT(*) FROM t"); }

  TempDir dir_;
  std::unique_ptr<Db> db_;
};

TEST_F(DbTest, BindStepAndReadBack) {
  auto ins = db_->Prepare("INSERT INTO t (k, v, b) VALUES (?, ?, ?)");
  ASSERT_TRUE(ins.ok());
  const uint8_t blob[] = {0, 1, 2, 255};
  ASSERT_TRUE(ins->BindInt(0, 7).ok());
  ASSERT_TRUE(ins->BindText(1, "seven").ok());
  ASSERT_TRUE(ins->BindBlob(2, blob).ok());
  ASSERT_TRUE(ins->Run().ok());
  // Reused after Run() (which resets and clears bindings).
  ASSERT_TRUE(ins->BindInt(0, 8).ok());
  ASSERT_TRUE(ins->Run().ok());

  auto sel = db_->Prepare("SELECT k, v, b FROM t ORDER BY k");
  ASSERT_TRUE(sel.ok());
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->ColumnInt(0), 7);
  EXPECT_EQ(sel->ColumnText(1), "seven");
  ASSERT_EQ(sel->ColumnBlob(2).size(), 4u);
  EXPECT_EQ(sel->ColumnBlob(2)[3], 255);
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->ColumnInt(0), 8);
  EXPECT_TRUE(sel->ColumnIsNull(1));
  EXPECT_FALSE(sel->ColumnOptionalInt(1).has_value());
  EXPECT_FALSE(*sel->Step());
}

TEST_F(DbTest, TxnRollsBackUnlessCommitted) {
  {
    auto txn = Txn::Begin(*db_);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db_->Exec("INSERT INTO t (k) VALUES (1)").ok());
  }
  EXPECT_EQ(Count(), 0);
  {
    auto txn = Txn::Begin(*db_);
    ASSERT_TRUE(db_->Exec("INSERT INTO t (k) VALUES (2)").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_EQ(Count(), 1);
}

TEST_F(DbTest, ErrorsCarryTheSql) {
  auto bad = db_->Prepare("SELECT nope FROM t");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no such column: nope"), std::string::npos);
  EXPECT_NE(bad.status().message().find("SELECT nope FROM t"), std::string::npos);

  ASSERT_TRUE(db_->Exec("INSERT INTO t (k) VALUES (1)").ok());
  auto dup = db_->Prepare("INSERT INTO t (k) VALUES (1)");
  ASSERT_TRUE(dup.ok());
  const Status s = dup->Run();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("UNIQUE constraint failed"), std::string::npos) << s.message();

  // STRICT tables refuse a value of the wrong type.
  auto wrong = db_->Prepare("INSERT INTO t (k, v) VALUES (2, ?)");
  ASSERT_TRUE(wrong->BindInt(0, 5).ok());
  // An integer converts to TEXT losslessly, so it is accepted; a blob is not.
  ASSERT_TRUE(wrong->Run().ok());
  const uint8_t b[] = {1};
  auto wrong2 = db_->Prepare("INSERT INTO t (k, v) VALUES (3, ?)");
  ASSERT_TRUE(wrong2->BindBlob(0, b).ok());
  EXPECT_FALSE(wrong2->Run().ok());
}

TEST_F(DbTest, PrepareRefusesSeveralStatements) {
  auto two = db_->Prepare("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("more than one SQL statement"), std::string::npos);
  EXPECT_TRUE(db_->Prepare("SELECT 1;  \n").ok());
}

TEST_F(DbTest, SecondWriterSeesLockedDatabase) {
  auto other = Db::Open(dir_.File("t.db"), Db::Mode::kReadWrite);
  ASSERT_TRUE(other.ok());
  // Hold the write lock on this connection...
  auto txn = Txn::Begin(*db_);
  ASSERT_TRUE(txn.ok());
  // ...and make the other give up at once instead of after busy_timeout.
  ASSERT_TRUE((*other)->Exec("PRAGMA busy_timeout = 0").ok());
  const Status s = (*other)->Exec("BEGIN IMMEDIATE");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("is locked"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace culprit::store::sqlite
