#ifndef CULPRIT_DAEMON_TAIL_LINE_SPLITTER_H_
#define CULPRIT_DAEMON_TAIL_LINE_SPLITTER_H_

// LineSplitter: cuts the bytes of one file, fed in arbitrary pieces, into
// lines, carrying an incomplete line from one piece (and one Poll()) to the
// next. The Tailer keeps one per followed file.
//
// Rules (see tailer.h): a line ends at '\n'; one trailing '\r' is stripped; a
// line longer than max_line_bytes is cut to that length and flagged, and the
// rest up to its '\n' is skipped. A line is given out only once its '\n' has
// been seen, so line_start() is always just after a '\n' (or where Reset()
// put it). Memory held between pieces is at most max_line_bytes + 1 bytes.
//
// Performance: one memchr per line and one append of the line's text into
// the chunk; nothing is allocated per line beyond the chunk's own vectors.
//
// Thread-compatible.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/tail/tailer.h"

namespace culprit::tail {

class LineSplitter {
 public:
  // REQUIRES: max_line_bytes >= 1.
  explicit LineSplitter(size_t max_line_bytes);

  // Forgets any incomplete line; the next byte fed is at file offset
  // `offset`, which is taken to be the start of a line.
  void Reset(int64_t offset);
  // Like Reset(), but `offset` is inside a line: everything up to and
  // including the next '\n' is skipped, no line is given out for it.
  void ResetDiscarding(int64_t offset);

  // Feeds the bytes that follow everything fed so far. Each line completed
  // by them is appended to out->lines (its text to out->data).
  void Feed(std::string_view bytes, FileChunk* out);

  // Gives out the incomplete last line, if any, as a line of its own. Used
  // only when a file has been finished (rotated away or deleted) and no '\n'
  // can come any more. Returns true if a line was appended.
  bool Flush(FileChunk* out);

  // File offset just after the last complete line (where a checkpoint may
  // resume).
  int64_t line_start() const { return line_start_; }
  // File offset of the next byte to feed.
  int64_t fed_offset() const { return fed_; }
  // Bytes of the incomplete line seen so far (including skipped ones).
  int64_t pending_bytes() const { return fed_ - line_start_; }

 private:
  void Emit(const char* text, size_t size, bool truncated, FileChunk* out);
  void Hold(const char* p, size_t n);
  void EmitHeld(FileChunk* out);

  size_t max_line_bytes_;
  int64_t line_start_ = 0;
  int64_t fed_ = 0;
  // The incomplete line's first bytes, at most max_line_bytes_ + 1 of them
  // (one more than a line may keep, so a '\r' right after the limit can
  // still be stripped rather than flagged).
  std::string held_;
  bool overflow_ = false;  // the incomplete line is longer than held_
  bool discard_ = false;   // skip up to the next '\n' without a line
};

}  // namespace culprit::tail

#endif  // CULPRIT_DAEMON_TAIL_LINE_SPLITTER_H_
