#ifndef CULPRIT_DAEMON_CONFIG_CONFIG_H_
#define CULPRIT_DAEMON_CONFIG_CONFIG_H_

// culpritd's configuration, read from a TOML file:
//
//   [daemon]
//   listen = "127.0.0.1:7450"          # gRPC address (default shown)
//   database = "/var/lib/culprit/culprit.db"
//   log_level = "info"
//
//   [[source]]
//   path = "/var/log/nginx/access.log"
//   format = "nginx_combined"
//
//   [report]                           # optional: the nightly reset report
//   at = "03:00"                       # local time of day, HH:MM
//   timezone = "Europe/Berlin"         # default "UTC"
//   dir = "/var/lib/culprit/reports"   # required; must exist and be writable
//   formats = ["html", "md", "json"]   # default: all three
//
// Validation is complete before anything is opened: unknown keys, wrong
// types, unknown formats, missing required keys, a database directory that
// does not exist. Every problem is reported (not just the first), each as
// "<file>:<line>: <key path>: <what is wrong>".
//
// Relative paths (database, source paths) are resolved against the directory
// of the config file, so a config means the same whatever the working
// directory.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "base/time.h"

namespace culprit::config {

inline constexpr char kDefaultListen[] = "127.0.0.1:7450";
inline constexpr char kDefaultDatabase[] = "/var/lib/culprit/culprit.db";
inline constexpr int64_t kDefaultMaxLineBytes = 64 * 1024;

enum class StartAt { kBeginning, kEnd };

struct SourceConfig {
  std::string name;    // unique; defaults to `path`
  std::string path;    // absolute, may contain glob characters
  std::string format;  // a name from parsers/format_catalog.h
  std::string timezone = "UTC";
  StartAt start_at = StartAt::kBeginning;
  int64_t max_line_bytes = kDefaultMaxLineBytes;
  std::optional<Duration> idle_timeout;
  std::vector<uint16_t> ports;
  // Format-specific settings; empty when not given.
  std::vector<std::string> log_formats;                     // nginx
  std::string pattern;                                      // regex
  std::string time_format;                                  // regex
  std::string prefix;                                       // json
  std::vector<std::pair<std::string, std::string>> fields;  // json, regex
  int line = 0;  // where the [[source]] table starts in the file
};

struct DaemonConfig {
  std::string listen = kDefaultListen;
  std::string database = kDefaultDatabase;  // absolute
  LogLevel log_level = LogLevel::kInfo;
};

// The nightly report of the previous local day (daemon/report/nightly.h).
struct ReportConfig {
  bool enabled = false;  // a [report] table was given
  int at_hour = 3;
  int at_minute = 0;
  std::string timezone = "UTC";
  std::string dir;  // absolute
  std::vector<std::string> formats{"html", "md", "json"};  // "html", "md", "json"
  int line = 0;  // where [report] starts
};

struct Config {
  std::string file;  // the config file as given
  DaemonConfig daemon;
  std::vector<SourceConfig> sources;
  ReportConfig report;
};

// Settings given on culpritd's command line, which replace the file's.
struct Overrides {
  std::string database;  // --database (relative to the working directory)
  std::string listen;    // --listen
};

// Reads and validates `path`. Errors are INVALID_ARGUMENT (or NOT_FOUND when
// the file is missing) with one line per problem.
Result<Config> LoadConfigFile(const std::string& path, const Overrides& overrides = {});

// Validates TOML text. `file` names the text in messages; relative paths
// resolve against `base_dir`.
Result<Config> ParseConfig(std::string_view text, const std::string& file,
                           const std::string& base_dir, const Overrides& overrides = {});

}  // namespace culprit::config

#endif  // CULPRIT_DAEMON_CONFIG_CONFIG_H_
