#include "base/time_format.h"

#include <cstdint>
#include <cstdio>

#include "base/time_zone.h"

namespace culprit {
namespace {

// Bit masks of the fields a pattern has, while compiling.
enum FieldBit : unsigned {
  kBitYear = 1u << 0,
  kBitMonth = 1u << 1,
  kBitDay = 1u << 2,
  kBitHour = 1u << 3,
  kBitMinute = 1u << 4,
  kBitSecond = 1u << 5,
  kBitFraction = 1u << 6,
  kBitZone = 1u << 7,
  kBitEpoch = 1u << 8,
};

constexpr int64_t kMicrosPerSecond = 1'000'000;

// 10^(6 - digits) microseconds: the unit of the last digit of a fraction.
constexpr int64_t kFractionUnit[10] = {1'000'000, 100'000, 10'000, 1'000, 100,
                                       10,        1,       1,      1,     1};
// Scales a fraction of `digits` digits (after truncation to 6) to micros.
constexpr int64_t kFractionScale[7] = {1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads min..max ASCII digits at *p (no sign). Returns false if fewer than
// `min_digits` are there.
inline bool ReadNumber(const char** p, const char* end, int min_digits, int max_digits,
                       int* out) {
  const char* q = *p;
  int v = 0;
  int n = 0;
  while (n < max_digits && q != end && IsDigit(*q)) {
    v = v * 10 + (*q - '0');
    ++q;
    ++n;
  }
  if (n < min_digits) return false;
  *p = q;
  *out = v;
  return true;
}

// Reads a fraction of 1-9 digits at *p, truncated to microseconds.
inline bool ReadFraction(const char** p, const char* end, int64_t* micros, Duration* unit) {
  const char* q = *p;
  int64_t v = 0;
  int n = 0;
  while (n < 9 && q != end && IsDigit(*q)) {
    if (n < 6) v = v * 10 + (*q - '0');
    ++q;
    ++n;
  }
  if (n == 0) return false;
  *micros = v * kFractionScale[n < 6 ? n : 6];
  *unit = Duration(kFractionUnit[n]);
  *p = q;
  return true;
}

inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Returns 1..12 for a three-letter month name in any case, 0 otherwise.
inline int MonthFromName(char a, char b, char c) {
  const uint32_t key = (static_cast<uint32_t>(static_cast<unsigned char>(Lower(a))) << 16) |
                       (static_cast<uint32_t>(static_cast<unsigned char>(Lower(b))) << 8) |
                       static_cast<uint32_t>(static_cast<unsigned char>(Lower(c)));
  constexpr auto K = [](const char* s) {
    return (static_cast<uint32_t>(s[0]) << 16) | (static_cast<uint32_t>(s[1]) << 8) |
           static_cast<uint32_t>(s[2]);
  };
  switch (key) {
    case K("jan"): return 1;
    case K("feb"): return 2;
    case K("mar"): return 3;
    case K("apr"): return 4;
    case K("may"): return 5;
    case K("jun"): return 6;
    case K("jul"): return 7;
    case K("aug"): return 8;
    case K("sep"): return 9;
    case K("oct"): return 10;
    case K("nov"): return 11;
    case K("dec"): return 12;
    default: return 0;
  }
}

// Appends `text` for an error message: at most 96 bytes, control and non-ASCII
// bytes as \xNN, so garbage input yields a readable, bounded message.
void AppendQuoted(std::string* out, std::string_view text) {
  constexpr size_t kMax = 96;
  *out += '"';
  const size_t n = text.size() < kMax ? text.size() : kMax;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      *out += buf;
    } else {
      *out += static_cast<char>(c);
    }
  }
  if (text.size() > kMax) *out += "...";
  *out += '"';
}

Status CompileError(std::string_view pattern, std::string_view why) {
  std::string msg = "time format ";
  AppendQuoted(&msg, pattern);
  msg += ": ";
  msg += why;
  return Status::InvalidArgument(std::move(msg));
}

// Cold paths: kept out of line so Parse()'s loop stays small.
[[gnu::noinline, gnu::cold]] Status MismatchError(std::string_view text,
                                                         std::string_view pattern,
                                                         size_t offset, const char* what) {
  std::string msg;
  AppendQuoted(&msg, text);
  msg += " does not match time format ";
  AppendQuoted(&msg, pattern);
  msg += ": expected ";
  msg += what;
  msg += offset < text.size() ? " at offset " + std::to_string(offset) : " at the end";
  return Status::InvalidArgument(std::move(msg));
}

[[gnu::noinline, gnu::cold]] Status RangeError(std::string_view text, std::string_view what) {
  std::string msg;
  AppendQuoted(&msg, text);
  msg += ": ";
  msg += what;
  return Status::InvalidArgument(std::move(msg));
}

}  // namespace

