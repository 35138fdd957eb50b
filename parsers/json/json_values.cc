#include "parsers/json/json_values.h"

#include <algorithm>
#include <array>
#include <limits>

#include "base/time_zone.h"

namespace culprit::parsers::json_internal {
namespace {

constexpr std::array<uint64_t, 20> kPow10 = {
    1ULL,
    10ULL,
    100ULL,
    1000ULL,
    10000ULL,
    100000ULL,
    1000000ULL,
    10000000ULL,
    100000000ULL,
    1000000000ULL,
    10000000000ULL,
    100000000000ULL,
    1000000000000ULL,
    10000000000000ULL,
    100000000000000ULL,
    1000000000000000ULL,
    10000000000000000ULL,
    100000000000000000ULL,
    1000000000000000000ULL,
    10000000000000000000ULL,
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Reads exactly `n` digits at text[*pos].
bool ReadDigits(std::string_view text, size_t* pos, int n, int* out) {
  if (*pos + static_cast<size_t>(n) > text.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[*pos + static_cast<size_t>(i)];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<size_t>(n);
  *out = v;
  return true;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != lower_b[i]) return false;
  }
  return true;
}

Duration PrecisionOfExp(int lsd_exp10_seconds) {
  if (lsd_exp10_seconds >= 0) return std::chrono::seconds(1);
  if (lsd_exp10_seconds >= -3) return std::chrono::milliseconds(1);
  return std::chrono::microseconds(1);
}

}  // namespace

bool ParseDecimal(std::string_view text, Decimal* out) {
  std::string_view s = TrimSpaces(text);
  Decimal d;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    d.negative = s[i] == '-';
    ++i;
  }
  int sig = 0;  // significant digits accumulated in the mantissa
  bool any_digit = false;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    any_digit = true;
    const int digit = s[i] - '0';
    if (sig == 0 && digit == 0) continue;  // leading zero
    if (sig < 19) {
      d.mantissa = d.mantissa * 10 + static_cast<uint64_t>(digit);
      ++sig;
    } else {
      ++d.exp10;  // dropped integer digit still scales the value
    }
  }
  if (i < s.size() && s[i] == '.') {
    d.integral = false;
    ++i;
    bool frac_digit = false;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      frac_digit = true;
      const int digit = s[i] - '0';
      if (sig < 19) {
        if (sig > 0 || digit != 0) {
          d.mantissa = d.mantissa * 10 + static_cast<uint64_t>(digit);
          ++sig;
        }
        --d.exp10;
      }
    }
    if (!frac_digit) return false;
  }
  if (!any_digit) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    d.integral = false;
    ++i;
    bool neg_exp = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      neg_exp = s[i] == '-';
      ++i;
    }
    int e = 0;
    bool exp_digit = false;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      exp_digit = true;
      if (e < 10000) e = e * 10 + (s[i] - '0');
    }
    if (!exp_digit) return false;
    d.exp10 += neg_exp ? -e : e;
  }
  if (i != s.size()) return false;
  d.int_digits = d.mantissa == 0 ? 0 : std::max(0, sig + d.exp10);
  *out = d;
  return true;
}

bool DecimalToInt(const Decimal& d, int shift, int64_t* out) {
  const int e = d.exp10 + shift;
  uint64_t v = d.mantissa;
  if (v == 0) {
    *out = 0;
    return true;
  }
  if (e >= 0) {
    if (e >= static_cast<int>(kPow10.size())) return false;
    const uint64_t p = kPow10[static_cast<size_t>(e)];
    if (v > std::numeric_limits<uint64_t>::max() / p) return false;
    v *= p;
  } else {
    v = -e >= static_cast<int>(kPow10.size()) ? 0 : v / kPow10[static_cast<size_t>(-e)];
  }
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  *out = d.negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

std::optional<int64_t> ParseInteger(std::string_view text, int64_t min, int64_t max) {
  Decimal d;
  int64_t v = 0;
  if (!ParseDecimal(text, &d) || !DecimalToInt(d, 0, &v) || v < min || v > max) {
    return std::nullopt;
  }
  return v;
}

bool ParseRfc3339Time(std::string_view text, const TimeZone& zone, ParsedTime* out) {
  const std::string_view s = TrimSpaces(text);
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(s, &pos, 4, &year) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, &pos, 2, &month) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, &pos, 2, &day) || pos >= s.size()) {
    return false;
  }
  const char sep = s[pos++];
  if (sep != 'T' && sep != 't' && sep != ' ') return false;
  if (!ReadDigits(s, &pos, 2, &hour) || pos >= s.size() || s[pos++] != ':' ||
      !ReadDigits(s, &pos, 2, &minute) || pos >= s.size() || s[pos++] != ':' ||
      !ReadDigits(s, &pos, 2, &second)) {
    return false;
  }
  if (!IsValidDate(year, month, day) || hour > 23 || minute > 59 || second > 60) return false;
  if (second == 60) second = 59;  // a leap second reads as :59
  int64_t micros = 0;
  int frac_digits = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    while (pos < s.size() && IsDigit(s[pos])) {
      if (frac_digits < 6) micros = micros * 10 + (s[pos] - '0');
      ++frac_digits;
      ++pos;
    }
    if (frac_digits == 0) return false;
    for (int i = frac_digits; i < 6; ++i) micros *= 10;
  }
  bool has_zone = false;
  int offset_s = 0;
  if (pos < s.size()) {
    const char z = s[pos];
    if (z == 'Z' || z == 'z') {
      has_zone = true;
      ++pos;
    } else if (z == '+' || z == '-') {
      ++pos;
      int oh = 0, om = 0;
      if (!ReadDigits(s, &pos, 2, &oh)) return false;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size() && !ReadDigits(s, &pos, 2, &om)) return false;
      if (oh > 23 || om > 59) return false;
      offset_s = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
      has_zone = true;
    }
  }
  if (pos != s.size()) return false;
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  Timestamp t = FromUnixMicros(secs * 1'000'000 + micros);
  if (!has_zone) t = zone.LocalToUtc(t);
  out->time = t;
  out->precision = frac_digits == 0   ? Duration(std::chrono::seconds(1))
                   : frac_digits <= 3 ? Duration(std::chrono::milliseconds(1))
                                      : Duration(std::chrono::microseconds(1));
  return true;
}

