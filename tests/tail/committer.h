#ifndef CULPRIT_TESTS_TAIL_COMMITTER_H_
#define CULPRIT_TESTS_TAIL_COMMITTER_H_

// Committer: the caller's half of exactly once, as the ingest loop does it.
// Commit() stores a poll's lines and, for each chunk, its checkpoint
// (identity, end_offset) "in one transaction"; a finished chunk retires its
// file's checkpoint. A checkpoint is keyed by dev+inode, so the chunk of a
// file that reused an inode replaces the old file's checkpoint.
// Thread-compatible.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "daemon/tail/tailer.h"

namespace culprit::testing {

struct StoredLine {
  std::string path;
  uint64_t inode = 0;
  int64_t offset = 0;
  std::string text;
  bool truncated = false;
};

class Committer {
 public:
  void Commit(const tail::PollResult& result) {
    for (const tail::FileChunk& chunk : result.chunks) {
      for (const tail::Line& line : chunk.lines) {
        lines_.push_back(StoredLine{chunk.path, chunk.identity.inode, line.offset,
                                    std::string(chunk.Text(line)), line.truncated});
      }
      const std::pair<uint64_t, uint64_t> key{chunk.identity.dev, chunk.identity.inode};
      if (chunk.finished) {
        checkpoints_.erase(key);
      } else {
        checkpoints_[key] = tail::FileCheckpoint{chunk.path, chunk.identity, chunk.end_offset};
      }
    }
  }

  std::vector<tail::FileCheckpoint> Checkpoints() const {
    std::vector<tail::FileCheckpoint> out;
    for (const auto& [key, c] : checkpoints_) out.push_back(c);
    return out;
  }
  // The committed offset of the file with this inode, or -1.
  int64_t CommittedOffset(uint64_t dev, uint64_t inode) const {
    auto it = checkpoints_.find({dev, inode});
    return it == checkpoints_.end() ? -1 : it->second.offset;
  }

  const std::vector<StoredLine>& lines() const { return lines_; }
  std::vector<std::string> Texts() const {
    std::vector<std::string> out;
    for (const StoredLine& l : lines_) out.push_back(l.text);
    return out;
  }

 private:
  std::map<std::pair<uint64_t, uint64_t>, tail::FileCheckpoint> checkpoints_;
  std::vector<StoredLine> lines_;
};

// The texts of all lines of a poll, in order.
inline std::vector<std::string> Texts(const tail::PollResult& result) {
  std::vector<std::string> out;
  for (const tail::FileChunk& chunk : result.chunks) {
    for (const tail::Line& line : chunk.lines) out.emplace_back(chunk.Text(line));
  }
  return out;
}

}  // namespace culprit::testing

#endif  // CULPRIT_TESTS_TAIL_COMMITTER_H_
