// Minimal implementation: UTC and fixed offsets. IANA zones and "local"
// (TZif) are not loaded yet.
#include "base/time_zone.h"

#include <cstdio>

namespace culprit {

struct TimeZone::Data {
  std::string name;
  Duration fixed_offset{0};
};

TimeZone::TimeZone() = default;

TimeZone TimeZone::FixedOffset(Duration offset) {
  auto d = std::make_shared<Data>();
  const int64_t mins = offset.count() / 60'000'000;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%c%02lld:%02lld", mins < 0 ? '-' : '+',
                static_cast<long long>((mins < 0 ? -mins : mins) / 60),
                static_cast<long long>((mins < 0 ? -mins : mins) % 60));
  d->name = buf;
  d->fixed_offset = offset;
  return TimeZone(std::move(d));
}

Result<TimeZone> TimeZone::Load(std::string_view name) {
  if (name == "UTC" || name == "Z") return TimeZone();
  if (name.size() == 6 && (name[0] == '+' || name[0] == '-') && name[3] == ':') {
    const int h = (name[1] - '0') * 10 + (name[2] - '0');
    const int m = (name[4] - '0') * 10 + (name[5] - '0');
    const int64_t secs = (h * 3600 + m * 60) * (name[0] == '-' ? -1 : 1);
    return FixedOffset(std::chrono::seconds(secs));
  }
  return Status::Unimplemented("time zone \"" + std::string(name) + "\" cannot be loaded yet");
}

const std::string& TimeZone::name() const {
  static const std::string kUtc = "UTC";
  return data_ ? data_->name : kUtc;
}

Duration TimeZone::OffsetAt(Timestamp) const { return data_ ? data_->fixed_offset : Duration(0); }

Timestamp TimeZone::LocalToUtc(Timestamp local) const {
  return data_ ? local - data_->fixed_offset : local;
}

}  // namespace culprit
