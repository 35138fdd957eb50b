#ifndef CULPRIT_PARSERS_FORMAT_INTERNAL_FIELD_APPLY_H_
#define CULPRIT_PARSERS_FORMAT_INTERNAL_FIELD_APPLY_H_

// Conversions between capture text and Event fields, shared by the format
// parser (captures -> Event), the rule engine (Event field -> text) and the
// loader's sample check. Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "parsers/format/format_def.h"
#include "parsers/line_parser.h"

namespace culprit::parsers::internal {

// True for text that means "no value": "" always, "-" for every target but
// message.
bool IsAbsent(std::string_view text, const FieldRef& ref);

// Writes a capture's raw `text` into *event as `spec` says, then runs the
// spec's decoder on it. Absent text (IsAbsent) leaves the event alone.
// Returns "" on success, else the kMalformed reason naming the field and
// the value: `field "time": "2026/13/01 10:00:00" is not a date (...)`.
// *time_set becomes true when the event's time was written.
// REQUIRES: spec validated by the loader (type fits target, table exists).
std::string ApplyField(const FieldSpec& spec, std::string_view text, const FormatDef& def,
                       const LineContext& ctx, Event* event, bool* time_set);

// Sets one field from text, parsed as the field's natural type (ip, port,
// integer, kind name, ...). Returns "" or a reason naming `field_name`.
std::string SetFieldFromText(const FieldRef& ref, std::string_view text,
                             std::string_view field_name, Event* event);

// The field's value as text (time as RFC 3339 UTC with as many fraction
// digits as the precision has). False when the field is absent.
bool FieldText(const Event& event, const FieldRef& ref, std::string* out);

// A value quoted for a message: at most 120 bytes, non-printable bytes as
// \xHH.
std::string Quote(std::string_view text);

// Parses a timestamp capture of the given kind.
Result<ParsedTime> ParseTimeText(TimeKind kind, const TimeFormat* format, std::string_view text,
                                 const LineContext& ctx);

}  // namespace culprit::parsers::internal

#endif  // CULPRIT_PARSERS_FORMAT_INTERNAL_FIELD_APPLY_H_
