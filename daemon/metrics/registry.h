#ifndef CULPRIT_DAEMON_METRICS_REGISTRY_H_
#define CULPRIT_DAEMON_METRICS_REGISTRY_H_

// Registry: culpritd's metrics, rendered in the Prometheus text exposition
// format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// Two ways to export a value:
// - Own it here: AddCounter/AddGauge/AddHistogram declare a family (a name,
//   its help text, its label names); Family::Get(label values) returns the
//   child for one label set, created on first use and kept for the
//   registry's lifetime. Look a child up once and keep the pointer: Get()
//   takes a lock, updating the child does not.
// - Read it where it lives, at scrape time: AddCollector(fn) runs fn on every
//   Render() to produce whole families (per-source counters a reader keeps,
//   bytes behind the end of a file). Costs nothing between scrapes.
//
// Names follow the Prometheus conventions: a `culprit_` prefix, `_total` on
// counters, base units (`_seconds`, `_bytes`). A name or label name that is
// not valid (or a family declared twice with a different type or labels) is
// a programmer error: CULPRIT_CHECK. Label values are any text: they are
// escaped, and invalid UTF-8 is written as \xNN.
//
// Output is stable: families sorted by name, children by label values.
//
// Thread-safe. Lifetime: the registry outlives every family pointer and
// every CollectorHandle it gave out.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/check.h"
#include "daemon/metrics/metric.h"

namespace culprit::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// One family as rendered: what collectors produce, and what the registry's
// own families are read into at scrape time.
struct FamilySnapshot {
  struct Child {
    std::vector<std::string> label_values;  // in label_names order
    double value = 0;                       // counter, gauge
    Histogram::Snapshot histogram;          // histogram
  };
  std::string name;
  std::string help;
  MetricType type = MetricType::kCounter;
  std::vector<std::string> label_names;
  std::vector<Child> children;

  // Appends a counter or gauge child.
  void Add(std::vector<std::string> label_values, double value) {
    children.push_back(Child{std::move(label_values), value, {}});
  }
};

namespace internal {
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type,
             std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  virtual FamilySnapshot Snapshot() const = 0;
  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 protected:
  FamilySnapshot Header() const;
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};
}  // namespace internal

// The labelled children of one metric. M is Counter, Gauge or Histogram.
template <typename M>
class Family final : public internal::FamilyBase {
 public:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         std::vector<double> bounds)
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)),
        bounds_(std::move(bounds)) {}

  // The child for these label values (in label_names order), created on
  // first use. The pointer stays valid for the registry's lifetime.
  // REQUIRES: as many values as label names.
  M* Get(const std::vector<std::string>& label_values);
  M* Get(std::initializer_list<std::string_view> label_values) {
    return Get(std::vector<std::string>(label_values.begin(), label_values.end()));
  }

  FamilySnapshot Snapshot() const override;

 private:
  std::vector<double> bounds_;  // histograms only
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> children_;
};

class Registry;

// Keeps a collector registered; destroying it (or Reset()) unregisters it,
// waiting for a scrape that is running it to finish, so the collector may
// use objects that die right after its handle. Movable.
class CollectorHandle {
 public:
  CollectorHandle() = default;
  CollectorHandle(CollectorHandle&& other) noexcept;
  CollectorHandle& operator=(CollectorHandle&& other) noexcept;
  ~CollectorHandle() { Reset(); }
  void Reset();

 private:
  friend class Registry;
  CollectorHandle(Registry* registry, uint64_t id) : registry_(registry), id_(id) {}
  Registry* registry_ = nullptr;
  uint64_t id_ = 0;
};

class Registry {
 public:
  // Appends whole families to *out. Called on the scraping thread, with
  // the registry's collector lock held: it must not add or remove
  // collectors, and should be quick (no I/O beyond a stat() or two).
  using CollectFn = std::function<void(std::vector<FamilySnapshot>* out)>;

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Declares a family, or returns the existing one of the same name when
  // type and label names match (several components may share one). A
  // family without labels has its one child created at once, so it is
  // exported (as 0) before its first update.
  // REQUIRES: valid names, not reserved (`__` prefix; `le` for histograms);
  // a counter's name ends in "_total"; histogram bounds as Histogram's.
  Family<Counter>* AddCounter(std::string name, std::string help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>* AddGauge(std::string name, std::string help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>* AddHistogram(std::string name, std::string help,
                                  std::vector<std::string> label_names,
                                  std::vector<double> bounds);

  [[nodiscard]] CollectorHandle AddCollector(CollectFn fn);

  // Every family, registry-owned and collected, in the text format 0.0.4.
  // Families of the same name from several collectors are merged when their
  // type and label names agree; otherwise the later one is dropped (and
  // logged once).
  std::string Render() const;

 private:
  friend class CollectorHandle;
  void RemoveCollector(uint64_t id);
  internal::FamilyBase* Find(const std::string& name, MetricType type,
                             const std::vector<std::string>& label_names);

  mutable std::mutex families_mu_;
  std::map<std::string, std::unique_ptr<internal::FamilyBase>> families_;
  mutable std::mutex collectors_mu_;  // held while collectors run
  uint64_t next_collector_ = 1;
  std::map<uint64_t, CollectFn> collectors_;
  mutable bool logged_conflict_ = false;  // guarded by collectors_mu_
};

// True for a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or label name
// ([a-zA-Z_][a-zA-Z0-9_]*).
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

// --- implementation ---

template <typename M>
M* Family<M>::Get(const std::vector<std::string>& label_values) {
  CULPRIT_CHECK(label_values.size() == label_names_.size());
  std::lock_guard lock(mu_);
  auto it = children_.find(label_values);
  if (it != children_.end()) return it->second.get();
  std::unique_ptr<M> child;
  if constexpr (std::is_same_v<M, Histogram>) {
    child = std::make_unique<Histogram>(bounds_);
  } else {
    child = std::make_unique<M>();
  }
  M* raw = child.get();
  children_.emplace(label_values, std::move(child));
  return raw;
}

template <typename M>
FamilySnapshot Family<M>::Snapshot() const {
  FamilySnapshot out = Header();
  std::lock_guard lock(mu_);
  out.children.reserve(children_.size());
  for (const auto& [values, child] : children_) {
    FamilySnapshot::Child c;
    c.label_values = values;
    if constexpr (std::is_same_v<M, Histogram>) {
      c.histogram = child->Read();
    } else {
      c.value = static_cast<double>(child->value());
    }
    out.children.push_back(std::move(c));
  }
  return out;
}

}  // namespace culprit::metrics

#endif  // CULPRIT_DAEMON_METRICS_REGISTRY_H_
