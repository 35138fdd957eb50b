#ifndef CULPRIT_PARSERS_FORMAT_INTERNAL_COMPILE_H_
#define CULPRIT_PARSERS_FORMAT_INTERNAL_COMPILE_H_

// Pieces of format compilation shared by the TOML loader and the `regex`
// format (regex_format.cc). Pure functions; thread-safe.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/suggest.h"
#include <string_view>
#include <vector>

#include "base/result.h"
#include "parsers/format/format_def.h"

namespace culprit::parsers::internal {

// Compiles an RE2 pattern the way every format regex is compiled: Latin-1
// (each byte is one character, so any bytes can be matched: NUL, invalid
// UTF-8), errors returned rather than logged. Error message:
// `regex does not compile: <RE2 error> (at "<error_arg>")`.
Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view pattern);

// The regex's named groups, name -> index.
const std::map<std::string, int>& NamedGroups(const re2::RE2& re);

// "string", "int", ... -> FieldType.
std::optional<FieldType> ParseFieldType(std::string_view name);
std::string_view FieldTypeName(FieldType type);

// "" when a value of `type` may be written to `ref`, else why not, e.g.
// `type "ip" cannot set "status"`.
std::string CheckTypeTarget(FieldType type, const FieldRef& ref);

// Drops ignored fields and returns 1 + the highest group a remaining field
// reads (the submatch count to ask RE2 for).
int FinishFields(std::vector<FieldSpec>* fields);

// "s" | "ms" | "us" | "ns" -> microseconds per unit.
std::optional<double> DurationUnit(std::string_view unit);

// ` (did you mean "x"?)` for the closest candidate within 2 edits, else "".
using ::culprit::Suggest;  // base/suggest.h

// Every normalized target name (for suggestions).
const std::vector<std::string_view>& TargetNames();

}  // namespace culprit::parsers::internal

#endif  // CULPRIT_PARSERS_FORMAT_INTERNAL_COMPILE_H_
