#include "daemon/store/migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/store/database.h"
#include "daemon/store/sqlite/db.h"
#include "tests/testing/temp_dir.h"

namespace culprit::store {
namespace {

using culprit::testing::TempDir;
using sqlite::Db;

// The schema as SQLite describes it: every object and its SQL, in order.
std::string DumpSchema(Db& db) {
  auto stmt = db.Prepare(
      "SELECT type, name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name");
  EXPECT_TRUE(stmt.ok());
  std::string out;
  while (true) {
    auto row = stmt->Step();
    EXPECT_TRUE(row.ok());
    if (!row.ok() || !*row) break;
    out += std::string(stmt->ColumnText(0)) + " " + std::string(stmt->ColumnText(1)) + ": " +
           std::string(stmt->ColumnText(2)) + "\n";
  }
  return out;
}

int64_t UserVersion(Db& db) { return *db.QueryInt("PRAGMA user_version"); }

TEST(MigrationsTest, BuiltinMigrationsAreContiguous) {
  auto migrations = BuiltinMigrations();
  ASSERT_TRUE(migrations.ok()) << migrations.status().message();
  ASSERT_FALSE(migrations->empty());
  for (size_t i = 0; i < migrations->size(); ++i) {
    EXPECT_EQ((*migrations)[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE((*migrations)[i].sql.empty());
  }
  EXPECT_EQ((*migrations)[0].name, "0001_init.sql");
}

TEST(MigrationsTest, FreshDatabaseGetsEveryTableAndIsIdempotent) {
  TempDir dir;
  const std::string path = dir.File("c.db");
  auto migrations = *BuiltinMigrations();
  {
    auto db = Db::Open(path, Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    auto v = Migrate(**db, migrations);
    ASSERT_TRUE(v.ok()) << v.status().message();
    EXPECT_EQ(*v, migrations.back().version);
    const std::string schema = DumpSchema(**db);
    for (const char* table : {"table sources", "table checkpoints", "table events",
                              "table rejected_lines", "table reports", "table causes",
                              "table event_kinds", "index events_by_seq_client", "table event_spans",
                              "index reports_by_client"}) {
      EXPECT_NE(schema.find(table), std::string::npos) << table;
    }
    EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM causes"), 15);
  }
  // Re-running on an up-to-date database changes nothing.
  auto db = Db::Open(path, Db::Mode::kReadWrite);
  ASSERT_TRUE(db.ok());
  const std::string before = DumpSchema(**db);
  auto v = Migrate(**db, migrations);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(DumpSchema(**db), before);
  EXPECT_EQ(UserVersion(**db), migrations.back().version);
}

TEST(MigrationsTest, EveryOldVersionMigratesToTheFreshSchema) {
  auto migrations = *BuiltinMigrations();
  TempDir dir;
  std::string fresh;
  {
    auto db = Db::Open(dir.File("fresh.db"), Db::Mode::kReadWrite);
    ASSERT_TRUE(Migrate(**db, migrations).ok());
    fresh = DumpSchema(**db);
  }
  for (size_t old = 0; old < migrations.size(); ++old) {
    SCOPED_TRACE("from version " + std::to_string(old));
    const std::string path = dir.File("old" + std::to_string(old) + ".db");
    auto db = Db::Open(path, Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    auto partial = std::span(migrations).first(old);
    ASSERT_TRUE(Migrate(**db, partial).ok());
    EXPECT_EQ(UserVersion(**db), static_cast<int64_t>(old));
    ASSERT_TRUE(Migrate(**db, migrations).ok());
    EXPECT_EQ(DumpSchema(**db), fresh);
  }
}

TEST(MigrationsTest, NewerDatabaseIsRefusedAndUntouched) {
  TempDir dir;
  const std::string path = dir.File("newer.db");
  {
    auto db = Db::Open(path, Db::Mode::kReadWrite);
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 999").ok());
  }
  auto opened = OpenForWriting(path);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
  const std::string& msg = opened.status().message();
  EXPECT_NE(msg.find("schema version 999"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("newer than this culpritd knows"), std::string::npos) << msg;
  auto db = Db::Open(path, Db::Mode::kReadWrite);
  EXPECT_EQ(DumpSchema(**db), "");
  EXPECT_EQ(UserVersion(**db), 999);
}

TEST(MigrationsTest, FailingMigrationRollsBackAndNamesItsFile) {
  TempDir dir;
  auto db = Db::Open(dir.File("c.db"), Db::Mode::kReadWrite);
  const std::vector<Migration> migrations = {
      {1, "0001_a.sql", "CREATE TABLE a (x INTEGER) STRICT;"},
      {2, "0002_b.sql", "CREATE TABLE b (x INTEGER) STRICT; INSERT INTO nope VALUES (1);"},
  };
  auto v = Migrate(**db, migrations);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("0002_b.sql"), std::string::npos) << v.status().message();
  EXPECT_NE(v.status().message().find("no such table: nope"), std::string::npos);
  EXPECT_EQ(UserVersion(**db), 1);
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'"), 0);
}

TEST(DatabaseTest, OpenForWritingSetsWalAndReadersSeeTheSchema) {
  TempDir dir;
  const std::string path = dir.File("c.db");
  auto w = OpenForWriting(path);
  ASSERT_TRUE(w.ok()) << w.status().message();
  auto mode = (*w)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->ColumnText(0), "wal");
  auto r = OpenForReading(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*(*r)->QueryInt("SELECT COUNT(*) FROM sources"), 0);
  // A reader cannot write.
  EXPECT_FALSE((*r)->Exec("DELETE FROM sources").ok());
}

TEST(DatabaseTest, NotADatabaseIsAClearError) {
  TempDir dir;
  dir.Write("junk.db", std::string(8192, 'x'));
  auto w = OpenForWriting(dir.File("junk.db"));
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find(dir.File("junk.db")), std::string::npos)
      << w.status().message();
  EXPECT_NE(w.status().message().find("not a database"), std::string::npos)
      << w.status().message();
}

TEST(DatabaseTest, ReaderOfMissingFileFails) {
  TempDir dir;
  auto r = OpenForReading(dir.File("missing.db"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("missing.db"), std::string::npos);
}

}  // namespace
}  // namespace culprit::store
