#include "daemon/tail/tailer.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "base/check.h"
#include "daemon/tail/line_splitter.h"

// How one Poll() goes (the order matters; each step says why):
//
// 1. List the paths the pattern names and stat() each one, *before* reading
//    anything. A followed file is then read to its end, and only after that
//    is the listing consulted for rotation: everything written to the old file
//    before the path changed has been read by then (mtail's order: the path
//    is only looked at once at EOF).
// 2. Match committed checkpoints to files (first pass, or until they can be
//    looked at without I/O errors): by dev+inode among the listed paths, else
//    among the rotated siblings of the checkpoint's path; then by fingerprint,
//    which tells the same file (resume at the checkpoint) from a reused inode
//    or a rewritten file (read from 0).
// 3. Read the followed files in order: rotated files first, each to its end
//    or until the byte budget runs out. A file smaller than our offset was
//    truncated in place; a file whose first bytes changed was rewritten
//    (copytruncate that grew back past us): both restart at 0.
// 4. Open the listed paths nobody follows yet, after the files they may have
//    replaced, so a rotated file's tail always precedes its successor's head.
//
// A rotated (or deleted) file is not dropped the moment rotation is seen:
// programs keep writing to the old file until they reopen their log (nginx
// until it gets USR1 after logrotate's postrotate). It is read on later passes
// and finished only by a pass that finds nothing new in it.

namespace culprit::tail {
namespace {

// One pread. Large enough that syscalls cost nothing next to the split.
constexpr size_t kReadBlock = size_t{1} << 20;
// Keeps every offset inside a chunk's data within Line::data_pos (uint32).
constexpr size_t kMaxBytesLimit = size_t{1} << 30;

using DevIno = std::pair<uint64_t, uint64_t>;
DevIno KeyOf(const FileInfo& info) { return {info.dev, info.inode}; }
DevIno KeyOf(const FileIdentity& id) { return {id.dev, id.inode}; }

bool PrefixCompatible(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return n == 0 || std::memcmp(a.data(), b.data(), n) == 0;
}

bool HasGlobChars(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

std::string EscapeGlob(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 4);
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// Rotated copies that logrotate compressed are never the file a checkpoint
// names: reading them would give compressed bytes.
bool IsCompressed(std::string_view path) {
  for (std::string_view suffix : {".gz", ".xz", ".zst", ".bz2", ".lz4", ".zip"}) {
    if (path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix) {
      return true;
    }
  }
  return false;
}

// The read buffer is reused across passes and Tailers. A Tailer is driven by
// one thread at a time and a pass never nests, so one per thread is enough.
char* ReadBuffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[kReadBlock]);
  return buffer.get();
}

// Reads [offset, offset + n) as far as the file goes; returns the count.
Result<size_t> ReadFully(ReadableFile* file, int64_t offset, size_t n, char* buf) {
  size_t got = 0;
  while (got < n) {
    Result<size_t> r = file->ReadAt(offset + static_cast<int64_t>(got), n - got, buf + got);
    if (!r.ok()) return r.status();
    if (*r == 0) break;
    got += *r;
  }
  return got;
}

Result<std::string> ReadFingerprint(ReadableFile* file, int64_t size) {
  std::string fp(static_cast<size_t>(std::clamp<int64_t>(size, 0, kFingerprintBytes)), '\0');
  Result<size_t> got = ReadFully(file, 0, fp.size(), fp.data());
  if (!got.ok()) return got.status();
  fp.resize(*got);
  return fp;
}

// Offset just after the last '\n' of a file of `size` bytes, looking back at
// most `limit` bytes: 0 when the whole file has no '\n', -1 when the last
// `limit` bytes have none (the last line is too long to be kept anyway).
Result<int64_t> FindLastLineStart(ReadableFile* file, int64_t size, int64_t limit) {
  char* buf = ReadBuffer();
  int64_t end = size;
  while (end > 0 && size - end < limit) {
    const int64_t begin = std::max<int64_t>(0, end - static_cast<int64_t>(kReadBlock));
    Result<size_t> got = ReadFully(file, begin, static_cast<size_t>(end - begin), buf);
    if (!got.ok()) return got.status();
    const void* nl = ::memrchr(buf, '\n', *got);
    if (nl != nullptr) return begin + (static_cast<const char*>(nl) - buf) + 1;
    end = begin;
  }
  return end == 0 ? 0 : -1;
}

struct PathEntry {
  std::string path;
  Status status;  // not OK: stat() failed, the file there is unknown
  FileInfo info;
};

// What the pattern names at the start of a pass.
struct Listing {
  bool ok = false;  // false: the glob failed, nothing is known this pass
  std::vector<PathEntry> entries;
  std::map<std::string, size_t> by_path;
  std::map<DevIno, size_t> by_key;
  bool has_errors = false;

