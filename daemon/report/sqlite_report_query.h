#ifndef CULPRIT_DAEMON_REPORT_SQLITE_REPORT_QUERY_H_
#define CULPRIT_DAEMON_REPORT_SQLITE_REPORT_QUERY_H_

// SqliteReportQuery: ReportQuery over a culprit database, through its own
// read-only connection. Reads only the columns of schema versions 1 and 2
// (reports.*, events.ts_us/cause/source_id/client_port/conn_id/level/
// ts_precision_us, sources.*), so it is unaffected by later index changes.
//
// Thread-compatible: use one object per thread (STYLE.md §8).

#include <memory>
#include <string>

#include "daemon/report/report_builder.h"
#include "daemon/report/report_query.h"

namespace culprit::store::sqlite {
class Db;
}

namespace culprit::report {

class SqliteReportQuery final : public ReportQuery {
 public:
  // Opens `path` read-only. Fails with UNAVAILABLE naming the path when it
  // cannot be opened or its schema is not the one this binary writes.
  static Result<std::unique_ptr<SqliteReportQuery>> Open(const std::string& path);
  // Reads through `db`, which must outlive this object.
  explicit SqliteReportQuery(store::sqlite::Db* db);
  ~SqliteReportQuery() override;

  Status ForEachReport(Timestamp from, Timestamp to,
                       const std::function<void(const ReportRow&)>& visit) override;
  Result<std::vector<Example>> Examples(Timestamp from, Timestamp to, Cause cause,
                                        int limit) override;
  Result<std::vector<EventCount>> CountCausedEvents(Timestamp from, Timestamp to) override;
  Result<std::vector<SourceProfile>> ProfileSources() override;

  // How many of the newest events ProfileSources() samples.
  static constexpr int kProfileSample = 200000;

 private:
  std::unique_ptr<store::sqlite::Db> owned_;
  store::sqlite::Db* db_;
};

// BuildReport() over a fresh read-only connection to the database at
// `path` (opened and closed within the call). Safe to call from any thread.
Result<ReportData> BuildReportFromDatabase(const std::string& path, const BuildOptions& options);

}  // namespace culprit::report

#endif  // CULPRIT_DAEMON_REPORT_SQLITE_REPORT_QUERY_H_
