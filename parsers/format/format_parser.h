#ifndef CULPRIT_PARSERS_FORMAT_FORMAT_PARSER_H_
#define CULPRIT_PARSERS_FORMAT_FORMAT_PARSER_H_

// NewFormatParser: a LineParser driven by a FormatDef (a format file).
//
// For each line: strip the syslog header when the format's framing says so,
// match the patterns (anchored; the pattern that matched the source's
// previous line is tried first), convert the captures into Event fields,
// carry connection fields between lines of one connection id, then run the
// classification rules. parsers/formats/README.md describes each step.
//
// Thread-safety: the returned parser is thread-compatible (one source, one
// thread); the FormatDef it shares is immutable and may serve any number of
// parsers. State kept between lines is bounded: the last matched pattern,
// the previous line's time (for continuation lines) and at most
// [connections].max carried entries.
//
// Performance: one RE2::Match() per pattern tried, into a reused submatch
// array sized to the highest capture the pattern's fields need; no
// allocation for a line that matches the last successful pattern beyond
// the Event's own strings.

#include <memory>

#include "base/result.h"
#include "parsers/format/format_def.h"
#include "parsers/line_parser.h"

namespace culprit::parsers {

// Returns a parser for `def`. Fails (INVALID_ARGUMENT) only if def is null.
Result<std::unique_ptr<LineParser>> NewFormatParser(std::shared_ptr<const FormatDef> def);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_FORMAT_FORMAT_PARSER_H_
