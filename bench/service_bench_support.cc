#include "bench/service_bench_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>
#include <vector>

#include "bench/nginx_log.h"
#include "bench/proc_stat.h"

namespace culprit::bench {

const char kExtLogFormat[] =
    "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
    "\"$http_referer\" \"$http_user_agent\" rport=$remote_port conn=$connection "
    "creq=$connection_requests rt=$request_time msec=$msec tls=$ssl_protocol cipher=$ssl_cipher "
    "saddr=$server_addr sport=$server_port ups=$upstream_addr ustatus=$upstream_status "
    "urt=$upstream_response_time rid=$request_id";

namespace {

using SteadyClock = std::chrono::steady_clock;

std::atomic<pid_t> g_running{-1};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// "<key>: <n> kB" from /proc/<pid>/status; -1 when absent.
long StatusKb(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) return std::atol(line.c_str() + key.size() + 1);
  }
  return -1;
}

// The number after `marker` in `text`, or 0.
int NumberAfter(const std::string& text, const std::string& marker) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) return 0;
  return std::atoi(text.c_str() + at + marker.size());
}


// A busy edge's status mix in per mille, as bench/nginx_log.cc's: about
// 3 % of lines indicate a reset cause.
int BackgroundStatus(uint64_t r) {
  static const std::pair<int, int> kMix[] = {{200, 860}, {304, 50}, {301, 20}, {404, 40},
                                             {400, 5},   {499, 10}, {502, 3},  {504, 2},
                                             {500, 3},   {408, 2},  {429, 3},  {444, 2}};
  int left = static_cast<int>(r % 1000);
  for (const auto& [status, per_mille] : kMix) {
    if (left < per_mille) return status;
    left -= per_mille;
  }
  return 200;
}

}  // namespace

void KillRunningDaemon() {
  const pid_t pid = g_running.load();
  if (pid > 0) kill(pid, SIGKILL);
}

Result<std::unique_ptr<Daemon>> Daemon::Start(const std::string& culpritd,
                                              const std::string& dir,
                                              const std::string& log_path) {
  const std::string config = dir + "/culprit.toml";
  {
    std::ofstream out(config);
    out << "[daemon]\nlisten = \"127.0.0.1:0\"\ndatabase = \"" << dir
        << "/culprit.db\"\nlog_level = \"info\"\n\n[metrics]\nlisten = \"127.0.0.1:0\"\n\n"
        << "[[source]]\nname = \"nginx\"\npath = \"" << log_path
        << "\"\nformat = \"nginx\"\nlog_format = '" << kExtLogFormat
        << "'\nstart_at = \"end\"\nports = [443]\nidle_timeout = \"75s\"\n";
    if (!out) return Status::Internal("cannot write " + config);
  }
  if (access(culpritd.c_str(), X_OK) != 0) {
    return Status::NotFound(culpritd + ": not an executable (build culpritd, or pass --culpritd)");
  }
  const std::string output = dir + "/culpritd.log";
  const int out_fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0) return Status::Internal("cannot create " + output);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(out_fd);
    return Status::Internal(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Only async-signal-safe calls until exec. The daemon dies with us.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
    const char* argv[] = {culpritd.c_str(), "--config", config.c_str(), nullptr};
    execv(culpritd.c_str(), const_cast<char* const*>(argv));
    _exit(127);
  }
  close(out_fd);
  g_running.store(pid);
  std::unique_ptr<Daemon> d(new Daemon());
  d->dir_ = dir;
  d->pid_ = pid;
  // Bounded: at most 2000 looks, 10 ms apart.
  for (int i = 0; i < 2000; ++i) {
    const std::string text = ReadFile(output);
    if (text.find("serving on") != std::string::npos) {
      d->port_ = NumberAfter(text.substr(text.find("serving on")), "(port ");
      d->metrics_port_ = text.find("metrics on") == std::string::npos
                             ? 0
                             : NumberAfter(text.substr(text.find("metrics on")), "(port ");
      if (d->port_ <= 0) {
        return Status::Internal("culpritd's \"serving on\" line has no port:\n" + text);
      }
      return d;
    }
    if (!d->Running()) {
      return Status::Unavailable("culpritd exited (status " + std::to_string(d->exit_status_) +
                                 ") before serving; its output:\n" + text);
    }
    usleep(10'000);
  }
  return Status::DeadlineExceeded("culpritd did not serve within 20 s; its output:\n" +
                                  ReadFile(output));
}

Daemon::~Daemon() { Stop(); }

long Daemon::PeakRssKb() const { return StatusKb(pid_, "VmHWM"); }
long Daemon::RssKb() const { return StatusKb(pid_, "VmRSS"); }


double Daemon::CpuSeconds() const {
  return StatCpuSeconds("/proc/" + std::to_string(pid_) + "/stat");
}

