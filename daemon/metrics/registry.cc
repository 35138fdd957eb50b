#include "daemon/metrics/registry.h"

#include <utility>

#include "base/log.h"
#include "daemon/metrics/exposition.h"

namespace culprit::metrics {
namespace {

bool IsNameChar(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (alpha) return true;
  if (colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool IsValidName(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, colon)) return false;
  }
  return true;
}

void CheckDeclaration(const std::string& name, MetricType type,
                      const std::vector<std::string>& label_names) {
  CULPRIT_CHECK(IsValidMetricName(name));
  CULPRIT_CHECK(!name.starts_with("__"));
  if (type == MetricType::kCounter) CULPRIT_CHECK(name.ends_with("_total"));
  for (size_t i = 0; i < label_names.size(); ++i) {
    const std::string& l = label_names[i];
    CULPRIT_CHECK(IsValidLabelName(l));
    CULPRIT_CHECK(!l.starts_with("__"));
    CULPRIT_CHECK(type != MetricType::kHistogram || l != "le");
    for (size_t j = 0; j < i; ++j) CULPRIT_CHECK(label_names[j] != l);
  }
}

}  // namespace

bool IsValidMetricName(std::string_view name) { return IsValidName(name, /*colon=*/true); }
bool IsValidLabelName(std::string_view name) { return IsValidName(name, /*colon=*/false); }

namespace internal {

FamilyBase::FamilyBase(std::string name, std::string help, MetricType type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)) {}

FamilySnapshot FamilyBase::Header() const {
  FamilySnapshot s;
  s.name = name_;
  s.help = help_;
  s.type = type_;
  s.label_names = label_names_;
  return s;
}

}  // namespace internal

CollectorHandle::CollectorHandle(CollectorHandle&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}

CollectorHandle& CollectorHandle::operator=(CollectorHandle&& other) noexcept {
  if (this != &other) {
    Reset();
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

void CollectorHandle::Reset() {
  if (registry_ != nullptr) registry_->RemoveCollector(id_);
  registry_ = nullptr;
}

internal::FamilyBase* Registry::Find(const std::string& name, MetricType type,
                                     const std::vector<std::string>& label_names) {
  auto it = families_.find(name);
  if (it == families_.end()) return nullptr;
  // Declared twice: fine only as the same family.
  CULPRIT_CHECK(it->second->type() == type);
  CULPRIT_CHECK(it->second->label_names() == label_names);
  return it->second.get();
}

Family<Counter>* Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  CheckDeclaration(name, MetricType::kCounter, label_names);
  std::lock_guard lock(families_mu_);
  if (auto* f = Find(name, MetricType::kCounter, label_names)) {
    return static_cast<Family<Counter>*>(f);
  }
  auto family = std::make_unique<Family<Counter>>(name, std::move(help), MetricType::kCounter,
                                                  std::move(label_names), std::vector<double>());
  Family<Counter>* raw = family.get();
  families_.emplace(std::move(name), std::move(family));
  if (raw->label_names().empty()) raw->Get(std::vector<std::string>());
  return raw;
}

Family<Gauge>* Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> label_names) {
  CheckDeclaration(name, MetricType::kGauge, label_names);
  std::lock_guard lock(families_mu_);
  if (auto* f = Find(name, MetricType::kGauge, label_names)) {
    return static_cast<Family<Gauge>*>(f);
  }
  auto family = std::make_unique<Family<Gauge>>(name, std::move(help), MetricType::kGauge,
                                                std::move(label_names), std::vector<double>());
  Family<Gauge>* raw = family.get();
  families_.emplace(std::move(name), std::move(family));
  if (raw->label_names().empty()) raw->Get(std::vector<std::string>());
  return raw;
}

Family<Histogram>* Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
  CheckDeclaration(name, MetricType::kHistogram, label_names);
  std::lock_guard lock(families_mu_);
  if (auto* f = Find(name, MetricType::kHistogram, label_names)) {
    return static_cast<Family<Histogram>*>(f);
  }
  // Checks the bounds now rather than at the first Get().
  Histogram check(bounds);
  (void)check;
  auto family = std::make_unique<Family<Histogram>>(
      name, std::move(help), MetricType::kHistogram, std::move(label_names), std::move(bounds));
  Family<Histogram>* raw = family.get();
  families_.emplace(std::move(name), std::move(family));
  if (raw->label_names().empty()) raw->Get(std::vector<std::string>());
  return raw;
}

CollectorHandle Registry::AddCollector(CollectFn fn) {
  std::lock_guard lock(collectors_mu_);
  const uint64_t id = next_collector_++;
  collectors_.emplace(id, std::move(fn));
  return CollectorHandle(this, id);
}

void Registry::RemoveCollector(uint64_t id) {
  std::lock_guard lock(collectors_mu_);
  collectors_.erase(id);
}

std::string Registry::Render() const {
  std::vector<FamilySnapshot> all;
  {
    std::lock_guard lock(families_mu_);
    all.reserve(families_.size());
    for (const auto& [name, family] : families_) all.push_back(family->Snapshot());
  }
  std::vector<FamilySnapshot> collected;
  {
    std::lock_guard lock(collectors_mu_);
    for (const auto& [id, fn] : collectors_) fn(&collected);
    // Merge by name: a family of the same name and shape extends the one
    // already there; one that disagrees would make the scrape invalid.
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < all.size(); ++i) index.emplace(all[i].name, i);
    for (FamilySnapshot& f : collected) {
      auto [it, inserted] = index.emplace(f.name, all.size());
      if (inserted) {
        all.push_back(std::move(f));
        continue;
      }
      FamilySnapshot& into = all[it->second];
      if (into.type != f.type || into.label_names != f.label_names) {
        if (!logged_conflict_) {
          CULPRIT_LOG(kWarning) << "metrics: two definitions of \"" << f.name
                                << "\" disagree; exporting the first only";
          logged_conflict_ = true;
        }
        continue;
      }
      for (auto& c : f.children) into.children.push_back(std::move(c));
    }
  }
  SortForExposition(&all);
  return RenderText(all);
}

}  // namespace culprit::metrics
