#include "daemon/ingest/source_reader.h"

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
    : options_(std::move(options)),
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
  for (const tail::FileChunk& chunk : polled.chunks) {
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
      // A blank line carries nothing to store; the checkpoint still moves
      // past it.
      if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
      batch->AddLine(line.offset, text, line.truncated);
      parsers::Event& event = batch->AddEvent();
      parsers::ParseResult r = parser_->Parse(text, ctx, &event);
      if (!r.ok()) batch->Reject(std::move(r.reason));
      ++step.lines;
    }
  }
  return step;
}

}  // namespace culprit::ingest
