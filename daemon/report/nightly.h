#ifndef CULPRIT_DAEMON_REPORT_NIGHTLY_H_
#define CULPRIT_DAEMON_REPORT_NIGHTLY_H_

// NightlyReports: writes the report of the previous local day at a set time
// ([report] in the config), as culprit-report-YYYY-MM-DD.<format> files in
// a directory, each written atomically.
//
// Step() does one pass and says when the next is due; it is what tests call
// (with a FakeClock, no threads). Start() runs Step() on its own thread.
//
// A missed run is made up: whenever the latest scheduled run's files are
// missing (the daemon was down at that time, or the run failed), Step()
// makes them. A failure is logged and retried after `retry_after`, at most
// `max_attempts` times per day; it never stops the daemon.
//
// Thread-safety: Step() must not run concurrently with itself (the thread
// started by Start() is its only caller once started). Stop() may be called
// from any thread; it returns once the thread has ended, after the report
// being written (if any) is done.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/time_zone.h"
#include "daemon/report/report_data.h"
#include "daemon/report/report_format.h"
#include "daemon/report/schedule.h"

namespace culprit::report {

struct NightlyOptions {
  DailyTime at;
  TimeZone zone;
  std::string dir;  // must exist
  std::vector<ReportFormat> formats{ReportFormat::kHtml, ReportFormat::kMarkdown,
                                    ReportFormat::kJson};
  Duration retry_after = std::chrono::minutes(10);
  int max_attempts = 6;
};

class NightlyReports {
 public:
  // Builds the report data for [from, to); the daemon reads its database
  // through a fresh read-only connection. Called on the nightly thread.
  using DataSource = std::function<Result<ReportData>(Timestamp from, Timestamp to)>;

  // REQUIRES: clock outlives this object.
  NightlyReports(NightlyOptions options, const Clock* clock, DataSource source);
  ~NightlyReports();  // Stop()s
  NightlyReports(const NightlyReports&) = delete;
  NightlyReports& operator=(const NightlyReports&) = delete;

  // Makes the latest scheduled day's files if they are missing and a try is
  // due; returns when the next step is due (the next run, or a retry).
  Timestamp Step();

  // dir/culprit-report-<date>.<html|md|json>
  std::string PathFor(const std::string& date, ReportFormat format) const;

  // Attempts made for the latest day since it became due (for tests).
  int attempts() const { return attempts_; }

  void Start();
  // Wakes the thread and joins it. Idempotent.
  void Stop();

 private:
  Status MakeDay(const DayPeriod& day);
  bool AllWritten(const std::string& date) const;
  void Loop();

  NightlyOptions options_;
  const Clock* clock_;
  DataSource source_;

  // Step() state.
  std::string done_date_;     // the last day known written
  std::string attempt_date_;  // the day attempts_ counts for
  int attempts_ = 0;
  Timestamp retry_at_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace culprit::report

#endif  // CULPRIT_DAEMON_REPORT_NIGHTLY_H_
