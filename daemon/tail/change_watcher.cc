#include "daemon/tail/change_watcher.h"

#include <fnmatch.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "base/log.h"

namespace culprit::tail {
namespace {

constexpr uint32_t kDirEvents = IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
                                IN_ONLYDIR;

// Room for many events per read(2); each is a header plus a name.
constexpr size_t kEventBufBytes = 64 * (sizeof(struct inotify_event) + NAME_MAX + 1);

bool IsGlobChar(char c) { return c == '*' || c == '?' || c == '['; }

// The text of `pattern` before its first glob character.
std::string LiteralPrefix(const std::string& pattern) {
  const auto it = std::find_if(pattern.begin(), pattern.end(), IsGlobChar);
  return std::string(pattern.begin(), it);
}

// Directory to watch for `pattern`, and the name pattern within it.
std::pair<std::string, std::string> SplitPattern(const std::string& pattern) {
  const size_t first_glob = pattern.find_first_of("*?[");
  size_t slash = pattern.rfind('/');
  if (first_glob != std::string::npos && slash != std::string::npos && slash > first_glob) {
    // The directory part itself is a glob: watch its literal leading
    // directory and let every change there count.
    slash = pattern.rfind('/', first_glob);
    if (slash == std::string::npos) return {".", "*"};
    return {slash == 0 ? "/" : pattern.substr(0, slash), "*"};
  }
  if (slash == std::string::npos) return {".", pattern};
  return {slash == 0 ? "/" : pattern.substr(0, slash), pattern.substr(slash + 1)};
}

int ToPollMillis(Duration d) {
  if (d <= Duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX));
}

}  // namespace

Result<std::unique_ptr<ChangeWatcher>> ChangeWatcher::Create() { return Create(Options()); }

Result<std::unique_ptr<ChangeWatcher>> ChangeWatcher::Create(Options options) {
  const int event_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd < 0) {
    return Status::ResourceExhausted("change watcher: eventfd: " + ErrnoText(errno));
  }
  int inotify_fd = -1;
  if (options.use_inotify) {
    inotify_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd < 0) {
      CULPRIT_LOG(kWarning) << "inotify unavailable (" << ErrnoText(errno)
                            << "; see fs.inotify.max_user_instances): log files are polled on "
                               "the timer only";
    }
  }
  return std::unique_ptr<ChangeWatcher>(new ChangeWatcher(options, event_fd, inotify_fd));
}

ChangeWatcher::ChangeWatcher(Options options, int event_fd, int inotify_fd)
    : options_(options),
      event_fd_(event_fd),
      inotify_fd_(inotify_fd),
      last_retry_(std::chrono::steady_clock::now()) {
  if (inotify_fd_ >= 0) event_buf_.resize(kEventBufBytes);
}

ChangeWatcher::~ChangeWatcher() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);  // drops every watch with it
  ::close(event_fd_);
}

Status ChangeWatcher::AddPath(const std::string& pattern) {
  if (pattern.empty()) return Status::InvalidArgument("change watcher: empty path pattern");
  auto [dir_path, name] = SplitPattern(pattern);
  auto it =
      std::find_if(dirs_.begin(), dirs_.end(), [&](const Dir& d) { return d.path == dir_path; });
  if (it == dirs_.end()) {
    dirs_.push_back(Dir{dir_path, {}, -1});
    it = std::prev(dirs_.end());
    TryWatch(*it);
  }
  if (std::find(it->name_patterns.begin(), it->name_patterns.end(), name) ==
      it->name_patterns.end()) {
    it->name_patterns.push_back(name);
  }
  return Status::Ok();
}

