#ifndef CULPRIT_BENCH_SERVICE_BENCH_SUPPORT_H_
#define CULPRIT_BENCH_SERVICE_BENCH_SUPPORT_H_

// What service_bench needs around the measurement: a real culpritd process
// started on a config of its own (and stopped), its memory and CPU read from
// /proc and its metrics scraped, and an nginx access log that lines are
// appended to at a steady rate while culpritd tails it.
//
// A benchmark driver, not a library. Daemon is thread-compatible except
// where noted; LogAppender is thread-safe.

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "base/result.h"

namespace culprit::bench {

// The lab-dev corpus's extended nginx log_format (manifest.json,
// access_ext.log): $remote_port and $msec among others.
extern const char kExtLogFormat[];

// A culpritd process serving on 127.0.0.1 (a free port) with one nginx
// source, `log_path` in kExtLogFormat, read from its end, and a metrics
// endpoint. Its stdout and stderr go to <dir>/culpritd.log.
class Daemon {
 public:
  // Writes <dir>/culprit.toml (database <dir>/culprit.db), starts
  // `culpritd` and waits (at most 20 s) for its "serving on ... (port N)"
  // line. Errors name the cause and include culpritd's output.
  // REQUIRES: dir exists; log_path exists. Call from the main thread (the
  // child is killed when the thread that started it ends).
  static Result<std::unique_ptr<Daemon>> Start(const std::string& culpritd,
                                               const std::string& dir,
                                               const std::string& log_path);
  ~Daemon();  // Stop()s
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

  // VmHWM / VmRSS of the process in KiB; -1 when unreadable.
  long PeakRssKb() const;
  long RssKb() const;
  // User + system CPU seconds of the process so far; -1 when unreadable.
  double CpuSeconds() const;
  // CPU seconds so far per thread name (/proc/<pid>/task/*/comm), threads
  // of the same name summed; empty when unreadable.
  std::map<std::string, double> ThreadCpuSeconds() const;
  // The value of the first sample named `name` (exact, without labels) on
  // GET /metrics; -1 when the scrape fails or it is not there.
  double Metric(const std::string& name) const;
  // False when the process has ended (then its output explains why).
  bool Running();
  std::string Output() const;

  // SIGTERM, then waits at most 10 s (SIGKILL after that). Idempotent.
  // True when it exited with status 0.
  bool Stop();

 private:
  Daemon() = default;
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  int exit_status_ = -1;
};

// Kills (SIGKILL) the culpritd process currently running, if any; safe in a
// signal handler. For the bench's SIGINT/SIGTERM handler.
void KillRunningDaemon();

// nginx lines in kExtLogFormat stamped with the current time, appended to a
// file: a background thread writes `rate` lines/s (in chunks every
// millisecond, each chunk one write()), and AppendProbe() adds one line
// whose client address is given. Background clients come from
// ClientAddress()'s population with the busy edge's status mix.
// Thread-safe; appends never interleave.
class LogAppender {
 public:
  // REQUIRES: the file exists.
  explicit LogAppender(const std::string& path);
  ~LogAppender();  // StopBackground()s and closes

  bool ok() const { return fd_ >= 0; }
  // Starts the background thread (rate 0: none). REQUIRES: not running.
  void StartBackground(int64_t rate);
  void StopBackground();
  // Background lines written since StartBackground().
  int64_t background_lines() const { return background_lines_.load(); }

  // Appends one line for `ip`:`port` with `status`, stamped now; its Unix
  // time in microseconds in *unix_us. False when write() failed.
  bool AppendProbe(const std::string& ip, int port, int status, int64_t* unix_us);

 private:
  // Formats one line into buf (>= 1024 bytes); returns its length.
  size_t Format(char* buf, const std::string& ip, int port, int status, int64_t unix_us);
  bool WriteAll(const char* data, size_t n);
  void Background(int64_t rate);

  int fd_ = -1;
  std::mutex mu_;        // one write() at a time; guards rng_ and conn_
  std::mt19937_64 rng_{42};
  int64_t conn_ = 1;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> background_lines_{0};
  std::thread thread_;
};

}  // namespace culprit::bench

#endif  // CULPRIT_BENCH_SERVICE_BENCH_SUPPORT_H_
