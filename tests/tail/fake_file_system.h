#ifndef CULPRIT_TESTS_TAIL_FAKE_FILE_SYSTEM_H_
#define CULPRIT_TESTS_TAIL_FAKE_FILE_SYSTEM_H_

// In-memory file systems for tailer tests (after leveldb's memenv and
// fault_injection_test).
//
// FakeFileSystem keeps files as inodes with contents, named by paths (there
// are no directories: a path is just a string, globbed with fnmatch(3) and
// FNM_PATHNAME). It behaves like a POSIX file system where the tailer can
// tell: an open ReadableFile keeps reading its inode after the path is
// renamed or deleted; a new file gets a new inode; an inode still open can
// not be reused. The writer side (Append, Rotate, CopyTruncate, ...) is what
// programs and logrotate do to logs.
//
// FailingFileSystem wraps any FileSystem and makes chosen calls fail with an
// I/O error, to cover the tailer's error paths.
//
// Both are thread-safe. Files opened from them must not outlive them.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/tail/file_system.h"

namespace culprit::testing {

class FakeFileSystem final : public tail::FileSystem {
 public:
  explicit FakeFileSystem(uint64_t dev = 42);
  ~FakeFileSystem() override;

  // --- What writers and logrotate do. Each write moves the file's mtime
  // forward by one second of a logical clock.

  // A new empty file (new inode) at `path`, replacing what was there.
  void Create(const std::string& path);
  // Appends `bytes` as they are (usually whole lines); creates the file if
  // there is none.
  void Append(const std::string& path, std::string_view bytes);
  // Appends the start of a line, without '\n'. REQUIRES: no '\n' in `text`.
  void AppendPartial(const std::string& path, std::string_view text);
  // rename(2): `to` is replaced. REQUIRES: `from` exists.
  void Rename(const std::string& from, const std::string& to);
  // logrotate's default: Rename(path, rotated_path), then Create(path).
  void Rotate(const std::string& path, const std::string& rotated_path);
  // logrotate's copytruncate: a copy (new inode) at `copy_path`, then the
  // original truncated to 0 in place. REQUIRES: `path` exists.
  void CopyTruncate(const std::string& path, const std::string& copy_path);
  // Truncates (or zero-extends) in place. REQUIRES: `path` exists.
  void Truncate(const std::string& path, int64_t size);
  // Replaces the contents in place, keeping the inode (a rewrite).
  void Overwrite(const std::string& path, std::string_view contents);
  // unlink(2). Open files keep reading the old contents.
  void Delete(const std::string& path);
  // Deletes `path` and creates a new empty file there that gets the same
  // inode number back, as a file system does when it reuses a freed inode.
  // Fails (FAILED_PRECONDITION) if the old file is still open somewhere: a
  // real kernel cannot reuse an inode that is in use.
  Status RecreateWithSameInode(const std::string& path);
  // A directory entry (not a regular file) at `path`.
  void MakeDirectory(const std::string& path);

  // --- Inspection.
  bool Exists(const std::string& path) const;
  // Empty if there is no such file.
  std::string Contents(const std::string& path) const;
  // 0 if there is no such file.
  uint64_t Inode(const std::string& path) const;
  uint64_t dev() const { return dev_; }
  // ReadableFiles currently open on the file at `path`.
  int OpenCount(const std::string& path) const;

  // --- tail::FileSystem.
  Result<tail::FileInfo> Stat(const std::string& path) override;
  Result<std::unique_ptr<tail::ReadableFile>> Open(const std::string& path) override;
  Result<std::vector<std::string>> Glob(const std::string& pattern) override;

 private:
  struct Node;
  class File;
  std::shared_ptr<Node> NewNodeLocked(uint64_t inode);
  std::shared_ptr<Node> FindLocked(const std::string& path) const;
  void TouchLocked(Node& node);

  const uint64_t dev_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Node>> paths_;
  uint64_t next_inode_ = 1000;
  int64_t clock_seconds_ = 1795464090;
};

class FailingFileSystem final : public tail::FileSystem {
 public:
  enum class Op { kStat, kOpen, kGlob, kReadAt, kFileStat };

  // REQUIRES: base outlives this object.
  explicit FailingFileSystem(tail::FileSystem* base);

  // Makes the n-th call of `op` counted from now (n >= 1), and the count - 1
  // calls after it, fail with an I/O error naming the path.
  void FailNth(Op op, int n, int count = 1);
  // Makes every call fail with probability `p`, drawn from a generator
  // seeded with `seed` (0 <= p < 1; 0 turns it off).
  void FailRandomly(double p, uint64_t seed);
  // Calls of `op` so far, failed or not.
  int64_t calls(Op op) const;
  int64_t failures() const;

  Result<tail::FileInfo> Stat(const std::string& path) override;
  Result<std::unique_ptr<tail::ReadableFile>> Open(const std::string& path) override;
  Result<std::vector<std::string>> Glob(const std::string& pattern) override;

 private:
  class File;
  // True if this call of `op` must fail.
  bool ShouldFail(Op op);
  Status Injected(Op op, const std::string& path);

  tail::FileSystem* const base_;
  mutable std::mutex mu_;
  std::map<Op, int64_t> calls_;
  std::map<Op, std::pair<int64_t, int64_t>> fail_ranges_;  // [first, last] call numbers
  double probability_ = 0;
  std::mt19937_64 rng_;
  int64_t failures_ = 0;
};

}  // namespace culprit::testing

#endif  // CULPRIT_TESTS_TAIL_FAKE_FILE_SYSTEM_H_
