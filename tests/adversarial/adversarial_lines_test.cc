// Every format of the catalog (parsers/format_catalog.h) against lines an
// attacker, a broken client or a disk error can put in a log: random bytes,
// NUL bytes, invalid UTF-8, a TLS ClientHello logged raw, a 5 MB line, and
// real lines moved to year 9999, to the far future, and past the end of
// year 9999 once the zone offset is applied.
//
// The contract checked (parsers/line_parser.h): the parser returns; a line
// it does not parse carries a short reason; a parsed line has a time in
// years 1..9999 (what the store and RFC 3339 hold) that is the one the line
// states; nonsense (junk without a log line's shape) is never parsed.

#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "base/time.h"
#include "base/time_zone.h"
#include "parsers/format_catalog.h"
#include "parsers/line_parser.h"
#include "parsers/parser_factory.h"

namespace culprit::parsers {
namespace {

constexpr size_t kMaxReasonBytes = 1024;
constexpr size_t kHugeBytes = 5 * 1024 * 1024;

// One row per catalog format: the settings it needs and real lines of it
// (excerpts of ../shared/corpus), each with a four-digit year.
struct FormatRow {
  const char* format;
  ParserSpec spec;
  std::vector<std::string> lines;
};

// gtest prints the parameter of a failed test; the name is enough.
void PrintTo(const FormatRow& row, std::ostream* os) { *os << row.format; }

ParserSpec Spec(const char* format) {
  ParserSpec spec;
  spec.format = format;
  return spec;
}

std::vector<FormatRow> FormatRows() {
  ParserSpec nginx = Spec("nginx");
  // examples/lab-dev.toml, source nginx-access-ext.
  nginx.log_formats = {
      R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent )"
      R"("$http_referer" "$http_user_agent" rport=$remote_port conn=$connection )"
      R"(creq=$connection_requests rt=$request_time msec=$msec tls=$ssl_protocol )"
      R"(cipher=$ssl_cipher saddr=$server_addr sport=$server_port ups=$upstream_addr )"
      R"(ustatus=$upstream_status urt=$upstream_response_time rid=$request_id)"};
  ParserSpec json = Spec("json");
  json.fields = {{"time", "ts"}, {"client_ip", "client_ip"}, {"client_port", "client_port"}};
  ParserSpec regex = Spec("regex");
  // examples/lab-dev.toml, source app-netns.
  regex.pattern =
      R"(^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<level>[A-Z]+) +\[(?P<thread>[^\]]+)\] )"
      R"((?P<message>.*?) client=(?:-:-|(?P<client>\S+)) request_id=(?P<request_id>\S+)(?: (?P<attrs>.*))?$)";
  regex.time_format = "%Y-%m-%d %H:%M:%S,%f";
  return {
      {"nginx_combined", Spec("nginx_combined"),
       {R"(127.50.3.101 - - [23/Nov/2026:20:01:27 +0000] "GET /api/items/362 HTTP/1.1" 200 51 "-" "curl/7.88.1")"}},
      {"nginx", nginx,
       {R"(127.50.3.101 - - [23/Nov/2026:20:01:27 +0000] "GET /api/items/362 HTTP/1.1" 200 51 "-" "curl/7.88.1" rport=42697 conn=2 creq=1 rt=0.001 msec=1795464087.370 tls=- cipher=- saddr=127.0.0.1 sport=27100 ups=127.0.0.1:27080 ustatus=200 urt=0.001 rid=fa974272f877eb630cda391a16e3629a)"}},
      {"nginx_error", Spec("nginx_error"),
       {R"(2026/11/23 20:01:35 [info] 20198#20198: *70 recv() failed (104: Connection reset by peer) while reading client request line, client: 127.20.4.10, server: lab-plain)",
        R"(<171>1 2025-11-05T20:47:03.000000+00:00 firewall.lan nginx - - - 2025/11/05 20:47:03 [error] 24537#230441: *914 open() "/usr/local/www/x" failed (2: No such file or directory), client: fdfd:ace:ace:7::17a, server: , request: "GET /x HTTP/2.0", host: "firewall.lan")"}},
      {"haproxy", Spec("haproxy"),
       {R"(Nov 23 20:01:26 lab-host haproxy[20206]: 127.0.0.1:42960 [23/Nov/2026:20:01:26.601] fe_http fe_http/<NOSRV> -1/-1/-1/-1/1 400 0 - - CR-- 1/1/0/0/0 0/0 "<BADREQ>")"}},
      {"stunnel", Spec("stunnel"),
       {"2026.11.23 20:01:26 LOG5[0]: Service [web_tls] accepted connection from 127.0.0.1:45912",
        "2026.11.23 20:01:26 LOG5[0]: Connection reset/closed: 0 byte(s) sent to TLS, 0 byte(s) "
        "sent to socket"}},
      {"syslog", Spec("syslog"),
       {"<134>1 2025-11-06T11:32:42.868451+00:00 firewall.lan filterlog 92653 - - "
        "7,,,1000000102,vtnet0.5,match,block,in,4,0x0,,64,19008,0,DF,6,tcp,60,192.168.5.6,"
        "192.168.1.100,42970,80,0,S,523876198,,64240,,mss;sackOK;TS;nop;wscale",
        // A netfilter line has no year of its own: only the junk variants apply.
        "Nov 23 20:04:06 vm [UFW BLOCK] IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 "
        "SRC=127.31.5.243 DST=127.0.0.1 LEN=60 TOS=00 PREC=0x00 TTL=64 ID=22361 DF PROTO=TCP "
        "SPT=45979 DPT=27522 SEQ=3976069954 ACK=0 WINDOW=65495 SYN URGP=0 MARK=0x0 "}},
      {"json", json,
       {R"({"ts":"2026-11-23T20:01:27.371562Z","level":"error","msg":"database query failed","client_ip":"127.50.13.231","client_port":46571,"request_id":"fca7fe0f18aa43bd9302","error":"OperationalError: deadlock detected","status":500})"}},
      {"regex", regex,
       {R"(2026-11-23 20:04:06,946 ERROR [worker-2] database query failed client=127.31.1.211:37903 request_id=c08bbad9ad15418abcac status=500 method=GET path=/err500 error="OperationalError: deadlock detected")"}},
  };
}

// The first nginx error line of the lab corpus that logged a TLS
// ClientHello sent to a plain-HTTP port: NUL bytes and invalid UTF-8 in a
// real line.
std::string ClientHelloLine() {
  std::ifstream in(CULPRIT_SOURCE_DIR "/../shared/corpus/lab-dev/logs/nginx/error.log",
                   std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("\x16\x03\x01") != std::string::npos) return line;
  }
  return "";
}

