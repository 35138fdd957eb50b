#ifndef CULPRIT_PARSERS_FORMAT_FORMAT_DEF_H_
#define CULPRIT_PARSERS_FORMAT_FORMAT_DEF_H_

// FormatDef: a log format file (parsers/formats/*.toml, see
// parsers/formats/README.md), validated and compiled.
//
// A FormatDef is built once by LoadFormat() (format_loader.h) or
// NewRegexParser() (regex_format.h) and is immutable afterwards: share it
// with std::shared_ptr<const FormatDef> between any number of parsers and
// threads. The regexes are compiled RE2 objects (held through forward
// declarations, so this header does not pull in re2.h); RE2 matching is
// thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/time.h"
#include "base/time_format.h"
#include "parsers/decoder.h"
#include "parsers/event.h"

namespace re2 {
class RE2;
}

namespace culprit::parsers {

// A normalized Event field a capture or a rule can write (README "Targets").
enum class Target : uint8_t {
  kTime,
  kClient,  // endpoint -> client_ip + client_port
  kClientIp,
  kClientPort,
  kServer,  // endpoint -> server_ip + server_port
  kServerIp,
  kServerPort,
  kStatus,
  kConnId,
  kRequestId,
  kDuration,
  kBytesIn,
  kBytesOut,
  kPhase,
  kDetail,
  kMessage,
  kLevel,
  kKind,
  kCause,
  kExtra,  // extra.<name>
};

// A target plus, for kExtra, the extra field's name.
struct FieldRef {
  Target target = Target::kMessage;
  std::string extra;  // only for kExtra
};

enum class FieldType : uint8_t {
  kString,
  kInt,
  kIp,
  kPort,
  kEndpoint,
  kTimestamp,
  kDuration,
  kEnum,
  kIgnore,
};

// How a timestamp capture is read.
enum class TimeKind : uint8_t {
  kFormat,   // base/time_format.h pattern
  kEpoch,    // Unix seconds with an optional fraction
  kEpochMs,  // Unix milliseconds with an optional fraction
  kAuto,     // RFC 3339, then "%F %T,%f", "%F %T.%f", "%F %T" (regex format default)
};

// A value table ([tables.<name>]): raw text -> number or name.
struct ValueTable {
  std::string name;
  struct Entry {
    std::string key;
    std::string text;               // the value as text (a number's digits, or the string)
    std::optional<int64_t> number;  // set when the TOML value is an integer
  };
  std::vector<Entry> entries;

  // The entry for `key`, or nullptr.
  const Entry* Find(std::string_view key) const;
};

// How one capture becomes part of an Event.
struct FieldSpec {
  std::string capture;  // the named group
  int group = 0;        // its index in the regex
  FieldType type = FieldType::kString;
  FieldRef ref;
  TimeKind time_kind = TimeKind::kFormat;
  std::shared_ptr<const TimeFormat> time_format;  // kTimestamp + kFormat
  double unit_us = 1e6;                           // kDuration: microseconds per unit
  int table = -1;                                 // kEnum: index in FormatDef::tables
  const Decoder* decoder = nullptr;               // runs on the raw text after the value is set
  int line = 0;                                   // source line, for messages
};

struct PatternDef {
  std::string name;
  std::string regex;
  std::shared_ptr<const re2::RE2> re;
  int nsubmatch = 1;  // 1 + the highest group index any field needs
  std::vector<FieldSpec> fields;
  EventKind kind = EventKind::kOther;
  Cause cause = Cause::kNone;
  bool time_is_start = false;
  // Extension: matched only against the body behind a syslog header, whose
  // stamp gives the time (a format with framing = "syslog-optional").
  bool header = false;
  // Extension: a line that continues the previous entry (nginx FastCGI
  // stderr). It takes the time of the source's previous parsed line.
  bool continuation = false;
  // A catch-all tried only after the patterns before it failed: the parser
  // never tries it first (the last successful pattern is tried first only
  // when it is not a fallback), so it cannot shadow a specific pattern.
  bool fallback = false;
  bool has_time = false;  // some field targets time
  int line = 0;
};

enum class RuleMatch : uint8_t { kEquals, kContains, kPrefix, kRegex };

struct RuleDef {
  int pattern = -1;  // index in FormatDef::patterns, or -1 for every pattern
  FieldRef field;
  RuleMatch match = RuleMatch::kContains;
  std::string value;                   // kEquals/kContains/kPrefix text, kRegex source
  std::shared_ptr<const re2::RE2> re;  // kRegex
  int nsubmatch = 1;
  std::vector<FieldSpec> fields;  // kRegex: its captures
  std::optional<EventKind> kind;
  std::optional<Cause> cause;
  std::optional<std::string> detail;
  std::optional<std::string> phase;
  std::optional<int> level;
  bool stop = true;
  int line = 0;
};

struct SampleDef {
  std::string line;
  std::string after;  // extension: a line parsed first (for continuation patterns)
  // Expected values as text, keyed by field name ("pattern", "kind",
  // "client_ip", "time", "extra.upstream", "outcome", ...).
  std::vector<std::pair<std::string, std::string>> expect;
  std::string timezone;  // extension: zone of the sample (default UTC)
  int line_no = 0;
};

enum class Framing : uint8_t { kNone, kSyslog, kSyslogOptional };

struct ConnectionsDef {
  FieldRef key;
  std::vector<FieldRef> carry;
  size_t max = 10000;
};

struct FormatDef {
  std::string name;
  std::string title;
  std::string url;
  std::string file;  // the file name given to LoadFormat, for messages
  Framing framing = Framing::kNone;
  int priority = 0;
  std::optional<ConnectionsDef> connections;
  std::vector<ValueTable> tables;
  std::vector<PatternDef> patterns;
  std::vector<RuleDef> rules;
  std::vector<SampleDef> samples;
};

// "time", "client_ip", ..., "extra.<name>".
std::string FieldRefName(const FieldRef& ref);
// Inverse of FieldRefName; nullopt for an unknown name. "extra.<name>"
// needs a non-empty name.
std::optional<FieldRef> ParseFieldRef(std::string_view name);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_FORMAT_FORMAT_DEF_H_
