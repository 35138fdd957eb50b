#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace culprit {
namespace {

// The pid the holder wrote, or "" if none can be read.
std::string ReadOwner(int fd) {
  char buf[32] = {};
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "";
  std::string s(buf, static_cast<size_t>(n));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char c : s) {
    if (c < '0' || c > '9') return "";
  }
  return s;
}

}  // namespace

Result<FileLock> FileLock::Acquire(const std::string& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    return Status::IoError("cannot create lock file \"" + path + "\": " + ErrnoText(err));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string owner = err == EWOULDBLOCK ? ReadOwner(fd) : "";
    close(fd);
    if (err == EWOULDBLOCK) {
      return Status::Unavailable("\"" + path + "\" is held by another process" +
                                 (owner.empty() ? std::string() : " (pid " + owner + ")"));
    }
    return Status::IoError("cannot lock \"" + path + "\": " + ErrnoText(err));
  }
  // Ours now: record the pid (best effort; the lock is what matters).
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) == 0) {
    (void)!pwrite(fd, pid.data(), pid.size(), 0);
  }
  return FileLock(path, fd);
}

FileLock::FileLock(FileLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);  // releases the lock; the file stays, harmless
}

}  // namespace culprit