  const PathEntry* Find(const std::string& path) const {
    auto it = by_path.find(path);
    return it == by_path.end() ? nullptr : &entries[it->second];
  }
  const PathEntry* FindKey(DevIno key) const {
    auto it = by_key.find(key);
    return it == by_key.end() ? nullptr : &entries[it->second];
  }
};

// Problems must name the file; the FileSystem's messages usually do already.
Status Naming(const Status& s, const std::string& path) {
  return s.message().find(path) == std::string::npos ? s.WithContext("\"" + path + "\"") : s;
}

Listing ListPaths(FileSystem* fs, const std::string& pattern, std::vector<Status>* problems) {
  Listing listing;
  std::vector<std::string> paths;
  if (HasGlobChars(pattern)) {
    Result<std::vector<std::string>> globbed = fs->Glob(pattern);
    if (!globbed.ok()) {
      problems->push_back(Naming(globbed.status(), pattern));
      return listing;
    }
    paths = std::move(*globbed);
  } else {
    paths.push_back(pattern);  // a plain path needs no glob, just the stat below
  }
  listing.ok = true;
  for (std::string& path : paths) {
    PathEntry entry;
    Result<FileInfo> info = fs->Stat(path);
    if (info.ok()) {
      entry.info = *info;
    } else if (info.status().code() == StatusCode::kNotFound) {
      continue;  // gone since the glob: as if it had not been listed
    } else {
      entry.status = Naming(info.status(), path);
      problems->push_back(entry.status);
      listing.has_errors = true;
    }
    entry.path = std::move(path);
    listing.by_path.emplace(entry.path, listing.entries.size());
    if (entry.status.ok()) listing.by_key.emplace(KeyOf(entry.info), listing.entries.size());
    listing.entries.push_back(std::move(entry));
  }
  return listing;
}

// State of one Poll().
struct Pass {
  Listing listing;
  size_t budget = 0;
  // Paths whose files must not be read this pass: a file that was there
  // before could not be read to its end, and its tail must come first.
  std::set<std::string> blocked;
  // Files a checkpoint will claim once they can be opened: not new files.
  std::set<DevIno> reserved;
  PollResult* result = nullptr;

  void Problem(const Status& s, const std::string& path) {
    result->problems.push_back(Naming(s, path));
    blocked.insert(path);
  }
};

enum class PathState { kSame, kReplaced, kGone, kUnknown };

}  // namespace

bool FileIdentity::SameFileAs(const FileIdentity& other) const {
  return dev == other.dev && inode == other.inode &&
         PrefixCompatible(fingerprint, other.fingerprint);
}

// One followed file. Steps of Poll() that need the Tailer's private state are
// static members here, OpenFile being the one nested type tailer.h declares.
struct Tailer::OpenFile {
  explicit OpenFile(size_t max_line_bytes) : splitter(max_line_bytes) {}

  std::string path;  // where it was found; after rotation, its old name
  FileIdentity identity;
  // Null until opened: a file present at the first pass (start_at_end) that
  // could not be opened then; it starts at its end once it can be.
  std::unique_ptr<ReadableFile> file;
  LineSplitter splitter;
  Timestamp mtime;       // as of the latest fingerprint check
  bool rotated = false;  // its path names another file, or nothing
  // Found rotated when matching its checkpoint: its first pass must not
  // finish it, however little it reads.
  bool fresh_rotation = false;
  bool truncated_pending = false;  // say truncated_file in the next chunk
  bool announce = false;           // give out a chunk even without lines
  bool done = false;               // finished, or no longer to be followed