Result<TimeFormat> TimeFormat::Compile(std::string_view pattern) {
  using K = Step::Kind;
  if (pattern.empty()) return CompileError(pattern, "empty pattern");
  if (pattern.size() > 256) return CompileError(pattern, "pattern longer than 256 bytes");
  TimeFormat f;
  f.pattern_ = std::string(pattern);
  unsigned seen = 0;
  // Adds a field step, rejecting a second use of the same field.
  std::string error;
  auto field = [&](K kind, unsigned bit, const char* spec) {
    if (seen & bit) {
      if (error.empty()) error = std::string(spec) + " appears twice";
      return;
    }
    seen |= bit;
    f.steps_.push_back(Step{kind, 0, 0});
  };
  auto literal = [&](char c) {
    if (c == ' ') {
      if (!f.steps_.empty() && f.steps_.back().kind == K::kSpaces) {
        if (f.steps_.back().count < 255) ++f.steps_.back().count;
      } else {
        f.steps_.push_back(Step{K::kSpaces, 0, 1});
      }
    } else {
      f.steps_.push_back(Step{K::kLiteral, c, 0});
    }
  };
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '%') {
      literal(c);
      continue;
    }
    if (++i == pattern.size()) return CompileError(pattern, "'%' at the end of the pattern");
    switch (pattern[i]) {
      case 'Y': field(K::kYear, kBitYear, "%Y"); break;
      case 'm': field(K::kMonth, kBitMonth, "the month (%m/%b)"); break;
      case 'b': field(K::kMonthName, kBitMonth, "the month (%m/%b)"); break;
      case 'd': field(K::kDay, kBitDay, "the day (%d/%e)"); break;
      case 'e': field(K::kDaySpace, kBitDay, "the day (%d/%e)"); break;
      case 'H': field(K::kHour, kBitHour, "%H"); break;
      case 'M': field(K::kMinute, kBitMinute, "%M"); break;
      case 'S': field(K::kSecond, kBitSecond, "%S"); break;
      case 'f': field(K::kFraction, kBitFraction, "%f"); break;
      case 'z': field(K::kZone, kBitZone, "%z"); break;
      case 's': field(K::kEpoch, kBitEpoch, "%s"); break;
      case 'T':
        field(K::kHour, kBitHour, "%H");
        literal(':');
        field(K::kMinute, kBitMinute, "%M");
        literal(':');
        field(K::kSecond, kBitSecond, "%S");
        break;
      case 'F':
        field(K::kYear, kBitYear, "%Y");
        literal('-');
        field(K::kMonth, kBitMonth, "the month (%m/%b)");
        literal('-');
        field(K::kDay, kBitDay, "the day (%d/%e)");
        break;
      case '%': literal('%'); break;
      default: {
        std::string why = "unknown specifier %";
        const unsigned char u = static_cast<unsigned char>(pattern[i]);
        if (u >= 0x20 && u < 0x7f) {
          why += pattern[i];
        } else {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", u);
          why += buf;
        }
        return CompileError(pattern, why);
      }
    }
    if (!error.empty()) return CompileError(pattern, error);
  }
  if (seen & kBitEpoch) {
    if (seen & ~(kBitEpoch | kBitFraction)) {
      return CompileError(pattern, "%s cannot be combined with other date, time or zone fields");
    }
  } else if ((seen & (kBitMonth | kBitDay)) != (kBitMonth | kBitDay)) {
    return CompileError(pattern, "needs a month (%m or %b) and a day (%d or %e), or %s");
  }
  if ((seen & kBitFraction) && !(seen & (kBitSecond | kBitEpoch))) {
    return CompileError(pattern, "%f needs %S or %s");
  }
  // %s reads its own ".fraction" unless the pattern spells it out ("%s.%f").
  for (size_t i = 0; i < f.steps_.size(); ++i) {
    if (f.steps_[i].kind != K::kEpoch) continue;
    const bool spelled = (seen & kBitFraction) || (i + 1 < f.steps_.size() &&
                                                   f.steps_[i + 1].kind == K::kLiteral &&
                                                   f.steps_[i + 1].ch == '.');
    f.steps_[i].count = spelled ? 0 : 1;
  }
  f.has_year_ = (seen & (kBitYear | kBitEpoch)) != 0;
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  if (seen & (kBitSecond | kBitEpoch)) {
    f.base_precision_ = seconds(1);
  } else if (seen & kBitMinute) {
    f.base_precision_ = minutes(1);
  } else if (seen & kBitHour) {
    f.base_precision_ = hours(1);
  } else {
    f.base_precision_ = hours(24);
  }
  return f;
}

