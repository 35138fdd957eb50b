#ifndef CULPRIT_PARSERS_PARSER_FACTORY_H_
#define CULPRIT_PARSERS_PARSER_FACTORY_H_

// Building the LineParser a source's settings ask for. The daemon calls this
// once per source at start (so a bad log_format or regex fails the start,
// not the first line), and again for each ingest pass that needs a fresh one.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "parsers/line_parser.h"

namespace culprit::parsers {

// A source's parser settings (see parsers/format_catalog.h for which format
// takes which).
struct ParserSpec {
  std::string format;                    // a built-in format name
  std::vector<std::string> log_formats;  // nginx: one or more log_format strings
  std::string pattern;                   // regex
  std::string time_format;               // regex
  std::string prefix;                    // json
  std::vector<std::pair<std::string, std::string>> fields;  // json, regex
};

// Errors are INVALID_ARGUMENT and name the setting: `log_format: unknown
// character after "$" at position 12`. Whatever the format, a line whose
// time falls outside years 1..9999 UTC is kMalformed.
Result<std::unique_ptr<LineParser>> NewLineParser(const ParserSpec& spec);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_PARSER_FACTORY_H_
