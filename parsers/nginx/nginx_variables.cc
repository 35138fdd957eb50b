#include "parsers/nginx/nginx_variables.h"

#include <array>
#include <cstring>
#include <utility>

namespace culprit::parsers::nginx {
namespace {

constexpr std::array<std::pair<std::string_view, Var>, 20> kKnownVars = {{
    {"remote_addr", Var::kRemoteAddr},
    {"realip_remote_addr", Var::kRealipRemoteAddr},
    {"binary_remote_addr", Var::kBinaryRemoteAddr},
    {"remote_port", Var::kRemotePort},
    {"server_addr", Var::kServerAddr},
    {"server_port", Var::kServerPort},
    {"status", Var::kStatus},
    {"body_bytes_sent", Var::kBodyBytesSent},
    {"bytes_sent", Var::kBytesSent},
    {"request_length", Var::kRequestLength},
    {"request_time", Var::kRequestTime},
    {"msec", Var::kMsec},
    {"time_local", Var::kTimeLocal},
    {"time_iso8601", Var::kTimeIso8601},
    {"connection", Var::kConnection},
    {"request_id", Var::kRequestId},
    {"request", Var::kRequest},
    {"upstream_addr", Var::kUpstreamAddr},
    {"upstream_status", Var::kUpstreamStatus},
    {"req_id", Var::kRequestId},  // ingress-nginx's name for $request_id
}};

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at text[pos]; false if any is not a digit.
inline bool Digits(std::string_view text, size_t pos, size_t n, int* out) {
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// "Jan".."Dec" (any case) → 1..12, 0 if not a month.
int MonthFromName(const char* p) {
  // Pack three lower-cased letters into one integer and compare.
  const auto lower = [](char c) {
    return static_cast<uint32_t>(static_cast<unsigned char>(c) | 0x20);
  };
  const uint32_t key = (lower(p[0]) << 16) | (lower(p[1]) << 8) | lower(p[2]);
  constexpr auto k = [](const char* s) {
    return (static_cast<uint32_t>(s[0]) << 16) | (static_cast<uint32_t>(s[1]) << 8) |
           static_cast<uint32_t>(s[2]);
  };
  switch (key) {
    case k("jan"):
      return 1;
    case k("feb"):
      return 2;
    case k("mar"):
      return 3;
    case k("apr"):
      return 4;
    case k("may"):
      return 5;
    case k("jun"):
      return 6;
    case k("jul"):
      return 7;
    case k("aug"):
      return 8;
    case k("sep"):
      return 9;
    case k("oct"):
      return 10;
    case k("nov"):
      return 11;
    case k("dec"):
      return 12;
    default:
      return 0;
  }
}

// Seconds since the epoch of a validated civil time minus its UTC offset.
std::optional<Timestamp> Assemble(int year, int month, int day, int hour, int minute, int second,
                                  int offset_seconds) {
  if (!IsValidDate(year, month, day)) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  if (second == 60) second = 59;  // a leap second, read as :59
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return FromUnixMicros(secs * 1'000'000);
}

// "+hhmm" / "-hhmm" / "+hh:mm" / "Z" at the whole of `text` → seconds east.
std::optional<int> ParseOffset(std::string_view text) {
  if (text.size() == 1 && (text[0] == 'Z' || text[0] == 'z')) return 0;
  if (text.size() != 5 && text.size() != 6) return std::nullopt;
  const char sign = text[0];
  if (sign != '+' && sign != '-') return std::nullopt;
  int hh = 0;
  int mm = 0;
  if (!Digits(text, 1, 2, &hh)) return std::nullopt;
  const size_t mpos = text.size() == 6 ? 4 : 3;
  if (text.size() == 6 && text[3] != ':') return std::nullopt;
  if (!Digits(text, mpos, 2, &mm)) return std::nullopt;
  if (hh > 23 || mm > 59) return std::nullopt;
  const int off = hh * 3600 + mm * 60;
  return sign == '-' ? -off : off;
}

}  // namespace

Var LookupVar(std::string_view name) {
  for (const auto& [n, v] : kKnownVars) {
    if (n == name) return v;
  }
  return Var::kText;
}

std::optional<Timestamp> ParseTimeLocal(std::string_view text) {
  // 0         1         2
  // 01234567890123456789012345
  // 23/Nov/2026:20:01:30 +0000
  if (text.size() != 26) return std::nullopt;
  if (text[2] != '/' || text[6] != '/' || text[11] != ':' || text[14] != ':' || text[17] != ':' ||
      text[20] != ' ') {
    return std::nullopt;
  }
  int day, year, hour, minute, second;
  if (!Digits(text, 0, 2, &day) || !Digits(text, 7, 4, &year) || !Digits(text, 12, 2, &hour) ||
      !Digits(text, 15, 2, &minute) || !Digits(text, 18, 2, &second)) {
    return std::nullopt;
  }
  const int month = MonthFromName(text.data() + 3);
  if (month == 0) return std::nullopt;
  const std::optional<int> offset = ParseOffset(text.substr(21));
  if (!offset) return std::nullopt;
  return Assemble(year, month, day, hour, minute, second, *offset);
}

std::optional<Timestamp> TimeLocalReader::Read(std::string_view text) {
  if (valid_ && text.size() == 26 && std::memcmp(text.data(), key_, 18) == 0 &&
      std::memcmp(text.data() + 20, key_ + 20, 6) == 0) {
    int second = 0;
    if (!Digits(text, 18, 2, &second) || second > 60) return std::nullopt;
    if (second == 60) second = 59;  // a leap second, read as :59
    return FromUnixMicros(minute_us_ + int64_t{second} * 1'000'000);
  }
  const std::optional<Timestamp> t = ParseTimeLocal(text);
  if (!t) return std::nullopt;
  int second = 0;
  Digits(text, 18, 2, &second);  // validated by ParseTimeLocal
  if (second == 60) second = 59;
  minute_us_ = ToUnixMicros(*t) - int64_t{second} * 1'000'000;
  std::memcpy(key_, text.data(), 26);
  valid_ = true;
  return t;
}

std::optional<Timestamp> ParseTimeIso8601(std::string_view text) {
  // 2026-11-23T20:01:30+00:00
  if (text.size() < 20) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  int year, month, day, hour, minute, second;
  if (!Digits(text, 0, 4, &year) || !Digits(text, 5, 2, &month) || !Digits(text, 8, 2, &day) ||
      !Digits(text, 11, 2, &hour) || !Digits(text, 14, 2, &minute) ||
      !Digits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  const std::optional<int> offset = ParseOffset(text.substr(19));
  if (!offset) return std::nullopt;
  return Assemble(year, month, day, hour, minute, second, *offset);
}

std::optional<int64_t> ParseDecimalMicros(std::string_view text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  size_t i = 0;
  int64_t whole = 0;
  size_t int_digits = 0;
  while (i < text.size() && IsDigit(text[i])) {
    if (++int_digits > 12) return std::nullopt;  // keeps the micros far from overflow
    whole = whole * 10 + (text[i] - '0');
    ++i;
  }
  if (int_digits == 0) return std::nullopt;
  int64_t frac = 0;
  if (i < text.size()) {
    if (text[i] != '.') return std::nullopt;
    ++i;
    int frac_digits = 0;
    if (i == text.size()) return std::nullopt;
    for (; i < text.size(); ++i) {
      if (!IsDigit(text[i])) return std::nullopt;
      if (frac_digits < 6) {
        frac = frac * 10 + (text[i] - '0');
        ++frac_digits;
      }
    }
    for (; frac_digits < 6; ++frac_digits) frac *= 10;
  }
  return whole * 1'000'000 + frac;
}

// Dotted-quad IPv4 without leading zeros (what inet_pton accepts), the
// common case, without the copy and call of IpAddress::Parse.
std::optional<IpAddress> ParseIpv4Fast(std::string_view text) {
  if (text.size() < 7 || text.size() > 15) return std::nullopt;
  uint32_t addr = 0;
  size_t i = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (i >= text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
    const size_t begin = i;
    uint32_t v = 0;
    while (i < text.size() && IsDigit(text[i]) && i - begin < 3) {
      v = v * 10 + static_cast<uint32_t>(text[i] - '0');
      ++i;
    }
    const size_t len = i - begin;
    if (len == 0 || v > 255 || (len > 1 && text[begin] == '0')) return std::nullopt;
    addr = (addr << 8) | v;
  }
  if (i != text.size()) return std::nullopt;
  return IpAddress::FromV4(addr);
}

std::optional<IpAddress> ParseAddress(std::string_view text) {
  if (std::optional<IpAddress> v4 = ParseIpv4Fast(text)) return v4;
  if (text.empty() || text.size() > 47) return std::nullopt;
  Result<IpAddress> ip = IpAddress::Parse(text);
  if (!ip.ok()) return std::nullopt;
  return *ip;
}

std::optional<IpAddress> FirstAddressInList(std::string_view text) {
  if (std::optional<IpAddress> v4 = ParseIpv4Fast(text)) return v4;  // the common case
  // Items are separated by ',' and optional spaces; an item holding a space
  // means the text is not a list at all ("host 1.2.3.4"): no address.
  std::optional<IpAddress> first;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty() || item.find(' ') != std::string_view::npos) return std::nullopt;
    if (!first) first = ParseAddress(item);
    pos = comma + 1;
  }
  return first;
}

std::optional<IpAddress> DecodeBinaryAddress(std::string_view text) {
  IpAddress::KeyBytes raw{};
  size_t n = 0;
  for (size_t i = 0; i < text.size();) {
    if (n == raw.size()) return std::nullopt;
    uint8_t byte = static_cast<uint8_t>(text[i]);
    if (text[i] == '\\') {
      if (i + 3 >= text.size() || text[i + 1] != 'x') return std::nullopt;
      int v = 0;
      for (size_t k = i + 2; k < i + 4; ++k) {
        const char c = text[k];
        int d;
        if (IsDigit(c)) {
          d = c - '0';
        } else if (c >= 'A' && c <= 'F') {
          d = c - 'A' + 10;
        } else if (c >= 'a' && c <= 'f') {
          d = c - 'a' + 10;
        } else {
          return std::nullopt;
        }
        v = v * 16 + d;
      }
      byte = static_cast<uint8_t>(v);
      i += 4;
    } else {
      ++i;
    }
    raw[n++] = byte;
  }
  if (n == 4) {
    return IpAddress::FromV4((uint32_t{raw[0]} << 24) | (uint32_t{raw[1]} << 16) |
                             (uint32_t{raw[2]} << 8) | uint32_t{raw[3]});
  }
  if (n == 16) return IpAddress::FromKey(raw);
  return std::nullopt;
}

}  // namespace culprit::parsers::nginx
