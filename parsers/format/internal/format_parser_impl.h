#ifndef CULPRIT_PARSERS_FORMAT_INTERNAL_FORMAT_PARSER_IMPL_H_
#define CULPRIT_PARSERS_FORMAT_INTERNAL_FORMAT_PARSER_IMPL_H_

// The LineParser behind NewFormatParser(), visible to the loader (which
// runs the samples through it and needs to know which pattern matched) and
// to tests. See parsers/format/format_parser.h for the contract.

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <re2/re2.h>

#include "parsers/format/format_def.h"
#include "parsers/line_parser.h"

namespace culprit::parsers {
struct SyslogHeader;
}

namespace culprit::parsers::internal {

class FormatParser final : public LineParser {
 public:
  // REQUIRES: def != nullptr.
  explicit FormatParser(std::shared_ptr<const FormatDef> def);

  ParseResult Parse(std::string_view line, const LineContext& ctx, Event* event) override;

  // Index in def().patterns of the pattern that matched the last line
  // parsed (kParsed or kMalformed), or -1.
  int last_pattern() const { return last_pattern_; }
  const FormatDef& def() const { return *def_; }

 private:
  // Matches `body` against the patterns; `header` is the stripped syslog
  // header or null.
  ParseResult MatchBody(std::string_view body, const SyslogHeader* header, const LineContext& ctx,
                        Event* event);
  ParseResult Fill(int index, const SyslogHeader* header, const LineContext& ctx, Event* event);
  void Carry(Event* event);
  std::string RunRules(int index, const LineContext& ctx, Event* event);

  std::shared_ptr<const FormatDef> def_;
  std::vector<re2::StringPiece> sub_;       // pattern submatches
  std::vector<re2::StringPiece> rule_sub_;  // rule submatches
  std::string scratch_;                     // field text for rules
  std::string rule_text_;                   // copy of a regex rule's input
  int preferred_ = 0;                       // last successful pattern
  int last_pattern_ = -1;
  std::optional<ParsedTime> previous_time_;  // for continuation lines

  // [connections] carry: key -> the carried fields of the latest line that
  // had them. FIFO-bounded by ConnectionsDef::max.
  std::unordered_map<std::string, Event> carried_;
  std::deque<std::string> carried_order_;
};

}  // namespace culprit::parsers::internal

#endif  // CULPRIT_PARSERS_FORMAT_INTERNAL_FORMAT_PARSER_IMPL_H_
