#ifndef CULPRIT_DAEMON_TAIL_FILE_SYSTEM_H_
#define CULPRIT_DAEMON_TAIL_FILE_SYSTEM_H_

// FileSystem: the seam between the tailer and the OS, so tests can drive
// rotation, truncation and partial writes without touching disk or sleeping.
// PosixFileSystem is the real one. Implementations are thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace culprit::tail {

struct FileInfo {
  uint64_t dev = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  Timestamp mtime;
  bool is_regular = true;
};

// An open file, read by offset. Keeps reading the same inode even after the
// path is renamed or unlinked (that is how a rotated file is finished).
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to `n` bytes at `offset` into `buf`; returns the count read, 0 at
  // end of file. REQUIRES: buf has room for n bytes.
  virtual Result<size_t> ReadAt(int64_t offset, size_t n, char* buf) = 0;
  // Identity and size of the open file (not of whatever the path names now).
  virtual Result<FileInfo> Stat() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // NOT_FOUND when the path does not exist.
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  virtual Result<std::unique_ptr<ReadableFile>> Open(const std::string& path) = 0;
  // Paths matching a glob pattern (* ? [...]), sorted; a pattern without
  // glob characters yields itself if it exists. No match is not an error.
  virtual Result<std::vector<std::string>> Glob(const std::string& pattern) = 0;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<FileInfo> Stat(const std::string& path) override;
  Result<std::unique_ptr<ReadableFile>> Open(const std::string& path) override;
  Result<std::vector<std::string>> Glob(const std::string& pattern) override;
};

}  // namespace culprit::tail

#endif  // CULPRIT_DAEMON_TAIL_FILE_SYSTEM_H_