  // Opens `path` and starts at 0, or at its last line boundary.
  Status Attach(FileSystem* fs, bool from_end, size_t max_line_bytes);
  // Opens `path`, the file with checkpoint `c`'s dev+inode, positioned at
  // c.offset if it is the same file, else at 0.
  Status AttachCheckpoint(FileSystem* fs, const FileCheckpoint& c, int64_t* truncations);
  // Reads new lines, notices truncation and rotation, gives out a chunk.
  void Process(FileSystem* fs, Pass& pass, int64_t* truncations, size_t max_line_bytes);
  // Reads from splitter.fed_offset() on; true when the end was reached.
  bool ReadToEnd(Pass& pass, int64_t size, FileChunk* chunk);
  PathState CheckPath(FileSystem* fs, Pass& pass);

  static void ResolveCheckpoints(Tailer& tailer, Pass& pass);
  static void OpenNewFiles(Tailer& tailer, Pass& pass);
};

Status Tailer::OpenFile::Attach(FileSystem* fs, bool from_end, size_t max_line_bytes) {
  CULPRIT_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> opened, fs->Open(path));
  CULPRIT_ASSIGN_OR_RETURN(FileInfo info, opened->Stat());
  CULPRIT_ASSIGN_OR_RETURN(std::string fp, ReadFingerprint(opened.get(), info.size));
  int64_t start = 0;
  if (from_end) {
    CULPRIT_ASSIGN_OR_RETURN(start, FindLastLineStart(opened.get(), info.size,
                                                      static_cast<int64_t>(max_line_bytes) + 1));
  }
  identity = FileIdentity{info.dev, info.inode, std::move(fp)};
  mtime = info.mtime;
  file = std::move(opened);
  if (start < 0) {
    // The last line started more than max_line_bytes ago: skip its rest.
    // No announcement, since that position is not at a line boundary.
    splitter.ResetDiscarding(info.size);
  } else {
    splitter.Reset(start);
    announce = true;  // lets the caller commit the starting point at once
  }
  return Status::Ok();
}

Status Tailer::OpenFile::AttachCheckpoint(FileSystem* fs, const FileCheckpoint& c,
                                          int64_t* truncations) {
  CULPRIT_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> opened, fs->Open(path));
  CULPRIT_ASSIGN_OR_RETURN(FileInfo info, opened->Stat());
  if (KeyOf(info) != KeyOf(c.identity)) {
    return Status::Unavailable("\"" + path + "\" was replaced while being opened");
  }
  CULPRIT_ASSIGN_OR_RETURN(std::string fp, ReadFingerprint(opened.get(), info.size));
  const int64_t offset = std::max<int64_t>(c.offset, 0);
  if (info.size < offset) {
    // Shorter than the checkpoint: truncated while we were away (whatever
    // its first bytes are now, copytruncate is by far the likelier story).
    splitter.Reset(0);
    ++*truncations;
    truncated_pending = true;
  } else if (!PrefixCompatible(fp, c.identity.fingerprint)) {
    // Other first bytes: the inode was reused by another file, or this one
    // was truncated and written again past the checkpoint. Either way its
    // contents are new to us.
    splitter.Reset(0);
    announce = true;
  } else {
    splitter.Reset(offset);
    if (fp.size() < c.identity.fingerprint.size()) fp = c.identity.fingerprint;
  }
  identity = FileIdentity{info.dev, info.inode, std::move(fp)};
  mtime = info.mtime;
  file = std::move(opened);
  return Status::Ok();
}

