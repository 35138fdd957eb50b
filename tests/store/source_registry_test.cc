#include "daemon/store/source_registry.h"

#include <gtest/gtest.h>

#include "daemon/store/database.h"
#include "daemon/store/sqlite/db.h"
#include "daemon/store/sqlite_event_query.h"
#include "tests/testing/temp_dir.h"

namespace culprit::store {
namespace {

TEST(SourceRegistryTest, InsertsOnceAndKeepsIdsAcrossRestarts) {
  culprit::testing::TempDir dir;
  const std::string path = dir.File("c.db");
  const Timestamp now = FromUnixMicros(1795464090000000);
  std::vector<int64_t> first;
  {
    auto db = OpenForWriting(path);
    ASSERT_TRUE(db.ok());
    const SourceDef defs[] = {{"access", "/var/log/nginx/access.log", "nginx_combined"},
                              {"error", "/var/log/nginx/error.log", "nginx_error"}};
    auto ids = RegisterSources(**db, defs, now);
    ASSERT_TRUE(ids.ok()) << ids.status().message();
    first = *ids;
    ASSERT_EQ(first.size(), 2u);
    EXPECT_NE(first[0], first[1]);
  }
  {
    // Restart with the order swapped, one format changed and one new source.
    auto db = OpenForWriting(path);
    const SourceDef defs[] = {{"error", "/var/log/nginx/error.log", "nginx_error"},
                              {"access", "/var/log/nginx/access.log", "nginx"},
                              {"fw", "/var/log/kern.log", "syslog"}};
    auto ids = RegisterSources(**db, defs, now);
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ((*ids)[0], first[1]);
    EXPECT_EQ((*ids)[1], first[0]);
  }
  auto q = SqliteEventQuery::Open(path);
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto sources = (*q)->ListSources();
  ASSERT_TRUE(sources.ok());
  ASSERT_EQ(sources->size(), 3u);
  EXPECT_EQ((*sources)[0].name, "access");
  EXPECT_EQ((*sources)[0].format, "nginx");
  EXPECT_EQ((*sources)[0].lines_parsed, 0);
  EXPECT_FALSE((*sources)[0].newest_event.has_value());
  EXPECT_EQ((*sources)[2].path, "/var/log/kern.log");
}

TEST(SourceRegistryTest, ListSourcesReportsCountersAndActiveCheckpoints) {
  culprit::testing::TempDir dir;
  const std::string path = dir.File("c.db");
  {
    auto db = OpenForWriting(path);
    const SourceDef defs[] = {{"a", "/a.log", "syslog"}};
    auto ids = RegisterSources(**db, defs, FromUnixMicros(0));
    ASSERT_TRUE(ids.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE sources SET lines_parsed = 10, lines_rejected = 2, "
                            "newest_event_us = 1795464090372256;"
                            "INSERT INTO checkpoints (source_id, path, dev, inode, fingerprint, "
                            "offset, active, updated_us) VALUES (1, '/a.log.1', 8, 100, x'00', "
                            "500, 0, 0), (1, '/a.log', 8, 101, x'00', 42, 1, 0);")
                    .ok());
  }
  auto q = SqliteEventQuery::Open(path);
  auto sources = (*q)->ListSources();
  ASSERT_TRUE(sources.ok()) << sources.status().message();
  const SourceStats& s = (*sources)[0];
  EXPECT_EQ(s.lines_parsed, 10);
  EXPECT_EQ(s.lines_rejected, 2);
  ASSERT_TRUE(s.newest_event.has_value());
  EXPECT_EQ(ToUnixMicros(*s.newest_event), 1795464090372256);
  ASSERT_EQ(s.files.size(), 1u);  // only the active one
  EXPECT_EQ(s.files[0].inode, 101u);
  EXPECT_EQ(s.files[0].offset, 42);
}

}  // namespace
}  // namespace culprit::store
