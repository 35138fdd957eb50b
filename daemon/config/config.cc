#include "daemon/config/config.h"

#include "base/suggest.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "base/ip_address.h"
#include "daemon/config/internal/access_parse.h"
#include "daemon/report/report_format.h"
#include "daemon/report/schedule.h"
#include "daemon/store/retention.h"
#include "parsers/format_catalog.h"

namespace culprit::config {
namespace {

namespace fs = std::filesystem;
using parsers::OptionSpec;
using parsers::OptionType;

// Upper bounds keep a typo from asking for absurd resources.
constexpr int64_t kMinLineBytes = 256;
constexpr int64_t kMaxLineBytes = 16 * 1024 * 1024;
constexpr size_t kMaxErrors = 50;

// Collects every problem found, each with file and line.
class Errors {
 public:
  explicit Errors(std::string file) : file_(std::move(file)) {}

  void Add(int64_t line, std::string_view key, std::string_view what) {
    if (list_.size() >= kMaxErrors) return;
    std::string msg = file_;
    if (line > 0) msg += ":" + std::to_string(line);
    msg += ": ";
    if (!key.empty()) {
      msg += key;
      msg += ": ";
    }
    msg += what;
    list_.push_back(std::move(msg));
  }

  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }

  Status ToStatus() const {
    std::string msg;
    for (const std::string& e : list_) {
      if (!msg.empty()) msg += '\n';
      msg += e;
    }
    if (list_.size() >= kMaxErrors) msg += "\n(further errors not shown)";
    return Status::InvalidArgument(std::move(msg));
  }