bool Tailer::OpenFile::ReadToEnd(Pass& pass, int64_t size, FileChunk* chunk) {
  char* buf = ReadBuffer();
  while (true) {
    if (pass.budget == 0) {
      if (splitter.fed_offset() >= size) return true;
      pass.result->more = true;
      return false;
    }
    const size_t want = std::min(kReadBlock, pass.budget);
    Result<size_t> got = file->ReadAt(splitter.fed_offset(), want, buf);
    if (!got.ok()) {
      pass.Problem(got.status(), path);
      return false;
    }
    if (*got == 0) return true;
    pass.budget -= *got;
    splitter.Feed(std::string_view(buf, *got), chunk);
    if (*got < want) return true;  // a short read: the end, for now
  }
}

PathState Tailer::OpenFile::CheckPath(FileSystem* fs, Pass& pass) {
  const DevIno key = KeyOf(identity);
  if (pass.listing.ok) {
    // Renamed to another name the pattern matches: still the same file, and
    // it must keep being followed (else it would look new and be read twice).
    if (const PathEntry* e = pass.listing.FindKey(key)) {
      path = e->path;
      return PathState::kSame;
    }
    if (const PathEntry* e = pass.listing.Find(path)) {
      return e->status.ok() ? PathState::kReplaced : PathState::kUnknown;
    }
    return PathState::kGone;
  }
  Result<FileInfo> info = fs->Stat(path);
  if (info.ok()) return KeyOf(*info) == key ? PathState::kSame : PathState::kReplaced;
  if (info.status().code() == StatusCode::kNotFound) return PathState::kGone;
  pass.Problem(info.status(), path);
  return PathState::kUnknown;
}

void Tailer::OpenFile::Process(FileSystem* fs, Pass& pass, int64_t* truncations,
                               size_t max_line_bytes) {
  const bool was_fresh = fresh_rotation;
  fresh_rotation = false;
  if (file == nullptr) {
    // Present at the first pass (start_at_end) but could not be opened then.
    const DevIno expected = KeyOf(identity);
    Status s = Attach(fs, /*from_end=*/true, max_line_bytes);
    if (!s.ok()) {
      if (s.code() == StatusCode::kNotFound) {
        done = true;  // gone before we could ever read it
      } else {
        pass.Problem(s, path);
      }
      return;
    }
    if (KeyOf(identity) != expected) splitter.Reset(0);  // another file now: a new one
  }

  Result<FileInfo> info = file->Stat();
  if (!info.ok()) {
    pass.Problem(info.status(), path);
    return;
  }
  const int64_t size = info->size;
  if (size != splitter.fed_offset() || info->mtime != mtime) {
    // Shorter than what we read: truncated in place (copytruncate). Longer
    // (or the same size but written to): appended to, unless its first bytes
    // changed, which means it was truncated and written again up to or past
    // our offset before we looked. An idle file costs no read here.
    Result<std::string> fp = ReadFingerprint(file.get(), size);
    if (!fp.ok()) {
      pass.Problem(fp.status(), path);
      return;
    }
    if (size < splitter.fed_offset() || !PrefixCompatible(*fp, identity.fingerprint)) {
      splitter.Reset(0);
      ++*truncations;
      truncated_pending = true;
      identity.fingerprint = std::move(*fp);
    } else if (fp->size() > identity.fingerprint.size()) {
      identity.fingerprint = std::move(*fp);
    }
    mtime = info->mtime;
  }

  FileChunk chunk;
  const int64_t before = splitter.fed_offset();
  const bool at_end = pass.blocked.count(path) == 0 && ReadToEnd(pass, size, &chunk);
  if (at_end) {
    if (!rotated) {
      const PathState state = CheckPath(fs, pass);
      if (state == PathState::kReplaced || state == PathState::kGone) rotated = true;
    } else if (!was_fresh && splitter.fed_offset() == before) {
      // Rotated away at least one pass ago and nothing new since: done. A
      // last line without '\n' can never be completed now; give it out
      // rather than lose it (the one case where end_offset is not just
      // after a '\n': the checkpoint of a finished file is retired).
      splitter.Flush(&chunk);
      chunk.finished = true;
      done = true;
    }
  }
  if (chunk.lines.empty() && !chunk.finished && !truncated_pending && !announce) return;
  chunk.path = path;
  chunk.identity = identity;
  chunk.end_offset = splitter.line_start();
  chunk.start_offset = chunk.lines.empty() ? chunk.end_offset : chunk.lines.front().offset;
  chunk.truncated_file = truncated_pending;
  truncated_pending = false;
  announce = false;
  pass.result->chunks.push_back(std::move(chunk));
}

