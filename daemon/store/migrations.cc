#include "daemon/store/migrations.h"

#include <string>

#include "base/embedded_file.h"
#include "base/log.h"
#include "daemon/store/sqlite/db.h"

namespace culprit::store {
namespace internal {
std::span<const EmbeddedFile> SchemaFiles();  // generated from schema/*.sql
}  // namespace internal

Result<std::vector<Migration>> BuiltinMigrations() {
  std::vector<Migration> out;
  for (const EmbeddedFile& f : internal::SchemaFiles()) {
    const std::string_view n = f.name;
    int version = 0;
    bool ok = n.size() > 9 && n[4] == '_' && n.ends_with(".sql");
    for (size_t i = 0; ok && i < 4; ++i) {
      ok = n[i] >= '0' && n[i] <= '9';
      version = version * 10 + (n[i] - '0');
    }
    if (!ok) {
      return Status::Internal("schema file \"" + std::string(n) +
                              "\" is not named NNNN_name.sql");
    }
    if (version != static_cast<int>(out.size()) + 1) {
      return Status::Internal("schema file \"" + std::string(n) + "\": expected version " +
                              std::to_string(out.size() + 1) +
                              " (migrations must be contiguous from 0001)");
    }
    out.push_back({version, f.name, f.contents});
  }
  return out;
}

Result<int> Migrate(sqlite::Db& db, std::span<const Migration> migrations) {
  CULPRIT_ASSIGN_OR_RETURN(int64_t current, db.QueryInt("PRAGMA user_version"));
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (current > newest) {
    return Status::FailedPrecondition(
        "database \"" + db.path() + "\" has schema version " + std::to_string(current) +
        ", newer than this culpritd knows (" + std::to_string(newest) +
        "); it was written by a newer culpritd: upgrade culpritd, or point [daemon] "
        "database at another file");
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    CULPRIT_ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(db));
    Status s = db.Exec(m.sql);
    if (s.ok()) s = db.Exec("PRAGMA user_version = " + std::to_string(m.version));
    if (s.ok()) s = txn.Commit();
    if (!s.ok()) return s.WithContext("applying schema migration " + std::string(m.name));
    CULPRIT_LOG(kInfo) << "database " << db.path() << ": applied schema migration " << m.name;
    current = m.version;
  }
  return static_cast<int>(current);
}

}  // namespace culprit::store
