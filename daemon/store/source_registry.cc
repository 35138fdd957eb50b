#include "daemon/store/source_registry.h"

#include "base/log.h"
#include "daemon/store/sqlite/db.h"

namespace culprit::store {
namespace {

constexpr char kFindSql[] = "SELECT id, path, format FROM sources WHERE name = ?";
constexpr char kInsertSql[] =
    "INSERT INTO sources (name, path, format, created_us) VALUES (?, ?, ?, ?)";
constexpr char kUpdateSql[] = "UPDATE sources SET path = ?, format = ? WHERE id = ?";

}  // namespace

Result<std::vector<int64_t>> RegisterSources(sqlite::Db& db, std::span<const SourceDef> defs,
                                             Timestamp now) {
  CULPRIT_ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(db));
  CULPRIT_ASSIGN_OR_RETURN(auto find, db.Prepare(kFindSql));
  CULPRIT_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertSql));
  CULPRIT_ASSIGN_OR_RETURN(auto update, db.Prepare(kUpdateSql));
  std::vector<int64_t> ids;
  ids.reserve(defs.size());
  for (const SourceDef& def : defs) {
    CULPRIT_RETURN_IF_ERROR(find.BindText(0, def.name));
    CULPRIT_ASSIGN_OR_RETURN(bool found, find.Step());
    if (found) {
      const int64_t id = find.ColumnInt(0);
      const bool changed = find.ColumnText(1) != def.path || find.ColumnText(2) != def.format;
      if (changed) {
        CULPRIT_LOG(kInfo) << "source \"" << def.name << "\" changed from " << find.ColumnText(1)
                           << " (" << find.ColumnText(2) << ") to " << def.path << " ("
                           << def.format << ")";
      }
      find.Reset();
      if (changed) {
        CULPRIT_RETURN_IF_ERROR(update.BindText(0, def.path));
        CULPRIT_RETURN_IF_ERROR(update.BindText(1, def.format));
        CULPRIT_RETURN_IF_ERROR(update.BindInt(2, id));
        CULPRIT_RETURN_IF_ERROR(update.Run());
      }
      ids.push_back(id);
      continue;
    }
    find.Reset();
    CULPRIT_RETURN_IF_ERROR(insert.BindText(0, def.name));
    CULPRIT_RETURN_IF_ERROR(insert.BindText(1, def.path));
    CULPRIT_RETURN_IF_ERROR(insert.BindText(2, def.format));
    CULPRIT_RETURN_IF_ERROR(insert.BindInt(3, ToUnixMicros(now)));
    CULPRIT_RETURN_IF_ERROR(insert.Run());
    ids.push_back(db.LastInsertRowid());
  }
  CULPRIT_RETURN_IF_ERROR(txn.Commit());
  return ids;
}

}  // namespace culprit::store