void Tailer::OpenFile::ResolveCheckpoints(Tailer& t, Pass& pass) {
  std::vector<std::unique_ptr<OpenFile>> rotated;
  std::vector<std::unique_ptr<OpenFile>> current;
  std::vector<FileCheckpoint> pending;
  std::set<DevIno> claimed;
  for (const auto& f : t.files_) claimed.insert(KeyOf(f->identity));

  for (FileCheckpoint& c : t.committed_) {
    const DevIno key = KeyOf(c.identity);
    if (claimed.count(key) != 0) continue;  // already followed: a duplicate
    // Where is it now? Under a name the pattern matches, or else under a
    // rotated name next to where it was (access.log.1, access.log-20261124).
    std::string where;
    bool in_pattern = true;
    bool uncertain = pass.listing.has_errors;
    if (const PathEntry* e = pass.listing.FindKey(key)) {
      where = e->path;
    } else {
      in_pattern = false;
      Result<std::vector<std::string>> siblings = t.fs_->Glob(EscapeGlob(c.path) + "*");
      if (!siblings.ok()) {
        pass.result->problems.push_back(Naming(siblings.status(), c.path));
        uncertain = true;
      } else {
        for (const std::string& s : *siblings) {
          if (IsCompressed(s) || pass.listing.Find(s) != nullptr) continue;
          Result<FileInfo> info = t.fs_->Stat(s);
          if (!info.ok()) {
            if (info.status().code() != StatusCode::kNotFound) {
              pass.result->problems.push_back(Naming(info.status(), s));
              uncertain = true;
            }
            continue;
          }
          if (info->is_regular && KeyOf(*info) == key) {
            where = s;
            break;
          }
        }
      }
    }
    if (where.empty()) {
      // Not found: gone (deleted, or compressed) and so no longer followed,
      // unless an I/O error may have hidden it: then look again next pass.
      if (uncertain) pending.push_back(std::move(c));
      continue;
    }
    auto f = std::make_unique<OpenFile>(t.options_.max_line_bytes);
    f->path = where;
    Status s = f->AttachCheckpoint(t.fs_, c, &t.truncations_);
    if (!s.ok()) {
      pass.result->problems.push_back(Naming(s, where));
      pass.reserved.insert(key);
      pending.push_back(std::move(c));
      continue;
    }
    claimed.insert(key);
    if (in_pattern) {
      current.push_back(std::move(f));
    } else {
      // Rotated while we were away: finish it from the checkpoint, first.
      f->rotated = true;
      f->fresh_rotation = true;
      rotated.push_back(std::move(f));
    }
  }
  std::stable_sort(rotated.begin(), rotated.end(),
                   [](const auto& a, const auto& b) { return a->mtime < b->mtime; });
  t.files_.insert(t.files_.begin(), std::make_move_iterator(rotated.begin()),
                  std::make_move_iterator(rotated.end()));
  t.files_.insert(t.files_.end(), std::make_move_iterator(current.begin()),
                  std::make_move_iterator(current.end()));
  t.committed_ = std::move(pending);
}

