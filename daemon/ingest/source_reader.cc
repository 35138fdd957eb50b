#include "daemon/ingest/source_reader.h"

#include <algorithm>

#include "base/log.h"

namespace culprit::ingest {
namespace {

std::vector<tail::FileCheckpoint> ToTailCheckpoints(
    const std::vector<store::StoredCheckpoint>& stored) {
  std::vector<tail::FileCheckpoint> out;
  out.reserve(stored.size());
  for (const store::StoredCheckpoint& s : stored) {
    tail::FileCheckpoint c;
    c.path = s.path;
    c.identity.dev = s.key.dev;
    c.identity.inode = s.key.inode;
    c.identity.fingerprint = s.key.fingerprint;
    c.offset = s.offset;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

SourceReader::SourceReader(tail::FileSystem* fs, Options options,
                           std::unique_ptr<parsers::LineParser> parser,
                           const std::vector<store::StoredCheckpoint>& committed,
                           const std::vector<store::StoredCheckpoint>& retired)
    : fs_(fs),
      options_(std::move(options)),
      parser_(std::move(parser)),
      tailer_(fs, options_.tail, ToTailCheckpoints(committed)) {
  tailer_.AddRetired(ToTailCheckpoints(retired));
}

SourceReader::Step SourceReader::ReadInto(store::WriteBatch* batch, Timestamp now) {
  Step step;
  tail::PollResult polled = tailer_.Poll();
  step.more = polled.more;
  for (const Status& problem : polled.problems) {
    // A file that cannot be read is retried on every poll; say so once per
    // distinct problem, not once per poll.
    if (problem.message() != last_problem_) {
      CULPRIT_LOG(kWarning) << "source \"" << options_.name << "\": " << problem.message();
      last_problem_ = problem.message();
    }
  }
  if (polled.problems.empty()) last_problem_.clear();

  parsers::LineContext ctx;
  ctx.zone = &options_.zone;
  ctx.now = now;
  batch->read_at = now;
  // Counted locally and added to the shared atomics once per pass.
  int64_t read = 0, parsed = 0, rejected = 0, truncated = 0, finished = 0;
  for (const tail::FileChunk& chunk : polled.chunks) {
    read += static_cast<int64_t>(chunk.lines.size());
    if (chunk.finished) ++finished;
    store::FileSegment& seg = batch->BeginSegment();
    seg.source_id = options_.source_id;
    seg.path = chunk.path;
    seg.key.dev = chunk.identity.dev;
    seg.key.inode = chunk.identity.inode;
    seg.key.fingerprint = chunk.identity.fingerprint;
    seg.end_offset = chunk.end_offset;
    seg.finished = chunk.finished;
    seg.truncated_file = chunk.truncated_file;
    for (const tail::Line& line : chunk.lines) {
      const std::string_view text = chunk.Text(line);
      if (line.truncated) ++truncated;
      // A blank line carries nothing to store; the checkpoint still moves
      // past it.
      if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
      batch->AddLine(line.offset, text, line.truncated);
      parsers::Event& event = batch->AddEvent();
      parsers::ParseResult r = parser_->Parse(text, ctx, &event);
      if (r.ok()) {
        ++parsed;
      } else {
        batch->Reject(std::move(r.reason));
        ++rejected;
      }
      ++step.lines;
    }
  }
  if (!polled.chunks.empty()) {
    constexpr auto kRelaxed = std::memory_order_relaxed;
    counts_.lines_read.fetch_add(read, kRelaxed);
    counts_.lines_parsed.fetch_add(parsed, kRelaxed);
    counts_.lines_rejected.fetch_add(rejected, kRelaxed);
    counts_.lines_truncated.fetch_add(truncated, kRelaxed);
    counts_.rotations.fetch_add(finished, kRelaxed);
  }
  counts_.truncations.store(tailer_.truncations(), std::memory_order_relaxed);
  // The followed files change only with a chunk (new lines, a finished or
  // truncated file), so the positions are copied only then: an idle pass
  // costs nothing more.
  if (!polled.chunks.empty() || !positions_known_) UpdatePositions();
  return step;
}

void SourceReader::UpdatePositions() {
  std::vector<tail::Tailer::FollowedFile> followed = tailer_.Followed();
  std::vector<Position> positions;
  positions.reserve(followed.size());
  for (tail::Tailer::FollowedFile& f : followed) {
    positions.push_back(
        Position{std::move(f.path), f.identity.dev, f.identity.inode, f.read_offset});
  }
  counts_.files.store(static_cast<int64_t>(positions.size()), std::memory_order_relaxed);
  positions_known_ = true;
  std::lock_guard lock(positions_mu_);
  positions_ = std::move(positions);
}

int64_t SourceReader::LagBytes() const {
  std::vector<Position> positions;
  {
    std::lock_guard lock(positions_mu_);
    positions = positions_;
  }
  int64_t lag = 0;
  for (const Position& p : positions) {
    auto info = fs_->Stat(p.path);
    if (!info.ok()) continue;  // gone: a rotated file's rest was counted as read
    // A different file at the path was rotated in: the tailer follows it
    // from the next pass (and it may be followed already, under the same
    // path), so it is not counted here twice.
    if (info->dev != p.dev || info->inode != p.inode) continue;
    // Below our offset: truncated, and read again from 0 by the next pass.
    lag += std::max<int64_t>(0, info->size - p.offset);
  }
  return lag;
}

}  // namespace culprit::ingest
