// Format engine behaviours: framing, connection carry, rules, time_is_start,
// field types, continuation lines, and robustness on garbage.

#include "parsers/format/format_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "base/time_zone.h"
#include "parsers/format/format_loader.h"
#include "parsers/format/regex_format.h"

namespace culprit::parsers {
namespace {

std::unique_ptr<LineParser> Parser(const std::string& toml) {
  auto def = LoadFormat(toml, "test.toml");
  EXPECT_TRUE(def.ok()) << def.status().ToString();
  if (!def.ok()) return nullptr;
  auto p = NewFormatParser(*def);
  EXPECT_TRUE(p.ok());
  return p.ok() ? std::move(p).value() : nullptr;
}

class FormatParserTest : public ::testing::Test {
 protected:
  ParseResult Parse(LineParser& p, std::string_view line) { return p.Parse(line, ctx_, &event_); }

  TimeZone zone_;
  LineContext ctx_{&zone_, *ParseRfc3339("2026-11-24T00:00:00Z")};
  Event event_;
};

// A small HAProxy-like format exercising types and time_is_start.
constexpr char kTypes[] = R"(name = "types"
title = "types"
[tables.flags]
OK = "NONE"
RST = "CLIENT_ABORT"
[[pattern]]
name = "p"
time_is_start = true
kind = "request"
regex = '''(?P<ts>\d+\.\d+) (?P<client>\S+) (?P<srv>\S+) (?P<status>-?\d+|-) (?P<ta>-?\d+) (?P<bytes>\S+) (?P<flag>\w+) (?P<rid>\S+)'''
[pattern.fields]
ts = { type = "timestamp", format = "epoch", target = "time" }
client = { type = "endpoint" }
srv = { type = "ip", target = "server_ip" }
status = { type = "int" }
ta = { type = "duration", unit = "ms", target = "duration" }
bytes = { type = "int", target = "bytes_out" }
flag = { type = "enum", table = "flags", target = "cause" }
rid = { type = "string", target = "request_id" }
[[sample]]
line = '1795464090.372 127.20.1.10:33931 127.0.0.1 200 1500 612 OK abc'
[sample.expect]
time = "2026-11-23T20:01:31.872Z"
client = "127.20.1.10:33931"
duration = "1.5s"
)";

TEST_F(FormatParserTest, FieldTypesAndTimeIsStart) {
  auto p = Parser(kTypes);
  ASSERT_NE(p, nullptr);
  struct Case {
    const char* line;
    ParseOutcome outcome;
    const char* reason_prefix;
  } cases[] = {
      {"1795464090.372 127.20.1.10:33931 127.0.0.1 200 1500 612 OK abc", ParseOutcome::kParsed, ""},
      {"1795464090.372 [2001:db8::1]:443 - - -1 - RST -", ParseOutcome::kParsed, ""},
      {"1795464090.372 127.20.1.300:1 127.0.0.1 200 1 1 OK a", ParseOutcome::kMalformed,
       "field \"client\": \"127.20.1.300:1\" is not an address[:port]"},
      {"1795464090.372 127.20.1.1:1 nope 200 1 1 OK a", ParseOutcome::kMalformed,
       "field \"srv\": \"nope\" is not an IP address"},
      {"1795464090.372 127.20.1.1:1 ::1 200 1 x1 OK a", ParseOutcome::kMalformed,
       "field \"bytes\": \"x1\" is not an integer"},
      {"1795464090.372 127.20.1.1:1 ::1 200 1 1 WHAT a", ParseOutcome::kMalformed,
       "field \"flag\": \"WHAT\" is not in table \"flags\""},
      {"not a line", ParseOutcome::kNoMatch, "matches no pattern of types"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    ParseResult r = Parse(*p, c.line);
    EXPECT_EQ(r.outcome, c.outcome) << r.reason;
    EXPECT_EQ(r.reason, c.reason_prefix);
  }
  // The second line: "-" is absent, -1 duration unknown, IPv6 endpoint.
  ASSERT_TRUE(Parse(*p, "1795464090.372 [2001:db8::1]:443 - - -1 - RST -").ok());
  EXPECT_EQ(event_.client_ip->ToString(), "2001:db8::1");
  EXPECT_EQ(event_.client_port, 443);
  EXPECT_FALSE(event_.server_ip.has_value());
  EXPECT_FALSE(event_.status.has_value());
  EXPECT_FALSE(event_.duration.has_value());
  EXPECT_FALSE(event_.bytes_out.has_value());
  EXPECT_EQ(event_.cause, Cause::kClientAbort);
  EXPECT_EQ(event_.time, *ParseRfc3339("2026-11-23T20:01:30.372Z"));  // no duration to add
  EXPECT_EQ(event_.precision, std::chrono::milliseconds(1));
  // The first: time = start + 1500 ms.
  ASSERT_TRUE(Parse(*p, "1795464090.372 127.20.1.10:33931 127.0.0.1 200 1500 612 OK abc").ok());
  EXPECT_EQ(event_.time, *ParseRfc3339("2026-11-23T20:01:31.872Z"));
  EXPECT_EQ(event_.kind, EventKind::kRequest);
  EXPECT_EQ(event_.request_id, "abc");
  EXPECT_EQ(event_.bytes_out, 612);
}

constexpr char kSyslog[] = R"(name = "sys"
title = "sys"
framing = "FRAMING"
[[pattern]]
name = "body"
header = true
regex = '''LOG(?P<level>[0-7]): (?P<message>.*)'''
[pattern.fields]
level = { type = "int" }
message = { type = "string" }
[[sample]]
line = 'Nov 23 20:01:33 lab-host prog[42]: LOG5: hello'
[sample.expect]
time = "2026-11-23T20:01:33Z"
"extra.host" = "lab-host"
)";

TEST_F(FormatParserTest, SyslogFramingRequiredAndOptional) {
  std::string required = kSyslog;
  required.replace(required.find("FRAMING"), 7, "syslog");
  auto p = Parser(required);
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(Parse(*p, "<13>Nov 23 20:01:33 lab-host prog[42]: LOG5: hello").ok());
  EXPECT_EQ(event_.time, *ParseRfc3339("2026-11-23T20:01:33Z"));
  EXPECT_EQ(event_.level, 5);
  EXPECT_EQ(event_.Extra("app"), "prog");
  EXPECT_EQ(event_.Extra("pid"), "42");
  EXPECT_EQ(event_.message, "hello");
  ParseResult r = Parse(*p, "LOG5: no header");
  EXPECT_EQ(r.outcome, ParseOutcome::kNoMatch);
  EXPECT_EQ(r.reason, "no syslog header (format sys needs one)");
  r = Parse(*p, "Nov 23 20:01:33 lab-host prog[42]: something else");
  EXPECT_EQ(r.outcome, ParseOutcome::kNoMatch);
  EXPECT_EQ(r.reason, "the syslog body matches no pattern of sys");

  // syslog-optional: a header-only pattern never sees a header-less line,
  // and a format may mix both kinds of pattern.
  std::string optional = kSyslog;
  optional.replace(optional.find("FRAMING"), 7, "syslog-optional");
  optional += R"([[pattern]]
name = "native"
regex = '''(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) LOG(?P<level>[0-7]): (?P<message>.*)'''
[pattern.fields]
time = { type = "timestamp", format = "%Y-%m-%dT%H:%M:%SZ" }
level = { type = "int" }
message = { type = "string" }
[[sample]]
line = '2026-11-23T20:01:34Z LOG3: native'
[sample.expect]
pattern = "native"
level = 3
)";
  p = Parser(optional);
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(Parse(*p, "2026-11-23T20:01:34Z LOG3: native").ok());
  EXPECT_EQ(event_.message, "native");
  EXPECT_EQ(event_.level, 3);
  ASSERT_TRUE(Parse(*p, "<11>Nov 23 20:01:33 h p: LOG6: framed").ok());
  EXPECT_EQ(event_.level, 6);  // the body's level, not <PRI>'s 3
  EXPECT_EQ(Parse(*p, "LOG5: bare body").outcome, ParseOutcome::kNoMatch);
}

