#ifndef CULPRIT_DAEMON_METRICS_METRIC_H_
#define CULPRIT_DAEMON_METRICS_METRIC_H_

// The three kinds of metric culpritd exports (Prometheus' counter, gauge and
// histogram), as plain atomics: updating one is a relaxed atomic add, with no
// lock and no allocation, so a hot path can keep a pointer to its metric and
// update it freely. Families of labelled metrics and the text exposition are
// in registry.h.
//
// Thread-safe: any thread may update or read any metric at any time. A read
// taken while others update sees each field at some recent value; a
// histogram's buckets, count and sum are not read as one atomic snapshot
// (the count is derived from the buckets, so those two always agree).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace culprit::metrics {

// A monotonically increasing count (of lines, events, calls...).
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (bytes behind, files followed).
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into buckets with fixed upper bounds (`le`,
// inclusive), plus their count and sum. Latencies are observed in seconds.
class Histogram {
 public:
  // REQUIRES: `bounds` finite, strictly increasing (may be empty: only the
  // +Inf bucket).
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // A NaN is counted in the +Inf bucket (and makes the sum NaN), as the
  // Prometheus clients do. Cost: a binary search over the bounds and two
  // relaxed atomic adds.
  void Observe(double value);
  // Observes `d` in seconds.
  template <typename Rep, typename Period>
  void ObserveDuration(std::chrono::duration<Rep, Period> d) {
    Observe(std::chrono::duration<double>(d).count());
  }

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound: observations <= bound
    uint64_t count = 0;                // all observations (the +Inf bucket)
    double sum = 0;
  };
  Snapshot Read() const;

  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  // bounds_.size() + 1 non-cumulative buckets; the last is (last bound, +Inf].
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
};

// Bucket bounds for latencies in seconds, from 0.5 ms to 10 s: a commit or
// an RPC normally lands in the millisecond buckets, and a stuck one in the
// last few.
std::vector<double> LatencyBuckets();

}  // namespace culprit::metrics

#endif  // CULPRIT_DAEMON_METRICS_METRIC_H_
