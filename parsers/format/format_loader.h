#ifndef CULPRIT_PARSERS_FORMAT_FORMAT_LOADER_H_
#define CULPRIT_PARSERS_FORMAT_FORMAT_LOADER_H_

// Loading format files (parsers/formats/*.toml; schema and semantics in
// parsers/formats/README.md).
//
//   CULPRIT_ASSIGN_OR_RETURN(auto def, BuiltinFormat("nginx_error"));
//   CULPRIT_ASSIGN_OR_RETURN(auto parser, NewFormatParser(def));
//
// Every function here is thread-safe.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "parsers/format/format_def.h"

namespace culprit::parsers {

// Parses, validates and compiles a format file, then runs each of its
// [[sample]] lines through a parser and checks the expected fields.
// `file_name` prefixes every error ("nginx_error.toml:14: ...").
// Fails with INVALID_ARGUMENT listing every problem found, one per line,
// each as `<file>:<line>: <what>`: invalid TOML, an unknown key, a regex
// that does not compile, a pattern without a time, a capture neither mapped
// nor ignored, a mapping that names an unknown capture/target/table/
// decoder, a sample that matches no pattern or yields the wrong fields, a
// pattern without a sample. Never throws.
Result<std::shared_ptr<const FormatDef>> LoadFormat(std::string_view toml_text,
                                                    std::string_view file_name);

// The built-in format `name` (embedded from parsers/formats/<name>.toml at
// build time), loaded on first use and cached for the life of the process.
// NOT_FOUND for an unknown name; a built-in file that fails to load gives
// its load error (a build-time bug, caught by tests).
Result<std::shared_ptr<const FormatDef>> BuiltinFormat(std::string_view name);

// Names of every embedded format file, sorted ("haproxy", "nginx_error", ...).
std::vector<std::string> BuiltinFormatNames();

// The embedded text of a built-in format file, or empty for an unknown name.
std::string_view BuiltinFormatText(std::string_view name);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_FORMAT_FORMAT_LOADER_H_
