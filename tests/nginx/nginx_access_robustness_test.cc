// Outcomes and reasons for lines that do not fit, log_format compile errors,
// and random bytes.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "base/time.h"
#include "base/time_zone.h"
#include "parsers/nginx/nginx_access_parser.h"
#include "tests/nginx/nginx_test_formats.h"

namespace culprit::parsers {
namespace {

using namespace nginx_test;  // NOLINT: test-local constants

// lab-dev/logs/nginx/access.log.
constexpr std::string_view kLabCombined =
    "127.50.3.101 - - [23/Nov/2026:20:01:27 +0000] \"GET /api/items/362 HTTP/1.1\" 200 51 \"-\" "
    "\"curl/7.88.1\"";

struct OutcomeRow {
  const char* name;
  std::string line;
  ParseOutcome outcome;
  const char* reason;  // substring of the reason ("" for kParsed)
};

std::string WithByte(std::string s, size_t at, char c) {
  s[at] = c;
  return s;
}

std::vector<OutcomeRow> OutcomeRows() {
  const std::string ok(kLabCombined);
  return {
      {"crlf", ok + "\r", ParseOutcome::kParsed, ""},
      {"empty", "", ParseOutcome::kNoMatch,
       "expected \" - \" after $remote_addr (value from byte 0)"},
      {"truncated_in_request", ok.substr(0, 70), ParseOutcome::kNoMatch,
       "expected \"\\x22 \" after $request"},
      {"truncated_after_status", ok.substr(0, 79), ParseOutcome::kNoMatch,
       "expected \" \" after $status (value from byte 76)"},
      {"trailing_field", ok + " \"-\"", ParseOutcome::kNoMatch,
       "and the end of the line after $http_user_agent"},
      {"hour_25", WithByte(ok, 31, '5'), ParseOutcome::kMalformed,
       "$time_local \"23/Nov/2026:25:01:27 +0000\" is not a time"},
      {"cut_after_time", "127.50.3.101 - - [23/Nov/2026:20:01:27 +0000]", ParseOutcome::kNoMatch,
       "after $time_local"},
      {"bad_month", std::string(ok).replace(21, 3, "Noe"), ParseOutcome::kMalformed,
       "$time_local \"23/Noe/2026:20:01:27 +0000\""},
      {"feb_30", std::string(ok).replace(18, 6, "30/Feb"), ParseOutcome::kMalformed,
       "$time_local \"30/Feb/2026"},
      {"status_not_a_number", std::string(ok).replace(76, 3, "2x0"), ParseOutcome::kMalformed,
       "$status \"2x0\" is not a whole number (value from byte 76)"},
      {"bytes_not_a_number", std::string(ok).replace(80, 2, "5a"), ParseOutcome::kMalformed,
       "$body_bytes_sent \"5a\" is not a whole number"},
      {"remote_addr_not_an_address", "www.crowdsec.net " + ok, ParseOutcome::kMalformed,
       "$remote_addr \"www.crowdsec.net 127.50.3.101\" holds no IP address"},
      {"nginx_error_line",
       "2021/12/01 13:53:33 [error] 31#31: *46 \"/usr/share/nginx/html/market/index.html\" is "
       "not found (2: No such file or directory), client: 172.17.0.1, server: localhost",
       ParseOutcome::kNoMatch, "expected \" - \" after $remote_addr (value from byte 0)"},
      {"nul_and_invalid_utf8_in_user_agent",
       std::string(ok).replace(ok.size() - 12, 4, std::string("\0\xff\xfe\x80", 4)),
       ParseOutcome::kParsed, ""},
      {"raw_quote_in_user_agent_escape_none", std::string(ok).replace(ok.size() - 5, 1, "\""),
       ParseOutcome::kNoMatch, "after $http_user_agent"},
  };
}

TEST(NginxAccessRobustnessTest, OutcomesAndReasons) {
  auto parser = NewNginxAccessParser(Formats({kNginxCombinedLogFormat}));
  ASSERT_TRUE(parser.ok());
  const TimeZone utc = TimeZone::Utc();
  const LineContext ctx{&utc, Timestamp()};
  Event event;
  for (const OutcomeRow& row : OutcomeRows()) {
    SCOPED_TRACE(row.name);
    const ParseResult r = (*parser)->Parse(row.line, ctx, &event);
    EXPECT_EQ(static_cast<int>(r.outcome), static_cast<int>(row.outcome)) << r.reason;
    EXPECT_NE(r.reason.find(row.reason), std::string::npos) << r.reason;
    if (r.outcome != ParseOutcome::kParsed) {
      EXPECT_FALSE(r.reason.empty());
    }
  }
}

TEST(NginxAccessRobustnessTest, SeveralFormatsNameTheOneThatGotFurthest) {
  auto parser = NewNginxAccessParser(Formats({kVhostCombined, kNginxCombinedLogFormat}));
  ASSERT_TRUE(parser.ok());
  const TimeZone utc = TimeZone::Utc();
  const LineContext ctx{&utc, Timestamp()};
  Event event;
  const std::string bad_time = std::string(kLabCombined).replace(31, 1, "5");
  ParseResult r = (*parser)->Parse(bad_time, ctx, &event);
  EXPECT_EQ(r.outcome, ParseOutcome::kMalformed);
  EXPECT_EQ(r.reason.rfind("log_format #2: $time_local", 0), 0u) << r.reason;

  r = (*parser)->Parse(std::string(kLabCombined).substr(0, 50), ctx, &event);
  EXPECT_EQ(r.outcome, ParseOutcome::kNoMatch);
  EXPECT_EQ(
      r.reason.rfind("log_format #2: expected \"\\x22 \" after $request (value from byte 47)", 0),
      0u)
      << r.reason;
}

TEST(NginxAccessRobustnessTest, HugeLines) {
  auto parser = NewNginxAccessParser(Formats({kNginxCombinedLogFormat, kLabExt}));
  ASSERT_TRUE(parser.ok());
  const TimeZone utc = TimeZone::Utc();
  const LineContext ctx{&utc, Timestamp()};
  Event event;
  const std::string uri(1 << 20, 'a');
  std::string line(kLabCombined);
  line.replace(line.find("/api/items/362"), 14, "/" + uri);
  ParseResult r = (*parser)->Parse(line, ctx, &event);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(event.Extra("uri").size(), uri.size() + 1);

  for (const char fill : {' ', '"', '-', '[', '\\', '\0'}) {
    SCOPED_TRACE(static_cast<int>(fill));
    r = (*parser)->Parse(std::string(1 << 20, fill), ctx, &event);
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(r.reason.empty());
    EXPECT_LT(r.reason.size(), 300u);
  }
  // Many " - " literals for the backtracking matcher to try.
  std::string dashes;
  for (int i = 0; i < 100000; ++i) dashes += "1.2.3.4 - ";
  r = (*parser)->Parse(dashes, ctx, &event);
  EXPECT_EQ(r.outcome, ParseOutcome::kNoMatch) << r.reason;
}

// Seeded random bytes and mutations of real lines: never a crash, always a
// reason when not parsed, and a parsed line always has a time.
TEST(NginxAccessRobustnessTest, RandomBytesAndMutations) {
  auto parser = NewNginxAccessParser(
      Formats({kLabExt, kNginxCombinedLogFormat, kIngressUpstreamInfo, kXffFirst, kNpmProxy}));
  ASSERT_TRUE(parser.ok());
  const TimeZone utc = TimeZone::Utc();
  const LineContext ctx{&utc, Timestamp()};
  Event event;
  std::mt19937 rng(20261123);
  const std::string alphabet = "\"[]- :/,.0123456789\\xaGET HTTP/1.1+0000Nov\0\xff\r";
  const std::vector<std::string> seeds = {
      std::string(kLabCombined),
      "127.50.3.101 - - [23/Nov/2026:20:01:27 +0000] \"GET /api/items/362 HTTP/1.1\" 200 51 "
      "\"-\" \"curl/7.88.1\" rport=42697 conn=2 creq=1 rt=0.001 msec=1795464087.370 tls=- "
      "cipher=- saddr=127.0.0.1 sport=27100 ups=127.0.0.1:27080 ustatus=200 urt=0.001 "
      "rid=fa974272f877eb630cda391a16e3629a"};
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line;
    if (i % 2 == 0) {
      const size_t n = rng() % 300;
      for (size_t k = 0; k < n; ++k) line.push_back(alphabet[rng() % alphabet.size()]);
    } else {
      line = seeds[rng() % seeds.size()];
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !line.empty(); ++e) {
        const size_t at = rng() % line.size();
        switch (rng() % 4) {
          case 0:
            line[at] = alphabet[rng() % alphabet.size()];
            break;
          case 1:
            line.erase(at, 1 + rng() % 8);
            break;
          case 2:
            line.insert(at, 1, alphabet[rng() % alphabet.size()]);
            break;
          default:
            line.resize(at);
            break;
        }
      }
    }
    const ParseResult r = (*parser)->Parse(line, ctx, &event);
    if (r.ok()) {
      ++parsed;
      EXPECT_EQ(event.kind, EventKind::kRequest);
    } else {
      ASSERT_FALSE(r.reason.empty()) << line;
    }
  }
  EXPECT_GT(parsed, 100);  // mutations that keep the shape still parse
}