enum class Expect {
  kAny,       // rejected with a reason, or parsed with a time in range
  kRejected,  // nonsense: rejected, or at most an inert event (see Inert)
  kYear,      // a moved date: rejected, or parsed at `year` (or at the
              // original line's time when the parser takes it elsewhere)
};

struct LineCase {
  std::string name;
  std::string line;
  Expect expect = Expect::kAny;
  int year = 0;
};

// Dates as the catalog's formats write them: 23/Nov/2026:20:01:27,
// 2026/11/23 20:01:35, 2026.11.23, 2026-11-23T20:01:27, 2026-11-23 20:04:06.
const std::regex kClfDate(R"(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d)");
const std::regex kIsoDate(R"(\d{4}([-/.])\d\d\1\d\d([ T])\d\d:\d\d:\d\d)");

// `line` with every date in it replaced; "" when it has none.
std::string MoveDates(const std::string& line, const std::string& clf, const std::string& iso) {
  std::string out = std::regex_replace(line, kClfDate, clf);
  out = std::regex_replace(out, kIsoDate, iso);
  return out == line ? "" : out;
}

// The cases built from `real`; with `junk`, also those that do not depend on
// it (run once per format and zone: a 5 MB line costs real time).
std::vector<LineCase> Cases(const std::string& real, bool junk) {
  std::mt19937 rng(20261123);
  std::string random(4096, '\0');
  for (char& c : random) c = static_cast<char>(rng());
  const size_t mid = real.size() / 2;
  auto insert = [&](std::string_view what) {
    return real.substr(0, mid) + std::string(what) + real.substr(mid);
  };
  std::vector<LineCase> cases;
  if (junk) cases = {
      {"empty", "", Expect::kRejected},
      {"random_bytes", random, Expect::kRejected},
      {"nul_bytes", std::string(256, '\0'), Expect::kRejected},
      {"invalid_utf8", "\xff\xfe\xfd \xc0\x80 \xed\xa0\x80 \xf4\x90\x80\x80", Expect::kRejected},
      {"tls_client_hello", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) +
                               random.substr(0, 500), Expect::kRejected},
      {"huge_junk", std::string(kHugeBytes, 'A'), Expect::kRejected},
  };
  const std::vector<LineCase> from_real = {
      {"nul_in_line", insert(std::string_view("\0\0", 2))},
      {"invalid_utf8_in_line", insert("\xff\xfe\xc3\x28\xed\xa0\x80")},
      {"line_then_junk", real + std::string(1, '\0') + random.substr(0, 64)},
      {"crlf", real + "\r"},
      {"truncated", real.substr(0, mid)},
      {"huge_field", insert(std::string(kHugeBytes, 'a'))},
      {"huge_tail", real + " " + std::string(kHugeBytes, 'b')},
  };
  cases.insert(cases.end(), from_real.begin(), from_real.end());
  auto moved = [&](const char* name, const char* clf, const char* iso, int year) {
    std::string line = MoveDates(real, clf, iso);
    if (!line.empty()) cases.push_back({name, line, Expect::kYear, year});
  };
  moved("year_9999", "23/Nov/9999:20:01:27", "9999$0112$0123$0220:01:27", 9999);
  moved("far_future_2999", "23/Nov/2999:20:01:27", "2999$0111$0123$0220:01:27", 2999);
  moved("next_year", "23/Nov/2027:20:01:27", "2027$0111$0123$0220:01:27", 2027);
  // The last second of year 9999 and the first of year 1, which a zone
  // offset (the line's, or the source's) can push out of range.
  moved("end_of_9999", "31/Dec/9999:23:59:59", "9999$0112$0131$0223:59:59", 0);
  {
    // ... and with the line's own offset (nginx, RFC 5424, JSON) west too.
    std::string west = MoveDates(real, "31/Dec/9999:23:59:59", "9999$0112$0131$0223:59:59");
    west = std::regex_replace(west, std::regex(R"(\+0000\])"), "-1200]");
    west = std::regex_replace(west, std::regex(R"((:\d\d(\.\d+)?)(\+00:00|Z)\b)"), "$1-12:00");
    if (!west.empty() && west != MoveDates(real, "31/Dec/9999:23:59:59", "9999$0112$0131$0223:59:59")) {
      cases.push_back({"end_of_9999_offset_west", west});
    }
  }
  {
    std::string east = MoveDates(real, "01/Jan/0001:00:00:00", "0001$0101$0101$0200:00:00");
    east = std::regex_replace(east, std::regex(R"(\+0000\])"), "+1400]");
    east = std::regex_replace(east, std::regex(R"((:\d\d(\.\d+)?)(\+00:00|Z)\b)"), "$1+14:00");
    if (!east.empty() && east != MoveDates(real, "01/Jan/0001:00:00:00", "0001$0101$0101$0200:00:00")) {
      cases.push_back({"start_of_0001_offset_east", east});
    }
  }
  moved("start_of_0001", "01/Jan/0001:00:00:00", "0001$0101$0101$0200:00:00", 0);
  moved("year_0000", "01/Jan/0000:00:00:00", "0000$0101$0101$0200:00:00", 0);
  for (auto& c : cases) {
    if (c.expect == Expect::kYear && c.year == 0) c.expect = Expect::kAny;
  }
  return cases;
}

