#ifndef CULPRIT_TESTS_TESTING_SUBPROCESS_H_
#define CULPRIT_TESTS_TESTING_SUBPROCESS_H_

// Runs a program of ours (culpritd, culprit) as a child process with its
// output captured, for tests that exercise the real binaries. Every wait is
// bounded by a timeout; nothing sleeps.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace culprit::testing {

class Subprocess {
 public:
  // Starts argv[0] (a path) with argv; stdout and stderr are captured.
  explicit Subprocess(const std::vector<std::string>& argv);
  ~Subprocess();  // kills (SIGKILL) and reaps if still running
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }

  // Reads stderr until a line containing `needle` appears, the process
  // exits, or `timeout` passes. Returns that line.
  std::optional<std::string> WaitForStderrLine(const std::string& needle,
                                               std::chrono::milliseconds timeout);

  // Sends `sig`.
  void Signal(int sig);

  // Waits up to `timeout` for exit, draining output meanwhile. Returns the
  // exit code (128 + signal if killed), or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  // Reads what is available from both pipes and notes the child's exit,
  // waiting at most `wait` for any of them.
  void Pump(std::chrono::milliseconds wait);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int pid_fd_ = -1;
  std::string out_;
  std::string err_;
  size_t err_scanned_ = 0;
  std::optional<int> exit_code_;
};

// Runs a program to completion (bounded by `timeout`) and returns its exit
// code, stdout and stderr.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
RunResult RunProgram(const std::vector<std::string>& argv,
              std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Waits (bounded) for culpritd's "serving on ... (port N)" line and returns
// N; 0 if the line did not come (the daemon's stderr then says why).
int WaitForServingPort(Subprocess& daemon,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace culprit::testing

#endif  // CULPRIT_TESTS_TESTING_SUBPROCESS_H_
