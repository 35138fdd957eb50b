#include "parsers/syslog/syslog_header.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>

#include "base/time.h"
#include "base/time_zone.h"

namespace culprit::parsers {
namespace {

struct Row {
  const char* name;
  const char* line;
  bool header;        // a header is recognized
  const char* time;   // RFC 3339 UTC, "" = no time
  int severity;       // -1 = none
  const char* host;
  const char* app;
  const char* pid;
  const char* body;   // line.substr(body_offset)
};

// Real lines from public/syslog, public/firewall, public/haproxy and
// lab-dev/logs/{haproxy,firewall}; a few protocol examples from the RFCs.
// Read at 2026-11-24T00:00:00Z in UTC (the lab's read time), so stamps
// without a year land in 2026 unless they are more than a day ahead.
const Row kRows[] = {
    {"lab_haproxy_rfc3164",
     "Nov 23 20:01:32 lab-host haproxy[20206]: 127.20.2.10:45589 [23/Nov/2026:20:01:32.205] "
     "fe_tls/1: SSL handshake failure",
     true, "2026-11-23T20:01:32Z", -1, "lab-host", "haproxy", "20206",
     "127.20.2.10:45589 [23/Nov/2026:20:01:32.205] fe_tls/1: SSL handshake failure"},
    {"ulogd_no_tag_bracket_prefix",
     "Nov 23 20:04:06 vm [UFW BLOCK] IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 "
     "SRC=127.30.1.10 DST=127.0.0.1 LEN=60",
     true, "2026-11-23T20:04:06Z", -1, "vm", "", "",
     "[UFW BLOCK] IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=127.30.1.10 "
     "DST=127.0.0.1 LEN=60"},
    {"ulogd_no_tag_word_prefix", "Nov 23 20:04:08 vm FW-IPS-RESET IN=lo OUT= SRC=127.30.2.10",
     true, "2026-11-23T20:04:08Z", -1, "vm", "", "", "FW-IPS-RESET IN=lo OUT= SRC=127.30.2.10"},
    {"ulogd_colon_prefix_is_body", "Nov 23 20:04:08 vm IPTABLES-DROP: IN=lo OUT= SRC=127.0.0.1",
     true, "2026-11-23T20:04:08Z", -1, "vm", "", "", "IPTABLES-DROP: IN=lo OUT= SRC=127.0.0.1"},
    {"kern_log_monotonic_stays_in_body",
     "Sep 27 20:56:38 ubuntu-focal kernel: [  203.842973] IPTABLES-DROP: IN=lo OUT= "
     "SRC=127.0.0.1 DST=127.0.0.53",
     true, "2026-09-27T20:56:38Z", -1, "ubuntu-focal", "kernel", "",
     "[  203.842973] IPTABLES-DROP: IN=lo OUT= SRC=127.0.0.1 DST=127.0.0.53"},
    {"kern_log_no_prefix", "Oct 20 15:51:50 bullseye kernel: IN=eth0 OUT= SRC=192.168.121.1",
     true, "2026-10-20T15:51:50Z", -1, "bullseye", "kernel", "",
     "IN=eth0 OUT= SRC=192.168.121.1"},
    {"space_padded_day", "Nov  3 09:23:38 veridian automount[7998]: lookup(file): lookup for foobar failed",
     true, "2026-11-03T09:23:38Z", -1, "veridian", "automount", "7998",
     "lookup(file): lookup for foobar failed"},
    {"single_digit_day", "Nov 2 15:40:14 workshop sshd[28179]: pam_unix(sshd:auth): authentication failure;",
     true, "2026-11-02T15:40:14Z", -1, "workshop", "sshd", "28179",
     "pam_unix(sshd:auth): authentication failure;"},
    {"zero_padded_day",
     "Aug 03 21:39:20 hostname sshd[69420]: Connection closed by invalid user root 206.81.24.125 "
     "port 45362 [preauth]",
     true, "2026-08-03T21:39:20Z", -1, "hostname", "sshd", "69420",
     "Connection closed by invalid user root 206.81.24.125 port 45362 [preauth]"},
    {"tag_without_pid",
     "Nov  3 09:47:02 veridian sudo: timstack : TTY=pts/6 ; PWD=/auto ; USER=root",
     true, "2026-11-03T09:47:02Z", -1, "veridian", "sudo", "",
     "timstack : TTY=pts/6 ; PWD=/auto ; USER=root"},
    {"host_is_ip", "Sep 20 15:42:59 1.128.3.4 haproxy[24551]: Connect from 1.128.3.4:40780 to 1.128.3.4:5000 (main/HTTP)",
     true, "2026-09-20T15:42:59Z", -1, "1.128.3.4", "haproxy", "24551",
     "Connect from 1.128.3.4:40780 to 1.128.3.4:5000 (main/HTTP)"},
    {"dashed_tag", "Feb 12 14:10:24 sd-126005 sshd-session[16379]: Invalid user pascal5 from 192.168.1.3 port 53502",
     true, "2026-02-12T14:10:24Z", -1, "sd-126005", "sshd-session", "16379",
     "Invalid user pascal5 from 192.168.1.3 port 53502"},
    {"december_read_in_november_is_last_year", "Dec 22 14:53:37 ip-172-31-20-90 sshd[4177]: x",
     true, "2025-12-22T14:53:37Z", -1, "ip-172-31-20-90", "sshd", "4177", "x"},
    {"rsyslog_iso_offset",
     "2023-11-14T00:20:42.738197+01:00 myserver sshd[1112652]: User root from 192.168.1.1 not "
     "allowed because not listed in AllowUsers",
     true, "2023-11-13T23:20:42.738197Z", -1, "myserver", "sshd", "1112652",
     "User root from 192.168.1.1 not allowed because not listed in AllowUsers"},
    {"rfc5424_pfsense",
     "<134>1 2025-11-06T11:32:42.868451+00:00 firewall.lan filterlog 92653 - - "
     "7,,,1000000102,vtnet0.5,match,block,in,4",
     true, "2025-11-06T11:32:42.868451Z", 6, "firewall.lan", "filterlog", "92653",
     "7,,,1000000102,vtnet0.5,match,block,in,4"},
    {"rfc5424_nopri_structured_data",
     "2022-08-27T14:22:01.888Z space01.global-acme.entp NSX 4828 SWITCHING [abc@6876 "
     "comp=\"abc-edge\" subcomp=\"datapathd\" level=\"INFO\"] dynamic arp entry is created",
     true, "2022-08-27T14:22:01.888Z", -1, "space01.global-acme.entp", "NSX", "4828",
     "dynamic arp entry is created"},
    {"rfc5424_nopri_nil_sd",
     "2022-08-27T17:22:01.694554+03:00 space01.global-acme.entp CRON 20856 - -  (root) CMD (x)",
     true, "2022-08-27T14:22:01.694554Z", -1, "space01.global-acme.entp", "CRON", "20856",
     " (root) CMD (x)"},
    {"rfc5424_escaped_sd",
     "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 "
     "iut=\"3\" eventSource=\"App\\]lication\"][x@1 a=\"\\\"\"] BOMAn application event",
     true, "2003-10-11T22:14:15.003Z", 5, "mymachine.example.com", "evntslog", "",
     "BOMAn application event"},
    {"rfc5424_nil_everything", "<34>1 - - - - - -", true, "", 2, "", "", "", ""},
    {"rfc3164_with_pri_no_host", "<134>Nov 23 20:01:26 haproxy[20206]: Proxy fe started.", true,
     "2026-11-23T20:01:26Z", 6, "", "haproxy", "20206", "Proxy fe started."},
    {"rfc3164_with_pri_and_host", "<13>Feb  5 17:32:18 10.0.0.99 myapp: Use the BFG!", true,
     "2026-02-05T17:32:18Z", 5, "10.0.0.99", "myapp", "", "Use the BFG!"},
    {"macos_tag", "Aug 16 00:32:15 Tims-Air syslogd[314]: Configuration Notice:", true,
     "2026-08-16T00:32:15Z", -1, "Tims-Air", "syslogd", "314", "Configuration Notice:"},
    {"stamp_only", "Nov 23 20:01:26", true, "2026-11-23T20:01:26Z", -1, "", "", "", ""},
    {"macos_continuation", "\tASL Module \"com.apple.install\" claims selected messages.", false,
     "", -1, "", "", "", ""},
    {"proxmox_is_not_syslog",
     "0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: IN=vmbr0.94", false, "", -1, "",
     "", "", ""},
    {"haproxy_raw_is_not_syslog",
     "117.136.40.129:14853 [14/Jan/2015:12:48:57.127] https-in~ xx/yy 170/0/0/3/173 200 739", false,
     "", -1, "", "", "", ""},
    {"nginx_error_is_not_syslog", "2026/11/23 20:01:30 [info] 20198#20198: *27 client sent", false,
     "", -1, "", "", "", ""},
    {"app_log_space_stamp_is_not_syslog", "2026-11-23 20:01:26,123 INFO [main] started", false, "",
     -1, "", "", "", ""},
    {"bad_pri", "<999>1 2026-11-23T20:01:26Z h a p m - x", false, "", -1, "", "", "", ""},
    {"unclosed_pri", "<13 Nov 23 20:01:26 h a: x", false, "", -1, "", "", "", ""},
    {"no_such_date", "Feb 31 10:00:00 host app: x", false, "", -1, "", "", "", ""},
    {"bad_clock", "Nov 23 25:01:26 host app: x", false, "", -1, "", "", "", ""},
    {"truncated_stamp", "Nov 23 20:0", false, "", -1, "", "", "", ""},
    {"empty", "", false, "", -1, "", "", "", ""},
    {"unclosed_sd", "<13>1 2026-11-23T20:01:26Z h a p m [x a=\"b", false, "", -1, "", "", "", ""},
};

class SyslogHeaderTest : public ::testing::Test {
 protected:
  TimeZone utc_;
  LineContext ctx_{&utc_, ParseRfc3339("2026-11-24T00:00:00Z").value()};
};

TEST_F(SyslogHeaderTest, Table) {
  for (const Row& row : kRows) {
    SCOPED_TRACE(row.name);
    const std::string_view line = row.line;
    const std::optional<SyslogHeader> h = ParseSyslogHeader(line, ctx_);
    ASSERT_EQ(h.has_value(), row.header);
    if (!h) continue;
    if (row.time[0] == '\0') {
      EXPECT_FALSE(h->time.has_value());
    } else {
      ASSERT_TRUE(h->time.has_value());
      const auto want = ParseRfc3339(row.time);
      ASSERT_TRUE(want.ok());
      EXPECT_EQ(FormatRfc3339(h->time->time), FormatRfc3339(want.value()));
    }
    EXPECT_EQ(h->severity.value_or(-1), row.severity);
    EXPECT_EQ(h->host, row.host);
    EXPECT_EQ(h->app, row.app);
    EXPECT_EQ(h->pid, row.pid);
    ASSERT_LE(h->body_offset, line.size());
    EXPECT_EQ(line.substr(h->body_offset), row.body);
  }
}

TEST_F(SyslogHeaderTest, Precision) {
  auto h = ParseSyslogHeader("Nov 23 20:01:26 h a: x", ctx_);
  ASSERT_TRUE(h && h->time);
  EXPECT_EQ(h->time->precision, std::chrono::seconds(1));
  h = ParseSyslogHeader("2026-11-23T20:01:26.123456+00:00 h a: x", ctx_);
  ASSERT_TRUE(h && h->time);
  EXPECT_EQ(h->time->precision, std::chrono::microseconds(1));
  h = ParseSyslogHeader("<1>1 2026-11-23T20:01:26.123Z h a p m - x", ctx_);
  ASSERT_TRUE(h && h->time);
  EXPECT_EQ(h->time->precision, std::chrono::milliseconds(1));
}

TEST_F(SyslogHeaderTest, LocalZone) {
  const auto berlin = TimeZone::FixedOffset(std::chrono::hours(1));
  const LineContext ctx{&berlin, ctx_.now};
  const auto h = ParseSyslogHeader("Nov 23 20:01:26 h a: x", ctx);
  ASSERT_TRUE(h && h->time);
  EXPECT_EQ(FormatRfc3339(h->time->time, 0), "2026-11-23T19:01:26Z");
}

// Every line of the real syslog-framed files has a header whose body is a
// suffix of the line.
TEST_F(SyslogHeaderTest, CorpusFiles) {
  const char* kFiles[] = {
      "/../shared/corpus/lab-dev/logs/haproxy/haproxy.log",
      "/../shared/corpus/lab-dev/logs/firewall/firewall.log",
      "/../shared/corpus/public/syslog/crowdsec-sshd.log",
      "/../shared/corpus/public/syslog/lnav-syslog.log",
      "/../shared/corpus/public/syslog/lnav-rfc5424-nopri-nsx.log",
      "/../shared/corpus/public/syslog/crowdsec-pfsense-rfc5424-filterlog.log",
      "/../shared/corpus/public/firewall/crowdsec-iptables.log",
      "/../shared/corpus/public/firewall/crowdsec-ufw-iptables-scan.log",
      "/../shared/corpus/public/haproxy/lnav-haproxy.log",
  };
  for (const char* f : kFiles) {
    SCOPED_TRACE(f);
    std::ifstream in(std::string(CULPRIT_SOURCE_DIR) + f, std::ios::binary);
    ASSERT_TRUE(in) << "missing corpus file";
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      if (line.empty()) continue;  // a blank line ends one of the files
      ++n;
      const auto h = ParseSyslogHeader(line, ctx_);
      ASSERT_TRUE(h.has_value()) << line;
      EXPECT_TRUE(h->time.has_value()) << line;
      EXPECT_FALSE(h->host.empty()) << line;
    }
    EXPECT_GT(n, 0);
  }
}

TEST_F(SyslogHeaderTest, RandomBytesDoNotCrash) {
  std::mt19937 rng(1123);
  const std::string seeds[] = {"<134>1 2026-11-23T20:01:26.1Z h a p m [x y=\"z\"] ",
                               "Nov 23 20:01:26 h a[1]: ", "2026-11-23T20:01:26+01:00 h "};
  for (int i = 0; i < 5000; ++i) {
    std::string s = seeds[i % 3];
    s.resize(rng() % (s.size() + 1));
    const size_t extra = rng() % 40;
    for (size_t k = 0; k < extra; ++k) s.push_back(static_cast<char>(rng() % 256));
    if (i % 7 == 0 && !s.empty()) s[rng() % s.size()] = static_cast<char>(rng() % 256);
    const auto h = ParseSyslogHeader(s, ctx_);
    if (h) {
      ASSERT_LE(h->body_offset, s.size());
    }
  }
  // A 1 MiB line.
  const std::string huge = "Nov 23 20:01:26 h a: " + std::string(1 << 20, 'x');
  const auto h = ParseSyslogHeader(huge, ctx_);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->body_offset, 21u);
}

}  // namespace
}  // namespace culprit::parsers
