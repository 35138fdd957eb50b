#include "daemon/config/config.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace culprit::config {
namespace {

using culprit::testing::TempDir;

class ConfigTest : public ::testing::Test {
 protected:
  // Parses `text` as the file "t.toml" in a temp directory, with a database
  // in that (existing) directory unless the text sets one.
  Result<Config> Parse(const std::string& text) { return ParseConfig(text, "t.toml", dir_.path()); }

  TempDir dir_;
};

TEST_F(ConfigTest, MinimalValidConfig) {
  auto cfg = Parse(R"(
[daemon]
database = "culprit.db"

[[source]]
path = "logs/access.log"
format = "nginx_combined"
)");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->daemon.listen, "127.0.0.1:7450");
  EXPECT_EQ(cfg->daemon.database, dir_.File("culprit.db"));
  EXPECT_EQ(cfg->daemon.retention, Duration::zero());  // keep everything
  EXPECT_EQ(cfg->metrics.listen, "");                  // no endpoint
  ASSERT_EQ(cfg->sources.size(), 1u);
  const SourceConfig& s = cfg->sources[0];
  EXPECT_EQ(s.path, dir_.File("logs/access.log"));
  EXPECT_EQ(s.name, s.path);
  EXPECT_EQ(s.format, "nginx_combined");
  EXPECT_EQ(s.timezone, "UTC");
  EXPECT_EQ(s.start_at, StartAt::kBeginning);
  EXPECT_EQ(s.max_line_bytes, 65536);
  EXPECT_EQ(s.line, 5);
}

TEST_F(ConfigTest, LogFormatMayBeAnArrayOfFormatsTriedInOrder) {
  auto cfg = Parse(R"(
[daemon]
database = "c.db"
[[source]]
path = "/var/log/nginx/mixed.log"
format = "nginx"
log_format = ['$host $remote_addr - $remote_user [$time_local] "$request" $status',
              '$remote_addr - $remote_user [$time_local] "$request" $status']
)");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  ASSERT_EQ(cfg->sources[0].log_formats.size(), 2u);
  EXPECT_EQ(cfg->sources[0].log_formats[0].substr(0, 5), "$host");

  auto bad = Parse(R"(
[daemon]
database = "c.db"
[[source]]
path = "/var/log/nginx/mixed.log"
format = "nginx"
log_format = ['$remote_addr [$time_local]',
              'combined']
)");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "t.toml:8: source[1].log_format: \"combined\" has no $variable; give the "
            "log_format string from nginx.conf");
  auto empty = Parse("[daemon]\ndatabase = \"c.db\"\n[[source]]\npath = \"/x\"\nformat = \"nginx\"\nlog_format = []\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "t.toml:6: source[1].log_format: must not be an empty array");
}

TEST_F(ConfigTest, CommandLineOverridesReplaceDatabaseAndListen) {
  const std::string text = "[daemon]\ndatabase = \"missing/c.db\"\nlisten = \"127.0.0.1:7450\"\n";
  Overrides good{dir_.File("c.db"), "127.0.0.1:0"};
  auto cfg = ParseConfig(text, "t.toml", dir_.path(), good);
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();  // the file's missing directory is not used
  EXPECT_EQ(cfg->daemon.database, dir_.File("c.db"));
  EXPECT_EQ(cfg->daemon.listen, "127.0.0.1:0");

  Overrides bad{dir_.File("nope/c.db"), ""};
  auto err = ParseConfig(text, "t.toml", dir_.path(), bad);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.status().message(), "t.toml: --database: directory \"" + dir_.File("nope") +
                                        "\" does not exist (create it, or give another --database)");
}

