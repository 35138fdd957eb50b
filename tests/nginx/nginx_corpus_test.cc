// Every line of the corpus nginx access logs through the parser, with the
// log_format(s) each file was written with.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/time.h"
#include "base/time_zone.h"
#include "parsers/nginx/nginx_access_parser.h"
#include "tests/nginx/nginx_test_formats.h"

namespace culprit::parsers {
namespace {

using namespace nginx_test;  // NOLINT: test-local constants

struct FileStats {
  size_t lines = 0;
  size_t parsed = 0;
  std::vector<std::string> unparsed;  // "line N: <outcome>: <reason>"
};

FileStats ParseFile(const std::string& relative, const std::vector<std::string>& formats) {
  FileStats stats;
  auto parser = NewNginxAccessParser(formats);
  EXPECT_TRUE(parser.ok()) << parser.status().message();
  if (!parser.ok()) return stats;
  const std::vector<std::string> lines = ReadLines(CorpusPath(relative));
  EXPECT_FALSE(lines.empty()) << "cannot read " << relative;
  const TimeZone utc = TimeZone::Utc();
  const LineContext ctx{&utc, Timestamp()};
  Event event;
  for (const std::string& line : lines) {
    ++stats.lines;
    const ParseResult r = (*parser)->Parse(line, ctx, &event);
    if (r.ok()) {
      ++stats.parsed;
      EXPECT_EQ(event.kind, EventKind::kRequest);
      EXPECT_NE(event.time, Timestamp()) << line;
      continue;
    }
    EXPECT_FALSE(r.reason.empty()) << line;
    stats.unparsed.push_back("line " + std::to_string(stats.lines) + ": " +
                             (r.outcome == ParseOutcome::kNoMatch ? "no match: " : "malformed: ") +
                             r.reason);
  }
  std::printf("%-45s %4zu/%4zu parsed (%.2f%%)\n", relative.c_str(), stats.parsed, stats.lines,
              stats.lines == 0
                  ? 0.0
                  : 100.0 * static_cast<double>(stats.parsed) / static_cast<double>(stats.lines));
  for (const std::string& u : stats.unparsed) std::printf("    %s\n", u.c_str());
  return stats;
}

TEST(NginxCorpusTest, LabDevAccessLogsParse) {
  struct File {
    const char* path;
    std::vector<std::string> formats;
  };
  const File files[] = {
      {"lab-dev/logs/nginx/access.log", Formats({kNginxCombinedLogFormat})},
      {"lab-dev/logs/nginx/access_ext.log", Formats({kLabExt})},
  };
  for (const File& f : files) {
    SCOPED_TRACE(f.path);
    const FileStats stats = ParseFile(f.path, f.formats);
    ASSERT_GT(stats.lines, 0u);
    EXPECT_GE(static_cast<double>(stats.parsed), 0.999 * static_cast<double>(stats.lines));
  }
}

// The lab's nginx wrote each request to both files: the combined entry and
// the ext entry must agree, and $msec must fall within $time_local's second.
TEST(NginxCorpusTest, LabDevCombinedAndExtAgree) {
  const std::vector<std::string> combined = ReadLines(CorpusPath("lab-dev/logs/nginx/access.log"));
  const std::vector<std::string> ext = ReadLines(CorpusPath("lab-dev/logs/nginx/access_ext.log"));
  ASSERT_EQ(combined.size(), ext.size());
  auto pc = NewNginxAccessParser(Formats({kNginxCombinedLogFormat}));
  auto pe = NewNginxAccessParser(Formats({kLabExt}));
  ASSERT_TRUE(pc.ok() && pe.ok());
  const TimeZone utc = TimeZone::Utc();
  const LineContext ctx{&utc, Timestamp()};
  Event ec;
  Event ee;
  size_t causes = 0;
  for (size_t i = 0; i < combined.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i + 1));
    ASSERT_TRUE((*pc)->Parse(combined[i], ctx, &ec).ok());
    ASSERT_TRUE((*pe)->Parse(ext[i], ctx, &ee).ok());
    EXPECT_EQ(ec.client_ip, ee.client_ip);
    EXPECT_EQ(ec.status, ee.status);
    EXPECT_EQ(ec.bytes_out, ee.bytes_out);
    EXPECT_EQ(ec.Extra("uri"), ee.Extra("uri"));
    EXPECT_EQ(ec.cause, ee.cause);
    EXPECT_GE(ee.time, ec.time);
    EXPECT_LT(ee.time, ec.time + std::chrono::seconds(1));
    EXPECT_EQ(ec.precision, std::chrono::seconds(1));
    EXPECT_EQ(ee.precision, std::chrono::milliseconds(1));
    EXPECT_NE(ee.client_port, 0);
    EXPECT_FALSE(ee.conn_id.empty());
    EXPECT_EQ(ee.request_id.size(), 32u);
    if (ee.cause != Cause::kNone) ++causes;
  }
  EXPECT_GT(causes, 0u);
}

TEST(NginxCorpusTest, PublicAccessLogs) {
  struct File {
    const char* path;
    std::vector<std::string> formats;
    // Lines that are not access-log entries of these formats (see
    // public/MANIFEST.md): interleaved error.log lines, hand-edited lines.
    size_t expected_unparsed;
  };
  const File files[] = {
      {"public/nginx-access/beats-ingress-nginx.log", Formats({kIngressUpstreamInfo}), 0},
      {"public/nginx-access/beats-nginx-xff.log",
       Formats({kNginxCombinedLogFormat, kCombinedXff, kXffQuotedFirst, kXffFirst}), 0},
      // Line 8 lacks the "-" of $remote_user ("1.2.3.4 - [...]", edited by
      // crowdsec); line 9 is an error.log line.
      {"public/nginx-access/crowdsec-nginx-http-mixed.log",
       Formats({kNginxCombinedLogFormat, kVhostCombined}), 2},
      {"public/nginx-access/crowdsec-nginx-malformed.log", Formats({kNginxCombinedLogFormat}), 0},
      // Two error.log lines.
      {"public/nginx-access/crowdsec-nginx-proxy-manager.log",
       Formats({kNpmProxy, kNpmStandard, kNginxCombinedLogFormat}), 2},
      {"public/nginx-access/lnav-shop-access.log", Formats({kCombinedXff}), 0},
  };
  for (const File& f : files) {
    SCOPED_TRACE(f.path);
    const FileStats stats = ParseFile(f.path, f.formats);
    ASSERT_GT(stats.lines, 0u);
    EXPECT_EQ(stats.lines - stats.parsed, f.expected_unparsed);
  }
}

}  // namespace
}  // namespace culprit::parsers
