#ifndef CULPRIT_DAEMON_SERVICE_QUERY_POOL_H_
#define CULPRIT_DAEMON_SERVICE_QUERY_POOL_H_

// QueryPool: the threads that do an RPC's database work, so gRPC's callback
// threads never block. Each worker owns one EventQuery (one read-only SQLite
// connection), opened on its first job and reopened after a failure.
//
// Thread-safe. Jobs run in FIFO order per worker; the queue is bounded and
// Submit() refuses work past the bound (the caller answers
// RESOURCE_EXHAUSTED). Stop() runs what is queued, then joins.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/result.h"
#include "daemon/store/event_query.h"

namespace culprit::service {

class QueryPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<store::EventQuery>>()>;
  // A job gets its worker's EventQuery, or the Status of failing to open one.
  using Job = std::function<void(Result<store::EventQuery*>)>;

  // REQUIRES: threads >= 1, max_queue >= 1.
  QueryPool(Factory factory, int threads, size_t max_queue);
  ~QueryPool();  // Stop()s
  QueryPool(const QueryPool&) = delete;
  QueryPool& operator=(const QueryPool&) = delete;

  // Queues `job`. False (job not run) when the queue is full or stopped.
  bool Submit(Job job);

  // Runs the queued jobs, then joins the workers. Idempotent.
  void Stop();

 private:
  void Worker();

  Factory factory_;
  size_t max_queue_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_QUERY_POOL_H_
