#include "daemon/tail/file_system.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace culprit::tail {
namespace {

FileInfo FromStat(const struct stat& st) {
  FileInfo info;
  info.dev = static_cast<uint64_t>(st.st_dev);
  info.inode = static_cast<uint64_t>(st.st_ino);
  info.size = static_cast<int64_t>(st.st_size);
  info.mtime = FromUnixMicros(static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000 +
                              st.st_mtim.tv_nsec / 1000);
  info.is_regular = S_ISREG(st.st_mode);
  return info;
}

class PosixFile final : public ReadableFile {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFile() override { ::close(fd_); }

  Result<size_t> ReadAt(int64_t offset, size_t n, char* buf) override {
    while (true) {
      const ssize_t got = ::pread(fd_, buf, n, static_cast<off_t>(offset));
      if (got >= 0) return static_cast<size_t>(got);
      if (errno == EINTR) continue;
      return Status::IoError("reading \"" + path_ + "\": " + ErrnoText(errno));
    }
  }

  Result<FileInfo> Stat() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) {
      return Status::IoError("fstat \"" + path_ + "\": " + ErrnoText(errno));
    }
    return FromStat(st);
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

Result<FileInfo> PosixFileSystem::Stat(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return Status::NotFound("\"" + path + "\" does not exist");
    return Status::IoError("stat \"" + path + "\": " + ErrnoText(err));
  }
  return FromStat(st);
}

Result<std::unique_ptr<ReadableFile>> PosixFileSystem::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound("\"" + path + "\" does not exist");
    return Status::IoError("open \"" + path + "\": " + ErrnoText(err));
  }
  return std::unique_ptr<ReadableFile>(new PosixFile(fd, path));
}

Result<std::vector<std::string>> PosixFileSystem::Glob(const std::string& pattern) {
  glob_t g{};
  const int rc = ::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g);
  std::vector<std::string> out;
  if (rc == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  if (rc != 0 && rc != GLOB_NOMATCH) {
    return Status::IoError("glob \"" + pattern + "\" failed");
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace culprit::tail
