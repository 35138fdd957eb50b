#ifndef CULPRIT_DAEMON_STORE_DATABASE_H_
#define CULPRIT_DAEMON_STORE_DATABASE_H_

// Opening culprit's database for writing (once, by the writer) or for reading
// (once per reader thread).

#include <memory>
#include <string>

#include "base/result.h"

namespace culprit::store {

namespace sqlite {
class Db;
}

// Opens (creating if needed) the database read-write and applies the
// built-in migrations. Errors say what is wrong with which file: locked by
// another process, not a database or corrupt, newer schema, I/O error.
Result<std::unique_ptr<sqlite::Db>> OpenForWriting(const std::string& path);

// Opens an existing, migrated database read-only. Fails with UNAVAILABLE if
// the schema version is not the one this binary writes.
Result<std::unique_ptr<sqlite::Db>> OpenForReading(const std::string& path);

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_DATABASE_H_
