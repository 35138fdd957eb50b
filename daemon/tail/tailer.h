#ifndef CULPRIT_DAEMON_TAIL_TAILER_H_
#define CULPRIT_DAEMON_TAIL_TAILER_H_

// Tailer: follows the files one source's path (or glob) names, like
// `tail -F`, one step at a time. Poll() does one pass and returns the new
// complete lines with their positions; the caller decides when to poll (a
// timer, an inotify wake-up), and tests call Poll() directly: no threads, no
// sleeps.
//
// Rules (after mtail's filestream and Vector's fingerprinter):
// - Files are known by identity, not by name: (dev, inode) plus the first
//   bytes (the fingerprint). A file renamed by rotation is still the same
//   file; a new file at the old path is a new one, read from offset 0.
// - Only at EOF of a file is its path stat()ed. A different identity at the
//   path means rotation: the old file (still open) is read to its end first,
//   then the new one from 0.
// - A size below our offset means copytruncate: start again at 0 and count
//   it. A fingerprint that no longer matches (same inode, different first
//   bytes: inode reuse, or a copytruncate that grew back past our offset)
//   means a new file: read it from 0.
// - A last line without '\n' is held back until complete. A trailing '\r' is
//   stripped. A line longer than max_line_bytes is cut to that length and
//   flagged; the rest up to its '\n' is skipped.
// - Offsets given back are always just after a '\n', so a checkpoint
//   committed from end_offset resumes exactly at the next line.
//
// Exactly once is the caller's half of the contract: store the lines of a
// chunk and commit chunk.end_offset for chunk.identity in one transaction;
// after a restart, construct the Tailer with what was committed.
//
// Thread-compatible: one thread drives a Tailer.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "daemon/tail/file_system.h"

namespace culprit::tail {

// Bytes of a file's beginning kept as its fingerprint.
inline constexpr size_t kFingerprintBytes = 64;

struct FileIdentity {
  uint64_t dev = 0;
  uint64_t inode = 0;
  // The first min(size, kFingerprintBytes) bytes of the file. Grows as a
  // small file grows; the identity is the same while one is a prefix of the
  // other.
  std::string fingerprint;

  // Same dev and inode, and one fingerprint a prefix of the other.
  bool SameFileAs(const FileIdentity& other) const;
};

// A committed position, as stored: resume reading `identity` at `offset`.
struct FileCheckpoint {
  std::string path;
  FileIdentity identity;
  int64_t offset = 0;
};

// One line. Its text is chunk.Text(line).
struct Line {
  int64_t offset = 0;     // of the line's first byte in its file
  uint32_t data_pos = 0;  // where its text starts in the chunk's data
  uint32_t size = 0;      // text length: no '\n', no trailing '\r', <= max_line_bytes
  bool truncated = false;
};

// New lines of one file from one Poll(). Movable; owns its text.
struct FileChunk {
  std::string path;        // the name the file was found under
  FileIdentity identity;   // as of this poll (the fingerprint may have grown)
  int64_t start_offset = 0;  // where the first line starts
  int64_t end_offset = 0;    // just after the last line: the checkpoint to commit
  std::vector<Line> lines;
  std::string data;  // the lines' text, back to back
  // The file was truncated in place (copytruncate) and reading restarted at 0.
  bool truncated_file = false;
  // The file was rotated away or deleted and has been read to its end: no
  // more lines will come from it (its checkpoint can be retired).
  bool finished = false;

  std::string_view Text(const Line& line) const {
    return std::string_view(data).substr(line.data_pos, line.size);
  }
};

struct PollResult {
  // In the order the lines must be stored (per file, in file order; a
  // rotated file's tail comes before its successor's head).
  std::vector<FileChunk> chunks;
  // True when the byte budget stopped this pass early: poll again soon
  // rather than waiting for a wake-up.
  bool more = false;
  // Non-fatal problems (permission denied, I/O error on one file), each
  // naming the file. The files concerned are retried on the next Poll().
  std::vector<Status> problems;
};

class Tailer {
 public:
  struct Options {
    std::string pattern;        // a path or a glob (* ? [...])
    bool start_at_end = false;  // files with no checkpoint present at the
                                // first Poll() start at their end (at a line
                                // boundary); files appearing later start at 0
    size_t max_line_bytes = 64 * 1024;
    size_t max_bytes_per_poll = 1024 * 1024;  // bounds one pass's memory
  };

  // `committed`: this source's checkpoints from the store (may be empty).
  // REQUIRES: fs outlives the Tailer; max_line_bytes >= 1.
  Tailer(FileSystem* fs, Options options, std::vector<FileCheckpoint> committed);
  ~Tailer();
  Tailer(const Tailer&) = delete;
  Tailer& operator=(const Tailer&) = delete;

  // Files read to their end earlier (rotated away, their checkpoints
  // retired): if one turns up under a name the pattern matches (a glob
  // such as app.log* also matches the rotated app.log.1, or a directory
  // listing missed it during a rename), it is resumed at its offset instead
  // of being read again as a new file. The tailer adds the files it finishes
  // itself; the caller gives those finished before a restart. Bounded: the
  // oldest are forgotten past kMaxRetired.
  static constexpr size_t kMaxRetired = 4096;
  void AddRetired(std::vector<FileCheckpoint> retired);

  // One pass over the files: new complete lines, rotations, truncations.
  // Never fails as a whole; per-file problems are in PollResult::problems.
  PollResult Poll();

  // Copytruncates detected since construction.
  int64_t truncations() const { return truncations_; }

  // Files currently followed, with the offset read up to (not committed).
  struct FollowedFile {
    std::string path;
    FileIdentity identity;
    int64_t read_offset = 0;
  };
  std::vector<FollowedFile> Followed() const;

 private:
  struct OpenFile;
  FileSystem* fs_;
  Options options_;
  bool first_poll_ = true;
  int64_t truncations_ = 0;
  std::vector<FileCheckpoint> committed_;  // not yet matched to a file
  std::vector<FileCheckpoint> retired_;    // finished files, oldest first
  std::vector<std::unique_ptr<OpenFile>> files_;
};

}  // namespace culprit::tail

#endif  // CULPRIT_DAEMON_TAIL_TAILER_H_