struct CompileRow {
  const char* name;
  std::vector<std::string> formats;
  const char* error;  // substring; "" = compiles
};

TEST(NginxAccessCompileTest, LogFormatErrors) {
  const std::vector<CompileRow> rows = {
      {"no_formats", {}, "no log_format given"},
      {"empty", {""}, "log_format #1 \"\": the format is empty"},
      {"dollar_without_name",
       {"$remote_addr $ [$time_local]"},
       "log_format #1 \"$remote_addr $ [$time_local]\": position 13: \"$\" is not followed by a "
       "variable name"},
      {"dollar_at_end", {"[$time_local] $"}, "position 14: \"$\" is not followed"},
      {"unterminated_bracket",
       {"${remote_addr [$time_local]"},
       "position 0: \"${\" without a closing \"}\""},
      {"bracket_with_bad_char", {"${remote-addr} [$time_local]"}, "position 0: \"${\" without"},
      {"empty_bracket", {"${} [$time_local]"}, "position 0: \"$\" is not followed"},
      {"no_time",
       {"$remote_addr $status"},
       "no time variable ($msec, $time_local or $time_iso8601)"},
      {"second_format_named",
       {std::string(kNginxCombinedLogFormat), "$remote_addr - $status"},
       "log_format #2 \"$remote_addr - $status\": no time variable"},
      {"long_format_label_is_cut",
       {std::string(kNginxCombinedLogFormat) + " $"},
       "log_format #1 \"$remote_addr - $remote_user [$time_local] \\\"$requ...\": position 113"},
      {"combined", {std::string(kNginxCombinedLogFormat)}, ""},
      {"bracket_syntax", {"${remote_addr}x [${time_local}] ${status}"}, ""},
      {"iso8601_only", {"$time_iso8601 $remote_addr"}, ""},
      {"msec_only", {"$msec"}, ""},
  };
  std::string many;
  for (int i = 0; i < 65; ++i) many += "$v" + std::to_string(i) + " ";
  many += "$msec";
  for (CompileRow row : rows) {
    SCOPED_TRACE(row.name);
    auto parser = NewNginxAccessParser(row.formats);
    if (*row.error == '\0') {
      EXPECT_TRUE(parser.ok()) << parser.status().message();
    } else {
      ASSERT_FALSE(parser.ok());
      EXPECT_NE(parser.status().message().find(row.error), std::string::npos)
          << parser.status().message();
    }
  }
  auto too_many = NewNginxAccessParser(Formats({many}));
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("more than 64 variables"), std::string::npos);
}

