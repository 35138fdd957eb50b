#include "tests/testing/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>

extern char** environ;

namespace culprit::testing {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

Subprocess::Subprocess(const std::vector<std::string>& argv) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2 failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  out_fd_ = out_pipe[0];
  err_fd_ = err_pipe[0];
  if (rc != 0) throw std::runtime_error("posix_spawn " + argv[0] + " failed");
  // Readable when the child exits, so waits can poll it with a timeout.
  pid_fd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  if (pid_fd_ < 0) throw std::runtime_error("pidfd_open failed");
}

Subprocess::~Subprocess() {
  if (!exit_code_) {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
  if (pid_fd_ >= 0) close(pid_fd_);
}

void Subprocess::Pump(std::chrono::milliseconds wait) {
  pollfd fds[3];
  int n = 0;
  if (out_fd_ >= 0) fds[n++] = {out_fd_, POLLIN, 0};
  if (err_fd_ >= 0) fds[n++] = {err_fd_, POLLIN, 0};
  if (!exit_code_) fds[n++] = {pid_fd_, POLLIN, 0};
  if (n == 0) return;
  if (poll(fds, static_cast<nfds_t>(n), static_cast<int>(wait.count())) <= 0) return;
  for (int i = 0; i < n; ++i) {
    if (fds[i].revents == 0) continue;
    if (fds[i].fd == pid_fd_) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      continue;
    }
    char buf[4096];
    const ssize_t got = read(fds[i].fd, buf, sizeof(buf));
    const bool is_out = fds[i].fd == out_fd_;
    if (got <= 0) {
      close(fds[i].fd);
      (is_out ? out_fd_ : err_fd_) = -1;
      continue;
    }
    (is_out ? out_ : err_).append(buf, static_cast<size_t>(got));
  }
}

std::optional<std::string> Subprocess::WaitForStderrLine(const std::string& needle,
                                                         std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    // Scan complete lines not yet looked at.
    size_t nl;
    while ((nl = err_.find('\n', err_scanned_)) != std::string::npos) {
      std::string line = err_.substr(err_scanned_, nl - err_scanned_);
      err_scanned_ = nl + 1;
      if (line.find(needle) != std::string::npos) return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || (out_fd_ < 0 && err_fd_ < 0)) return std::nullopt;
    Pump(std::min(left, std::chrono::milliseconds(100)));
  }
}

void Subprocess::Signal(int sig) {
  if (!exit_code_) kill(pid_, sig);
}

std::optional<int> Subprocess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  // Until the child has exited and both pipes are drained (a grandchild
  // holding a pipe open cannot hold us past the deadline).
  while (!exit_code_ || out_fd_ >= 0 || err_fd_ >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    Pump(left);
  }
  return exit_code_;
}

RunResult RunProgram(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  Subprocess p(argv);
  RunResult r;
  auto code = p.Wait(timeout);
  r.exit_code = code ? *code : -1;
  r.out = p.out();
  r.err = p.err();
  return r;
}

int WaitForServingPort(Subprocess& daemon, std::chrono::milliseconds timeout) {
  auto line = daemon.WaitForStderrLine("serving on", timeout);
  if (!line) return 0;
  std::smatch m;
  if (!std::regex_search(*line, m, std::regex(R"(\(port (\d+)\))"))) return 0;
  return std::stoi(m[1]);
}

}  // namespace culprit::testing
