#include "daemon/tail/line_splitter.h"

#include <algorithm>
#include <cstring>

#include "base/check.h"

namespace culprit::tail {

LineSplitter::LineSplitter(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {
  CULPRIT_CHECK(max_line_bytes_ >= 1);
}

void LineSplitter::Reset(int64_t offset) {
  line_start_ = offset;
  fed_ = offset;
  held_.clear();
  overflow_ = false;
  discard_ = false;
}

void LineSplitter::ResetDiscarding(int64_t offset) {
  Reset(offset);
  discard_ = true;
}

void LineSplitter::Emit(const char* text, size_t size, bool truncated, FileChunk* out) {
  // The '\r' of a CRLF ending is only stripped when it is the line's real
  // last byte; a cut line keeps its first max_line_bytes_ bytes as they are.
  if (!truncated && size > 0 && text[size - 1] == '\r') --size;
  if (size > max_line_bytes_) {
    size = max_line_bytes_;
    truncated = true;
  }
  Line line;
  line.offset = line_start_;
  line.data_pos = static_cast<uint32_t>(out->data.size());
  line.size = static_cast<uint32_t>(size);
  line.truncated = truncated;
  out->lines.push_back(line);
  out->data.append(text, size);
}

void LineSplitter::Hold(const char* p, size_t n) {
  if (discard_ || overflow_) return;
  const size_t room = max_line_bytes_ + 1 - held_.size();
  if (n > room) {
    held_.append(p, room);
    overflow_ = true;
  } else {
    held_.append(p, n);
  }
}

void LineSplitter::EmitHeld(FileChunk* out) {
  if (discard_) {
    discard_ = false;
  } else if (overflow_) {
    Emit(held_.data(), max_line_bytes_, /*truncated=*/true, out);
  } else {
    Emit(held_.data(), held_.size(), /*truncated=*/false, out);
  }
  held_.clear();
  overflow_ = false;
}

void LineSplitter::Feed(std::string_view bytes, FileChunk* out) {
  const char* const begin = bytes.data();
  const char* const end = begin + bytes.size();
  // Most bytes fed become line text: one (geometric) reservation per piece
  // keeps the appends below from reallocating.
  const size_t need = out->data.size() + bytes.size();
  if (out->data.capacity() < need) out->data.reserve(std::max(need, 2 * out->data.capacity()));
  const char* p = begin;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (nl == nullptr) {
      Hold(p, static_cast<size_t>(end - p));
      break;
    }
    const size_t n = static_cast<size_t>(nl - p);
    if (held_.empty() && !overflow_ && !discard_) {
      Emit(p, n, /*truncated=*/false, out);  // the common case: a whole line in this piece
    } else {
      Hold(p, n);
      EmitHeld(out);
    }
    p = nl + 1;
    line_start_ = fed_ + (p - begin);
  }
  fed_ += static_cast<int64_t>(bytes.size());
}

bool LineSplitter::Flush(FileChunk* out) {
  if (pending_bytes() == 0) return false;
  const bool had_line = !discard_;
  if (had_line) EmitHeld(out);
  held_.clear();
  overflow_ = false;
  discard_ = false;
  line_start_ = fed_;
  return had_line;
}

}  // namespace culprit::tail
