#include "daemon/report/nightly.h"

#include <algorithm>
#include <filesystem>

#include "base/log.h"
#include "base/atomic_file.h"
#include "daemon/report/render.h"
#include "daemon/report/render_util.h"

namespace culprit::report {

NightlyReports::NightlyReports(NightlyOptions options, const Clock* clock, DataSource source)
    : options_(std::move(options)), clock_(clock), source_(std::move(source)) {}

NightlyReports::~NightlyReports() { Stop(); }

std::string NightlyReports::PathFor(const std::string& date, ReportFormat format) const {
  return options_.dir + "/culprit-report-" + date + "." + std::string(FormatName(format));
}

bool NightlyReports::AllWritten(const std::string& date) const {
  std::error_code ec;
  for (ReportFormat f : options_.formats) {
    if (!std::filesystem::exists(PathFor(date, f), ec)) return false;
  }
  return true;
}

Status NightlyReports::MakeDay(const DayPeriod& day) {
  CULPRIT_ASSIGN_OR_RETURN(ReportData data, source_(day.from, day.to));
  for (ReportFormat f : options_.formats) {
    CULPRIT_RETURN_IF_ERROR(WriteFileAtomically(PathFor(day.date, f), Render(data, f)));
  }
  return Status::Ok();
}

Timestamp NightlyReports::Step() {
  const Timestamp now = clock_->Now();
  const Timestamp run = LatestRunAtOrBefore(now, options_.at, options_.zone);
  const Timestamp next = NextRunAfter(now, options_.at, options_.zone);
  const DayPeriod day = DayBefore(run, options_.zone);
  if (day.date == done_date_) return next;
  // Files already there (written before a restart, or by hand) count: the
  // report of a day is made once.
  if (AllWritten(day.date)) {
    done_date_ = day.date;
    return next;
  }
  if (attempt_date_ != day.date) {
    attempt_date_ = day.date;
    attempts_ = 0;
    retry_at_ = run;
  }
  if (attempts_ >= options_.max_attempts) return next;
  if (now < retry_at_) return std::min(retry_at_, next);
  ++attempts_;
  const Status status = MakeDay(day);
  if (status.ok()) {
    done_date_ = day.date;
    CULPRIT_LOG(kInfo) << "nightly report for " << day.date << " written: "
                       << PathFor(day.date, options_.formats.front())
                       << (options_.formats.size() > 1 ? " (and other formats)" : "");
    return next;
  }
  retry_at_ = now + options_.retry_after;
  if (attempts_ >= options_.max_attempts) {
    CULPRIT_LOG(kError) << "nightly report for " << day.date << " failed (attempt " << attempts_
                        << " of " << options_.max_attempts << "), giving up until the next run at "
                        << FormatRfc3339(next, 0) << ": " << status.message();
    return next;
  }
  CULPRIT_LOG(kWarning) << "nightly report for " << day.date << " failed (attempt " << attempts_
                        << " of " << options_.max_attempts << "), retrying at "
                        << FormatRfc3339(retry_at_, 0) << ": " << status.message();
  return std::min(retry_at_, next);
}

void NightlyReports::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void NightlyReports::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NightlyReports::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const Timestamp next = Step();
    lock.lock();
    if (stopping_) break;
    // Wake at least every 5 minutes: the wall clock may jump (suspend, NTP
    // steps), and the wait below runs on the steady clock.
    const Duration wait = std::clamp<Duration>(next - clock_->Now(), std::chrono::seconds(1),
                                               std::chrono::minutes(5));
    cv_.wait_for(lock, wait, [this] { return stopping_; });
  }
}

}  // namespace culprit::report