Result<ParsedTime> TimeFormat::Parse(std::string_view text, const TimeZone& zone,
                                     Timestamp now) const {
  using K = Step::Kind;
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;
  Duration precision = base_precision_;
  bool has_offset = false;
  int64_t offset_s = 0;
  bool has_epoch = false;
  int64_t epoch_s = 0;
  auto fail = [&](const char* what) {
    return MismatchError(text, pattern_, static_cast<size_t>(p - begin), what);
  };
  for (const Step& s : steps_) {
    switch (s.kind) {
      case K::kLiteral:
        if (p == end || *p != s.ch) {
          char what[8] = {'\'', s.ch, '\'', 0};
          return fail(what);
        }
        ++p;
        break;
      case K::kSpaces: {
        const char* q = p;
        while (q != end && *q == ' ') ++q;
        if (q - p < s.count) return fail("a space");
        p = q;
        break;
      }
      case K::kYear:
        if (!ReadNumber(&p, end, 4, 4, &year)) return fail("a 4-digit year");
        break;
      case K::kMonth:
        if (!ReadNumber(&p, end, 1, 2, &month)) return fail("a month (01-12)");
        break;
      case K::kMonthName:
        if (end - p < 3 || (month = MonthFromName(p[0], p[1], p[2])) == 0) {
          return fail("a month name (Jan..Dec)");
        }
        p += 3;
        break;
      case K::kDaySpace:
        if (p != end && *p == ' ') ++p;  // " 3": the padding of a 1-digit day
        [[fallthrough]];
      case K::kDay:
        if (!ReadNumber(&p, end, 1, 2, &day)) return fail("a day (01-31)");
        break;
      case K::kHour:
        if (!ReadNumber(&p, end, 1, 2, &hour)) return fail("an hour (00-23)");
        break;
      case K::kMinute:
        if (!ReadNumber(&p, end, 1, 2, &minute)) return fail("a minute (00-59)");
        break;
      case K::kSecond:
        if (!ReadNumber(&p, end, 1, 2, &second)) return fail("a second (00-60)");
        break;
      case K::kFraction:
        if (!ReadFraction(&p, end, &micros, &precision)) {
          return fail("a fraction of a second (1-9 digits)");
        }
        break;
      case K::kZone: {
        if (p != end && (*p == 'Z' || *p == 'z')) {
          ++p;
          offset_s = 0;
        } else {
          if (p == end || (*p != '+' && *p != '-')) return fail("a zone (Z, +HHMM or +HH:MM)");
          const bool negative = *p == '-';
          const char* q = p + 1;
          int oh = 0, om = 0;
          if (!ReadNumber(&q, end, 2, 2, &oh)) return fail("a zone (Z, +HHMM or +HH:MM)");
          if (q != end && *q == ':') ++q;
          if (!ReadNumber(&q, end, 2, 2, &om)) return fail("a zone (Z, +HHMM or +HH:MM)");
          if (oh > 23 || om > 59) return fail("a zone offset within 23:59");
          p = q;
          offset_s = (oh * 3600 + om * 60) * (negative ? -1 : 1);
        }
        has_offset = true;
        break;
      }
      case K::kEpoch: {
        const char* q = p;
        int64_t v = 0;
        // 12 digits reach year 33658: enough, and far from int64 overflow.
        while (q != end && IsDigit(*q) && q - p < 12) v = v * 10 + (*q++ - '0');
        if (q == p || (q != end && IsDigit(*q))) return fail("Unix seconds (1-12 digits)");
        p = q;
        epoch_s = v;
        has_epoch = true;
        if (s.count != 0 && p != end && *p == '.') {
          ++p;
          if (!ReadFraction(&p, end, &micros, &precision)) {
            return fail("a fraction of a second (1-9 digits)");
          }
        }
        break;
      }
    }
  }
  if (p != end) return fail("the end of the time");

  ParsedTime out;
  out.precision = precision;
  if (has_epoch) {
    out.time = FromUnixMicros(epoch_s * kMicrosPerSecond + micros);
    return out;
  }
  if (month < 1 || month > 12) return RangeError(text, "no such month " + std::to_string(month));
  if (!has_year_) {
    year = InferYear(month, day, now + zone.OffsetAt(now));
  }
  if (!IsValidDate(year, month, day)) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "no such date %04d-%02d-%02d", year, month, day);
    return RangeError(text, buf);
  }
  if (hour > 23 || minute > 59 || second > 60) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "no such time of day %02d:%02d:%02d", hour, minute, second);
    return RangeError(text, buf);
  }
  if (second == 60) second = 59;  // a leap second
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t local_s = days * 86400 + hour * 3600 + minute * 60 + second;
  const Timestamp local = FromUnixMicros(local_s * kMicrosPerSecond + micros);
  out.time = has_offset ? local - std::chrono::seconds(offset_s) : zone.LocalToUtc(local);
  return out;
}

int InferYear(int month, int day, Timestamp now) {
  const auto today = std::chrono::floor<std::chrono::days>(now);
  const int this_year = static_cast<int>(std::chrono::year_month_day(today).year());
  const int64_t tomorrow = today.time_since_epoch().count() + 1;
  // The latest candidate year that is not more than a day ahead. Feb 29
  // exists at least once in any 8 consecutive years (1896 -> 1904).
  for (int y = this_year + 1; y >= this_year - 8; --y) {
    if (!IsValidDate(y, month, day)) continue;
    if (DaysFromCivil(y, static_cast<unsigned>(month), static_cast<unsigned>(day)) <= tomorrow) {
      return y;
    }
  }
  return this_year;
}

}  // namespace culprit
