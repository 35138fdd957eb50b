#include "daemon/store/database.h"

#include "daemon/store/migrations.h"
#include "daemon/store/sqlite/db.h"

namespace culprit::store {

Result<std::unique_ptr<sqlite::Db>> OpenForWriting(const std::string& path) {
  CULPRIT_ASSIGN_OR_RETURN(std::vector<Migration> migrations, BuiltinMigrations());
  CULPRIT_ASSIGN_OR_RETURN(auto db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadWrite));
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
