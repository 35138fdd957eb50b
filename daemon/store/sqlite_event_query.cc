#include "daemon/store/sqlite_event_query.h"

#include <map>

#include "daemon/store/database.h"
#include "daemon/store/sqlite/db.h"

namespace culprit::store {
namespace {

constexpr char kSourcesSql[] =
    "SELECT id, name, path, format, lines_parsed, lines_rejected, lines_truncated, "
    "truncations, newest_event_us FROM sources ORDER BY id";
constexpr char kCheckpointsSql[] =
    "SELECT id, source_id, path, dev, inode, offset, active FROM checkpoints "
    "WHERE active = 1 ORDER BY source_id, id";

}  // namespace

Result<std::unique_ptr<SqliteEventQuery>> SqliteEventQuery::Open(const std::string& path) {
  CULPRIT_ASSIGN_OR_RETURN(auto db, OpenForReading(path));
  return std::unique_ptr<SqliteEventQuery>(new SqliteEventQuery(std::move(db)));
}

SqliteEventQuery::SqliteEventQuery(std::unique_ptr<sqlite::Db> db) : db_(std::move(db)) {}
SqliteEventQuery::~SqliteEventQuery() = default;

Result<std::vector<SourceStats>> SqliteEventQuery::ListSources() {
  // Both reads in one read transaction, so counters and offsets agree.
  CULPRIT_ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(*db_, sqlite::Txn::Kind::kDeferred));
  CULPRIT_ASSIGN_OR_RETURN(auto sources, db_->Prepare(kSourcesSql));
  std::vector<SourceStats> out;
  std::map<int64_t, size_t> index;
  while (true) {
    CULPRIT_ASSIGN_OR_RETURN(bool row, sources.Step());
    if (!row) break;
    SourceStats s;
    s.id = sources.ColumnInt(0);
    s.name = sources.ColumnText(1);
    s.path = sources.ColumnText(2);
    s.format = sources.ColumnText(3);
    s.lines_parsed = sources.ColumnInt(4);
    s.lines_rejected = sources.ColumnInt(5);
    s.lines_truncated = sources.ColumnInt(6);
    s.truncations = sources.ColumnInt(7);
    if (auto us = sources.ColumnOptionalInt(8)) s.newest_event = FromUnixMicros(*us);
    index[s.id] = out.size();
    out.push_back(std::move(s));
  }
  CULPRIT_ASSIGN_OR_RETURN(auto files, db_->Prepare(kCheckpointsSql));
  while (true) {
    CULPRIT_ASSIGN_OR_RETURN(bool row, files.Step());
    if (!row) break;
    auto it = index.find(files.ColumnInt(1));
    if (it == index.end()) continue;
    FileCheckpoint f;
    f.file_id = files.ColumnInt(0);
    f.path = files.ColumnText(2);
    f.dev = static_cast<uint64_t>(files.ColumnInt(3));
    f.inode = static_cast<uint64_t>(files.ColumnInt(4));
    f.offset = files.ColumnInt(5);
    f.active = files.ColumnInt(6) != 0;
    out[it->second].files.push_back(std::move(f));
  }
  CULPRIT_RETURN_IF_ERROR(txn.Commit());
  return out;
}

}  // namespace culprit::store
