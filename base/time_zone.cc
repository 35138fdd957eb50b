// TimeZone: UTC, fixed offsets and TZif zones (RFC 8536).
//
// A loaded zone is a sorted table of UTC transition times, each with the UTC
// offset in effect from then on. The POSIX TZ footer rule that governs times
// after the file's last transition is expanded into the same table for 402
// years. The Gregorian calendar repeats every 400 years (146097 days, a whole
// number of weeks), and so does every POSIX rule (Mm.w.d, Jn and n are all
// calendar-relative), so a time beyond the table is shifted back by whole
// 400-year cycles into it. Lookups are a binary search; nothing is computed
// per call.
#include "base/time_zone.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace culprit {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86400;
// 400 Gregorian years.
constexpr int64_t kCycleSeconds = 146097 * kSecondsPerDay;
// Years of footer rule expanded after the last explicit transition.
constexpr int kRuleYears = 402;
// Files larger than this are not TZif (real ones are under 10 KiB).
constexpr long kMaxFileSize = 1 << 20;

// Floor division for seconds <-> days.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int CivilYear(int64_t unix_seconds) {
  const std::chrono::sys_days d{std::chrono::days(FloorDiv(unix_seconds, kSecondsPerDay))};
  return static_cast<int>(std::chrono::year_month_day(d).year());
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// ---------------------------------------------------------------------------
// POSIX TZ strings, as in a TZif footer (RFC 8536 section 3.3):
//   std offset [dst [offset] [,start[/time],end[/time]]]
// with dates Jn (1-365, Feb 29 never counted), n (0-365) or Mm.w.d, and
// times from -167 to 167 hours.

struct RuleDate {
  enum class Kind { kJulian1, kJulian0, kMonthWeekDay } kind = Kind::kMonthWeekDay;
  int day = 0;  // Jn: n; n: n; Mm.w.d: d (0 = Sunday)
  int month = 0;
  int week = 0;
  int64_t time = 2 * 3600;  // seconds after local midnight
};

struct PosixRule {
  int64_t std_offset = 0;  // UTC offset, east positive
  bool has_dst = false;
  int64_t dst_offset = 0;
  RuleDate start, end;
};

class PosixParser {
 public:
  explicit PosixParser(std::string_view s) : s_(s) {}

  bool Parse(PosixRule* r) {
    if (!Name()) return false;
    int64_t off;
    if (!Offset(&off, 24)) return false;
    r->std_offset = -off;
    if (AtEnd()) return true;
    if (!Name()) return false;
    r->has_dst = true;
    r->dst_offset = r->std_offset + 3600;
    if (!AtEnd() && Peek() != ',') {
      if (!Offset(&off, 24)) return false;
      r->dst_offset = -off;
    }
    if (AtEnd()) {
      // No rule: glibc's and POSIX's usual default, the US rules.
      r->start = RuleDate{RuleDate::Kind::kMonthWeekDay, 0, 3, 2, 7200};
      r->end = RuleDate{RuleDate::Kind::kMonthWeekDay, 0, 11, 1, 7200};
      return true;
    }
    if (!Eat(',') || !Date(&r->start) || !Eat(',') || !Date(&r->end)) return false;
    return AtEnd();
  }