// An event the correlator cannot use: no cause, no address, no status, of
// kind "other". nginx_error's continuation pattern (a line that continues
// the previous entry) turns any line not starting with a digit or '<' into
// one, with the previous entry's time; that is how the format flags lines
// it cannot read, not a parse of the junk.
bool Inert(const Event& e) {
  return e.kind == EventKind::kOther && e.cause == Cause::kNone && !e.client_ip &&
         !e.server_ip && !e.status && e.client_port == 0 && e.server_port == 0;
}

int YearOf(Timestamp t) {
  return std::stoi(FormatRfc3339(t).substr(0, 4));
}

bool InRange(Timestamp t) {
  constexpr int64_t kMinMicros = -62135596800LL * 1000000;     // 0001-01-01T00:00:00Z
  constexpr int64_t kMaxMicros = 253402300800LL * 1000000 - 1;  // 9999-12-31T23:59:59.999999Z
  return ToUnixMicros(t) >= kMinMicros && ToUnixMicros(t) <= kMaxMicros;
}

class AdversarialLinesTest : public testing::TestWithParam<FormatRow> {};

TEST_P(AdversarialLinesTest, RejectsOrFlagsNeverCrashes) {
  const FormatRow& row = GetParam();
  auto parser = NewLineParser(row.spec);
  ASSERT_TRUE(parser.ok()) << parser.status().message();
  // UTC, -12:00 and +14:00, so that local times at the end of year 9999 and
  // the start of year 1 land outside them.
  const TimeZone utc = TimeZone::Utc();
  const TimeZone west = TimeZone::FixedOffset(-std::chrono::hours(12));
  const TimeZone east = TimeZone::FixedOffset(std::chrono::hours(14));
  const Timestamp now = FromUnixMicros(1795449600LL * 1000000);  // 2026-11-23T16:00:00Z

  std::vector<std::string> reals = row.lines;
  const std::string hello = ClientHelloLine();
  ASSERT_FALSE(hello.empty()) << "no ClientHello line in lab-dev/logs/nginx/error.log";
  reals.push_back(hello);

  for (size_t r = 0; r < reals.size(); ++r) {
    // The real line itself, as the parser reads it: its time is the answer
    // for moved dates when the parser takes the time from another field.
    for (const TimeZone* zone : {&utc, &west, &east}) {
      const LineContext ctx{.zone = zone, .now = now};
      Event original;
      const bool original_ok = (*parser)->Parse(reals[r], ctx, &original).ok();
      if (r < row.lines.size()) {
        ASSERT_TRUE(original_ok) << "fixture line " << r << " of " << row.format << " no longer parses";
      }
      for (const LineCase& c : Cases(reals[r], r == 0)) {
        SCOPED_TRACE(std::string(row.format) + " line " + std::to_string(r) + " " + c.name +
                     " zone " + zone->name());
        Event event;
        const ParseResult result = (*parser)->Parse(c.line, ctx, &event);
        if (!result.ok()) {
          EXPECT_FALSE(result.reason.empty());
          EXPECT_LE(result.reason.size(), kMaxReasonBytes) << result.reason.substr(0, 200);
          continue;
        }
        if (!InRange(event.time)) {
          ADD_FAILURE() << "parsed with a time outside years 1..9999: " << ToUnixMicros(event.time)
                        << " us";
          continue;
        }
        if (c.expect == Expect::kRejected) {
          EXPECT_TRUE(Inert(event)) << "nonsense parsed as an event of kind "
                                    << EventKindName(event.kind) << " cause "
                                    << CauseName(event.cause) << " at "
                                    << FormatRfc3339(event.time);
        }
        if (c.expect == Expect::kYear && !(original_ok && event.time == original.time)) {
          EXPECT_EQ(YearOf(event.time), c.year) << FormatRfc3339(event.time);
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Catalog, AdversarialLinesTest, testing::ValuesIn(FormatRows()),
                         [](const testing::TestParamInfo<FormatRow>& info) {
                           return std::string(info.param.format);
                         });

TEST(AdversarialLinesCatalogTest, EveryCatalogFormatHasARow) {
  const auto rows = FormatRows();
  for (const FormatSpec& f : BuiltinFormats()) {
    bool found = false;
    for (const auto& row : rows) found = found || row.format == f.name;
    EXPECT_TRUE(found) << "format " << f.name << " has no row in adversarial_lines_test";
  }
}

}  // namespace
}  // namespace culprit::parsers