void Tailer::OpenFile::OpenNewFiles(Tailer& t, Pass& pass) {
  std::set<DevIno> followed;
  for (const auto& f : t.files_) followed.insert(KeyOf(f->identity));
  for (const PathEntry& e : pass.listing.entries) {
    if (!e.status.ok()) continue;
    if (!e.info.is_regular) {
      // A glob may well match a directory; a plain path naming one is a
      // mistake the operator should hear about.
      if (!HasGlobChars(t.options_.pattern)) {
        pass.result->problems.push_back(
            Status::FailedPrecondition("\"" + e.path + "\" is not a regular file"));
      }
      continue;
    }
    const DevIno key = KeyOf(e.info);
    if (followed.count(key) != 0 || pass.reserved.count(key) != 0) continue;
    const bool from_end = t.first_poll_ && t.options_.start_at_end;
    auto f = std::make_unique<OpenFile>(t.options_.max_line_bytes);
    f->path = e.path;
    // A file finished earlier that the pattern matches (again): resume it
    // where it ended. Reading it from 0 would store its lines twice.
    auto retired = std::find_if(t.retired_.begin(), t.retired_.end(), [&](const FileCheckpoint& c) {
      return KeyOf(c.identity) == key;
    });
    Status s;
    if (retired != t.retired_.end()) {
      s = f->AttachCheckpoint(t.fs_, *retired, &t.truncations_);
      if (s.ok()) t.retired_.erase(retired);
    } else {
      s = f->Attach(t.fs_, from_end, t.options_.max_line_bytes);
    }
    if (!s.ok()) {
      if (s.code() == StatusCode::kNotFound) continue;  // gone since the listing
      pass.Problem(s, e.path);
      if (from_end) {
        // Keep its place: it was present at the first pass, so it must start
        // at its end even if it can only be opened later.
        f->identity = FileIdentity{e.info.dev, e.info.inode, ""};
        followed.insert(key);
        t.files_.push_back(std::move(f));
      }
      continue;
    }
    if (!followed.insert(KeyOf(f->identity)).second) continue;  // raced with a rename
    t.files_.push_back(std::move(f));
    t.files_.back()->Process(t.fs_, pass, &t.truncations_, t.options_.max_line_bytes);
  }
}

Tailer::Tailer(FileSystem* fs, Options options, std::vector<FileCheckpoint> committed)
    : fs_(fs), options_(std::move(options)), committed_(std::move(committed)) {
  CULPRIT_CHECK(fs_ != nullptr);
  CULPRIT_CHECK(options_.max_line_bytes >= 1);
  options_.max_line_bytes = std::min(options_.max_line_bytes, kMaxBytesLimit);
  options_.max_bytes_per_poll = std::clamp(options_.max_bytes_per_poll, size_t{1}, kMaxBytesLimit);
}

Tailer::~Tailer() = default;

PollResult Tailer::Poll() {
  PollResult result;
  Pass pass;
  pass.result = &result;
  pass.budget = options_.max_bytes_per_poll;
  pass.listing = ListPaths(fs_, options_.pattern, &result.problems);
  // Without a listing nothing can be matched or discovered; the files already
  // followed are still read (and rotation checked with a stat of their path).
  if (pass.listing.ok && !committed_.empty()) OpenFile::ResolveCheckpoints(*this, pass);
  for (const auto& f : files_) f->Process(fs_, pass, &truncations_, options_.max_line_bytes);
  for (const auto& f : files_) {
    if (f->done && f->file != nullptr) {
      retired_.push_back(FileCheckpoint{f->path, f->identity, f->splitter.line_start()});
    }
  }
  if (retired_.size() > kMaxRetired) {
    retired_.erase(retired_.begin(), retired_.end() - kMaxRetired);
  }
  std::erase_if(files_, [](const auto& f) { return f->done; });
  if (pass.listing.ok) {
    OpenFile::OpenNewFiles(*this, pass);
    first_poll_ = false;
  }
  return result;
}

void Tailer::AddRetired(std::vector<FileCheckpoint> retired) {
  retired_.insert(retired_.begin(), std::make_move_iterator(retired.begin()),
                  std::make_move_iterator(retired.end()));
  if (retired_.size() > kMaxRetired) {
    retired_.erase(retired_.begin(), retired_.end() - kMaxRetired);
  }
}

std::vector<Tailer::FollowedFile> Tailer::Followed() const {
  std::vector<FollowedFile> out;
  out.reserve(files_.size());
  for (const auto& f : files_) {
    if (f->file == nullptr) continue;
    out.push_back(FollowedFile{f->path, f->identity, f->splitter.line_start()});
  }
  return out;
}

}  // namespace culprit::tail
