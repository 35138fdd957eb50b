#ifndef CULPRIT_DAEMON_TAIL_CHANGE_WATCHER_H_
#define CULPRIT_DAEMON_TAIL_CHANGE_WATCHER_H_

// ChangeWatcher: tells the ingest loop when to call Tailer::Poll() again.
//
//   auto watcher = ChangeWatcher::Create();           // Result<unique_ptr<...>>
//   (*watcher)->AddPath("/var/log/nginx/access.log");
//   while (running) {
//     (*watcher)->Wait(std::chrono::seconds(1));      // true: something changed
//     ... tailer.Poll() ...
//   }
//   // another thread, at shutdown:  watcher->Wake();
//
// It watches the *directories* of the added patterns with inotify (a file's
// own watch would not see it being replaced by rotation): IN_MODIFY,
// IN_CREATE, IN_MOVED_TO, IN_MOVED_FROM, IN_DELETE, IN_CLOSE_WRITE, IN_ATTRIB.
// Only events for names the pattern could care about wake the caller: names
// matching the pattern's last component, or starting with its literal prefix
// (so access.log.1, the rotated file still being finished, counts too).
//
// It is a hint, never the only trigger: the caller should always pass a
// timeout and poll when it expires. Degradations, each announced once in the
// log, are covered by that timeout:
// - inotify_init1() fails (fs.inotify.max_user_instances): no watches at all,
//   Wait() only returns on Wake() or at the timeout.
// - a directory does not exist yet: it is looked for again every
//   Options::missing_dir_retry; when it appears it is watched and Wait()
//   returns true (its files are new). A watched directory that is deleted or
//   moved goes back to being looked for.
// - inotify_add_watch() fails otherwise (max_user_watches): that directory is
//   retried like a missing one.
// - a pattern whose directory part has glob characters (/var/log/*/x.log):
//   only its literal leading directory is watched.
//
// Thread-safety: Wake() may be called from any thread at any time while the
// object lives. AddPath() and Wait() are called by one thread (the owner).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace culprit::tail {

class ChangeWatcher {
 public:
  struct Options {
    // False: never use inotify (pure timeout polling plus Wake()).
    bool use_inotify = true;
    // How often Wait() looks again for directories that do not exist yet.
    Duration missing_dir_retry = std::chrono::seconds(1);
  };

  // Fails only if the wake-up descriptor cannot be created (out of file
  // descriptors); inotify trouble degrades instead of failing.
  static Result<std::unique_ptr<ChangeWatcher>> Create();
  static Result<std::unique_ptr<ChangeWatcher>> Create(Options options);
  ~ChangeWatcher();
  ChangeWatcher(const ChangeWatcher&) = delete;
  ChangeWatcher& operator=(const ChangeWatcher&) = delete;

  // Starts watching the directory of `pattern` (a path or a glob, as given to
  // Tailer::Options::pattern). Adding several patterns of one directory is
  // fine. Never fails for a missing directory (see above).
  // Fails: INVALID_ARGUMENT for an empty pattern.
  Status AddPath(const std::string& pattern);

  // Blocks until something watched changed, Wake() was called (both: true),
  // or `timeout` passed (false). Pending events are consumed, so several
  // changes give one wake-up. A non-positive timeout only checks.
  bool Wait(Duration timeout);

  // Makes the current or the next Wait() return true. Thread-safe, async
  // signal safe (one write(2) to an eventfd).
  void Wake();

  // False when inotify could not be initialised or was switched off.
  bool using_inotify() const { return inotify_fd_ >= 0; }

 private:
  struct Dir {
    std::string path;
    std::vector<std::string> name_patterns;  // last components of the patterns
    int wd = -1;                             // -1: not watched (yet)
  };

  ChangeWatcher(Options options, int event_fd, int inotify_fd);
  // Tries to watch `dir`; false if it cannot be watched now.
  bool TryWatch(Dir& dir);
  // Watches directories that appeared; true if any did.
  bool RetryMissing();
  // Reads all queued inotify events; true if one of them matters.
  bool DrainInotify();
  bool NameMatters(const Dir& dir, const char* name) const;

  Options options_;
  int event_fd_ = -1;
  int inotify_fd_ = -1;
  std::vector<Dir> dirs_;
  std::chrono::steady_clock::time_point last_retry_;
  bool warned_add_watch_ = false;
  std::vector<char> event_buf_;
};

}  // namespace culprit::tail

#endif  // CULPRIT_DAEMON_TAIL_CHANGE_WATCHER_H_
