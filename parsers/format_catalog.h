#ifndef CULPRIT_PARSERS_FORMAT_CATALOG_H_
#define CULPRIT_PARSERS_FORMAT_CATALOG_H_

// The log formats culprit reads, and the per-source settings each accepts.
// The config loader validates `[[source]]` tables against this catalog, so an
// unknown format or a key that the format does not take fails at start.
//
// Static data; thread-safe.

#include <span>
#include <string_view>

namespace culprit::parsers {

enum class OptionType {
  kString,
  kInteger,
  kDuration,   // a string such as "75s" (base/time.h ParseDuration)
  kStringMap,  // an inline table of string values: { time = "ts", ... }
  kStringList,  // a string, or an array of strings tried in order
  kPortList,   // an array of port numbers
};

struct OptionSpec {
  std::string_view key;
  OptionType type;
  bool required;
  std::string_view help;
};

struct FormatSpec {
  std::string_view name;
  std::string_view title;
  // Settings only this format takes (beyond the common ones every source has).
  std::span<const OptionSpec> options;
};

// Every built-in format, in a stable order.
std::span<const FormatSpec> BuiltinFormats();

// The format named `name`, or nullptr.
const FormatSpec* FindFormat(std::string_view name);

// The settings every source takes whatever its format: path, format, name,
// timezone, start_at, max_line_bytes, idle_timeout, ports.
std::span<const OptionSpec> CommonSourceOptions();

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_FORMAT_CATALOG_H_
