#include "daemon/service/query_pool.h"

#include "base/check.h"

namespace culprit::service {

QueryPool::QueryPool(Factory factory, int threads, size_t max_queue)
    : factory_(std::move(factory)), max_queue_(max_queue) {
  CULPRIT_CHECK(threads >= 1 && max_queue >= 1);
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Worker(); });
}

QueryPool::~QueryPool() { Stop(); }

bool QueryPool::Submit(Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() >= max_queue_) return false;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void QueryPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void QueryPool::Worker() {
  std::unique_ptr<store::EventQuery> query;
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (query == nullptr) {
      auto opened = factory_();
      if (!opened.ok()) {
        job(opened.status());
        continue;
      }
      query = std::move(*opened);
    }
    job(query.get());
  }
}

}  // namespace culprit::service