std::map<std::string, double> Daemon::ThreadCpuSeconds() const {
  std::map<std::string, double> out;
  std::error_code ec;
  const std::string tasks = "/proc/" + std::to_string(pid_) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    std::string name = ReadFile(task.path() / "comm");
    while (!name.empty() && name.back() == '\n') name.pop_back();
    const double s = StatCpuSeconds(task.path() / "stat");
    if (s >= 0) out[name] += s;
  }
  return out;
}

double Daemon::Metric(const std::string& name) const {
  if (metrics_port_ <= 0) return -1;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{2, 0};  // every read and write bounded
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(metrics_port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string body;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string req = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[16384];
      // Bounded: the answer is a few hundred KiB at most.
      for (int i = 0; i < 4096; ++i) {
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        body.append(buf, static_cast<size_t>(n));
      }
    }
  }
  close(fd);
  const std::string key = "\n" + name + " ";
  const size_t at = body.find(key);
  if (at == std::string::npos) return -1;
  return std::strtod(body.c_str() + at + key.size(), nullptr);
}

bool Daemon::Running() {
  if (exit_status_ >= 0) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  exit_status_ = r == pid_ && WIFEXITED(status) ? WEXITSTATUS(status) : 255;
  g_running.store(-1);
  return false;
}

std::string Daemon::Output() const { return ReadFile(dir_ + "/culpritd.log"); }

bool Daemon::Stop() {
  if (pid_ <= 0) return false;
  if (Running()) {
    kill(pid_, SIGTERM);
    // Bounded: 10 s, then SIGKILL.
    for (int i = 0; i < 1000 && Running(); ++i) usleep(10'000);
    if (Running()) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
      exit_status_ = 255;
      g_running.store(-1);
    }
  }
  return exit_status_ == 0;
}

LogAppender::LogAppender(const std::string& path)
    : fd_(open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC)) {}

LogAppender::~LogAppender() {
  StopBackground();
  if (fd_ >= 0) close(fd_);
}

size_t LogAppender::Format(char* buf, const std::string& ip, int port, int status,
                           int64_t unix_us) {
  const time_t secs = static_cast<time_t>(unix_us / 1'000'000);
  const int ms = static_cast<int>(unix_us / 1000 % 1000);
  tm t{};
  gmtime_r(&secs, &t);
  char when[40];
  std::strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &t);
  const uint64_t r = rng_();
  const bool upstream_failed = status >= 502 && status <= 504;
  const int n = std::snprintf(
      buf, 1024,
      "%s - - [%s] \"GET %s HTTP/1.1\" %d %d \"-\" \"%s\" rport=%d conn=%" PRId64
      " creq=%d rt=0.%03d msec=%lld.%03d tls=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256 "
      "saddr=192.0.2.10 sport=443 ups=10.1.0.5:8080 ustatus=%s urt=%s rid=%016" PRIx64
      "%016" PRIx64 "\n",
      ip.c_str(), when, RequestPath(r), status, static_cast<int>((r >> 8) % 40000),
      UserAgent(r >> 24), port, conn_++, 1 + static_cast<int>((r >> 32) % 8),
      static_cast<int>((r >> 36) % 200), static_cast<long long>(secs), ms,
      upstream_failed ? std::to_string(status).c_str() : "200", upstream_failed ? "-" : "0.001",
      r, rng_());
  return n > 0 ? std::min<size_t>(static_cast<size_t>(n), 1023) : 0;
}

bool LogAppender::WriteAll(const char* data, size_t n) {
  // Bounded: each round writes at least one byte or fails.
  while (n > 0) {
    const ssize_t w = write(fd_, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool LogAppender::AppendProbe(const std::string& ip, int port, int status, int64_t* unix_us) {
  char buf[1024];
  std::lock_guard lock(mu_);
  *unix_us = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  const size_t n = Format(buf, ip, port, status, *unix_us);
  return WriteAll(buf, n);
}

void LogAppender::StartBackground(int64_t rate) {
  stop_ = false;
  background_lines_ = 0;
  if (rate <= 0) return;
  thread_ = std::thread([this, rate] { Background(rate); });
}

void LogAppender::StopBackground() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void LogAppender::Background(int64_t rate) {
  std::vector<char> chunk;
  std::mt19937_64 clients(7);
  const auto t0 = SteadyClock::now();
  int64_t written = 0;
  char line[1024];
  while (!stop_) {
    const double elapsed = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    // At most 1000 lines a chunk, so a stall is not followed by one huge write.
    const int64_t owed = std::min<int64_t>(static_cast<int64_t>(elapsed * rate) - written, 1000);
    if (owed > 0) {
      chunk.clear();
      std::lock_guard lock(mu_);
      const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
      for (int64_t i = 0; i < owed; ++i) {
        const std::string ip = ClientAddress(clients);
        const size_t n = Format(line, ip, 1024 + static_cast<int>(rng_() % 64000),
                                BackgroundStatus(rng_()), now_us);
        chunk.insert(chunk.end(), line, line + n);
      }
      if (!WriteAll(chunk.data(), chunk.size())) return;
      written += owed;
      background_lines_ = written;
    }
    usleep(1000);
  }
}

}  // namespace culprit::bench
