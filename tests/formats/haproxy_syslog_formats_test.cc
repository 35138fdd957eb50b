// The haproxy and syslog format files against real logs: every sample
// loads, every corpus line is parsed or rejected with a reason (printed),
// and the lab-dev answer key's haproxy/firewall evidence lines get the
// case's cause.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "base/time.h"
#include "base/time_zone.h"
#include "parsers/format/format_loader.h"
#include "parsers/format/format_parser.h"

namespace culprit::parsers {
namespace {

std::string CorpusPath(std::string_view rel) {
  return std::string(CULPRIT_SOURCE_DIR) + "/../shared/corpus/" + std::string(rel);
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::unique_ptr<LineParser> Parser(std::string_view format) {
  auto def = BuiltinFormat(format);
  EXPECT_TRUE(def.ok()) << def.status().ToString();
  if (!def.ok()) return nullptr;
  auto p = NewFormatParser(*def);
  EXPECT_TRUE(p.ok());
  return p.ok() ? std::move(*p) : nullptr;
}

// The lab ran in November 2026 (UTC); public files are read "now" in the
// same way, which only affects syslog stamps without a year.
LineContext LabContext(const TimeZone* zone) {
  return LineContext{zone, ParseRfc3339("2026-11-24T00:00:00Z").value()};
}

struct FileCase {
  const char* format;
  const char* file;
  double min_rate;  // fraction of lines that must parse
};

// Rejects allowed in public files (fixtures with deliberately broken
// lines) are listed in the printed report with their reasons.
const FileCase kFiles[] = {
    {"haproxy", "lab-dev/logs/haproxy/haproxy.log", 0.999},
    {"syslog", "lab-dev/logs/firewall/firewall.log", 0.999},
    {"haproxy", "public/haproxy/beats-haproxy-connect.log", 1.0},
    {"haproxy", "public/haproxy/beats-haproxy-custom.log", 1.0},
    {"haproxy", "public/haproxy/beats-haproxy-tcplog.log", 1.0},
    {"haproxy", "public/haproxy/crowdsec-haproxy-nextcloud.log", 1.0},
    {"haproxy", "public/haproxy/crowdsec-haproxy-raw.log", 1.0},
    {"haproxy", "public/haproxy/lnav-haproxy.log", 1.0},
    {"syslog", "public/firewall/crowdsec-iptables.log", 1.0},
    {"syslog", "public/firewall/crowdsec-proxmox-pvefw.log", 1.0},
    {"syslog", "public/firewall/crowdsec-ufw-iptables-scan.log", 1.0},
    {"syslog", "public/syslog/crowdsec-pfsense-rfc5424-filterlog.log", 1.0},
    {"syslog", "public/syslog/crowdsec-sshd.log", 1.0},
    {"syslog", "public/syslog/lnav-rfc5424-nopri-nsx.log", 1.0},
    {"syslog", "public/syslog/lnav-syslog-macos-multiline.log", 1.0},
    {"syslog", "public/syslog/lnav-syslog.log", 1.0},
};

TEST(HaproxySyslogFormatsTest, BothLoadWithTheirSamples) {
  for (const char* name : {"haproxy", "syslog"}) {
    SCOPED_TRACE(name);
    auto def = BuiltinFormat(name);
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    EXPECT_FALSE((*def)->samples.empty());
  }
}

TEST(HaproxySyslogFormatsTest, CorpusFilesParse) {
  const TimeZone utc;
  const LineContext ctx = LabContext(&utc);
  for (const FileCase& fc : kFiles) {
    SCOPED_TRACE(fc.file);
    auto parser = Parser(fc.format);
    ASSERT_NE(parser, nullptr);
    const std::vector<std::string> lines = ReadLines(CorpusPath(fc.file));
    ASSERT_FALSE(lines.empty()) << "missing corpus file";
    int parsed = 0;
    std::map<std::string, int> kinds;
    std::map<std::string, int> causes;
    Event event;
    Event fresh_event;
    for (const std::string& line : lines) {
      const ParseResult r = parser->Parse(line, ctx, &event);
      // The engine tries the source's previous pattern first, so the
      // patterns must be disjoint: a parser with no history must agree
      // (except on continuation lines, which need the previous line).
      if (line[0] != '\t') {
        auto fresh = Parser(fc.format);
        ASSERT_NE(fresh, nullptr);
        const ParseResult fr = fresh->Parse(line, ctx, &fresh_event);
        EXPECT_EQ(fr.outcome, r.outcome) << line;
        EXPECT_EQ(fresh_event.cause, event.cause) << line;
        EXPECT_EQ(fresh_event.kind, event.kind) << line;
        EXPECT_EQ(fresh_event.detail, event.detail) << line;
      }
      if (r.ok()) {
        ++parsed;
        ++kinds[std::string(EventKindName(event.kind))];
        ++causes[std::string(CauseName(event.cause))];
      } else {
        std::printf("  reject %s: %s\n      %s\n", fc.file, r.reason.c_str(), line.c_str());
      }
    }
    const double rate = static_cast<double>(parsed) / static_cast<double>(lines.size());
    std::string kind_text;
    for (const auto& [k, n] : kinds) kind_text += " " + k + "=" + std::to_string(n);
    kind_text += " |";
    for (const auto& [c, n] : causes) kind_text += " " + c + "=" + std::to_string(n);
    std::printf("%-9s %-55s %5d/%-5zu %6.2f%% %s\n", fc.format, fc.file, parsed, lines.size(),
                100.0 * rate, kind_text.c_str());
    EXPECT_GE(rate, fc.min_rate);
  }
}

// Tiny reader for the answer key's fields: "cause" and the "lines" of each
// evidence entry whose "file" is one of ours. evidence.jsonl is JSON, but
// its strings only use the \" and \\ escapes, which this undoes.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      if (s[i] == 'n') {
        out.push_back('\n');
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// Returns the string value starting at line[pos] (just after the opening
// quote) and moves pos past the closing quote.
std::string ReadJsonString(const std::string& line, size_t* pos) {
  size_t i = *pos;
  while (i < line.size() && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
  std::string s = Unescape(std::string_view(line).substr(*pos, i - *pos));
  *pos = i + 1;
  return s;
}

struct Evidence {
  std::string cause;
  std::string file;
  std::string line;
};

std::vector<Evidence> ReadEvidence() {
  std::vector<Evidence> out;
  for (const std::string& row : ReadLines(CorpusPath("lab-dev/evidence.jsonl"))) {
    size_t p = row.find("\"cause\": \"");
    if (p == std::string::npos) continue;
    p += 10;
    const std::string cause = ReadJsonString(row, &p);
    while ((p = row.find("\"file\": \"", p)) != std::string::npos) {
      p += 9;
      const std::string file = ReadJsonString(row, &p);
      const size_t lines_at = row.find("\"lines\": [", p);
      if (lines_at == std::string::npos) break;
      p = lines_at + 10;
      while (p < row.size() && row[p] == '"') {
        ++p;
        const std::string line = ReadJsonString(row, &p);
        if (file == "logs/haproxy/haproxy.log" || file == "logs/firewall/firewall.log") {
          out.push_back({cause, file, line});
        }
        while (p < row.size() && (row[p] == ',' || row[p] == ' ')) ++p;
      }
    }
  }
  return out;
}

// Evidence lines the format cannot classify as the case's cause, by design:
//  - pm_http_to_haproxy_tls: HAProxy 2.6 logs plain HTTP on its TLS port as
//    the same "SSL handshake failure" as a TLS version mismatch;
//  - idle_haproxy: the evidence is the last normal request on that
//    connection (HAProxy logs nothing when a keep-alive times out);
//  - shut_haproxy's "Proxy hard-stopped" is SERVER_SHUTDOWN (agrees).
// The test reports the agreement rate and requires the remaining ones.
TEST(HaproxySyslogFormatsTest, LabEvidenceAgreesWithTheCases) {
  const TimeZone utc;
  const LineContext ctx = LabContext(&utc);
  const std::vector<Evidence> evidence = ReadEvidence();
  ASSERT_GT(evidence.size(), 40u);
  int agree = 0;
  int expected_disagreements = 0;
  for (const Evidence& e : evidence) {
    SCOPED_TRACE(e.line);
    auto parser = Parser(e.file == "logs/haproxy/haproxy.log" ? "haproxy" : "syslog");
    ASSERT_NE(parser, nullptr);
    Event event;
    const ParseResult r = parser->Parse(e.line, ctx, &event);
    ASSERT_TRUE(r.ok()) << r.reason;
    const std::string got(CauseName(event.cause));
    if (got == e.cause) {
      ++agree;
      continue;
    }
    const bool known = (e.cause == "PROTOCOL_MISMATCH" &&
                        e.line.find("SSL handshake failure") != std::string::npos) ||
                       (e.cause == "IDLE_TIMEOUT" && event.detail == "----");
    std::printf("  evidence %s: got %s (%s)%s\n      %s\n", e.cause.c_str(), got.c_str(),
                event.detail.c_str(), known ? " [known limit]" : "", e.line.c_str());
    if (known) {
      ++expected_disagreements;
    } else {
      ADD_FAILURE() << "cause " << got << ", want " << e.cause;
    }
  }
  std::printf("lab evidence (haproxy + firewall): %d/%zu agree (%.1f%%), %d known limits\n", agree,
              evidence.size(), 100.0 * agree / static_cast<double>(evidence.size()),
              expected_disagreements);
}

// Rule branches the corpus files do not reach. The message texts are the
// programs' own (RESET_SIGNATURES.md §3.5, §3.6, §7; ufw's prefixes; the
// kernel's nf_log format with an IPv6 packet); headers and addresses are
// the lab's.
struct RuleRow {
  const char* format;
  const char* line;
  const char* cause;
  const char* kind;
  const char* detail;  // "" = not checked
};

const RuleRow kRuleRows[] = {
    {"syslog",
     "Nov 23 20:04:06 vm kernel: [UFW ALLOW] IN=eth0 OUT= SRC=198.51.100.7 DST=10.0.0.5 LEN=60 "
     "PROTO=TCP SPT=51514 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0",
     "NONE", "firewall", "[UFW ALLOW]"},
    {"syslog",
     "Nov 23 20:04:06 vm kernel: [UFW LIMIT BLOCK] IN=eth0 OUT= SRC=198.51.100.7 DST=10.0.0.5 "
     "LEN=60 PROTO=TCP SPT=51514 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0",
     "RATE_LIMITED", "firewall", "[UFW LIMIT BLOCK]"},
    {"syslog",
     "2026-11-23T20:04:06.123456+00:00 vm kernel: filter_IN_public_REJECT: IN=eth0 OUT= "
     "MAC=52:54:00:35:68:8a:52:54:00:de:8f:39:86:dd SRC=2001:db8::7 DST=2001:db8::5 LEN=80 TC=0 "
     "HOPLIMIT=64 FLOWLBL=0 PROTO=TCP SPT=51514 DPT=443 WINDOW=64800 RES=0x00 SYN URGP=0",
     "FIREWALL", "firewall", "filter_IN_public_REJECT:"},
    {"syslog",
     "Oct 20 15:51:50 bullseye kernel: IN=eth0 OUT= MAC=52:54:00:35:68:8a:52:54:00:de:8f:39:08:00 "
     "SRC=192.168.121.1 DST=192.168.121.182 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=22309 DF "
     "PROTO=TCP SPT=55530 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0",
     "FIREWALL", "firewall", ""},
    {"syslog", "Nov 23 20:05:01 vm kernel: ip_conntrack: table full, dropping packet.",
     "RESOURCE_EXHAUSTION", "process", "conntrack table full"},
    {"syslog",
     "Nov 23 20:05:01 vm kernel: TCP: Possible SYN flooding on port 443. Sending cookies.  Check "
     "SNMP counters.",
     "RESOURCE_EXHAUSTION", "process", "Sending cookies"},
    {"syslog",
     "Nov 23 20:05:01 vm kernel: TCP: request_sock_TCPv6: Possible SYN flooding on port [::]:443. "
     "Dropping request.",
     "RESOURCE_EXHAUSTION", "process", "Dropping request"},
    {"syslog",
     "Nov 23 20:05:01 vm kernel: Memory cgroup out of memory: Killed process 4242 (node) "
     "total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:1kB "
     "oom_score_adj:0",
     "RESOURCE_EXHAUSTION", "process", "OOM kill"},
    {"syslog", "Nov 23 20:05:01 vm kernel: TCP: out of memory -- consider tuning tcp_mem",
     "RESOURCE_EXHAUSTION", "process", ""},
    {"syslog", "Nov 23 20:05:01 vm sshd[1]: Accepted publickey for root from 192.0.2.1 port 22 ssh2",
     "NONE", "other", ""},
    {"haproxy",
     "Nov 23 20:01:32 lab-host haproxy[1]: 127.0.0.1:56059 [03/Dec/2012:17:35:10.380] frt/f1: "
     "Connection error during SSL handshake",
     "CLIENT_ABORT", "tls", "connection_reset"},
    {"haproxy",
     "Nov 23 20:01:32 lab-host haproxy[1]: 127.0.0.1:56059 [03/Dec/2012:17:35:10.380] frt/f1: "
     "Timeout during SSL handshake",
     "REQUEST_TIMEOUT", "tls", "timeout"},
    {"haproxy",
     "Nov 23 20:01:32 lab-host haproxy[1]: 127.0.0.1:56059 [03/Dec/2012:17:35:10.380] frt/f1: "
     "SSL handshake failure (error:0A00010B:SSL routines::wrong version number)",
     "PROTOCOL_MISMATCH", "tls", "wrong_version_number"},
    {"haproxy",
     "Nov 23 20:01:32 lab-host haproxy[1]: 127.0.0.1:56059 [03/Dec/2012:17:35:10.380] frt/f1: "
     "Received something which does not look like a PROXY protocol header",
     "PROTOCOL_MISMATCH", "connection", ""},
    {"haproxy",
     "Nov 23 20:01:32 lab-host haproxy[1]: 127.0.0.1:56059 [03/Dec/2012:17:35:10.380] frt/f1: "
     "Reached configured maxconn value",
     "RESOURCE_EXHAUSTION", "connection", ""},
    {"haproxy",
     "Nov 23 20:01:32 lab-host haproxy[1]: 127.20.41.10:43273 [23/Nov/2026:20:04:04.072] fe_api "
     "fe_api/<NOSRV> 0/-1/-1/-1/0 429 200 - - PR-- 1/1/0/0/0 0/0 \"GET /api HTTP/1.1\"",
     "RATE_LIMITED", "request", "PR--"},
    {"haproxy",
     "Nov 23 20:01:32 lab-host haproxy[1]: 127.20.41.10:43273 [23/Nov/2026:20:04:04.072] fe_api "
     "fe_api/<NOSRV> 0/-1/-1/-1/0 302 0 - - LR-- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"",
     "NONE", "request", "LR--"},
    {"haproxy",
     "Nov 23 20:01:32 lab-host haproxy[1]: [2001:db8::7]:43273 [23/Nov/2026:20:04:04.072] fe be/s "
     "0/0/0/1/5 200 10 - - cD-- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"",
     "IDLE_TIMEOUT", "request", "cD--"},
    {"haproxy", "Nov 23 20:01:32 lab-host haproxy[1]: Stopping frontend fe_http in 0 ms.",
     "SERVER_SHUTDOWN", "process", "stopping"},
    {"haproxy",
     "Nov 23 20:01:32 lab-host haproxy[1]: Server be_app/app1 is going DOWN for maintenance. 0 "
     "active and 0 backup servers left.",
     "SERVER_SHUTDOWN", "process", "server in maintenance"},
    {"haproxy", "Nov 23 20:01:32 lab-host haproxy[1]: backend be_app has no server available!",
     "UPSTREAM_FAILURE", "process", "no server available"},
};

TEST(HaproxySyslogFormatsTest, RuleBranches) {
  const TimeZone utc;
  const LineContext ctx = LabContext(&utc);
  for (const RuleRow& row : kRuleRows) {
    SCOPED_TRACE(row.line);
    auto parser = Parser(row.format);
    ASSERT_NE(parser, nullptr);
    Event event;
    const ParseResult r = parser->Parse(row.line, ctx, &event);
    ASSERT_TRUE(r.ok()) << r.reason;
    EXPECT_EQ(CauseName(event.cause), row.cause);
    EXPECT_EQ(EventKindName(event.kind), row.kind);
    if (row.detail[0] != '\0') {
      EXPECT_EQ(event.detail, row.detail);
    }
  }
}

TEST(HaproxySyslogFormatsTest, GarbageNeverCrashes) {
  const TimeZone utc;
  const LineContext ctx = LabContext(&utc);
  for (const char* name : {"haproxy", "syslog"}) {
    auto parser = Parser(name);
    ASSERT_NE(parser, nullptr);
    Event event;
    const std::string huge(1 << 20, 'x');
    const std::string cases[] = {
        "",
        std::string("Nov 23 20:04:06 vm \0\xff\xfe IN=lo OUT= SRC=1.2.3.4 DST=5.6.7.8", 56),
        "Nov 23 20:04:06 vm [UFW BLOCK] IN=lo OUT= SRC=999.1.1.1 DST=1.1.1.1 PROTO=TCP",
        "1.2.3.4:5 [23/Nov/2026:20:03:08.683] fe be/s 0/0/0/0/51 200 1 - - ZZ-- 1/1/0/0/0 0/0 \"x\"",
        "Nov 23 20:04:06 h haproxy[1]: " + huge,
        huge,
    };
    for (const std::string& line : cases) {
      const ParseResult r = parser->Parse(line, ctx, &event);
      if (!r.ok()) {
        EXPECT_FALSE(r.reason.empty());
      }
    }
  }
}

}  // namespace
}  // namespace culprit::parsers