constexpr char kCarry[] = R"(name = "carry"
title = "carry"
[connections]
key = "conn_id"
carry = ["client_ip", "client_port"]
max = 2
[[pattern]]
name = "p"
regex = '''(?P<time>\d+) \[(?P<conn_id>\d+)\] (?P<message>.*)'''
[pattern.fields]
time = { type = "timestamp", format = "epoch" }
conn_id = { type = "string" }
message = { type = "string" }
[[rule]]
field = "message"
regex = '''^accepted (?P<client>\S+)$'''
[[rule]]
field = "message"
prefix = "boom"
cause = "CLIENT_ABORT"
[[sample]]
line = '1 [1] accepted 10.0.0.1:5'
[sample.expect]
client = "10.0.0.1:5"
)";

TEST_F(FormatParserTest, ConnectionsCarryIsBounded) {
  auto p = Parser(kCarry);
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(Parse(*p, "1 [1] accepted 10.0.0.1:5").ok());
  ASSERT_TRUE(Parse(*p, "2 [1] boom").ok());
  EXPECT_EQ(event_.client_ip->ToString(), "10.0.0.1");
  EXPECT_EQ(event_.client_port, 5);
  EXPECT_EQ(event_.cause, Cause::kClientAbort);
  // A line of another id gets nothing.
  ASSERT_TRUE(Parse(*p, "3 [9] boom").ok());
  EXPECT_FALSE(event_.client_ip.has_value());
  // A new accept for the same id replaces the entry.
  ASSERT_TRUE(Parse(*p, "4 [1] accepted 10.0.0.2:6").ok());
  ASSERT_TRUE(Parse(*p, "5 [1] boom").ok());
  EXPECT_EQ(event_.client_ip->ToString(), "10.0.0.2");
  // max = 2: ids 2 and 3 push id 1 out.
  ASSERT_TRUE(Parse(*p, "6 [2] accepted 10.0.0.3:7").ok());
  ASSERT_TRUE(Parse(*p, "7 [3] accepted 10.0.0.4:8").ok());
  ASSERT_TRUE(Parse(*p, "8 [1] boom").ok());
  EXPECT_FALSE(event_.client_ip.has_value());
  ASSERT_TRUE(Parse(*p, "9 [3] boom").ok());
  EXPECT_EQ(event_.client_ip->ToString(), "10.0.0.4");
}

