// Every file of ../shared/corpus through the parser an operator would
// configure for it. Prints the parse rate per file and every line left
// unparsed with the parser's reason.
//
// - lab-dev (logs written by real servers): each file >= 99.9 %.
// - public (samples from other projects' test suites): >= 97 % taken
//   together, and every unparsed line must be one of the known broken
//   fixture lines listed below, with why it is broken.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "base/time_zone.h"
#include "parsers/parser_factory.h"
#include "tests/nginx/nginx_test_formats.h"

namespace culprit::parsers {
namespace {

const std::string kCorpus = std::string(CULPRIT_SOURCE_DIR) + "/../shared/corpus/";

const std::string kExtLogFormat(nginx_test::kLabExt);

ParserSpec Spec(std::string format) {
  ParserSpec s;
  s.format = std::move(format);
  return s;
}
ParserSpec Nginx(std::vector<std::string> log_formats) {
  ParserSpec s = Spec("nginx");
  s.log_formats = std::move(log_formats);
  return s;
}
ParserSpec Regex(std::string pattern, std::string time_format) {
  ParserSpec s = Spec("regex");
  s.pattern = std::move(pattern);
  s.time_format = std::move(time_format);
  return s;
}

struct CorpusFile {
  std::string path;  // under corpus/
  ParserSpec spec;
};

std::vector<CorpusFile> LabDevFiles() {
  return {
      {"lab-dev/logs/nginx/access.log", Spec("nginx_combined")},
      {"lab-dev/logs/nginx/access_ext.log", Nginx({kExtLogFormat})},
      {"lab-dev/logs/nginx/error.log", Spec("nginx_error")},
      {"lab-dev/logs/haproxy/haproxy.log", Spec("haproxy")},
      {"lab-dev/logs/stunnel/stunnel.log", Spec("stunnel")},
      {"lab-dev/logs/app/app.jsonl", Spec("json")},
      {"lab-dev/logs/app/app_netns.log",
       Regex(R"(^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<level>[A-Z]+) +)"
                   R"(\[(?P<thread>[^\]]+)\] (?P<message>.*?) client=(?:-:-|(?P<client>\S+)) )"
                   R"(request_id=(?P<request_id>\S+)(?: (?P<attrs>.*))?$)",
             "%Y-%m-%d %H:%M:%S,%f")},
      {"lab-dev/logs/firewall/firewall.log", Spec("syslog")},
  };
}

std::vector<CorpusFile> PublicFiles() {
  using namespace nginx_test;
  return {
      {"public/nginx-access/beats-ingress-nginx.log", Nginx(Formats({kIngressUpstreamInfo}))},
      {"public/nginx-access/beats-nginx-xff.log",
       Nginx(Formats({kNginxCombinedLogFormat, kCombinedXff, kXffQuotedFirst, kXffFirst}))},
      {"public/nginx-access/crowdsec-nginx-http-mixed.log",
       Nginx(Formats({kNginxCombinedLogFormat, kVhostCombined}))},
      {"public/nginx-access/crowdsec-nginx-malformed.log", Spec("nginx_combined")},
      {"public/nginx-access/crowdsec-nginx-proxy-manager.log",
       Nginx(Formats({kNpmProxy, kNpmStandard, kNginxCombinedLogFormat}))},
      {"public/nginx-access/lnav-shop-access.log", Nginx(Formats({kCombinedXff}))},
      {"public/nginx-error/beats-nginx-error.log", Spec("nginx_error")},
      {"public/nginx-error/crowdsec-nginx-req-limit.log", Spec("nginx_error")},
      {"public/nginx-error/crowdsec-pfsense-rfc5424-nginx.log", Spec("nginx_error")},
      {"public/haproxy/beats-haproxy-connect.log", Spec("haproxy")},
      {"public/haproxy/beats-haproxy-custom.log", Spec("haproxy")},
      {"public/haproxy/beats-haproxy-tcplog.log", Spec("haproxy")},
      {"public/haproxy/crowdsec-haproxy-nextcloud.log", Spec("haproxy")},
      {"public/haproxy/crowdsec-haproxy-raw.log", Spec("haproxy")},
      {"public/haproxy/lnav-haproxy.log", Spec("haproxy")},
      {"public/json/crowdsec-caddy.log", Spec("json")},
      {"public/json/crowdsec-envoy-cri.log", Spec("json")},
      {"public/json/crowdsec-traefik.log", Spec("json")},
      {"public/json/lnav-bunyan.log", Spec("json")},
      {"public/json/lnav-caddy-compose.log", Spec("json")},
      {"public/json/lnav-ecs.log", Spec("json")},
      {"public/json/lnav-pino.log", Spec("json")},
      {"public/firewall/crowdsec-iptables.log", Spec("syslog")},
      {"public/firewall/crowdsec-proxmox-pvefw.log", Spec("syslog")},
      {"public/firewall/crowdsec-ufw-iptables-scan.log", Spec("syslog")},
      {"public/syslog/crowdsec-pfsense-rfc5424-filterlog.log", Spec("syslog")},
      {"public/syslog/crowdsec-sshd.log", Spec("syslog")},
      {"public/syslog/lnav-rfc5424-nopri-nsx.log", Spec("syslog")},
      {"public/syslog/lnav-syslog-macos-multiline.log", Spec("syslog")},
      {"public/syslog/lnav-syslog.log", Spec("syslog")},
  };
}

// Public fixture lines that are broken on purpose (negative tests in the
// projects they come from), as "file:line" with the reason.
struct KnownBroken {
  std::string where;
  std::string why;
};
const std::vector<KnownBroken>& KnownBrokenLines() {
  const std::string error_log_line =
      "an nginx error.log line pasted into an access-log fixture: not an access-log line";
  const std::string envoy_text =
      "Envoy's plain-text access-log format in a fixture of JSON lines: the json format reads "
      "JSON objects only";
  static const std::vector<KnownBroken> kLines = {
      {"public/nginx-access/crowdsec-nginx-http-mixed.log:8",
       "hand-edited by the fixture's authors: the \"-\" of $remote_user is missing, so the line "
       "fits no log_format nginx can write"},
      {"public/nginx-access/crowdsec-nginx-http-mixed.log:9", error_log_line},
      {"public/nginx-access/crowdsec-nginx-proxy-manager.log:5", error_log_line},
      {"public/nginx-access/crowdsec-nginx-proxy-manager.log:6", error_log_line},
      {"public/json/crowdsec-envoy-cri.log:4", envoy_text},
      {"public/json/crowdsec-envoy-cri.log:5", envoy_text},
      {"public/json/crowdsec-envoy-cri.log:9", envoy_text},
      {"public/json/crowdsec-envoy-cri.log:10", envoy_text},
      {"public/json/crowdsec-traefik.log:6",
       "a Traefik plugin's plain debug print (\"DEBUG: CrowdsecBouncerTraefikPlugin: ...\") "
       "among Traefik's JSON access lines"},
  };
  return kLines;
}

struct FileResult {
  std::string path;
  int64_t lines = 0;
  int64_t parsed = 0;
  std::vector<std::string> unparsed;  // "file:line: reason: text"
  std::vector<std::string> unparsed_where;
};

bool Exists(const std::string& path) { return std::ifstream(path).good(); }

FileResult ParseFile(const CorpusFile& f) {
  FileResult r;
  r.path = f.path;
  auto parser = NewLineParser(f.spec);
  EXPECT_TRUE(parser.ok()) << f.path << ": " << parser.status().message();
  if (!parser.ok()) return r;
  const TimeZone utc = TimeZone::Utc();
  LineContext ctx;
  ctx.zone = &utc;
  ctx.now = FromUnixMicros(1795564800LL * 1000000);  // 2026-11-25: after every file's lines
  std::ifstream in(kCorpus + f.path, std::ios::binary);
  Event event;
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Blank lines carry nothing: ingestion skips them (SourceReader), so
    // they are not counted here either.
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++r.lines;
    ParseResult pr = (*parser)->Parse(line, ctx, &event);
    if (pr.ok()) {
      ++r.parsed;
    } else {
      const std::string where = f.path + ":" + std::to_string(n);
      r.unparsed_where.push_back(where);
      r.unparsed.push_back(where + ": " + pr.reason + ": " + line.substr(0, 160));
    }
  }
  return r;
}

void Print(const FileResult& r) {
  std::printf("%-58s %6lld/%-6lld %7.3f %%\n", r.path.c_str(), static_cast<long long>(r.parsed),
              static_cast<long long>(r.lines), r.lines ? 100.0 * r.parsed / r.lines : 100.0);
  for (const std::string& u : r.unparsed) std::printf("    unparsed %s\n", u.c_str());
}

TEST(CorpusTest, LabDevFilesParseAtLeast999PerMille) {
  if (!Exists(kCorpus + "lab-dev/manifest.json")) GTEST_SKIP() << "no corpus at " << kCorpus;
  for (const CorpusFile& f : LabDevFiles()) {
    FileResult r = ParseFile(f);
    Print(r);
    ASSERT_GT(r.lines, 0) << f.path;
    EXPECT_GE(r.parsed * 1000, r.lines * 999) << f.path;
  }
}

TEST(CorpusTest, PublicFilesParseAtLeast97PercentAndOnlyBrokenLinesFail) {
  if (!Exists(kCorpus + "public/MANIFEST.md")) GTEST_SKIP() << "no corpus at " << kCorpus;
  std::set<std::string> known;
  for (const KnownBroken& k : KnownBrokenLines()) known.insert(k.where);
  int64_t lines = 0, parsed = 0;
  for (const CorpusFile& f : PublicFiles()) {
    FileResult r = ParseFile(f);
    Print(r);
    ASSERT_GT(r.lines, 0) << f.path;
    lines += r.lines;
    parsed += r.parsed;
    for (const std::string& w : r.unparsed_where) {
      EXPECT_TRUE(known.count(w)) << w << " did not parse and is not a known broken line";
    }
  }
  std::printf("public corpus: %lld/%lld lines parsed (%.2f %%)\n", static_cast<long long>(parsed),
              static_cast<long long>(lines), 100.0 * parsed / lines);
  std::printf("known broken fixture lines:\n");
  for (const KnownBroken& k : KnownBrokenLines()) {
    std::printf("    %s: %s\n", k.where.c_str(), k.why.c_str());
  }
  EXPECT_GE(parsed * 100, lines * 97);
}

}  // namespace
}  // namespace culprit::parsers
