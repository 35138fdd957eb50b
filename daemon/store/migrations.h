#ifndef CULPRIT_DAEMON_STORE_MIGRATIONS_H_
#define CULPRIT_DAEMON_STORE_MIGRATIONS_H_

// Schema migrations: schema/NNNN_name.sql, embedded at build time, applied in
// order, each in its own transaction, tracked by PRAGMA user_version.
// See schema/README.md.

#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace culprit::store {

namespace sqlite {
class Db;
}

struct Migration {
  int version;            // from the file name: 0001_init.sql -> 1
  std::string_view name;  // the file name
  std::string_view sql;
};

// The migrations compiled into this binary, in version order. Fails (INTERNAL)
// if the embedded files are not named NNNN_*.sql contiguous from 1.
Result<std::vector<Migration>> BuiltinMigrations();

// Brings `db` to the newest version in `migrations`. Returns the version the
// database is at afterwards. A database already newer than every migration
// is refused with FAILED_PRECONDITION naming both versions. A failing
// migration is rolled back and reported with its file name.
// REQUIRES: migrations sorted and contiguous from 1; db opened read-write.
Result<int> Migrate(sqlite::Db& db, std::span<const Migration> migrations);

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_MIGRATIONS_H_