bool ParseEpochTime(std::string_view text, ParsedTime* out) {
  Decimal d;
  if (!ParseDecimal(text, &d) || d.negative) return false;
  // Unit by magnitude: seconds up to 99999999999 (year 5138); beyond that the
  // same instant in ms, us, ns has 3, 6, 9 more digits.
  int unit_exp = 0;  // the number's unit as a power of ten of seconds
  if (d.int_digits > 17) {
    unit_exp = -9;
  } else if (d.int_digits > 14) {
    unit_exp = -6;
  } else if (d.int_digits > 11) {
    unit_exp = -3;
  }
  int64_t micros = 0;
  if (!DecimalToInt(d, unit_exp + 6, &micros)) return false;
  out->time = FromUnixMicros(micros);
  out->precision = PrecisionOfExp(d.exp10 + unit_exp);
  return true;
}

bool ParseTimeValue(std::string_view text, bool is_number, const TimeZone& zone,
                    ParsedTime* out) {
  if (is_number) return ParseEpochTime(text, out);
  return ParseRfc3339Time(text, zone, out) || ParseEpochTime(text, out);
}

bool ParseDurationNumber(std::string_view text, int unit_exp10, Duration* out) {
  Decimal d;
  int64_t us = 0;
  if (!ParseDecimal(text, &d) || d.negative || !DecimalToInt(d, unit_exp10 + 6, &us)) {
    return false;
  }
  *out = Duration(us);
  return true;
}

bool ParseDurationText(std::string_view text, Duration* out) {
  std::string_view s = TrimSpaces(text);
  if (s.empty()) return false;
  int64_t total = 0;
  while (!s.empty()) {
    size_t n = 0;
    while (n < s.size() && (IsDigit(s[n]) || s[n] == '.')) ++n;
    if (n == 0) return false;
    const std::string_view number = s.substr(0, n);
    s.remove_prefix(n);
    size_t u = 0;
    while (u < s.size() && !IsDigit(s[u]) && s[u] != '.') ++u;
    const std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    int exp = 0;
    int64_t factor = 1;  // for minutes and hours
    if (unit == "s") {
      exp = 0;
    } else if (unit == "ms") {
      exp = -3;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {  // µs, μs
      exp = -6;
    } else if (unit == "ns") {
      exp = -9;
    } else if (unit == "m") {
      factor = 60;
    } else if (unit == "h") {
      factor = 3600;
    } else if (unit == "d") {
      factor = 86400;
    } else {
      return false;
    }
    Duration part;
    if (!ParseDurationNumber(number, exp, &part)) return false;
    if (part.count() > std::numeric_limits<int64_t>::max() / factor / 4) return false;
    total += part.count() * factor;
  }
  *out = Duration(total);
  return true;
}

std::optional<int> SeverityFromName(std::string_view name) {
  struct Entry {
    std::string_view name;
    int severity;
  };
  static constexpr Entry kLevels[] = {
      {"info", 6},      {"error", 3},  {"warn", 4},     {"warning", 4},  {"debug", 7},
      {"notice", 5},    {"err", 3},    {"critical", 2}, {"crit", 2},     {"fatal", 2},
      {"alert", 1},     {"emerg", 0},  {"emergency", 0}, {"panic", 0},   {"dpanic", 2},
      {"trace", 7},     {"verbose", 7}, {"information", 6}, {"informational", 6},
      {"severe", 3},    {"fine", 7},   {"finer", 7},    {"finest", 7},   {"e", 3},
      {"w", 4},         {"i", 6},      {"d", 7},        {"default", 6},
  };
  const std::string_view s = TrimSpaces(name);
  if (s.size() > 13) return std::nullopt;
  for (const Entry& e : kLevels) {
    if (EqualsIgnoreCase(s, e.name)) return e.severity;
  }
  return std::nullopt;
}

std::optional<int> SeverityFromNumber(int64_t level) {
  if (level < 0) return std::nullopt;
  if (level <= 7) return static_cast<int>(level);
  if (level < 10) return 7;
  if (level < 30) return 7;  // trace, debug
  if (level < 40) return 6;  // info
  if (level < 50) return 4;  // warn
  if (level < 60) return 3;  // error
  return 2;                  // fatal
}

}  // namespace culprit::parsers::json_internal
