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
//   [auth]                             # optional: bearer tokens (see README)
//   tokens = [{ name = "ops", role = "operator", sha256 = "<64 hex digits>" },
//             { name = "app", role = "reporter", sha256 = "<64 hex digits>" }]
//   reporter_sees_evidence = false     # reporters see server log lines
//
//   [tls]                              # optional: TLS for the listener
//   cert = "culpritd.crt"              # PEM chain; with key
//   key = "culpritd.key"
//   client_ca = "clients-ca.crt"       # optional: require client certs (mTLS)
//
//   [limits]
//   submit_per_minute = 60             # Submit calls per client; 0 = none
//   submit_burst = 10                  # default: submit_per_minute
//
// A listener that other hosts can reach (not loopback, not a unix socket)
// needs TLS and authentication (tokens, or mutual TLS); without them the
// config is refused unless [daemon] allow_insecure_remote = true.
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
  // Serve a remote listener without TLS or authentication anyway.
  bool allow_insecure_remote = false;
  // How long events, rejected lines and reports are kept (by their time);
  // zero: forever (the default).
  Duration retention{};
  int listen_line = 0;  // where listen was set; 0: default or --listen
};

// One accepted bearer token, by its hash.
struct TokenConfig {
  std::string name;    // unique; defaults to "tokens[N]"
  std::string role;    // "reporter" or "operator"
  std::string sha256;  // 64 lower-case hex digits
  int line = 0;
};

struct AuthConfig {
  std::vector<TokenConfig> tokens;  // empty: access control off
  bool reporter_sees_evidence = false;
};

// TLS for the gRPC listener; files are absolute paths, checked readable.
struct TlsConfig {
  std::string cert;       // PEM certificate chain; empty: no TLS
  std::string key;        // PEM private key
  std::string client_ca;  // PEM CA bundle; set: mutual TLS
  int line = 0;           // where [tls] starts
  bool enabled() const { return !cert.empty(); }
};

struct LimitsConfig {
  int64_t submit_per_minute = 0;  // 0: no limit
  int64_t submit_burst = 0;       // when limited: >= 1
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

struct MetricsConfig {
  std::string listen;  // "ip:port" for GET /metrics; empty: off
  int line = 0;        // where [metrics] starts
};

struct Config {
  std::string file;  // the config file as given
  DaemonConfig daemon;
  MetricsConfig metrics;
  std::vector<SourceConfig> sources;
  ReportConfig report;
  AuthConfig auth;
  TlsConfig tls;
  LimitsConfig limits;
};

// The PEM text of the [tls] files. REQUIRES: tls.enabled().
struct TlsPem {
  std::string cert;
  std::string key;
  std::string client_ca;  // empty without client_ca
};
// Reads them (again: they may have changed since the config was checked).
// UNAVAILABLE naming the file when one cannot be read.
Result<TlsPem> ReadTlsFiles(const TlsConfig& tls);

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
