#include "parsers/format_catalog.h"

namespace culprit::parsers {
namespace {

using T = OptionType;

constexpr OptionSpec kCommon[] = {
    {"path", T::kString, true, "the log file to follow; may be a glob such as /var/log/app/*.jsonl"},
    {"format", T::kString, true, "the format of its lines"},
    {"name", T::kString, false, "a unique name for the source (default: its path)"},
    {"timezone", T::kString, false,
     "zone of times written without one: \"UTC\" (default), \"local\", an IANA name, or +HH:MM"},
    {"start_at", T::kString, false,
     "\"beginning\" (default: backfill history) or \"end\" (only new lines)"},
    {"max_line_bytes", T::kInteger, false, "longer lines are cut, stored and flagged (default 65536)"},
    {"idle_timeout", T::kDuration, false,
     "how long the server keeps an idle keep-alive connection (default: the software's)"},
    {"ports", T::kPortList, false, "the server ports this software listens on"},
};

constexpr OptionSpec kNginxOptions[] = {
    {"log_format", T::kStringList, true,
     "the log_format string from nginx.conf, e.g. '$remote_addr - $remote_user [$time_local] ...'; "
     "an array of them when one file holds lines of several formats (tried in order)"},
};

constexpr OptionSpec kJsonOptions[] = {
    {"fields", T::kStringMap, false,
     "maps culprit fields to JSON keys, e.g. { time = \"ts\", client_ip = \"remote_addr\" }"},
    {"prefix", T::kString, false,
     "an RE2 pattern for text before the JSON object (container runtimes)"},
};

constexpr OptionSpec kRegexOptions[] = {
    {"pattern", T::kString, true,
     "an RE2 pattern with named captures (time, client_ip, client_port, ...)"},
    {"time_format", T::kString, false, "strftime-style format of the time capture"},
    {"fields", T::kStringMap, false, "maps culprit fields to capture names"},
};

constexpr FormatSpec kFormats[] = {
    {"nginx_combined", "nginx access log, default combined format", {}},
    {"nginx", "nginx access log with a custom log_format", kNginxOptions},
    {"nginx_error", "nginx error log", {}},
    {"haproxy", "HAProxy HTTP and TCP logs, with or without syslog framing", {}},
    {"stunnel", "stunnel log, native or syslog-framed", {}},
    {"syslog", "syslog / kern.log (RFC 3164, RFC 5424), netfilter LOG lines", {}},
    {"json", "JSON-lines application log", kJsonOptions},
    {"regex", "plain-text application log matched by an RE2 pattern", kRegexOptions},
};

}  // namespace

std::span<const FormatSpec> BuiltinFormats() { return kFormats; }

const FormatSpec* FindFormat(std::string_view name) {
  for (const FormatSpec& f : kFormats) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::span<const OptionSpec> CommonSourceOptions() { return kCommon; }

}  // namespace culprit::parsers