// Formats built from the other variables: ${} syntax, $time_iso8601, a
// variable at the end of the line, adjacent variables, $binary_remote_addr.
TEST(NginxAccessCompileTest, OtherShapes) {
  const TimeZone utc = TimeZone::Utc();
  const LineContext ctx{&utc, Timestamp()};
  Event event;

  auto iso = NewNginxAccessParser(
      Formats({"$time_iso8601 ${remote_addr}:$remote_port $status $request_time $request_id"}));
  ASSERT_TRUE(iso.ok()) << iso.status().message();
  ParseResult r =
      (*iso)->Parse("2026-11-23T21:01:30+01:00 [2001:db8::1]:443 200 0.25 abc def", ctx, &event);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(FormatRfc3339(event.time, 0), "2026-11-23T20:01:30Z");
  EXPECT_EQ(event.precision, std::chrono::seconds(1));
  // The ':' after $remote_addr is found at the one that leaves digits.
  EXPECT_EQ(event.client_ip->ToString(), "2001:db8::1");
  EXPECT_EQ(event.client_port, 443);
  EXPECT_EQ(event.status, 200);
  EXPECT_EQ(event.duration, std::chrono::milliseconds(250));
  EXPECT_EQ(event.request_id, "abc def");  // the last variable takes the rest
  r = (*iso)->Parse("2026-11-23T21:01:30+01:00 [2001:db8::1]:443x 200 0.25 abc", ctx, &event);
  EXPECT_EQ(r.outcome, ParseOutcome::kMalformed);
  EXPECT_NE(r.reason.find("$remote_port \"db8::1]:443x\" is not a whole number"), std::string::npos)
      << r.reason;

  // Adjacent variables: the first takes a run of non-space bytes.
  auto adjacent = NewNginxAccessParser(Formats({"$msec $http_host$request_uri end"}));
  ASSERT_TRUE(adjacent.ok());
  r = (*adjacent)->Parse("1795464090.372 example.com end", ctx, &event);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(event.Extra("http_host"), "example.com");
  EXPECT_EQ(event.Extra("request_uri"), "");

  auto bin = NewNginxAccessParser(Formats({"$binary_remote_addr $msec \"$request\""}));
  ASSERT_TRUE(bin.ok());
  r = (*bin)->Parse("\\x7F\\x00\\x00\\x01 1795464090.372 \"GET / HTTP/1.0\"", ctx, &event);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(event.client_ip->ToString(), "127.0.0.1");
  EXPECT_EQ(FormatRfc3339(event.time, 3), "2026-11-23T20:01:30.372Z");
  r = (*bin)->Parse("\\x7F\\x00 1795464090.372 \"GET / HTTP/1.0\"", ctx, &event);
  EXPECT_EQ(r.outcome, ParseOutcome::kMalformed);
  EXPECT_NE(r.reason.find("$binary_remote_addr"), std::string::npos) << r.reason;
}

}  // namespace
}  // namespace culprit::parsers