constexpr char kRules[] = R"(name = "rules"
title = "rules"
[[pattern]]
name = "a"
regex = '''(?P<time>\d+) A (?P<message>.*)'''
[pattern.fields]
time = { type = "timestamp", format = "epoch_ms" }
message = { type = "string" }
[[pattern]]
name = "b"
regex = '''(?P<time>\d+) B (?P<message>.*)'''
[pattern.fields]
time = { type = "timestamp", format = "epoch_ms" }
message = { type = "string" }
[[rule]]
field = "message"
regex = ''' while (?P<phase>[a-z ]+)$'''
stop = false
[[rule]]
pattern = "b"
field = "message"
contains = "reset"
cause = "UPSTREAM_FAILURE"
[[rule]]
field = "message"
contains = "reset"
cause = "CLIENT_ABORT"
kind = "connection"
detail = "reset"
level = 3
[[rule]]
field = "phase"
equals = "idling"
cause = "IDLE_TIMEOUT"
[[rule]]
field = "message"
prefix = "stop"
cause = "SERVER_SHUTDOWN"
stop = false
[[rule]]
field = "message"
prefix = "stop now"
kind = "process"
[[sample]]
line = '1795464090372 A reset while reading'
[sample.expect]
phase = "reading"
[[sample]]
line = '1795464090372 B x'
[sample.expect]
pattern = "b"
)";