bool ChangeWatcher::TryWatch(Dir& dir) {
  if (inotify_fd_ < 0) return false;
  const int wd = ::inotify_add_watch(inotify_fd_, dir.path.c_str(), kDirEvents);
  if (wd >= 0) {
    dir.wd = wd;
    return true;
  }
  const int err = errno;
  // A directory that does not exist (yet) is the expected case; anything else
  // (ENOSPC: fs.inotify.max_user_watches, EACCES) is said once.
  if (err != ENOENT && err != ENOTDIR && !warned_add_watch_) {
    warned_add_watch_ = true;
    CULPRIT_LOG(kWarning) << "cannot watch \"" << dir.path << "\" with inotify (" << ErrnoText(err)
                          << "): polled on the timer instead";
  }
  return false;
}

bool ChangeWatcher::RetryMissing() {
  if (inotify_fd_ < 0) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_retry_ < options_.missing_dir_retry) return false;
  last_retry_ = now;
  bool appeared = false;
  for (Dir& dir : dirs_) {
    if (dir.wd < 0 && TryWatch(dir)) appeared = true;
  }
  return appeared;
}

bool ChangeWatcher::NameMatters(const Dir& dir, const char* name) const {
  for (const std::string& pattern : dir.name_patterns) {
    if (::fnmatch(pattern.c_str(), name, FNM_PERIOD) == 0) return true;
    if (std::strncmp(name, pattern.data(), LiteralPrefix(pattern).size()) == 0) return true;
  }
  return false;
}

bool ChangeWatcher::DrainInotify() {
  bool matters = false;
  while (true) {
    const ssize_t n = ::read(inotify_fd_, event_buf_.data(), event_buf_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: drained
    for (ssize_t pos = 0; pos < n;) {
      struct inotify_event ev;
      std::memcpy(&ev, event_buf_.data() + pos, sizeof(ev));  // the buffer may be unaligned
      const char* name = event_buf_.data() + pos + sizeof(ev);
      pos += static_cast<ssize_t>(sizeof(ev) + ev.len);
      if (ev.mask & IN_Q_OVERFLOW) {
        matters = true;  // events were lost: assume the worst
        continue;
      }
      auto dir =
          std::find_if(dirs_.begin(), dirs_.end(), [&](const Dir& d) { return d.wd == ev.wd; });
      if (dir == dirs_.end()) continue;
      if (ev.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
        // The directory went away (or moved, and the watch moved with it):
        // look for it again by name.
        if (!(ev.mask & IN_IGNORED)) ::inotify_rm_watch(inotify_fd_, dir->wd);
        dir->wd = -1;
        matters = true;
        continue;
      }
      if (ev.len == 0 || NameMatters(*dir, name)) matters = true;
    }
  }
  return matters;
}

bool ChangeWatcher::Wait(Duration timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::max(timeout, Duration::zero());
  while (true) {
    if (RetryMissing()) return true;  // a directory appeared: its files are new
    Duration left = std::chrono::duration_cast<Duration>(deadline - Clock::now());
    const bool any_missing = inotify_fd_ >= 0 && std::any_of(dirs_.begin(), dirs_.end(),
                                                             [](const Dir& d) { return d.wd < 0; });
    if (any_missing) left = std::min(left, options_.missing_dir_retry);
    struct pollfd fds[2] = {{event_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    const int rc = ::poll(fds, inotify_fd_ >= 0 ? 2 : 1, ToPollMillis(left));
    if (rc < 0 && errno != EINTR) {
      CULPRIT_LOG(kError) << "change watcher: poll: " << ErrnoText(errno);
      return false;
    }
    bool changed = false;
    if (rc > 0 && (fds[0].revents & POLLIN)) {
      uint64_t count = 0;
      if (::read(event_fd_, &count, sizeof(count)) == sizeof(count)) changed = true;
    }
    if (rc > 0 && inotify_fd_ >= 0 && (fds[1].revents & POLLIN) && DrainInotify()) changed = true;
    if (changed) return true;
    if (Clock::now() >= deadline) return false;
  }
}

void ChangeWatcher::Wake() {
  const uint64_t one = 1;
  // EAGAIN only when the counter is saturated: a wake-up is pending anyway.
  [[maybe_unused]] const ssize_t n = ::write(event_fd_, &one, sizeof(one));
}

}  // namespace culprit::tail
