#include "daemon/store/wal_checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "base/log.h"
#include "daemon/store/sqlite/db.h"

namespace culprit::store {
namespace {

// One PASSIVE checkpoint of the main database: copies what no reader still
// needs, never waits for a lock. Returns how many frames of the WAL are
// copied now (0 after a failure, which is logged: the next pass tries again,
// and SQLite keeps every frame until it has been copied).
int Checkpoint(sqlite3* db, const char* schema, const char* who) {
  int log = 0;
  int copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    const char* file = sqlite3_db_filename(db, "main");
    CULPRIT_LOG(kWarning) << "database \"" << (file ? file : "?")
                          << "\": checkpointing the write-ahead log (" << who
                          << "): " << sqlite3_errmsg(db) << " (will try again)";
    return 0;
  }
  return std::max(copied, 0);
}

}  // namespace

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Attach(sqlite::Db* writer_db,
                                                                 Options options) {
  CULPRIT_ASSIGN_OR_RETURN(auto own,
                           sqlite::Db::Open(writer_db->path(), sqlite::Db::Mode::kReadWrite));
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(writer_db, std::move(own), options));
  // Replaces the writer's auto-checkpoint (they share SQLite's one hook).
  sqlite3_wal_hook(writer_db->raw(), &WalCheckpointer::Hook, c.get());
  c->thread_ = std::thread([p = c.get()] { p->Run(); });
  return c;
}

WalCheckpointer::WalCheckpointer(sqlite::Db* writer_db, std::unique_ptr<sqlite::Db> own,
                                 Options options)
    : writer_db_(writer_db), own_(std::move(own)), options_(options) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  sqlite3_wal_autocheckpoint(writer_db_->raw(), sqlite::kWalAutocheckpointPages);
}

WalCheckpointer::Stats WalCheckpointer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

int WalCheckpointer::Hook(void* self, sqlite3* db, const char* schema, int frames) {
  static_cast<WalCheckpointer*>(self)->OnCommit(db, schema, frames);
  // As SQLite's own hook: a failed checkpoint is not the commit's failure.
  return SQLITE_OK;
}

void WalCheckpointer::OnCommit(sqlite3* db, const char* schema, int frames) {
  std::unique_lock<std::mutex> lock(mu_);
  stats_.max_wal_frames = std::max<int64_t>(stats_.max_wal_frames, frames);
  stats_.wal_frames = frames;
  if (state_ == State::kRunning && frames >= options_.wait_frames) {
    ++stats_.writer_waits;
    cv_.wait(lock, [this] { return state_ != State::kRunning; });
  }
  if (state_ == State::kDone && frames - copied_ > options_.max_tail_frames &&
      chased_ < options_.max_chase) {
    // The pass copied the frames that were there when it began, and many
    // were committed meanwhile: another pass takes those.
    ++chased_;
    state_ = State::kRunning;
    cv_.notify_all();
    return;
  }
  if (state_ == State::kDone) {
    // Copy the few frames committed since the last pass began, so that the
    // next transaction restarts the WAL. (If that pass copied everything
    // and the WAL has restarted already, `frames` counts the new WAL and
    // this copies them too.)
    state_ = State::kIdle;
    chased_ = 0;
    lock.unlock();
    Checkpoint(db, schema, "writer");
    lock.lock();
    ++stats_.tail_passes;
    return;
  }
  if (state_ == State::kIdle && frames >= options_.start_frames) {
    state_ = State::kRunning;
    cv_.notify_all();
  }
}

void WalCheckpointer::Run() {
  pthread_setname_np(pthread_self(), "culprit-ckpt");  // for top -H, perf
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || state_ == State::kRunning; });
    if (state_ != State::kRunning) return;  // stopping, no pass asked for
    lock.unlock();
    const int copied = Checkpoint(own_->raw(), nullptr, "background");
    lock.lock();
    copied_ = copied;
    ++stats_.background_passes;
    state_ = State::kDone;
    cv_.notify_all();
  }
}

}  // namespace culprit::store