TEST_F(FormatParserTest, RulesInOrderWithStop) {
  auto p = Parser(kRules);
  ASSERT_NE(p, nullptr);
  struct Case {
    const char* line;
    Cause cause;
    EventKind kind;
    const char* phase;
  } cases[] = {
      {"1795464090372 A reset while reading", Cause::kClientAbort, EventKind::kConnection,
       "reading"},
      {"1795464090372 B reset while reading", Cause::kUpstreamFailure, EventKind::kOther,
       "reading"},
      {"1795464090372 A quiet while idling", Cause::kIdleTimeout, EventKind::kOther, "idling"},
      {"1795464090372 A stop now", Cause::kServerShutdown, EventKind::kProcess, ""},
      {"1795464090372 A stopping", Cause::kServerShutdown, EventKind::kOther, ""},
      {"1795464090372 A nothing", Cause::kNone, EventKind::kOther, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    ASSERT_TRUE(Parse(*p, c.line).ok());
    EXPECT_EQ(event_.cause, c.cause);
    EXPECT_EQ(event_.kind, c.kind);
    EXPECT_EQ(event_.phase, c.phase);
    EXPECT_EQ(event_.precision, std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(Parse(*p, "1795464090372 A reset").ok());
  EXPECT_EQ(event_.detail, "reset");
  EXPECT_EQ(event_.level, 3);
}

// A specific pattern followed by a catch-all marked fallback.
constexpr char kFallback[] = R"(name = "fb"
title = "fb"
[[pattern]]
name = "specific"
kind = "firewall"
regex = '''(?P<ts>\d+) DROP (?P<message>.*)'''
[pattern.fields]
ts = { type = "timestamp", format = "epoch", target = "time" }
message = "string"
[[pattern]]
name = "any"
fallback = true
regex = '''(?P<ts>\d+) (?P<message>.*)'''
[pattern.fields]
ts = { type = "timestamp", format = "epoch", target = "time" }
message = "string"
[[sample]]
line = '1795464090 DROP x'
[sample.expect]
kind = "firewall"
[[sample]]
line = '1795464090 hello'
[sample.expect]
kind = "other"
)";

TEST_F(FormatParserTest, AFallbackPatternNeverShadowsTheSpecificOnes) {
  auto p = Parser(kFallback);
  ASSERT_NE(p, nullptr);
  for (const char* line : {"1795464090 hello", "1795464091 DROP a", "1795464092 other",
                           "1795464093 DROP b"}) {
    SCOPED_TRACE(line);
    ASSERT_TRUE(Parse(*p, line).ok());
    EXPECT_EQ(event_.kind, std::string_view(line).find("DROP") != std::string_view::npos
                               ? EventKind::kFirewall
                               : EventKind::kOther);
  }
}

TEST_F(FormatParserTest, NginxContinuationLinesTakeThePreviousTime) {
  auto def = BuiltinFormat("nginx_error");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  auto p = NewFormatParser(*def);
  ASSERT_TRUE(p.ok());
  // Before any entry a continuation line has nothing to continue.
  EXPECT_EQ(Parse(**p, "PHP message: orphan").outcome, ParseOutcome::kNoMatch);
  ASSERT_TRUE(Parse(**p, "2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in "
                         "stderr: \"PHP message: PHP Warning: x")
                  .ok());
  ASSERT_TRUE(Parse(**p, "PHP message: PHP Warning: y").ok());
  EXPECT_EQ(event_.kind, EventKind::kOther);
  EXPECT_EQ(event_.message, "PHP message: PHP Warning: y");
  EXPECT_EQ(event_.time, *ParseRfc3339("2019-10-30T23:26:34Z"));
}

// Never crash, whatever the bytes: NUL, invalid UTF-8, 1 MiB, random.
TEST_F(FormatParserTest, GarbageNeverCrashes) {
  std::vector<std::unique_ptr<LineParser>> parsers;
  for (const char* name : {"nginx_error", "stunnel"}) {
    auto def = BuiltinFormat(name);
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    parsers.push_back(std::move(NewFormatParser(*def)).value());
  }
  std::vector<std::string> lines = {
      "",
      std::string("\0\0\0", 3),
      "\xff\xfe\xc3\x28 [info]",
      std::string("2026/11/23 20:01:30 [info] 1#1: *1 a\0b, client: 1.2.3.4, server: x", 67),
      "2026/11/23 20:01:30 [info] 1#1: *1 \xc3\x28\xff, client: 1.2.3.4, server: x",
      "2026/13/45 20:01:30 [info] 1#1: bad date",
      "2026.11.23 20:01:26 LOG9[1]: level out of range",
      "<999999999999>1 - - - - - -",
      "\r",
  };
  lines.push_back("2026/11/23 20:01:30 [info] 1#1: *1 " + std::string(1 << 20, 'x') +
                  ", client: 1.2.3.4, server: x");
  lines.push_back(std::string(1 << 20, '\xff'));
  std::mt19937 rng(20261123);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 300, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    // Half of them behind a valid prefix, to reach the field conversions.
    if (i % 2 == 0) s = (i % 4 == 0 ? "2026/11/23 20:01:30 [info] 1#1: " : "2026.11.23 20:01:26 LOG5[1]: ") + s;
    lines.push_back(std::move(s));
  }
  for (auto& p : parsers) {
    for (const std::string& line : lines) {
      ParseResult r = Parse(*p, line);
      if (!r.ok()) {
        EXPECT_FALSE(r.reason.empty());
      }
    }
  }
  // The 1 MiB nginx line parses.
  ASSERT_TRUE(Parse(*parsers[0], lines[9]).ok()) << Parse(*parsers[0], lines[9]).reason;
  EXPECT_EQ(event_.client_ip->ToString(), "1.2.3.4");
}

TEST(RegexFormatTest, ErrorsNameTheConfigValue) {
  const std::pair<std::string, std::string> bad_target[] = {{"clientip", "c"}};
  const std::pair<std::string, std::string> bad_capture[] = {{"client_ip", "src"}};
  struct Case {
    std::string pattern, time_format;
    std::span<const std::pair<std::string, std::string>> fields;
    std::string want;
  } cases[] = {
      {"(?P<time>\\S+", "", {}, "pattern: regex does not compile: missing ): (?P<time>\\S+ (at \"(?P<time>\\S+\")"},
      {"(?P<msg>.*)", "", {}, "pattern: no capture gives the time (name one (?P<time>...) or map it with fields.time)"},
      {"(?P<time>\\S+) (?P<c>\\S+)", "", bad_target, "fields.clientip: unknown field (did you mean \"client_ip\"?)"},
      {"(?P<time>\\S+) (?P<c>\\S+)", "", bad_capture, "fields.client_ip: no capture named \"src\" in pattern"},
      {"(?P<time>\\S+)", "%Q", {}, "time_format: "},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    auto p = NewRegexParser(c.pattern, c.time_format, c.fields);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().message().substr(0, c.want.size()), c.want);
  }
}

}  // namespace
}  // namespace culprit::parsers
