// Seeded random model test of Tailer: writers, logrotate, crashes and I/O
// errors in random order against FakeFileSystem, and one assertion: every
// line written reaches the store exactly once, in order per log stream, with
// its text unchanged (apart from the documented '\r' strip and cut).
//
// The model does only what happens in real life (each rule below is also
// what a real system needs for exactly once to be possible at all):
// - A file is rotated only once its current file has a committed checkpoint.
//   A file that is created, never committed, and rotated away before the
//   daemon sees it cannot be found again by anyone.
// - copytruncate and delete happen only when every line of the file has been
//   committed: otherwise the lines in between are lost by the operation
//   itself (copytruncate's known race; lines in a deleted file are gone).
// - Nothing rotates, truncates or deletes a file in the middle of a line.
// - An inode is reused only while the daemon is down (a real kernel cannot
//   reuse an inode that the daemon holds open).
// A crash is a Poll() whose result is never committed, then a new Tailer
// built from the committed checkpoints, as after a restart.
//
// With I/O error injection on, lines of different files of one stream may be
// stored out of order after a restart (a rotated file whose checkpoint could
// not be looked at is finished later), so only per-file order is checked.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "daemon/tail/tailer.h"
#include "tests/tail/committer.h"
#include "tests/tail/fake_file_system.h"

namespace culprit::tail {
namespace {

using ::culprit::testing::Committer;
using ::culprit::testing::FailingFileSystem;
using ::culprit::testing::FakeFileSystem;

constexpr int kSeeds = 200;
constexpr int kMaxSteps = 300;
constexpr size_t kMaxLine = 64;

struct Expected {
  std::string text;
  bool truncated = false;
};

struct Stream {
  std::string path;
  std::vector<Expected> written;            // complete lines, in write order
  std::optional<std::string> partial_rest;  // the part of a line still to write
  std::optional<Expected> partial_expect;
  int rotations = 0;
  int copies = 0;
};

class Model {
 public:
  explicit Model(uint64_t seed) : rng_(seed), fs_(&fake_) {
    const bool glob = seed % 2 == 1;
    pattern_ = glob ? "/logs/*.log" : "/logs/a.log";
    for (const char* path : {"/logs/a.log", "/logs/b.log"}) {
      if (!streams_.empty() && !glob) break;
      streams_.emplace_back();
      streams_.back().path = path;
    }
    inject_errors_ = seed % 3 == 0;
    if (inject_errors_) fs_.FailRandomly(0.03, seed * 7919 + 1);
    options_.pattern = pattern_;
    options_.max_line_bytes = kMaxLine;
    options_.max_bytes_per_poll = std::uniform_int_distribution<size_t>(40, 3000)(rng_);
    if (Coin(0.5)) fake_.Append(streams_[0].path, "");  // exists from the start, or not
    Start();
  }

  void Run(int max_steps) {
    const int steps = Uniform(20, max_steps);
    for (int step = 0; step < steps && !::testing::Test::HasFailure(); ++step) {
      Stream& s = streams_[Uniform(0, static_cast<int>(streams_.size()) - 1)];
      switch (Uniform(0, 11)) {
        case 0:
        case 1:
        case 2:
          AppendLines(s);
          break;
        case 3:
          AppendPartialOrComplete(s);
          break;
        case 4:
          if (CanRotate(s)) Rotate(s);
          break;
        case 5:
          if (AllCommitted(s)) CopyTruncate(s);
          break;
        case 6:
          if (AllCommitted(s)) DeleteMaybeRecreate(s);
          break;
        case 7:
          Restart(/*crash=*/Coin(0.5));
          break;
        default:
          Poll();
          break;
      }
    }
  }

  // Completes partial lines, stops injecting errors, polls until quiet.
  void Drain() {
    fs_.FailRandomly(0, 0);
    for (Stream& s : streams_) {
      if (s.partial_rest) Complete(s);
    }
    int quiet = 0;
    for (int i = 0; i < 2000 && quiet < 3; ++i) {
      PollResult r = tailer_->Poll();
      Note("drain poll", r);
      quiet = (r.chunks.empty() && !r.more) ? quiet + 1 : 0;
      Commit(r);
    }
    EXPECT_EQ(quiet, 3) << "never quiet";
  }

