#include "daemon/report/sqlite_report_query.h"

#include <algorithm>
#include <map>

#include "daemon/store/database.h"
#include "daemon/store/sqlite/db.h"

namespace culprit::report {
namespace {

using store::sqlite::Stmt;

// Labels and the diagnosis are JSON text written by the service; a row
// that is not valid JSON (an older writer, a hand edit) must not fail the
// whole report, hence the json_valid() guards: SQLite's JSON functions
// raise an error on malformed input.
constexpr char kReportsSql[] =
    "SELECT reported_us, cause, client_ip, server_ip, server_port, server_name, "
    "  CASE WHEN json_valid(labels) THEN CAST(json_extract(labels, '$.app') AS TEXT) END, "
    "  CASE WHEN json_valid(labels) THEN CAST(json_extract(labels, '$.version') AS TEXT) END "
    "FROM reports WHERE reported_us >= ? AND reported_us < ? "
    "ORDER BY reported_us, id";

constexpr char kExamplesSql[] =
    "SELECT id, reported_us, client_ip, client_port, server_ip, server_port, server_name, "
    "  error, phase, confidence, "
    "  CASE WHEN json_valid(diagnosis) "
    "    THEN CAST(json_extract(diagnosis, '$.verdicts[0].explanation') AS TEXT) END "
    "FROM reports WHERE reported_us >= ? AND reported_us < ? AND cause = ? "
    "ORDER BY confidence DESC, reported_us DESC, id LIMIT ?";

// The top verdict's evidence, in the order the diagnosis lists it.
constexpr char kEvidenceSql[] =
    "SELECT CAST(json_extract(e.value, '$.role') AS TEXT), "
    "  CAST(json_extract(e.value, '$.source') AS TEXT), "
    "  CAST(json_extract(e.value, '$.time') AS TEXT), "
    "  CAST(json_extract(e.value, '$.raw') AS TEXT) "
    "FROM reports AS r, "
    "  json_each(CASE WHEN json_valid(r.diagnosis) THEN r.diagnosis ELSE '{}' END, "
    "            '$.verdicts[0].evidence') AS e "
    "WHERE r.id = ? ORDER BY e.key";

// Uses the partial index events_with_cause_by_time (schema 0002).
constexpr char kCausedEventsSql[] =
    "SELECT cause, source_id, COUNT(*) FROM events "
    "WHERE cause <> 0 AND ts_us >= ? AND ts_us < ? "
    "GROUP BY cause, source_id ORDER BY cause, source_id";

constexpr char kSourcesSql[] =
    "SELECT id, name, format, lines_parsed FROM sources ORDER BY id";

// The newest events by rowid: a bounded read whatever the indexes are.
constexpr char kProfileSql[] =
    "SELECT source_id, COUNT(*), COUNT(client_port), COUNT(conn_id), COUNT(level), "
    "  SUM(CASE WHEN level >= 6 THEN 1 ELSE 0 END), MIN(ts_precision_us) "
    "FROM (SELECT source_id, client_port, conn_id, level, ts_precision_us FROM events "
    "      ORDER BY id DESC LIMIT ?) "
    "GROUP BY source_id ORDER BY source_id";

std::optional<IpAddress> IpColumn(const Stmt& s, int i) {
  if (s.ColumnIsNull(i)) return std::nullopt;
  const auto blob = s.ColumnBlob(i);
  if (blob.size() != 16) return std::nullopt;
  IpAddress::KeyBytes key;
  std::copy(blob.begin(), blob.end(), key.begin());
  return IpAddress::FromKey(key);
}

std::string TextColumn(const Stmt& s, int i) {
  return s.ColumnIsNull(i) ? std::string() : std::string(s.ColumnText(i));
}

Cause CauseColumn(const Stmt& s, int i) {
  const int64_t v = s.ColumnInt(i);
  return v >= 0 && v < kCauseCount ? static_cast<Cause>(v) : Cause::kNone;
}

uint16_t PortColumn(const Stmt& s, int i) {
  const int64_t v = s.ColumnIsNull(i) ? 0 : s.ColumnInt(i);
  return v > 0 && v <= 65535 ? static_cast<uint16_t>(v) : 0;
}

std::string EndpointText(const std::optional<IpAddress>& ip, uint16_t port) {
  if (!ip) return "";
  return Endpoint{*ip, port}.ToString();
}

}  // namespace

Result<std::unique_ptr<SqliteReportQuery>> SqliteReportQuery::Open(const std::string& path) {
  CULPRIT_ASSIGN_OR_RETURN(auto db, store::OpenForReading(path));
  auto q = std::make_unique<SqliteReportQuery>(db.get());
  q->owned_ = std::move(db);
  return q;
}

SqliteReportQuery::SqliteReportQuery(store::sqlite::Db* db) : db_(db) {}

SqliteReportQuery::~SqliteReportQuery() = default;

Status SqliteReportQuery::ForEachReport(Timestamp from, Timestamp to,
                                        const std::function<void(const ReportRow&)>& visit) {
  CULPRIT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(kReportsSql));
  CULPRIT_RETURN_IF_ERROR(s.BindInt(0, ToUnixMicros(from)));
  CULPRIT_RETURN_IF_ERROR(s.BindInt(1, ToUnixMicros(to)));
  ReportRow row;
  while (true) {
    CULPRIT_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
    row.reported_at = FromUnixMicros(s.ColumnInt(0));
    row.cause = CauseColumn(s, 1);
    row.client_ip = IpColumn(s, 2);
    row.server_ip = IpColumn(s, 3);
    row.server_port = PortColumn(s, 4);
    row.server_name = TextColumn(s, 5);
    row.app = TextColumn(s, 6);
    row.version = TextColumn(s, 7);
    visit(row);
  }
  return Status::Ok();
}

