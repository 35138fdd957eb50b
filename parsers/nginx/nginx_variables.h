#ifndef CULPRIT_PARSERS_NGINX_NGINX_VARIABLES_H_
#define CULPRIT_PARSERS_NGINX_NGINX_VARIABLES_H_

// nginx log variables: which ones culprit knows, and the hand-written value
// readers for the ones that carry a number, an address or a time.
//
// Internal to parsers/nginx/. Every function is pure and thread-safe, never
// allocates, and never crashes on any bytes: text it cannot read gives
// false / nullopt, and the caller words the reason.
//
// Values are read as nginx writes them (ngx_http_log_module.c, default
// `escape=default`): '"', '\' and bytes outside 0x20..0x7e are written as
// "\xHH"; a variable without a value is written "-".

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/ip_address.h"
#include "base/time.h"

namespace culprit::parsers::nginx {

// The variables whose values go into an Event field (or that classification
// reads). Every other variable is kText: its text goes into Event::extra
// under its name.
enum class Var : uint8_t {
  kText,
  kRemoteAddr,        // may be an X-Forwarded-For-like list "a, b"
  kRealipRemoteAddr,  // the peer before the realip module rewrote it
  kBinaryRemoteAddr,  // 4 or 16 raw bytes, \xHH-escaped
  kRemotePort,
  kServerAddr,
  kServerPort,
  kStatus,
  kBodyBytesSent,
  kBytesSent,
  kRequestLength,
  kRequestTime,  // seconds with milliseconds, "0.001"
  kMsec,         // Unix seconds with milliseconds, "1795464090.372"
  kTimeLocal,    // "23/Nov/2026:20:01:30 +0000"
  kTimeIso8601,  // "2026-11-23T20:01:30+00:00"
  kConnection,
  kRequestId,
  kRequest,         // "GET /path HTTP/1.1"
  kUpstreamAddr,    // text; classification reads it
  kUpstreamStatus,  // text; classification reads it
};

// The Var for a variable name written without '$' ("remote_addr").
// Unknown names (including $http_*, $cookie_*, ...) give kText.
Var LookupVar(std::string_view name);

// True for "-", the text nginx writes for a variable without a value, and
// for an empty value.
inline bool IsAbsent(std::string_view v) { return v.empty() || (v.size() == 1 && v[0] == '-'); }

// Parses "23/Nov/2026:20:01:30 +0000" (strftime "%d/%b/%Y:%H:%M:%S %z", the
// only shape nginx writes; English month names). Second precision.
std::optional<Timestamp> ParseTimeLocal(std::string_view text);

// ParseTimeLocal for a stream of lines: remembers the minute of the last
// text it read (consecutive lines mostly share it) and then reads only the
// seconds. Same results as ParseTimeLocal. Thread-compatible.
class TimeLocalReader {
 public:
  std::optional<Timestamp> Read(std::string_view text);

 private:
  bool valid_ = false;
  char key_[26] = {};  // the last text; bytes 18-19 (seconds) unused
  int64_t minute_us_ = 0;
};

// Parses "2026-11-23T20:01:30+00:00" (nginx $time_iso8601: no fraction,
// "+hh:mm" offset; "Z" and "+hhmm" are accepted too). Second precision.
std::optional<Timestamp> ParseTimeIso8601(std::string_view text);

// Parses a non-negative decimal with at most 6 fractional digits ("0.001",
// "1795464090.372", "12") into microseconds. Used for $msec and
// $request_time; more than 6 fractional digits are truncated.
std::optional<int64_t> ParseDecimalMicros(std::string_view text);

// Parses an unsigned decimal integer of 1..18 digits that is <= max.
inline std::optional<uint64_t> ParseUnsigned(std::string_view text, uint64_t max) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  uint64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

// An IPv4 or IPv6 address as IpAddress::Parse reads it ("[2001:db8::1]"
// too); dotted quads take a fast path.
std::optional<IpAddress> ParseAddress(std::string_view text);

// The first element of `text`, read as a comma-separated list ("a, b"), that
// is an IP address; nullopt when none is, or when an element is empty or
// holds a space (then the text is no list). A single address is a list of
// one. Elements that are not addresses ("unknown") are skipped.
std::optional<IpAddress> FirstAddressInList(std::string_view text);

// Decodes $binary_remote_addr: 4 or 16 bytes, each either a printable byte
// or "\xHH". nullopt for any other length or a bad escape.
std::optional<IpAddress> DecodeBinaryAddress(std::string_view text);

}  // namespace culprit::parsers::nginx

#endif  // CULPRIT_PARSERS_NGINX_NGINX_VARIABLES_H_