TEST_F(ConfigTest, EverySettingIsRead) {
  auto cfg = Parse(R"(
[daemon]
listen = "[::1]:0"
database = "/tmp/../tmp/x.db"
log_level = "debug"
retention = "14d"

[metrics]
listen = "127.0.0.1:9750"

[[source]]
name = "edge-access"
path = "/var/log/nginx/*.log"
format = "nginx"
log_format = '$remote_addr [$time_local] "$request" $status'
timezone = "Europe/Berlin"
start_at = "end"
max_line_bytes = 4096
idle_timeout = "75s"
ports = [80, 443]

[[source]]
path = "app.jsonl"
format = "json"
fields = { time = "ts", client_ip = "remote_addr" }
prefix = '^\S+ stdout F '
timezone = "+02:00"

[[source]]
path = "app.log"
format = "regex"
pattern = '^(?P<time>\S+) (?P<client_ip>\S+)'
)");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->daemon.listen, "[::1]:0");
  EXPECT_EQ(cfg->daemon.database, "/tmp/x.db");
  EXPECT_EQ(cfg->daemon.log_level, LogLevel::kDebug);
  EXPECT_EQ(cfg->daemon.retention, std::chrono::hours(14 * 24));
  EXPECT_EQ(cfg->metrics.listen, "127.0.0.1:9750");
  ASSERT_EQ(cfg->sources.size(), 3u);
  const SourceConfig& a = cfg->sources[0];
  EXPECT_EQ(a.name, "edge-access");
  EXPECT_EQ(a.path, "/var/log/nginx/*.log");
  ASSERT_EQ(a.log_formats.size(), 1u);
  EXPECT_EQ(a.log_formats[0], "$remote_addr [$time_local] \"$request\" $status");
  EXPECT_EQ(a.timezone, "Europe/Berlin");
  EXPECT_EQ(a.start_at, StartAt::kEnd);
  EXPECT_EQ(a.max_line_bytes, 4096);
  ASSERT_TRUE(a.idle_timeout.has_value());
  EXPECT_EQ(a.idle_timeout->count(), 75'000'000);
  EXPECT_EQ(a.ports, (std::vector<uint16_t>{80, 443}));
  const SourceConfig& j = cfg->sources[1];
  EXPECT_EQ(j.fields.size(), 2u);
  EXPECT_EQ(j.prefix, "^\\S+ stdout F ");
  EXPECT_EQ(j.timezone, "+02:00");
  EXPECT_EQ(cfg->sources[2].pattern, "^(?P<time>\\S+) (?P<client_ip>\\S+)");
}

// Each bad config must fail with a message naming file, line and key.
struct BadCase {
  const char* name;
  const char* toml;
  const char* want;  // a substring of the error message
};