  void Check() const {
    // Which stream each stored line belongs to, by the inode it came from.
    std::map<std::string, std::vector<Expected>> got;
    std::map<uint64_t, int64_t> last_offset;
    for (const auto& line : store_.lines()) {
      auto it = stream_of_inode_.find(line.inode);
      ASSERT_NE(it, stream_of_inode_.end()) << "a line from a file never written: " << line.path;
      got[it->second].push_back(Expected{line.text, line.truncated});
      if (inject_errors_) {
        // Per file: offsets only grow, except across a truncation to 0.
        auto prev = last_offset.find(line.inode);
        if (prev != last_offset.end() && line.offset != 0) {
          EXPECT_GT(line.offset, prev->second) << line.path << ": out of order";
        }
        last_offset[line.inode] = line.offset;
      }
    }
    for (const Stream& s : streams_) {
      std::vector<Expected> want = s.written;
      std::vector<Expected> have = got[s.path];
      if (inject_errors_) {
        auto by_text = [](const Expected& a, const Expected& b) { return a.text < b.text; };
        std::sort(want.begin(), want.end(), by_text);
        std::sort(have.begin(), have.end(), by_text);
      }
      if (have.size() != want.size()) {
        std::map<std::string, int> count;
        for (const Expected& e : want) ++count[e.text.substr(0, e.text.find(' '))];
        for (const Expected& e : have) --count[e.text.substr(0, e.text.find(' '))];
        std::string diff;
        for (const auto& [id, n] : count) {
          if (n != 0) diff += " " + id + (n > 0 ? " lost" : " duplicated");
        }
        FAIL() << s.path << ": lines lost or duplicated:" << diff;
      }
      for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_EQ(have[i].text, want[i].text) << s.path << " line " << i;
        ASSERT_EQ(have[i].truncated, want[i].truncated) << s.path << " line " << i;
      }
    }
  }

  // What happened, printed when a seed fails.
  std::string Trace() const {
    std::string out;
    for (const std::string& t : trace_) out += "  " + t + "\n";
    return out;
  }