 private:
  std::string file_;
  std::vector<std::string> list_;
};

int64_t LineOf(const toml::node& node) { return static_cast<int64_t>(node.source().begin.line); }
int64_t LineOf(const toml::key& key) { return static_cast<int64_t>(key.source().begin.line); }

std::string UnknownKey(std::string_view key, const std::vector<std::string_view>& allowed) {
  std::string msg = "unknown key \"" + std::string(key) + "\"" + Suggest(key, allowed);
  return msg;
}

std::string TypeName(toml::node_type t) {
  switch (t) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

std::string Resolve(const std::string& base_dir, const std::string& p) {
  fs::path path(p);
  if (path.is_relative()) path = fs::path(base_dir) / path;
  return path.lexically_normal().string();
}

// "UTC", "Z", "local", +HH:MM / -HH:MM, or an IANA zone name present in the
// system's zoneinfo database.
bool IsKnownTimezone(const std::string& tz) {
  if (tz == "UTC" || tz == "Z" || tz == "local") return true;
  if (tz.size() == 6 && (tz[0] == '+' || tz[0] == '-') && tz[3] == ':') {
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    return digit(tz[1]) && digit(tz[2]) && digit(tz[4]) && digit(tz[5]) &&
           (tz[1] - '0') * 10 + (tz[2] - '0') <= 23 && (tz[4] - '0') <= 5;
  }
  if (tz.empty() || tz.front() == '/' || tz.find("..") != std::string::npos) return false;
  for (char c : tz) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
          c == '+')) {
      return false;
    }
  }
  const char* dir = std::getenv("TZDIR");
  const std::string path = std::string(dir ? dir : "/usr/share/zoneinfo") + "/" + tz;
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool IsValidListen(const std::string& listen) {
  if (listen.starts_with("unix:")) return listen.size() > 5;
  auto ep = Endpoint::Parse(listen);
  if (ep.ok()) return ep->port != 0 || listen.ends_with(":0");
  // A host name such as localhost:7450.
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  if (std::stoi(port) > 65535) return false;
  const std::string host = listen.substr(0, colon);
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

class Parser {
 public:
  Parser(const std::string& file, std::string base_dir, const Overrides& overrides)
      : errors_(file), file_(file), base_dir_(std::move(base_dir)), overrides_(overrides) {}

  Result<Config> Run(const toml::table& root) {
    Config config;
    config.file = file_;
    for (auto&& [key, node] : root) {
      const std::string_view k = key.str();
      if (k == "daemon") {
        if (const toml::table* t = node.as_table()) {
          ParseDaemon(*t, &config.daemon);
        } else {
          errors_.Add(LineOf(key), "daemon", "must be a table ([daemon]), not " +
                                                 TypeName(node.type()));
        }
      } else if (k == "source") {
        ParseSources(node, LineOf(key), &config.sources);
      } else if (k == "report") {
        if (const toml::table* t = node.as_table()) {
          ParseReport(*t, LineOf(key), &config.report);
        } else {
          errors_.Add(LineOf(key), "report", "must be a table ([report]), not " +
                                                 TypeName(node.type()));
        }
      } else if (k == "auth" || k == "tls" || k == "limits") {
        ParseAccessTable(k, node, LineOf(key), &config);
      } else if (k == "metrics") {
        if (const toml::table* t = node.as_table()) {
          ParseMetrics(*t, LineOf(key), &config.metrics);
        } else {
          errors_.Add(LineOf(key), "metrics", "must be a table ([metrics]), not " +
                                                  TypeName(node.type()));
        }
      } else {
        errors_.Add(LineOf(key), "",
                    UnknownKey(k, {"daemon", "source", "report", "auth", "tls", "limits",
                                   "metrics"}) +
                        "; the top level has [daemon], [[source]], [report], [auth], [tls], "
                        "[limits] and [metrics]");
      }
    }
    if (!overrides_.database.empty()) {
      std::error_code ec;
      const fs::path abs = fs::absolute(overrides_.database, ec);
      config.daemon.database = ec ? overrides_.database : abs.string();
      CheckDatabase(0, config.daemon.database, "--database");
    } else if (!database_seen_) {
      CheckDatabase(0, config.daemon.database);
    }
    if (!overrides_.listen.empty()) {
      config.daemon.listen = overrides_.listen;
      config.daemon.listen_line = 0;
    }
    internal::CheckRemoteListener(config, overrides_.listen.empty() ? "daemon.listen" : "--listen",
                                  AddError());
    if (!errors_.empty()) return errors_.ToStatus();
    return config;
  }

 private:
  internal::AddError AddError() {
    return [this](int64_t line, std::string_view key, std::string_view what) {
      errors_.Add(line, key, what);
    };
  }

  // [auth], [tls] and [limits]: access_config.cc.
  void ParseAccessTable(std::string_view k, const toml::node& node, int64_t line, Config* config) {
    const toml::table* t = node.as_table();
    if (t == nullptr) {
      errors_.Add(line, k, "must be a table ([" + std::string(k) + "]), not " +
                               TypeName(node.type()));
      return;
    }
    if (k == "auth") internal::ParseAuth(*t, line, AddError(), &config->auth);
    if (k == "tls") internal::ParseTls(*t, line, base_dir_, AddError(), &config->tls);
    if (k == "limits") internal::ParseLimits(*t, line, AddError(), &config->limits);
  }

  std::optional<std::string> String(const toml::node& node, const std::string& key_path) {
    if (const auto* s = node.as_string()) return s->get();
    errors_.Add(LineOf(node), key_path, "must be a string, not " + TypeName(node.type()));
    return std::nullopt;
  }

  std::optional<int64_t> Integer(const toml::node& node, const std::string& key_path) {
    if (const auto* i = node.as_integer()) return i->get();
    errors_.Add(LineOf(node), key_path, "must be an integer, not " + TypeName(node.type()));
    return std::nullopt;
  }

  void ParseDaemon(const toml::table& t, DaemonConfig* out) {
    for (auto&& [key, node] : t) {
      const std::string_view k = key.str();
      const std::string path = "daemon." + std::string(k);
      if (k == "listen") {
        if (auto v = String(node, path)) {
          if (IsValidListen(*v)) {
            out->listen = *v;
            out->listen_line = static_cast<int>(LineOf(node));
          } else {
            errors_.Add(LineOf(node), path,
                        "\"" + *v +
                            "\" is not an address to listen on (host:port, [v6]:port or "
                            "unix:/path)");
          }
        }
      } else if (k == "database") {
        if (auto v = String(node, path)) {
          database_seen_ = true;
          if (v->empty()) {
            errors_.Add(LineOf(node), path, "must not be empty");
          } else {
            out->database = Resolve(base_dir_, *v);
            // An override from the command line replaces it (checked below).
            if (overrides_.database.empty()) CheckDatabase(LineOf(node), out->database);
          }
        }
      } else if (k == "log_level") {
        if (auto v = String(node, path)) {
          auto level = ParseLogLevel(*v);
          if (level.ok()) {
            out->log_level = *level;
          } else {
            errors_.Add(LineOf(node), path, level.status().message());
          }
        }
      } else if (k == "retention") {
        if (auto v = String(node, path)) {
          auto keep = store::ParseRetention(*v);
          if (keep.ok()) {
            out->retention = *keep;
          } else {
            errors_.Add(LineOf(node), path, keep.status().message());
          }
        }
      } else if (k == "allow_insecure_remote") {
        if (const auto* b = node.as_boolean()) {
          out->allow_insecure_remote = b->get();
        } else {
          errors_.Add(LineOf(node), path, "must be true or false, not " + TypeName(node.type()));
        }
      } else {
        errors_.Add(LineOf(key), path,
                    UnknownKey(k, {"listen", "database", "log_level", "retention",
                                   "allow_insecure_remote"}));
      }
    }
  }

  // [metrics] listen = "127.0.0.1:9750": an IP address and port (the
  // endpoint binds exactly that; no host names, no unix sockets).
  void ParseMetrics(const toml::table& t, int64_t line, MetricsConfig* out) {
    out->line = static_cast<int>(line);
    for (auto&& [key, node] : t) {
      const std::string_view k = key.str();
      const std::string path = "metrics." + std::string(k);
      if (k == "listen") {
        if (auto v = String(node, path)) {
          auto ep = Endpoint::Parse(*v);
          if (ep.ok() && (ep->port != 0 || v->ends_with(":0"))) {
            out->listen = *v;
          } else {
            errors_.Add(LineOf(node), path,
                        "\"" + *v + "\" is not an address to serve metrics on (ip:port or "
                        "[v6]:port)");
          }
        }
      } else {
        errors_.Add(LineOf(key), path, UnknownKey(k, {"listen"}));
      }
    }
  }

  void ParseReport(const toml::table& t, int64_t line, ReportConfig* out) {
    out->enabled = true;
    out->line = static_cast<int>(line);
    for (auto&& [key, node] : t) {
      const std::string_view k = key.str();
      const std::string path = "report." + std::string(k);
      if (k == "at") {
        if (auto v = String(node, path)) {
          auto at = report::ParseDailyTime(*v);
          if (!at.ok()) {
            errors_.Add(LineOf(node), path, at.status().message());
          } else {
            out->at_hour = at->hour;
            out->at_minute = at->minute;
          }
        }
      } else if (k == "timezone") {
        auto v = String(node, path);
        if (v && IsKnownTimezone(*v)) out->timezone = *v;
        if (v && !IsKnownTimezone(*v)) {
          errors_.Add(LineOf(node), path, "unknown time zone \"" + *v +
                                              "\" (use \"UTC\", \"local\", +HH:MM, or a name "
                                              "such as \"Europe/Berlin\")");
        }
      } else if (k == "dir") {
        auto v = String(node, path);
        if (v && v->empty()) errors_.Add(LineOf(node), path, "must not be empty");
        if (v && !v->empty()) {
          out->dir = Resolve(base_dir_, *v);
          struct stat st;
          if (::stat(out->dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            errors_.Add(LineOf(node), path, "directory \"" + out->dir + "\" does not exist");
          } else if (::access(out->dir.c_str(), W_OK | X_OK) != 0) {
            errors_.Add(LineOf(node), path, "directory \"" + out->dir + "\" is not writable");
          }
        }
      } else if (k == "formats") {
        const toml::array* a = node.as_array();
        if (a == nullptr || a->empty()) {
          errors_.Add(LineOf(node), path, "must be a non-empty array such as [\"html\", \"md\", "
                                          "\"json\"]");
          continue;
        }
        out->formats.clear();
        for (size_t i = 0; i < a->size(); ++i) {
          const std::string ip = path + "[" + std::to_string(i + 1) + "]";
          auto v = String((*a)[i], ip);
          if (!v) continue;
          auto f = report::ParseReportFormat(*v);
          if (!f.ok()) {
            errors_.Add(LineOf((*a)[i]), ip, f.status().message());
            continue;
          }
          const std::string name(report::FormatName(*f));
          if (std::find(out->formats.begin(), out->formats.end(), name) != out->formats.end()) {
            errors_.Add(LineOf((*a)[i]), ip, "\"" + *v + "\" is listed twice");
            continue;
          }
          out->formats.push_back(name);
        }
      } else {
        errors_.Add(LineOf(key), path, UnknownKey(k, {"at", "timezone", "dir", "formats"}));
      }
    }
    if (out->dir.empty() && t.get("dir") == nullptr) {
      errors_.Add(line, "report", "missing required key \"dir\" (where the reports are written)");
    }
  }

  // The database file may not exist yet, but its directory must, and must be
  // writable: failing here is better than failing on the first commit.
  // `key`: "daemon.database", or "--database" for the command-line override.
  void CheckDatabase(int64_t line, const std::string& db,
                     const std::string& key = "daemon.database") {
    const std::string dir = fs::path(db).parent_path().string();
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) {
      errors_.Add(line, key,
                  "directory \"" + dir + "\" does not exist (create it, or " +
                      (key == "--database" ? "give another --database" : "set [daemon] database") +
                      ")");
      return;
    }
    if (!S_ISDIR(st.st_mode)) {
      errors_.Add(line, key, "\"" + dir + "\" is not a directory");
      return;
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      errors_.Add(line, key, "directory \"" + dir + "\" is not writable");
      return;
    }
    if (::stat(db.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      errors_.Add(line, key, "\"" + db + "\" is a directory, not a file");
    }
  }

  void ParseSources(const toml::node& node, int64_t line, std::vector<SourceConfig>* out) {
    const toml::array* arr = node.as_array();
    if (arr == nullptr) {
      errors_.Add(line, "source",
                  "must be an array of tables ([[source]]), not " + TypeName(node.type()));
      return;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < arr->size(); ++i) {
      const toml::node& elem = (*arr)[i];
      const std::string path = "source[" + std::to_string(i + 1) + "]";
      const toml::table* t = elem.as_table();
      if (t == nullptr) {
        errors_.Add(LineOf(elem), path, "must be a table, not " + TypeName(elem.type()));
        continue;
      }
      SourceConfig src;
      if (!ParseSource(*t, path, &src)) continue;
      if (!names.insert(src.name).second) {
        errors_.Add(src.line, path,
                    "another source already has the name \"" + src.name +
                        "\" (set a distinct `name` for sources that share a path)");
        continue;
      }
      out->push_back(std::move(src));
    }
  }

  bool ParseSource(const toml::table& t, const std::string& path, SourceConfig* src) {
    src->line = LineOf(t);
    const size_t errors_before = ErrorCount();
    // The format decides which keys are allowed, so read it first.
    const parsers::FormatSpec* format = nullptr;
    if (const toml::node* f = t.get("format")) {
      if (auto v = String(*f, path + ".format")) {
        format = parsers::FindFormat(*v);
        if (format == nullptr) {
          std::vector<std::string_view> names;
          std::string list;
          for (const auto& spec : parsers::BuiltinFormats()) {
            names.push_back(spec.name);
            if (!list.empty()) list += ", ";
            list += spec.name;
          }
          errors_.Add(LineOf(*f), path + ".format",
                      "unknown format \"" + *v + "\"" + Suggest(*v, names) +
                          "; known formats: " + list);
        } else {
          src->format = *v;
        }
      }
    } else {
      errors_.Add(src->line, path, "missing required key \"format\"");
    }
    if (t.get("path") == nullptr) errors_.Add(src->line, path, "missing required key \"path\"");
    if (format != nullptr) {
      for (const OptionSpec& o : format->options) {
        if (o.required && t.get(o.key) == nullptr) {
          errors_.Add(src->line, path,
                      "format \"" + std::string(format->name) + "\" needs \"" +
                          std::string(o.key) + "\": " + std::string(o.help));
        }
      }
    }

    for (auto&& [key, node] : t) {
      const std::string_view k = key.str();
      const std::string kp = path + "." + std::string(k);
      const OptionSpec* spec = FindOption(parsers::CommonSourceOptions(), k);
      if (spec == nullptr && format != nullptr) spec = FindOption(format->options, k);
      if (spec == nullptr) {
        ReportUnknownSourceKey(LineOf(key), kp, k, format);
        continue;
      }
      ApplySourceOption(*spec, node, kp, src);
    }
    if (src->name.empty()) src->name = src->path;
    return ErrorCount() == errors_before;
  }

  static const OptionSpec* FindOption(std::span<const OptionSpec> specs, std::string_view key) {
    for (const OptionSpec& o : specs) {
      if (o.key == key) return &o;
    }
    return nullptr;
  }

  void ReportUnknownSourceKey(int64_t line, const std::string& kp, std::string_view k,
                              const parsers::FormatSpec* format) {
    // A key that belongs to another format deserves a precise message.
    for (const auto& other : parsers::BuiltinFormats()) {
      if (format != nullptr && FindOption(other.options, k) != nullptr) {
        errors_.Add(line, kp,
                    "format \"" + std::string(format->name) + "\" does not take \"" +
                        std::string(k) + "\" (it is a setting of format \"" +
                        std::string(other.name) + "\")");
        return;
      }
    }
    std::vector<std::string_view> allowed;
    for (const OptionSpec& o : parsers::CommonSourceOptions()) allowed.push_back(o.key);
    if (format != nullptr) {
      for (const OptionSpec& o : format->options) allowed.push_back(o.key);
    }
    errors_.Add(line, kp, UnknownKey(k, allowed));
  }

  void ApplySourceOption(const OptionSpec& spec, const toml::node& node, const std::string& kp,
                         SourceConfig* src) {
    const std::string_view k = spec.key;
    switch (spec.type) {
      case OptionType::kString: {
        auto v = String(node, kp);
        if (!v) return;
        if (v->empty()) {
          errors_.Add(LineOf(node), kp, "must not be empty");
          return;
        }
        if (k == "path") {
          src->path = Resolve(base_dir_, *v);
        } else if (k == "format") {
          // read above
        } else if (k == "name") {
          src->name = *v;
        } else if (k == "timezone") {
          if (!IsKnownTimezone(*v)) {
            errors_.Add(LineOf(node), kp,
                        "unknown time zone \"" + *v +
                            "\" (use \"UTC\", \"local\", +HH:MM, or a name such as "
                            "\"Europe/Berlin\")");
            return;
          }
          src->timezone = *v;
        } else if (k == "start_at") {
          if (*v == "beginning") {
            src->start_at = StartAt::kBeginning;
          } else if (*v == "end") {
            src->start_at = StartAt::kEnd;
          } else {
            errors_.Add(LineOf(node), kp,
                        "must be \"beginning\" or \"end\", not \"" + *v + "\"");
          }
        } else if (k == "pattern") {
          src->pattern = *v;
        } else if (k == "time_format") {
          src->time_format = *v;
        } else if (k == "prefix") {
          src->prefix = *v;
        }
        return;
      }
      case OptionType::kInteger: {
        auto v = Integer(node, kp);
        if (!v) return;
        if (k == "max_line_bytes") {
          if (*v < kMinLineBytes || *v > kMaxLineBytes) {
            errors_.Add(LineOf(node), kp,
                        std::to_string(*v) + " is out of range (" + std::to_string(kMinLineBytes) +
                            " .. " + std::to_string(kMaxLineBytes) + ")");
            return;
          }
          src->max_line_bytes = *v;
        }
        return;
      }
      case OptionType::kDuration: {
        auto v = String(node, kp);
        if (!v) return;
        auto d = ParseDuration(*v);
        if (!d.ok()) {
          errors_.Add(LineOf(node), kp, d.status().message());
          return;
        }
        if (d->count() <= 0) {
          errors_.Add(LineOf(node), kp, "must be longer than zero");
          return;
        }
        src->idle_timeout = *d;
        return;
      }
      case OptionType::kStringList: {
        // log_format: one string, or an array of strings.
        std::vector<std::pair<std::string, int64_t>> values;
        if (const toml::array* a = node.as_array()) {
          if (a->empty()) {
            errors_.Add(LineOf(node), kp, "must not be an empty array");
            return;
          }
          for (size_t i = 0; i < a->size(); ++i) {
            const toml::node& item = *a->get(i);
            auto v = String(item, kp + "[" + std::to_string(i) + "]");
            if (!v) return;
            values.emplace_back(*v, LineOf(item));
          }
        } else {
          auto v = String(node, kp);
          if (!v) return;
          values.emplace_back(*v, LineOf(node));
        }
        for (const auto& [v, line] : values) {
          if (v.find('$') == std::string::npos) {
            errors_.Add(line, kp,
                        "\"" + v + "\" has no $variable; give the log_format string from "
                                    "nginx.conf");
            return;
          }
        }
        for (auto& [v, line] : values) src->log_formats.push_back(std::move(v));
        return;
      }
      case OptionType::kStringMap: {
        const toml::table* t = node.as_table();
        if (t == nullptr) {
          errors_.Add(LineOf(node), kp,
                      "must be a table such as { time = \"ts\" }, not " + TypeName(node.type()));
          return;
        }
        for (auto&& [fk, fv] : *t) {
          auto v = String(fv, kp + "." + std::string(fk.str()));
          if (v) src->fields.emplace_back(std::string(fk.str()), *v);
        }
        return;
      }
      case OptionType::kPortList: {
        const toml::array* a = node.as_array();
        if (a == nullptr) {
          errors_.Add(LineOf(node), kp,
                      "must be an array of port numbers such as [80, 443], not " +
                          TypeName(node.type()));
          return;
        }
        for (size_t i = 0; i < a->size(); ++i) {
          const std::string ip = kp + "[" + std::to_string(i + 1) + "]";
          auto v = Integer((*a)[i], ip);
          if (!v) continue;
          if (*v < 1 || *v > 65535) {
            errors_.Add(LineOf((*a)[i]), ip, std::to_string(*v) + " is not a port (1 .. 65535)");
            continue;
          }
          src->ports.push_back(static_cast<uint16_t>(*v));
        }
        return;
      }
    }
  }

  size_t ErrorCount() const { return errors_.size(); }

  Errors errors_;
  std::string file_;
  std::string base_dir_;
  Overrides overrides_;
  bool database_seen_ = false;
};

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::string& file,
                           const std::string& base_dir, const Overrides& overrides) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument(file + ":" + std::to_string(where.line) + ":" +
                                   std::to_string(where.column) +
                                   ": TOML syntax error: " + std::string(e.description()));
  }
  return Parser(file, base_dir, overrides).Run(root);
}

Result<Config> LoadConfigFile(const std::string& path, const Overrides& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("cannot read config file \"" + path + "\": " + ErrnoText(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return Status::Unavailable("error reading config file \"" + path + "\"");
  }
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  const std::string base_dir = ec ? "." : abs.parent_path().string();
  return ParseConfig(text.str(), path, base_dir, overrides);
}

}  // namespace culprit::config