TEST_F(ConfigTest, ErrorsNameFileLineAndKey) {
  const BadCase cases[] = {
      {"typo in daemon key", "[daemon]\ndatabase = \"x.db\"\nlistn = \"127.0.0.1:1\"\n",
       "t.toml:3: daemon.listn: unknown key \"listn\" (did you mean \"listen\"?)"},
      {"typo in source key",
       "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a.log\"\nfromat = \"nginx_combined\"\n",
       "t.toml:5: source[1].fromat: unknown key \"fromat\" (did you mean \"format\"?)"},
      {"unknown top-level table", "[deamon]\nlisten = \"x\"\n",
       "t.toml:1: unknown key \"deamon\" (did you mean \"daemon\"?)"},
      {"unknown format",
       "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a.log\"\nformat = \"ngnix\"\n",
       "t.toml:5: source[1].format: unknown format \"ngnix\" (did you mean \"nginx\"?)"},
      {"wrong type for listen", "[daemon]\ndatabase = \"x.db\"\nlisten = 7450\n",
       "t.toml:3: daemon.listen: must be a string, not an integer"},
      {"wrong type for ports",
       "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a\"\nformat = \"syslog\"\nports = 80\n",
       "t.toml:6: source[1].ports: must be an array of port numbers"},
      {"port out of range",
       "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a\"\nformat = \"syslog\"\n"
       "ports = [80, 70000]\n",
       "t.toml:6: source[1].ports[2]: 70000 is not a port"},
      {"missing database directory", "[daemon]\ndatabase = \"/nonexistent/dir/x.db\"\n",
       "t.toml:2: daemon.database: directory \"/nonexistent/dir\" does not exist"},
      {"bad listen", "[daemon]\ndatabase = \"x.db\"\nlisten = \"localhost\"\n",
       "t.toml:3: daemon.listen: \"localhost\" is not an address to listen on"},
      {"missing format", "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a\"\n",
       "t.toml:3: source[1]: missing required key \"format\""},
      {"missing path", "[daemon]\ndatabase = \"x.db\"\n[[source]]\nformat = \"syslog\"\n",
       "t.toml:3: source[1]: missing required key \"path\""},
      {"nginx needs log_format",
       "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a\"\nformat = \"nginx\"\n",
       "t.toml:3: source[1]: format \"nginx\" needs \"log_format\""},
      {"key of another format",
       "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a\"\nformat = \"syslog\"\n"
       "pattern = \"x\"\n",
       "t.toml:6: source[1].pattern: format \"syslog\" does not take \"pattern\" (it is a "
       "setting of format \"regex\")"},
      {"bad start_at",
       "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a\"\nformat = \"syslog\"\n"
       "start_at = \"now\"\n",
       "t.toml:6: source[1].start_at: must be \"beginning\" or \"end\", not \"now\""},
      {"bad duration",
       "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a\"\nformat = \"syslog\"\n"
       "idle_timeout = \"75\"\n",
       "t.toml:6: source[1].idle_timeout: \"75\" is not a duration"},
      {"bad timezone",
       "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a\"\nformat = \"syslog\"\n"
       "timezone = \"Mars/Olympus\"\n",
       "t.toml:6: source[1].timezone: unknown time zone \"Mars/Olympus\""},
      {"line cap out of range",
       "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a\"\nformat = \"syslog\"\n"
       "max_line_bytes = 10\n",
       "t.toml:6: source[1].max_line_bytes: 10 is out of range"},
      {"duplicate name",
       "[daemon]\ndatabase = \"x.db\"\n[[source]]\npath = \"a\"\nformat = \"syslog\"\n"
       "[[source]]\npath = \"a\"\nformat = \"syslog\"\n",
       "t.toml:6: source[2]: another source already has the name"},
      {"bad log level", "[daemon]\ndatabase = \"x.db\"\nlog_level = \"loud\"\n",
       "t.toml:3: daemon.log_level: \"loud\" is not a log level"},
      {"source is a table not an array", "[daemon]\ndatabase = \"x.db\"\n[source]\npath = \"a\"\n",
       "t.toml:3: source: must be an array of tables ([[source]])"},
      {"TOML syntax error", "[daemon]\ndatabase = \"x.db\nlisten = 1\n", "t.toml:2:"},
      {"bad retention", "[daemon]\ndatabase = \"x.db\"\nretention = \"14x\"\n",
       "t.toml:3: daemon.retention: retention: \"14x\" is not a duration (use 14d, 36h, 90m)"},
      {"metrics on a host name", "[daemon]\ndatabase = \"x.db\"\n[metrics]\nlisten = \"localhost:9750\"\n",
       "t.toml:4: metrics.listen: \"localhost:9750\" is not an address to serve metrics on"},
      {"typo in metrics", "[daemon]\ndatabase = \"x.db\"\n[metrics]\nlisen = \"127.0.0.1:9750\"\n",
       "t.toml:4: metrics.lisen: unknown key \"lisen\" (did you mean \"listen\"?)"},
      {"metrics not a table", "metrics = 1\n[daemon]\ndatabase = \"x.db\"\n",
       "must be a table ([metrics])"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto cfg = Parse(c.toml);
    ASSERT_FALSE(cfg.ok());
    EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(cfg.status().message().find(c.want), std::string::npos)
        << "got: " << cfg.status().message();
  }
}

TEST_F(ConfigTest, ReportsEveryProblemAtOnce) {
  auto cfg = Parse(
      "[daemon]\ndatabase = \"x.db\"\nlistn = \"a\"\n[[source]]\npath = \"a\"\n"
      "format = \"nope\"\n[[source]]\npath = \"b\"\nformat = \"syslog\"\nport = [1]\n");
  ASSERT_FALSE(cfg.ok());
  const std::string& msg = cfg.status().message();
  EXPECT_NE(msg.find("t.toml:3: daemon.listn"), std::string::npos) << msg;
  EXPECT_NE(msg.find("t.toml:6: source[1].format"), std::string::npos) << msg;
  EXPECT_NE(msg.find("t.toml:10: source[2].port: unknown key \"port\" (did you mean \"ports\"?)"),
            std::string::npos)
      << msg;
}

TEST_F(ConfigTest, DefaultDatabaseDirectoryMustExistToo) {
  // No [daemon] database: the default path is checked like a configured one.
  auto cfg = Parse("[[source]]\npath = \"a\"\nformat = \"syslog\"\n");
  if (cfg.ok()) {
    EXPECT_EQ(cfg->daemon.database, kDefaultDatabase);  // this host has /var/lib/culprit
  } else {
    EXPECT_NE(cfg.status().message().find("daemon.database: directory \"/var/lib/culprit\""),
              std::string::npos)
        << cfg.status().message();
  }
}

TEST_F(ConfigTest, LoadFileResolvesPathsAgainstItsDirectory) {
  dir_.Write("etc/culprit.toml",
             "[daemon]\ndatabase = \"../var/c.db\"\n[[source]]\npath = \"../logs/a.log\"\n"
             "format = \"syslog\"\n");
  dir_.Write("var/.keep", "");
  auto cfg = LoadConfigFile(dir_.File("etc/culprit.toml"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->daemon.database, dir_.File("var/c.db"));
  EXPECT_EQ(cfg->sources[0].path, dir_.File("logs/a.log"));
}

TEST_F(ConfigTest, MissingFileIsNotFound) {
  auto cfg = LoadConfigFile(dir_.File("nope.toml"));
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().code(), StatusCode::kNotFound);
  EXPECT_NE(cfg.status().message().find("nope.toml"), std::string::npos);
}

TEST_F(ConfigTest, ExampleConfigIsValid) {
  // Parsed as if it sat in <tmp>/examples, with the <tmp>/build directory its
  // database path points into, so the test does not depend on the tree.
  const std::string text =
      culprit::testing::ReadFileOrEmpty(std::string(CULPRIT_SOURCE_DIR) + "/examples/culprit.toml");
  ASSERT_FALSE(text.empty());
  dir_.Write("build/.keep", "");
  auto cfg = ParseConfig(text, "examples/culprit.toml", dir_.File("examples"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_GE(cfg->sources.size(), 5u);
}

TEST_F(ConfigTest, ReportTableIsRead) {
  dir_.Write("reports/.keep", "");
  auto cfg = Parse(R"(
[daemon]
database = "c.db"

[report]
at = "04:30"
timezone = "Europe/Berlin"
dir = "reports"
formats = ["md", "json"]
)");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  const ReportConfig& r = cfg->report;
  EXPECT_TRUE(r.enabled);
  EXPECT_EQ(r.at_hour, 4);
  EXPECT_EQ(r.at_minute, 30);
  EXPECT_EQ(r.timezone, "Europe/Berlin");
  EXPECT_EQ(r.dir, dir_.File("reports"));
  EXPECT_EQ(r.formats, (std::vector<std::string>{"md", "json"}));
  EXPECT_EQ(r.line, 5);

  auto defaults = Parse("[daemon]\ndatabase = \"c.db\"\n[report]\ndir = \"reports\"\n");
  ASSERT_TRUE(defaults.ok()) << defaults.status().message();
  EXPECT_EQ(defaults->report.at_hour, 3);
  EXPECT_EQ(defaults->report.at_minute, 0);
  EXPECT_EQ(defaults->report.timezone, "UTC");
  EXPECT_EQ(defaults->report.formats, (std::vector<std::string>{"html", "md", "json"}));

  auto none = Parse("[daemon]\ndatabase = \"c.db\"\n");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->report.enabled);
}

TEST_F(ConfigTest, ReportErrorsNameLineAndKey) {
  dir_.Write("reports/.keep", "");
  const struct {
    const char* name;
    std::string body;  // the [report] table's lines, from line 3
    std::string error;
  } cases[] = {
      {"bad time", "at = \"25:00\"\ndir = \"reports\"",
       "t.toml:4: report.at: \"25:00\" is not a time of day (HH:MM, 00:00 .. 23:59)"},
      {"time not a string", "at = 3\ndir = \"reports\"",
       "t.toml:4: report.at: must be a string, not an integer"},
      {"unknown zone", "timezone = \"Mars/Olympus\"\ndir = \"reports\"",
       "t.toml:4: report.timezone: unknown time zone \"Mars/Olympus\" (use \"UTC\", "
       "\"local\", +HH:MM, or a name such as \"Europe/Berlin\")"},
      {"missing dir", "at = \"03:00\"", "t.toml:3: report: missing required key \"dir\" (where "
                                         "the reports are written)"},
      {"dir does not exist", "dir = \"nowhere\"",
       "t.toml:4: report.dir: directory \"" + dir_.File("nowhere") + "\" does not exist"},
      {"unknown format", "dir = \"reports\"\nformats = [\"html\", \"pdf\"]",
       "t.toml:5: report.formats[2]: \"pdf\" is not a report format (html, md, json)"},
      {"format twice", "dir = \"reports\"\nformats = [\"md\", \"markdown\"]",
       "t.toml:5: report.formats[2]: \"markdown\" is listed twice"},
      {"empty formats", "dir = \"reports\"\nformats = []",
       "t.toml:5: report.formats: must be a non-empty array such as [\"html\", \"md\", \"json\"]"},
      {"unknown key", "dir = \"reports\"\nformat = [\"html\"]",
       "t.toml:5: report.format: unknown key \"format\" (did you mean \"formats\"?)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto cfg = Parse("[daemon]\ndatabase = \"c.db\"\n[report]\n" + c.body + "\n");
    ASSERT_FALSE(cfg.ok());
    // Line numbers above count from the [report] line (3) onwards.
    EXPECT_EQ(cfg.status().message(), c.error);
  }
  auto not_table = Parse("report = \"daily\"\n[daemon]\ndatabase = \"c.db\"\n");
  ASSERT_FALSE(not_table.ok());
  EXPECT_EQ(not_table.status().message(),
            "t.toml:1: report: must be a table ([report]), not a string");
}

}  // namespace
}  // namespace culprit::config
