#ifndef CULPRIT_DAEMON_STORE_WAL_CHECKPOINTER_H_
#define CULPRIT_DAEMON_STORE_WAL_CHECKPOINTER_H_

// WalCheckpointer: copies the write-ahead log back into the database file on
// a thread of its own, so the writer thread spends its time storing events.
//
// Why: SQLite checkpoints in the connection that commits. On a large
// database (20M events) those copies took half of the writer thread's time,
// most of it the kernel copying 16 KiB pages into the page cache of a file
// far bigger than the CPU's caches; ingest was bounded by it.
//
// How, without letting the WAL grow:
//   - Attached to the writer's connection, it replaces SQLite's
//     auto-checkpoint with a hook that runs on the writer thread after each
//     commit. When the WAL holds `start_frames` frames, the hook wakes the
//     checkpointer thread, which runs a PASSIVE checkpoint on its own
//     connection (it never takes the write lock: the writer goes on
//     committing meanwhile).
//   - A checkpoint copies the frames that existed when it started; the
//     writer appended more in the meantime, and SQLite restarts the WAL at
//     its start only once every frame is copied. So while a pass leaves
//     more than `max_tail_frames` behind, the writer's next commit asks for
//     another; once fewer are left, that commit copies them itself (a
//     PASSIVE checkpoint on its connection), and the WAL starts over with
//     the next transaction.
//   - If the writer reaches `wait_frames` while a pass is still running (the
//     disk cannot keep up), its hook waits for that pass to end: the WAL
//     stays bounded, and the wait slows the readers through the writer's
//     bounded queue, as the inline checkpoint did.
// Long-lived readers can keep a checkpoint from copying frames they still
// see; that holds with or without this class.
//
// This connection is opened read-write because a checkpoint writes the
// database file, but it never writes rows or takes the write lock; the
// writer thread remains the only writer of data.
//
// Thread-safety: Attach() and the destructor must run while no other thread
// uses the writer's connection (before the writer thread starts, after it
// has stopped). The hook runs on whichever thread commits.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/result.h"

struct sqlite3;

namespace culprit::store {

namespace sqlite {
class Db;
}

class WalCheckpointer {
 public:
  struct Options {
    // 1000 frames of 16 KiB pages: a pass every ~16 MiB of WAL.
    int start_frames = 1000;
    // Past this the writer waits for the running pass (WAL ≤ ~160 MiB).
    int wait_frames = 10000;
    // The writer copies what a pass left if that is at most this many
    // frames (a few of its transactions), or after `max_chase` passes in a
    // row left more: every pass pays two fdatasyncs, so chasing a writer
    // that commits as fast as a pass copies would never end.
    int max_tail_frames = 1024;
    int max_chase = 3;
  };

  struct Stats {
    int64_t background_passes = 0;  // checkpoints run by the checkpointer thread
    int64_t tail_passes = 0;        // checkpoints of a pass's tail, by the writer
    int64_t writer_waits = 0;       // commits that waited for a running pass
    int64_t max_wal_frames = 0;     // the largest WAL a commit left behind
    int64_t wal_frames = 0;         // the WAL the last commit left behind
  };

  // Opens a second connection to `writer_db`'s file, starts the thread and
  // hooks the writer's commits. REQUIRES: `writer_db` is in WAL mode,
  // outlives the returned object, and no other thread is using it now.
  static Result<std::unique_ptr<WalCheckpointer>> Attach(sqlite::Db* writer_db,
                                                         Options options);
  static Result<std::unique_ptr<WalCheckpointer>> Attach(sqlite::Db* writer_db) {
    return Attach(writer_db, Options{});
  }

  // Ends the thread (after its pass, if one is running) and gives the
  // writer's connection its auto-checkpoint back.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  Stats stats() const;

 private:
  enum class State { kIdle, kRunning, kDone };

  WalCheckpointer(sqlite::Db* writer_db, std::unique_ptr<sqlite::Db> own, Options options);
  static int Hook(void* self, sqlite3* db, const char* schema, int frames);
  void OnCommit(sqlite3* db, const char* schema, int frames);
  void Run();

  sqlite::Db* writer_db_;
  std::unique_ptr<sqlite::Db> own_;
  const Options options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  State state_ = State::kIdle;
  int copied_ = 0;  // frames of the WAL copied when the last pass ended
  int chased_ = 0;  // passes run in a row since the writer last copied a tail
  bool stop_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_WAL_CHECKPOINTER_H_