  size_t lines_written() const {
    size_t n = 0;
    for (const Stream& s : streams_) n += s.written.size();
    return n;
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Coin(double p) { return std::bernoulli_distribution(p)(rng_); }

  void Start() { tailer_ = std::make_unique<Tailer>(&fs_, options_, store_.Checkpoints()); }

  void Restart(bool crash) {
    if (crash) Note("crash after", tailer_->Poll());  // read, then died before committing
    Note(crash ? "(crashed) restart" : "restart");
    tailer_.reset();
    // Things that happen while the daemon is down.
    Stream& s = streams_[Uniform(0, static_cast<int>(streams_.size()) - 1)];
    switch (Uniform(0, 3)) {
      case 0:
        AppendLines(s);
        break;
      case 1:
        if (CanRotate(s)) Rotate(s);
        break;
      case 2:
        if (AllCommitted(s) && fake_.Exists(s.path)) {
          ASSERT_TRUE(fake_.RecreateWithSameInode(s.path).ok());
          Note("down: recreate with same inode " + s.path);
          AppendLines(s);
        }
        break;
      default:
        break;
    }
    Start();
  }

  void Poll() {
    PollResult r = tailer_->Poll();
    Note("poll", r);
    Commit(r);
  }

  void Note(const std::string& what, const PollResult& r) {
    std::string t = what + ":";
    for (const FileChunk& c : r.chunks) {
      t += " [" + c.path + " ino " + std::to_string(c.identity.inode) + " " +
           std::to_string(c.start_offset) + ".." + std::to_string(c.end_offset) + " lines " +
           std::to_string(c.lines.size()) + (c.finished ? " finished" : "") +
           (c.truncated_file ? " truncated" : "") + "]";
    }
    for (const Status& p : r.problems) t += " {" + p.message() + "}";
    if (r.more) t += " more";
    trace_.push_back(t);
  }
  void Note(const std::string& what) { trace_.push_back(what); }

  void Commit(const PollResult& r) {
    for (const FileChunk& c : r.chunks) {
      ASSERT_LE(c.start_offset, c.end_offset);
      int64_t prev = -1;
      for (const Line& l : c.lines) {
        ASSERT_GT(l.offset, prev);
        ASSERT_LE(l.size, kMaxLine);
        prev = l.offset;
      }
    }
    if (!inject_errors_) {
      for (const Status& p : r.problems) ADD_FAILURE() << "unexpected problem: " << p.ToString();
    }
    store_.Commit(r);
  }

  // The line's bytes as written, and what the store must get.
  std::pair<std::string, Expected> MakeLine(Stream& s) {
    std::string text = s.path.substr(6, 1) + "-" + std::to_string(seq_++) + " ";
    const int payload = Coin(0.1) ? Uniform(50, 200) : Uniform(0, 60);
    for (int i = 0; i < payload; ++i) {
      const int r = Uniform(0, 99);
      text.push_back(r == 0   ? '\0'
                     : r == 1 ? '\xff'
                     : r == 2 ? '\r'
                              : static_cast<char>('a' + r % 26));
    }
    if (Coin(0.2)) text.push_back('\r');  // CRLF
    // Rule of tailer.h: one trailing '\r' stripped, then cut to the limit.
    Expected e{text, false};
    if (!e.text.empty() && e.text.back() == '\r') e.text.pop_back();
    if (e.text.size() > kMaxLine) {
      e.text.resize(kMaxLine);
      e.truncated = true;
    }
    return {text + "\n", e};
  }

  void NoteInode(const Stream& s) {
    if (fake_.Exists(s.path)) stream_of_inode_[fake_.Inode(s.path)] = s.path;
  }

  void AppendLines(Stream& s) {
    if (s.partial_rest) {
      Complete(s);
      return;
    }
    std::string bytes;
    const int first_seq = seq_;
    for (int n = Uniform(1, 6); n > 0; --n) {
      auto [raw, expected] = MakeLine(s);
      bytes += raw;
      s.written.push_back(expected);
    }
    fake_.Append(s.path, bytes);
    NoteInode(s);
    Note("append #" + std::to_string(first_seq) + "..#" + std::to_string(seq_ - 1) + " " + s.path +
         " ino " + std::to_string(fake_.Inode(s.path)) + " now " +
         std::to_string(fake_.Contents(s.path).size()));
  }

  void AppendPartialOrComplete(Stream& s) {
    if (s.partial_rest) {
      Complete(s);
      return;
    }
    auto [raw, expected] = MakeLine(s);
    const size_t cut = static_cast<size_t>(Uniform(1, static_cast<int>(raw.size()) - 1));
    fake_.Append(s.path, raw.substr(0, cut));
    NoteInode(s);
    Note("partial #" + std::to_string(seq_ - 1) + " " + s.path);
    s.partial_rest = raw.substr(cut);
    s.partial_expect = expected;
  }

  void Complete(Stream& s) {
    fake_.Append(s.path, *s.partial_rest);
    NoteInode(s);
    s.written.push_back(*s.partial_expect);
    s.partial_rest.reset();
    s.partial_expect.reset();
  }

  // Every line written to the stream is in the store (an equal offset is not
  // enough: a file truncated and written again may be back at that size).
  bool AllCommitted(const Stream& s) const {
    if (s.partial_rest || !fake_.Exists(s.path)) return false;
    size_t stored = 0;
    for (const auto& line : store_.lines()) {
      auto it = stream_of_inode_.find(line.inode);
      if (it != stream_of_inode_.end() && it->second == s.path) ++stored;
    }
    return stored == s.written.size();
  }

  bool CanRotate(const Stream& s) const {
    return !s.partial_rest && fake_.Exists(s.path) &&
           store_.CommittedOffset(fake_.dev(), fake_.Inode(s.path)) >= 0;
  }

  void Rotate(Stream& s) {
    // Unique rotated names (dateext style), so no rotated file is replaced.
    const std::string name =
        s.path + (Coin(0.5) ? "." : "-2026112") + std::to_string(++s.rotations);
    Note("rotate " + s.path + " ino " + std::to_string(fake_.Inode(s.path)) + " -> " + name);
    fake_.Rotate(s.path, name);
    NoteInode(s);
  }

  void CopyTruncate(Stream& s) {
    Note("copytruncate " + s.path);
    fake_.CopyTruncate(s.path, s.path + ".c" + std::to_string(++s.copies));
  }

  void DeleteMaybeRecreate(Stream& s) {
    Note("delete " + s.path);
    fake_.Delete(s.path);
    if (Coin(0.5)) {
      Note("create " + s.path);
      fake_.Create(s.path);
      NoteInode(s);
    }
  }

  std::mt19937_64 rng_;
  FakeFileSystem fake_;
  FailingFileSystem fs_;
  std::string pattern_;
  bool inject_errors_ = false;
  Tailer::Options options_;
  std::vector<Stream> streams_;
  std::map<uint64_t, std::string> stream_of_inode_;
  std::unique_ptr<Tailer> tailer_;
  Committer store_;
  int seq_ = 0;
  std::vector<std::string> trace_;
};

// CULPRIT_MODEL_SEED=<n> runs that seed alone; CULPRIT_MODEL_SEEDS=<n> runs
// seeds 1..n (a longer soak than the default); CULPRIT_MODEL_TRACE=1 prints
// every seed's operations.
TEST(TailerModel, EveryLineExactlyOnceInOrder) {
  uint64_t first = 1, last = kSeeds;
  if (const char* env = std::getenv("CULPRIT_MODEL_SEEDS"); env != nullptr && *env != '\0') {
    last = std::strtoull(env, nullptr, 10);
  }
  if (const char* env = std::getenv("CULPRIT_MODEL_SEED"); env != nullptr && *env != '\0') {
    first = last = std::strtoull(env, nullptr, 10);
  }
  size_t total = 0;
  for (uint64_t seed = first; seed <= last; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Model model(seed);
    model.Run(kMaxSteps);
    model.Drain();
    model.Check();
    total += model.lines_written();
    if (std::getenv("CULPRIT_MODEL_TRACE") != nullptr) std::cout << model.Trace();
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "operations:\n"
                    << model.Trace() << "failing seed: " << seed
                    << " (rerun with CULPRIT_MODEL_SEED=" << seed << ")";
      break;
    }
  }
  if (first != last) {
    EXPECT_GT(total, 1000u);  // the model did write something
  }                           // the model did write something
}

}  // namespace
}  // namespace culprit::tail
