#include "base/time.h"

#include <cstdio>

namespace culprit {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

// Reads exactly `n` ASCII digits at text[*pos]; advances *pos.
bool ReadDigits(std::string_view text, size_t* pos, int n, int* out) {
  if (*pos + n > text.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

Status BadTime(std::string_view text, std::string_view why) {
  std::string msg = "\"";
  msg += text;
  msg += "\" is not an RFC 3339 time: ";
  msg += why;
  return Status::InvalidArgument(std::move(msg));
}

}  // namespace

int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(month),
                                        std::chrono::day(day)};
  return sys_days(ymd).time_since_epoch().count();
}

bool IsValidDate(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  return ymd.ok();
}

std::string FormatRfc3339(Timestamp t, int frac_digits) {
  if (frac_digits < 0) frac_digits = 0;
  if (frac_digits > 6) frac_digits = 6;
  const int64_t us = ToUnixMicros(t);
  int64_t day = us / 86'400'000'000;
  int64_t rem = us % 86'400'000'000;
  if (rem < 0) {
    rem += 86'400'000'000;
    --day;
  }
  const std::chrono::year_month_day ymd{sys_days(days(day))};
  const int64_t secs = rem / 1'000'000;
  const int64_t frac = rem % 1'000'000;
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<int>(secs / 3600),
                        static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac_digits > 0) {
    char fbuf[16];
    std::snprintf(fbuf, sizeof(fbuf), "%06lld", static_cast<long long>(frac));
    out += '.';
    out.append(fbuf, static_cast<size_t>(frac_digits));
  }
  out += 'Z';
  return out;
}

Result<Timestamp> ParseRfc3339(std::string_view text) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day)) {
    return BadTime(text, "expected a date YYYY-MM-DD");
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return BadTime(text, "expected 'T' and a time after the date");
  }
  ++pos;
  if (!ReadDigits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &minute) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &second)) {
    return BadTime(text, "expected a time HH:MM:SS");
  }
  if (!IsValidDate(year, month, day)) return BadTime(text, "no such date");
  // 60 is allowed for a leap second and read as :59.
  if (hour > 23 || minute > 59 || second > 60) return BadTime(text, "no such time of day");
  if (second == 60) second = 59;
  int64_t micros = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return BadTime(text, "expected digits after the decimal point");
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  int64_t offset_s = 0;
  if (pos >= text.size()) return BadTime(text, "missing zone ('Z' or an offset like +02:00)");
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!ReadDigits(text, &pos, 2, &oh)) return BadTime(text, "bad zone offset");
    Expect(text, &pos, ':');
    if (!ReadDigits(text, &pos, 2, &om)) return BadTime(text, "bad zone offset");
    if (oh > 23 || om > 59) return BadTime(text, "bad zone offset");
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return BadTime(text, "missing zone ('Z' or an offset like +02:00)");
  }
  if (pos != text.size()) return BadTime(text, "unexpected text after the zone");
  const int64_t day_count =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t secs = day_count * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  return FromUnixMicros(secs * 1'000'000 + micros);
}

Result<Timestamp> ParseTimeArg(std::string_view text) {
  // Unix seconds: digits with an optional fraction, nothing else.
  bool numeric = !text.empty();
  size_t dots = 0;
  for (char c : text) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      numeric = false;
    }
  }
  if (numeric && dots <= 1 && text.front() != '.') {
    const size_t dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    if (whole.size() > 12) {
      return Status::InvalidArgument("\"" + std::string(text) +
                                     "\" is too large for Unix seconds");
    }
    int64_t secs = 0;
    for (char c : whole) secs = secs * 10 + (c - '0');
    int64_t micros = 0;
    if (dot != std::string_view::npos) {
      std::string_view frac = text.substr(dot + 1);
      int digits = 0;
      for (char c : frac) {
        if (digits < 6) micros = micros * 10 + (c - '0');
        ++digits;
      }
      for (int i = digits; i < 6; ++i) micros *= 10;
    }
    return FromUnixMicros(secs * 1'000'000 + micros);
  }
  auto t = ParseRfc3339(text);
  if (!t.ok()) {
    return Status::InvalidArgument(
        "\"" + std::string(text) +
        "\" is neither an RFC 3339 time (2026-11-23T20:01:30.372Z) nor Unix seconds");
  }
  return t;
}

Result<Duration> ParseDuration(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("\"" + std::string(text) + "\" is not a duration (" +
                                   std::string(why) +
                                   "; write e.g. 250ms, 5s, 1h30m, 14d)");
  };
  if (text.empty()) return bad("empty");
  size_t pos = 0;
  long double total_us = 0;
  while (pos < text.size()) {
    long double value = 0;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      value = value * 10 + (text[pos] - '0');
      ++pos;
      ++digits;
    }
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      long double scale = 0.1L;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        value += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
        ++digits;
      }
    }
    if (digits == 0) return bad("expected a number");
    size_t unit_start = pos;
    while (pos < text.size() && ((text[pos] >= 'a' && text[pos] <= 'z') ||
                                 (text[pos] >= 'A' && text[pos] <= 'Z'))) {
      ++pos;
    }
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    long double mult;
    if (unit == "us") {
      mult = 1;
    } else if (unit == "ms") {
      mult = 1e3L;
    } else if (unit == "s") {
      mult = 1e6L;
    } else if (unit == "m") {
      mult = 60e6L;
    } else if (unit == "h") {
      mult = 3600e6L;
    } else if (unit == "d") {
      mult = 86400e6L;
    } else if (unit.empty()) {
      return bad("missing unit");
    } else {
      return bad("unknown unit \"" + std::string(unit) + "\"");
    }
    total_us += value * mult;
    if (total_us > 1e17L) return bad("too large");
  }
  return Duration(static_cast<int64_t>(total_us + 0.5L));
}

std::string FormatDuration(Duration d) {
  int64_t us = d.count();
  std::string out;
  if (us < 0) {
    out = "-";
    us = -us;
  }
  char buf[64];
  if (us < 1000) {
    std::snprintf(buf, sizeof(buf), "%lldus", static_cast<long long>(us));
    return out + buf;
  }
  if (us < 1'000'000) {
    if (us % 1000 == 0) {
      std::snprintf(buf, sizeof(buf), "%lldms", static_cast<long long>(us / 1000));
    } else {
      std::snprintf(buf, sizeof(buf), "%.3gms", static_cast<double>(us) / 1e3);
    }
    return out + buf;
  }
  if (us < 60'000'000) {
    std::snprintf(buf, sizeof(buf), "%.6g", static_cast<double>(us) / 1e6);
    return out + buf + "s";
  }
  int64_t secs = us / 1'000'000;
  const int64_t days = secs / 86400;
  secs %= 86400;
  if (days > 0) out += std::to_string(days) + "d";
  if (secs / 3600 > 0) out += std::to_string(secs / 3600) + "h";
  if (secs / 60 % 60 > 0) out += std::to_string(secs / 60 % 60) + "m";
  if (secs % 60 > 0) out += std::to_string(secs % 60) + "s";
  return out;
}

}  // namespace culprit