Result<std::vector<Example>> SqliteReportQuery::Examples(Timestamp from, Timestamp to,
                                                         Cause cause, int limit) {
  std::vector<Example> out;
  {
    CULPRIT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(kExamplesSql));
    CULPRIT_RETURN_IF_ERROR(s.BindInt(0, ToUnixMicros(from)));
    CULPRIT_RETURN_IF_ERROR(s.BindInt(1, ToUnixMicros(to)));
    CULPRIT_RETURN_IF_ERROR(s.BindInt(2, static_cast<int64_t>(cause)));
    CULPRIT_RETURN_IF_ERROR(s.BindInt(3, std::max(limit, 0)));
    while (true) {
      CULPRIT_ASSIGN_OR_RETURN(bool more, s.Step());
      if (!more) break;
      Example e;
      e.id = s.ColumnInt(0);
      e.reported_at = FromUnixMicros(s.ColumnInt(1));
      e.client = EndpointText(IpColumn(s, 2), PortColumn(s, 3));
      e.server = EndpointText(IpColumn(s, 4), PortColumn(s, 5));
      const std::string name = TextColumn(s, 6);
      if (!name.empty()) e.server = e.server.empty() ? name : name + " (" + e.server + ")";
      e.error = TextColumn(s, 7);
      e.phase = TextColumn(s, 8);
      e.confidence = s.ColumnDouble(9);
      e.explanation = TextColumn(s, 10);
      out.push_back(std::move(e));
    }
  }
  CULPRIT_ASSIGN_OR_RETURN(Stmt ev, db_->Prepare(kEvidenceSql));
  for (Example& e : out) {
    ev.Reset();
    CULPRIT_RETURN_IF_ERROR(ev.BindInt(0, e.id));
    while (true) {
      CULPRIT_ASSIGN_OR_RETURN(bool more, ev.Step());
      if (!more) break;
      EvidenceLine line;
      line.role = TextColumn(ev, 0);
      line.source = TextColumn(ev, 1);
      if (auto t = ParseRfc3339(TextColumn(ev, 2)); t.ok()) line.time = *t;
      line.raw = TextColumn(ev, 3);
      e.evidence.push_back(std::move(line));
    }
  }
  return out;
}

Result<std::vector<EventCount>> SqliteReportQuery::CountCausedEvents(Timestamp from,
                                                                     Timestamp to) {
  CULPRIT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(kCausedEventsSql));
  CULPRIT_RETURN_IF_ERROR(s.BindInt(0, ToUnixMicros(from)));
  CULPRIT_RETURN_IF_ERROR(s.BindInt(1, ToUnixMicros(to)));
  std::vector<EventCount> out;
  while (true) {
    CULPRIT_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
    out.push_back({CauseColumn(s, 0), s.ColumnInt(1), s.ColumnInt(2)});
  }
  return out;
}

Result<std::vector<SourceProfile>> SqliteReportQuery::ProfileSources() {
  std::vector<SourceProfile> out;
  std::map<int64_t, size_t> index;
  {
    CULPRIT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(kSourcesSql));
    while (true) {
      CULPRIT_ASSIGN_OR_RETURN(bool more, s.Step());
      if (!more) break;
      SourceProfile p;
      p.id = s.ColumnInt(0);
      p.name = TextColumn(s, 1);
      p.format = TextColumn(s, 2);
      p.lines_parsed = s.ColumnInt(3);
      index[p.id] = out.size();
      out.push_back(std::move(p));
    }
  }
  CULPRIT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(kProfileSql));
  CULPRIT_RETURN_IF_ERROR(s.BindInt(0, kProfileSample));
  while (true) {
    CULPRIT_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
    auto it = index.find(s.ColumnInt(0));
    if (it == index.end()) continue;
    SourceProfile& p = out[it->second];
    p.sampled = s.ColumnInt(1);
    p.with_client_port = s.ColumnInt(2);
    p.with_conn_id = s.ColumnInt(3);
    p.with_level = s.ColumnInt(4);
    p.at_info_or_debug = s.ColumnInt(5);
    p.finest_precision_us = s.ColumnIsNull(6) ? 0 : s.ColumnInt(6);
  }
  return out;
}

Result<ReportData> BuildReportFromDatabase(const std::string& path, const BuildOptions& options) {
  CULPRIT_ASSIGN_OR_RETURN(auto query, SqliteReportQuery::Open(path));
  return BuildReport(*query, options);
}

}  // namespace culprit::report
