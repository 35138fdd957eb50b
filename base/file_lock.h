#ifndef CULPRIT_BASE_FILE_LOCK_H_
#define CULPRIT_BASE_FILE_LOCK_H_

// An exclusive lock on a path for the life of a process: culpritd holds one
// on `<database>.lock`, so a second daemon started on the same database
// stops at once with a clear message instead of writing beside the first
// (two writers would each store the same lines once: twice in all).
//
// flock(2) on a lock file of its own, never on the database: SQLite uses
// POSIX record locks on the database file, and closing any descriptor of a
// file drops every POSIX lock the process holds on it. The lock goes with
// the process (kill -9 included), so a stale file never blocks a restart.
// The file holds the owner's pid, for the message.
//
// Thread-compatible. Move-only; the destructor releases the lock.

#include <string>

#include "base/result.h"

namespace culprit {

class FileLock {
 public:
  // Creates `path` if needed and locks it without waiting. Errors:
  // UNAVAILABLE, with "is held by another process (pid N)" when another
  // process holds it, or the system's reason when the file cannot be
  // created or locked.
  static Result<FileLock> Acquire(const std::string& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  const std::string& path() const { return path_; }

 private:
  FileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

}  // namespace culprit

#endif  // CULPRIT_BASE_FILE_LOCK_H_