 private:
  bool AtEnd() const { return i_ == s_.size(); }
  char Peek() const { return s_[i_]; }
  bool Eat(char c) {
    if (AtEnd() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool Number(int* out, int max_digits) {
    int v = 0, n = 0;
    while (!AtEnd() && n < max_digits && Peek() >= '0' && Peek() <= '9') {
      v = v * 10 + (s_[i_++] - '0');
      ++n;
    }
    *out = v;
    return n > 0;
  }
  // A zone abbreviation: 3+ letters, or <...> of 3+ alphanumerics/signs.
  bool Name() {
    size_t n = 0;
    if (Eat('<')) {
      while (!AtEnd() && Peek() != '>') {
        const char c = Peek();
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-') return false;
        ++i_;
        ++n;
      }
      return Eat('>') && n >= 3;
    }
    while (!AtEnd() && std::isalpha(static_cast<unsigned char>(Peek()))) {
      ++i_;
      ++n;
    }
    return n >= 3;
  }
  // [+-]hh[:mm[:ss]] with hh <= max_hours; the result in seconds.
  bool Offset(int64_t* out, int max_hours) {
    int sign = 1;
    if (Eat('-')) {
      sign = -1;
    } else {
      Eat('+');
    }
    int h = 0, m = 0, s = 0;
    if (!Number(&h, 3) || h > max_hours) return false;
    if (Eat(':')) {
      if (!Number(&m, 2) || m > 59) return false;
      if (Eat(':') && (!Number(&s, 2) || s > 59)) return false;
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
  }
  bool Date(RuleDate* d) {
    if (Eat('J')) {
      d->kind = RuleDate::Kind::kJulian1;
      if (!Number(&d->day, 3) || d->day < 1 || d->day > 365) return false;
    } else if (Eat('M')) {
      d->kind = RuleDate::Kind::kMonthWeekDay;
      if (!Number(&d->month, 2) || d->month < 1 || d->month > 12 || !Eat('.') ||
          !Number(&d->week, 1) || d->week < 1 || d->week > 5 || !Eat('.') ||
          !Number(&d->day, 1) || d->day > 6) {
        return false;
      }
    } else {
      d->kind = RuleDate::Kind::kJulian0;
      if (!Number(&d->day, 3) || d->day > 365) return false;
    }
    d->time = 7200;
    if (Eat('/')) return Offset(&d->time, 167);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// Days since the epoch of a rule date in `year`.
int64_t RuleDay(const RuleDate& d, int year) {
  const int64_t jan1 = DaysFromCivil(year, 1, 1);
  switch (d.kind) {
    case RuleDate::Kind::kJulian1:
      return jan1 + d.day - 1 + (IsLeap(year) && d.day >= 60 ? 1 : 0);
    case RuleDate::Kind::kJulian0:
      return jan1 + d.day;
    case RuleDate::Kind::kMonthWeekDay: {
      const int64_t first = DaysFromCivil(year, static_cast<unsigned>(d.month), 1);
      const int64_t first_wday = ((first + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
      int64_t day = first + (d.day - first_wday + 7) % 7 + 7 * (d.week - 1);
      static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      int64_t month_days = kMonthDays[d.month - 1] + (d.month == 2 && IsLeap(year) ? 1 : 0);
      while (day >= first + month_days) day -= 7;  // week 5 = the last one
      return day;
    }
  }
  return jan1;
}

// ---------------------------------------------------------------------------
// TZif reading.

class Reader {
 public:
  explicit Reader(std::string_view data) : d_(data) {}
  bool Has(size_t n) const { return d_.size() - pos_ >= n; }
  size_t pos() const { return pos_; }
  void Skip(size_t n) { pos_ += n; }
  uint8_t U8() { return static_cast<uint8_t>(d_[pos_++]); }
  int64_t Be(int bytes) {  // signed big-endian
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(d_[pos_++]);
    if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
  }
  std::string_view Rest() const { return d_.substr(pos_); }

 private:
  std::string_view d_;
  size_t pos_ = 0;
};

struct Header {
  char version = 0;
  uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
  size_t DataSize(int time_size) const {
    return size_t{timecnt} * time_size + timecnt + size_t{typecnt} * 6 + charcnt +
           size_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
  }
};

bool ReadHeader(Reader* r, Header* h) {
  if (!r->Has(44)) return false;
  std::string_view magic = r->Rest().substr(0, 4);
  if (magic != "TZif") return false;
  r->Skip(4);
  h->version = static_cast<char>(r->U8());
  r->Skip(15);
  h->isutcnt = static_cast<uint32_t>(r->Be(4));
  h->isstdcnt = static_cast<uint32_t>(r->Be(4));
  h->leapcnt = static_cast<uint32_t>(r->Be(4));
  h->timecnt = static_cast<uint32_t>(r->Be(4));
  h->typecnt = static_cast<uint32_t>(r->Be(4));
  h->charcnt = static_cast<uint32_t>(r->Be(4));
  // Counts are at most a few thousand in real files; bound them before any
  // size arithmetic.
  constexpr uint32_t kMaxCount = 1 << 20;
  if (h->isutcnt > kMaxCount || h->isstdcnt > kMaxCount || h->leapcnt > kMaxCount ||
      h->timecnt > kMaxCount || h->typecnt > 256 || h->charcnt > kMaxCount) {
    return false;
  }
  return h->typecnt >= 1 && (h->isutcnt == 0 || h->isutcnt == h->typecnt) &&
         (h->isstdcnt == 0 || h->isstdcnt == h->typecnt);
}

// The offsets of one zone over time. Immutable once built.
struct ZoneTable {
  int64_t initial_offset = 0;    // seconds; before the first transition
  std::vector<int64_t> times;    // UTC seconds, strictly increasing
  std::vector<int64_t> offsets;  // offsets[i] is in effect from times[i]
  int64_t max_abs_offset = 0;
  // Times at or after cycle_end are shifted back by whole 400-year cycles.
  bool cyclic = false;
  int64_t cycle_end = 0;

  // Index of the period holding UTC second `u`: -1 before the first
  // transition.
  ptrdiff_t PeriodAt(int64_t u) const {
    return std::upper_bound(times.begin(), times.end(), u) - times.begin() - 1;
  }
  int64_t OffsetOfPeriod(ptrdiff_t j) const { return j < 0 ? initial_offset : offsets[j]; }
  // Reduces `s` into the table; returns the number of cycles removed.
  int64_t Fold(int64_t* s) const {
    if (!cyclic || *s < cycle_end) return 0;
    const int64_t k = (*s - (cycle_end - kCycleSeconds)) / kCycleSeconds;
    *s -= k * kCycleSeconds;
    return k;
  }
  int64_t OffsetAt(int64_t u) const {
    Fold(&u);
    return OffsetOfPeriod(PeriodAt(u));
  }
  int64_t LocalToUtc(int64_t local) const;
};

int64_t ZoneTable::LocalToUtc(int64_t local) const {
  const int64_t k = Fold(&local);
  const int64_t shift = k * kCycleSeconds;
  // A period j (UTC [times[j], times[j+1]) at offset o) holds `local` iff
  // local - o falls inside it. Only periods within max_abs_offset of
  // `local` can, and there are usually one or two of them.
  const ptrdiff_t lo = PeriodAt(local - max_abs_offset);
  const ptrdiff_t hi = PeriodAt(local + max_abs_offset);
  const ptrdiff_t n = static_cast<ptrdiff_t>(times.size());
  for (ptrdiff_t j = lo; j <= hi; ++j) {  // ascending: the first hit is the earlier instant
    const int64_t u = local - OffsetOfPeriod(j);
    if ((j < 0 || u >= times[j]) && (j + 1 >= n || u < times[j + 1])) return u + shift;
  }
  // No instant has this wall-clock time: it is in a gap (spring forward).
  // Read it with the offset in effect before the gap.
  for (ptrdiff_t j = std::max<ptrdiff_t>(lo + 1, 0); j <= hi; ++j) {
    const int64_t before = OffsetOfPeriod(j - 1);
    if (local >= times[j] + before && local < times[j] + offsets[j]) {
      return local - before + shift;
    }
  }
  return local - OffsetOfPeriod(PeriodAt(local)) + shift;  // unreachable for sane data
}


Status Unknown(std::string_view name) {
  return Status::InvalidArgument("unknown time zone \"" + std::string(name) + "\"");
}

Status Corrupt(std::string_view name, const std::string& path, const char* why) {
  return Status::DataLoss("time zone \"" + std::string(name) + "\": " + path +
                          " is not a valid TZif file: " + why);
}

// A name we are willing to turn into a path under the zoneinfo directory.
bool IsSafeZoneName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/' || name.back() == '/' ||
      name.front() == '-' || name.find("..") != std::string_view::npos ||
      name.find("//") != std::string_view::npos) {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    // No component may start with '.': not ".", "..", nor hidden files.
    if (name[i] == '.' && (i == 0 || name[i - 1] == '/')) return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '-' || c == '+' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Parses "+HH:MM", "-HH:MM", "+HHMM" or "-HHMM" into seconds.
bool ParseFixedOffset(std::string_view s, int64_t* out) {
  if ((s.size() != 5 && s.size() != 6) || (s[0] != '+' && s[0] != '-')) return false;
  if (s.size() == 6 && s[3] != ':') return false;
  const std::string_view mm = s.substr(s.size() - 2);
  const char digits[4] = {s[1], s[2], mm[0], mm[1]};
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  const int h = (digits[0] - '0') * 10 + (digits[1] - '0');
  const int m = (digits[2] - '0') * 10 + (digits[3] - '0');
  if (h > 23 || m > 59) return false;
  *out = (h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
  return true;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char buf[8192];
  size_t n;
  bool ok = true;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
    out->append(buf, n);
    if (out->size() > static_cast<size_t>(kMaxFileSize)) {
      ok = false;
      break;
    }
  }
  if (std::ferror(f)) ok = false;
  std::fclose(f);
  return ok;
}

// Appends the footer rule's transitions for years [first_year, first_year +
// kRuleYears) that come after `after`, the file's last transition; the rule
// governs every time after it.
void ExpandRule(const PosixRule& rule, int first_year, int64_t after, ZoneTable* d) {
  auto start_of = [&](int y) {
    return RuleDay(rule.start, y) * kSecondsPerDay + rule.start.time - rule.std_offset;
  };
  auto end_of = [&](int y) {
    return RuleDay(rule.end, y) * kSecondsPerDay + rule.end.time - rule.dst_offset;
  };
  // DST intervals [begin, end): inside one year, or from one year's start to
  // the next year's end when DST spans the new year (southern hemisphere).
  std::vector<std::pair<int64_t, int64_t>> dst;
  for (int y = first_year - 1; y < first_year + kRuleYears; ++y) {
    const int64_t start = start_of(y);
    const int64_t end = end_of(y);
    dst.emplace_back(start, start < end ? end : end_of(y + 1));
  }
  std::sort(dst.begin(), dst.end());
  // Merge intervals that touch or overlap: DST all year ("EST5EDT,0/0,J365/25")
  // or rules whose times reach into the next year.
  std::vector<std::pair<int64_t, int64_t>> merged;
  for (const auto& iv : dst) {
    if (!merged.empty() && iv.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, iv.second);
    } else {
      merged.push_back(iv);
    }
  }
  auto push = [d](int64_t t, int64_t offset) {
    if (!d->times.empty() && d->times.back() == t) {
      d->offsets.back() = offset;
    } else {
      d->times.push_back(t);
      d->offsets.push_back(offset);
    }
  };
  // The rule's state just after `after`, should the file disagree with it.
  int64_t state = rule.std_offset;
  for (const auto& [begin, end] : merged) {
    if (begin <= after + 1 && after + 1 < end) state = rule.dst_offset;
  }
  if (d->times.empty()) {
    d->initial_offset = state;
  } else if (d->offsets.back() != state) {
    push(after + 1, state);
  }
  for (const auto& [begin, end] : merged) {
    if (begin > after) push(begin, rule.dst_offset);
    if (end > after) push(end, rule.std_offset);
  }
}

// Drops transitions that do not change the offset (e.g. only the
// abbreviation or the isdst flag changes). REQUIRES: times strictly increase.
void Compact(ZoneTable* d) {
  size_t out = 0;
  int64_t prev = d->initial_offset;
  for (size_t i = 0; i < d->times.size(); ++i) {
    if (d->offsets[i] == prev) continue;
    d->times[out] = d->times[i];
    d->offsets[out] = d->offsets[i];
    prev = d->offsets[i];
    ++out;
  }
  d->times.resize(out);
  d->offsets.resize(out);
}

Result<ZoneTable> ParseTzif(std::string_view name, const std::string& path,
                            std::string_view bytes) {
  Reader r(bytes);
  Header h;
  if (!ReadHeader(&r, &h)) return Corrupt(name, path, "bad header");
  int time_size = 4;
  if (h.version >= '2') {
    // Skip the 32-bit block: version 2+ repeats everything with 64-bit times.
    const size_t v1 = h.DataSize(4);
    if (!r.Has(v1)) return Corrupt(name, path, "truncated");
    r.Skip(v1);
    if (!ReadHeader(&r, &h)) return Corrupt(name, path, "bad second header");
    time_size = 8;
  }
  if (!r.Has(h.DataSize(time_size))) return Corrupt(name, path, "truncated");
  if (h.leapcnt != 0) {
    return Status::InvalidArgument("time zone \"" + std::string(name) +
                                   "\": zones with leap seconds (\"right/\") are not supported");
  }
  ZoneTable table;
  ZoneTable* const d = &table;
  std::vector<int64_t> times(h.timecnt);
  for (auto& t : times) t = r.Be(time_size);
  std::vector<uint8_t> idx(h.timecnt);
  for (auto& i : idx) {
    i = r.U8();
    if (i >= h.typecnt) return Corrupt(name, path, "transition type out of range");
  }
  std::vector<int64_t> type_offsets(h.typecnt);
  for (auto& o : type_offsets) {
    o = r.Be(4);
    r.Skip(2);  // isdst, desigidx
    if (o <= -25 * 3600 || o >= 26 * 3600) return Corrupt(name, path, "offset out of range");
  }
  r.Skip(h.charcnt + h.isstdcnt + h.isutcnt);
  for (size_t i = 1; i < times.size(); ++i) {
    if (times[i] <= times[i - 1]) return Corrupt(name, path, "transitions out of order");
  }
  d->initial_offset = type_offsets[0];  // RFC 8536: type 0 before the first transition
  d->times = std::move(times);
  d->offsets.reserve(idx.size());
  for (uint8_t i : idx) d->offsets.push_back(type_offsets[i]);

  PosixRule rule;
  bool has_rule = false;
  if (time_size == 8) {
    // Footer: "\n<TZ string>\n"; an empty string means no rule.
    std::string_view rest = r.Rest();
    if (rest.size() < 2 || rest[0] != '\n') return Corrupt(name, path, "missing footer");
    const size_t nl = rest.find('\n', 1);
    if (nl == std::string_view::npos) return Corrupt(name, path, "unterminated footer");
    const std::string_view tz = rest.substr(1, nl - 1);
    if (!tz.empty()) {
      if (!PosixParser(tz).Parse(&rule)) return Corrupt(name, path, "bad TZ footer");
      has_rule = true;
    }
  }
  if (has_rule && !rule.has_dst) {
    // A fixed offset after the last transition (or always, without any).
    if (d->times.empty()) {
      d->initial_offset = rule.std_offset;
    } else if (d->offsets.back() != rule.std_offset) {
      d->times.push_back(d->times.back() + 1);
      d->offsets.push_back(rule.std_offset);
    }
  }
  Compact(d);
  if (has_rule && rule.has_dst) {
    // Without transitions the rule holds for all time; 1800 comfortably
    // precedes any log.
    const int64_t after = d->times.empty() ? INT64_MIN : d->times.back();
    // Real files end before 2100; this bound also keeps CivilYear() sane.
    constexpr int64_t kLatest = int64_t{100'000'000'000};  // year 5138
    if (after > kLatest) return Corrupt(name, path, "last transition out of range");
    const int first_year =
        after < -kLatest ? 1800 : std::max(1800, CivilYear(after));
    ExpandRule(rule, first_year, after, d);
    Compact(d);
    d->cyclic = true;
    // The table is complete up to the end of first_year + kRuleYears - 1;
    // one cycle before that point lies entirely after the file's data.
    d->cycle_end = DaysFromCivil(first_year + kRuleYears - 1, 1, 1) * kSecondsPerDay;
  }
  d->max_abs_offset = std::abs(d->initial_offset);
  for (int64_t o : d->offsets) d->max_abs_offset = std::max(d->max_abs_offset, std::abs(o));
  return table;
}

}  // namespace

struct TimeZone::Data {
  std::string name;
  ZoneTable zone;
};

TimeZone::TimeZone() = default;

TimeZone TimeZone::FixedOffset(Duration offset) {
  auto d = std::make_shared<Data>();
  // Whole seconds, as in TZif; a sub-second offset is truncated.
  const int64_t secs = offset.count() / kMicrosPerSecond;
  const int64_t a = secs < 0 ? -secs : secs;
  char buf[32];
  if (a % 60 == 0) {
    std::snprintf(buf, sizeof(buf), "%c%02lld:%02lld", secs < 0 ? '-' : '+',
                  static_cast<long long>(a / 3600), static_cast<long long>(a / 60 % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%c%02lld:%02lld:%02lld", secs < 0 ? '-' : '+',
                  static_cast<long long>(a / 3600), static_cast<long long>(a / 60 % 60),
                  static_cast<long long>(a % 60));
  }
  d->name = buf;
  d->zone.initial_offset = secs;
  d->zone.max_abs_offset = a;
  return TimeZone(std::move(d));
}

Result<TimeZone> TimeZone::Load(std::string_view name) {
  if (name == "UTC" || name == "Z") return TimeZone();
  int64_t fixed = 0;
  if (ParseFixedOffset(name, &fixed)) return FixedOffset(std::chrono::seconds(fixed));
  std::string path;
  if (name == "local") {
    path = "/etc/localtime";
  } else {
    if (!IsSafeZoneName(name)) return Unknown(name);
    const char* dir = std::getenv("TZDIR");
    path = (dir != nullptr && *dir != '\0') ? dir : "/usr/share/zoneinfo";
    path += '/';
    path += name;
  }
  // Zones loaded so far, by file path, shared by every TimeZone of that
  // name. Never evicted: there are a few hundred zones at most. Leaked so it
  // stays usable during static destruction. Failures are not cached: the
  // file may be installed later.
  static std::mutex* const mu = new std::mutex();
  static auto* const cache = new std::unordered_map<std::string, std::shared_ptr<const Data>>();
  std::lock_guard<std::mutex> lock(*mu);
  if (auto it = cache->find(path); it != cache->end()) return TimeZone(it->second);
  std::string bytes;
  if (!ReadFile(path, &bytes)) {
    if (name == "local") return TimeZone();  // no /etc/localtime: the host runs on UTC
    return Unknown(name);
  }
  auto table = ParseTzif(name, path, bytes);
  if (!table.ok()) return table.status();
  auto data = std::make_shared<Data>();
  data->name = std::string(name);
  data->zone = std::move(table).value();
  cache->emplace(path, data);
  return TimeZone(std::move(data));
}

const std::string& TimeZone::name() const {
  static const std::string* const kUtc = new std::string("UTC");
  return data_ ? data_->name : *kUtc;
}

Duration TimeZone::OffsetAt(Timestamp utc) const {
  if (!data_) return Duration(0);
  const ZoneTable& z = data_->zone;
  if (z.times.empty()) return std::chrono::seconds(z.initial_offset);
  const int64_t s = FloorDiv(ToUnixMicros(utc), kMicrosPerSecond);
  return std::chrono::seconds(z.OffsetAt(s));
}

Timestamp TimeZone::LocalToUtc(Timestamp local) const {
  if (!data_) return local;
  const ZoneTable& z = data_->zone;
  if (z.times.empty()) return local - std::chrono::seconds(z.initial_offset);
  const int64_t us = ToUnixMicros(local);
  const int64_t s = FloorDiv(us, kMicrosPerSecond);
  const int64_t sub = us - s * kMicrosPerSecond;
  return FromUnixMicros(z.LocalToUtc(s) * kMicrosPerSecond + sub);
}

}  // namespace culprit
