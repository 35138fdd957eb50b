#include "daemon/store/database.h"

#include "daemon/store/migrations.h"
#include "daemon/store/sqlite/db.h"

namespace culprit::store {

Result<std::unique_ptr<sqlite::Db>> OpenForWriting(const std::string& path) {
  CULPRIT_ASSIGN_OR_RETURN(std::vector<Migration> migrations, BuiltinMigrations());
  CULPRIT_ASSIGN_OR_RETURN(auto db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadWrite));
  // A new file gets auto_vacuum = INCREMENTAL, so that retention
  // (retention.h) gives the pages it frees back to the file system, a few
  // per step. SQLite takes the setting only before the first table is
  // created, and once Db::Open has switched the file to WAL (which writes
  // its header) only through a VACUUM: of an empty file, instant. A file
  // created before this keeps auto_vacuum = NONE (changing it would need a
  // VACUUM rewriting the whole file): retention still bounds it, since new
  // rows reuse the pages deleted rows freed, but it never shrinks.
  CULPRIT_ASSIGN_OR_RETURN(const int64_t tables,
                           db->QueryInt("SELECT COUNT(*) FROM sqlite_master"));
  if (tables == 0) {
    Status st = db->Exec("PRAGMA auto_vacuum = INCREMENTAL; VACUUM");
    if (!st.ok()) return st.WithContext("database \"" + path + "\": setting auto_vacuum");
  }
  CULPRIT_ASSIGN_OR_RETURN(int version, Migrate(*db, migrations));
  (void)version;
  return db;
}

Result<std::unique_ptr<sqlite::Db>> OpenForReading(const std::string& path) {
  CULPRIT_ASSIGN_OR_RETURN(std::vector<Migration> migrations, BuiltinMigrations());
  CULPRIT_ASSIGN_OR_RETURN(auto db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly));
  CULPRIT_ASSIGN_OR_RETURN(int64_t version, db->QueryInt("PRAGMA user_version"));
  const int64_t expected = migrations.empty() ? 0 : migrations.back().version;
  if (version != expected) {
    return Status::Unavailable("database \"" + path + "\" has schema version " +
                               std::to_string(version) + ", expected " +
                               std::to_string(expected));
  }
  return db;
}

}  // namespace culprit::store
