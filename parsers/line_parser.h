#ifndef CULPRIT_PARSERS_LINE_PARSER_H_
#define CULPRIT_PARSERS_LINE_PARSER_H_

// LineParser: turns one log line into an Event, or says why not.
//
// Parsers are pure functions of their input: no SQLite, gRPC or file I/O.
// An instance serves one source and is driven by one thread
// (thread-compatible). It may keep small, bounded state about its source's
// recent lines where a format spreads one connection over several lines
// (stunnel names the client address only on the accept line of a
// connection id); it must never need that state to parse a line.

#include <string>
#include <string_view>

#include "base/time.h"
#include "parsers/event.h"

namespace culprit {
class TimeZone;
}

namespace culprit::parsers {

// What a parser knows about the line besides its bytes.
struct LineContext {
  // Zone of times written without one (the source's `timezone`).
  // REQUIRED (never null).
  const TimeZone* zone = nullptr;
  // When the line was read. Infers the year of stamps that have none
  // (syslog): the year that puts the stamp nearest to, and not more than a
  // day after, this moment.
  Timestamp now;
};

enum class ParseOutcome {
  kParsed,     // *event holds the line's event
  kNoMatch,    // no pattern of the format matches the line
  kMalformed,  // a pattern matched but a field is invalid (bad date, bad address)
};

struct ParseResult {
  ParseOutcome outcome = ParseOutcome::kParsed;
  // Why not, for kNoMatch/kMalformed: short and specific, e.g.
  // `field "time": "2026/13/01 10:00:00" is not a date`.
  std::string reason;

  static ParseResult Parsed() { return {}; }
  static ParseResult NoMatch(std::string why) { return {ParseOutcome::kNoMatch, std::move(why)}; }
  static ParseResult Malformed(std::string why) {
    return {ParseOutcome::kMalformed, std::move(why)};
  }
  bool ok() const { return outcome == ParseOutcome::kParsed; }
};

class LineParser {
 public:
  virtual ~LineParser() = default;

  // Parses `line` (without its '\n') into *event, which the parser Clear()s
  // first. Lines may hold any bytes (NUL, invalid UTF-8) and be of any
  // length; a parser never crashes on them and returns kNoMatch or
  // kMalformed when they make no sense. The event's `time` is set on
  // kParsed. REQUIRES: event != nullptr, ctx.zone != nullptr.
  virtual ParseResult Parse(std::string_view line, const LineContext& ctx, Event* event) = 0;
};

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_LINE_PARSER_H_
