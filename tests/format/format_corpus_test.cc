// The built-in nginx_error and stunnel formats and the regex format on real
// corpus files: table-driven checks of real lines, per-file parse rates,
// and agreement with the lab's answer key (evidence.jsonl).

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/time_zone.h"
#include "parsers/format/format_loader.h"
#include "parsers/format/format_parser.h"
#include "parsers/format/regex_format.h"

namespace culprit::parsers {
namespace {

const std::string kCorpus = CULPRIT_SOURCE_DIR "/../shared/corpus/";

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::unique_ptr<LineParser> Builtin(std::string_view name) {
  auto def = BuiltinFormat(name);
  EXPECT_TRUE(def.ok()) << def.status().ToString();
  if (!def.ok()) return nullptr;
  return std::move(NewFormatParser(*def)).value();
}

struct Parsed {
  ParseResult result;
  Event event;
};

// Parses a whole file in order (so carry and continuation state build up).
std::vector<Parsed> ParseFile(LineParser& p, const std::vector<std::string>& lines) {
  TimeZone utc;
  LineContext ctx{&utc, *ParseRfc3339("2026-11-24T00:00:00Z")};
  std::vector<Parsed> out(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) out[i].result = p.Parse(lines[i], ctx, &out[i].event);
  return out;
}

// Every line of a lab-dev file parses (>= 99.9 %); the rest are listed.
void ExpectParseRate(const std::string& format, const std::string& file, double min_rate) {
  auto p = Builtin(format);
  ASSERT_NE(p, nullptr);
  const std::vector<std::string> lines = ReadLines(kCorpus + file);
  ASSERT_FALSE(lines.empty());
  const std::vector<Parsed> parsed = ParseFile(*p, lines);
  size_t ok = 0, empty = 0;
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (lines[i].empty()) {
      ++empty;  // a blank line is no entry (and is kNoMatch); not counted
    } else if (parsed[i].result.ok()) {
      ++ok;
    } else {
      ADD_FAILURE() << file << ":" << i + 1 << ": " << parsed[i].result.reason;
    }
  }
  const size_t total = lines.size() - empty;
  const double rate = total == 0 ? 1.0 : static_cast<double>(ok) / static_cast<double>(total);
  std::printf("%s via %s: %zu/%zu lines parsed (%.2f%%), %zu blank\n", file.c_str(),
              format.c_str(), ok, total, 100 * rate, empty);
  EXPECT_GE(rate, min_rate);
}

TEST(FormatCorpusTest, LabDevParseRates) {
  ExpectParseRate("nginx_error", "lab-dev/logs/nginx/error.log", 0.999);
  ExpectParseRate("stunnel", "lab-dev/logs/stunnel/stunnel.log", 0.999);
}

TEST(FormatCorpusTest, PublicNginxErrorFiles) {
  for (const char* f : {"public/nginx-error/beats-nginx-error.log",
                        "public/nginx-error/crowdsec-nginx-req-limit.log",
                        "public/nginx-error/crowdsec-pfsense-rfc5424-nginx.log"}) {
    SCOPED_TRACE(f);
    ExpectParseRate("nginx_error", f, 1.0);
  }
}

std::string ClientText(const Event& e) {
  return e.client_ip ? Endpoint{*e.client_ip, e.client_port}.ToString() : "";
}

struct LineCase {
  const char* name;
  const char* format;
  std::string line;
  const char* kind;
  const char* cause;
  const char* client;  // Endpoint text or ""
  const char* conn_id;
  const char* phase;
  const char* time;
};

// Finds the first line of `file` containing `needle`: the tables below
// quote real lines by a distinctive part instead of copying them whole.
std::string Line(const std::string& file, std::string_view needle) {
  for (const std::string& l : ReadLines(kCorpus + file)) {
    if (l.find(needle) != std::string::npos) return l;
  }
  ADD_FAILURE() << "no line with " << needle << " in " << file;
  return {};
}

TEST(FormatCorpusTest, RealNginxLines) {
  const std::string err = "lab-dev/logs/nginx/error.log";
  const LineCase cases[] = {
      {"plain http", "nginx_error", Line(err, "*27 client sent plain"), "tls", "PROTOCOL_MISMATCH",
       "127.20.1.10", "27", "reading client request headers", "2026-11-23T20:01:30Z"},
      {"old tls", "nginx_error", Line(err, "*102 SSL_do_handshake"), "tls", "TLS_HANDSHAKE_FAILED",
       "127.20.6.10", "102", "SSL handshaking", "2026-11-23T20:01:38Z"},
      {"no cipher", "nginx_error", Line(err, "*120 SSL_do_handshake"), "tls",
       "TLS_HANDSHAKE_FAILED", "127.20.7.10", "120", "SSL handshaking", "2026-11-23T20:01:40Z"},
      {"no client cert", "nginx_error", Line(err, "*138 client sent no required"), "tls",
       "TLS_HANDSHAKE_FAILED", "127.20.8.10", "138", "reading client request headers",
       "2026-11-23T20:01:42Z"},
      {"bad client cert", "nginx_error", Line(err, "*149 client SSL certificate verify"), "tls",
       "TLS_HANDSHAKE_FAILED", "127.20.9.10", "149", "reading client request headers",
       "2026-11-23T20:01:43Z"},
      {"binary request line", "nginx_error", Line(err, "*70 recv() failed"), "connection",
       "CLIENT_ABORT", "127.20.4.10", "70", "reading client request line", "2026-11-23T20:01:35Z"},
      {"header timeout", "nginx_error", Line(err, "*511 client timed out"), "error",
       "REQUEST_TIMEOUT", "127.20.20.10", "511", "reading client request headers",
       "2026-11-23T20:02:33Z"},
      {"upstream reset", "nginx_error", Line(err, "*779 recv() failed"), "error",
       "UPSTREAM_FAILURE", "127.20.23.10", "779", "reading response header from upstream",
       "2026-11-23T20:03:03Z"},
      {"upstream reset mid-body", "nginx_error", Line(err, "*798 readv() failed"), "error",
       "UPSTREAM_FAILURE", "127.20.24.10", "798", "reading upstream", "2026-11-23T20:03:04Z"},
      {"upstream timeout", "nginx_error", Line(err, "*929 upstream timed out"), "error",
       "UPSTREAM_TIMEOUT", "127.20.29.10", "929", "reading upstream", "2026-11-23T20:03:20Z"},
      {"invalid method", "nginx_error", Line(err, "*1160 client sent invalid method"), "error",
       "REQUEST_REJECTED", "127.20.35.10", "1160", "reading client request line",
       "2026-11-23T20:03:43Z"},
      {"413", "nginx_error", Line(err, "*1178 client intended"), "error", "REQUEST_REJECTED",
       "127.20.36.10", "1178", "", "2026-11-23T20:03:45Z"},
      {"limit_conn", "nginx_error", Line(err, "*1275 limiting connections"), "error",
       "RATE_LIMITED", "127.20.40.10", "1275", "", "2026-11-23T20:03:55Z"},
      {"client gave up on upstream", "nginx_error", Line(err, "*42 epoll_wait()"), "connection",
       "CLIENT_ABORT", "127.50.2.223", "42", "sending request to upstream", "2026-11-23T20:01:33Z"},
      {"keepalive closed", "nginx_error", Line(err, "client 127.20.49.10 closed keepalive"),
       "connection", "CLIENT_ABORT", "127.20.49.10", "1695", "", "2026-11-23T20:04:38Z"},
      {"idle before request", "nginx_error", Line(err, "*1 client closed connection while waiting"),
       "connection", "CLIENT_ABORT", "127.0.0.1", "1", "waiting for request",
       "2026-11-23T20:01:26Z"},
      {"sighup", "nginx_error", Line(err, "(SIGHUP) received"), "process", "SERVER_SHUTDOWN", "",
       "", "", "2026-11-23T20:04:10Z"},
      {"worker_connections", "nginx_error", Line(err, "worker_connections are not enough"),
       "process", "RESOURCE_EXHAUSTION", "", "", "", "2026-11-23T20:04:32Z"},
      {"pfsense rfc5424", "nginx_error",
       Line("public/nginx-error/crowdsec-pfsense-rfc5424-nginx.log", "*914"), "error", "NONE",
       "fdfd:ace:ace:7::17a", "914", "", "2025-11-05T20:47:03Z"},
      {"limit_req ipv6", "nginx_error",
       Line("public/nginx-error/crowdsec-nginx-req-limit.log", "client: ::1"), "error",
       "RATE_LIMITED", "::1", "42952950", "", "2021-12-02T11:53:15Z"},
  };
  TimeZone utc;
  LineContext ctx{&utc, *ParseRfc3339("2026-11-24T00:00:00Z")};
  for (const LineCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto p = Builtin(c.format);
    ASSERT_NE(p, nullptr);
    Event e;
    ParseResult r = p->Parse(c.line, ctx, &e);
    ASSERT_TRUE(r.ok()) << r.reason;
    EXPECT_EQ(EventKindName(e.kind), c.kind);
    EXPECT_EQ(CauseName(e.cause), c.cause);
    EXPECT_EQ(ClientText(e), c.client);
    EXPECT_EQ(e.conn_id, c.conn_id);
    EXPECT_EQ(e.phase, c.phase);
    EXPECT_EQ(FormatRfc3339(e.time, 0), c.time);
  }
}

TEST(FormatCorpusTest, RealStunnelLinesWithCarry) {
  auto p = Builtin("stunnel");
  ASSERT_NE(p, nullptr);
  const std::vector<std::string> lines = ReadLines(kCorpus + "lab-dev/logs/stunnel/stunnel.log");
  const std::vector<Parsed> parsed = ParseFile(*p, lines);
  struct Case {
    const char* needle;
    const char* kind;
    const char* cause;
    const char* client;
    const char* conn_id;
  } cases[] = {
      {"LOG5[2]: Service [web_tls] accepted", "connection", "NONE", "127.20.3.10:39815", "2"},
      {"LOG3[2]: SSL_accept", "tls", "PROTOCOL_MISMATCH", "127.20.3.10:39815", "2"},
      {"LOG3[17]: SSL_accept", "tls", "TLS_HANDSHAKE_FAILED", "127.20.14.10:41011", "17"},
      {"LOG3[21]: SSL_accept", "tls", "TLS_HANDSHAKE_FAILED", "127.20.15.10:38683", "21"},
      {"LOG4[27]: Rejected by CERT", "tls", "TLS_HANDSHAKE_FAILED", "127.20.16.10:34869", "27"},
      {"LOG6[45]: transfer: s_poll_wait: TIMEOUTidle", "connection", "IDLE_TIMEOUT",
       "127.20.19.10:35095", "45"},
      {"LOG6[75]: socket fd: Connection reset", "connection", "UPSTREAM_FAILURE",
       "127.20.27.10:35591", "75"},
      {"LOG5[2]: Connection reset:", "connection", "NONE", "127.20.3.10:39815", "2"},
      {"LOG3[0]: SSL_accept", "tls", "CLIENT_ABORT", "127.0.0.1:45912", "0"},
      {"LOG5[ui]: Terminated", "process", "SERVER_SHUTDOWN", "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.needle);
    size_t i = 0;
    while (i < lines.size() && lines[i].find(c.needle) == std::string::npos) ++i;
    ASSERT_LT(i, lines.size());
    const Parsed& got = parsed[i];
    ASSERT_TRUE(got.result.ok()) << got.result.reason;
    EXPECT_EQ(EventKindName(got.event.kind), c.kind);
    EXPECT_EQ(CauseName(got.event.cause), c.cause);
    EXPECT_EQ(ClientText(got.event), c.client);
    EXPECT_EQ(got.event.conn_id, c.conn_id);
  }
}

// Minimal reader for evidence.jsonl: the "cause" of each case and the
// "lines" of its evidence entries for one file (JSON strings unescaped).
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    if (c == 'u' && i + 4 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 4)), nullptr, 16));
      i += 4;
    } else {
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> EvidenceLines(const std::string& file) {
  std::vector<std::pair<std::string, std::string>> out;  // (cause, line)
  for (const std::string& l : ReadLines(kCorpus + "lab-dev/evidence.jsonl")) {
    const size_t c = l.find("\"cause\": \"");
    if (c == std::string::npos) continue;
    const std::string cause = l.substr(c + 10, l.find('"', c + 10) - c - 10);
    size_t at = 0;
    const std::string key = "{\"file\": \"" + file + "\"";
    while ((at = l.find(key, at)) != std::string::npos) {
      size_t p = l.find("\"lines\": [", at) + 10;
      while (p < l.size() && l[p] == '"') {
        size_t q = p + 1;
        while (q < l.size() && l[q] != '"') q += l[q] == '\\' ? 2 : 1;
        out.emplace_back(cause, Unescape(std::string_view(l).substr(p + 1, q - p - 1)));
        p = q + 1;
        if (l.compare(p, 2, ", ") == 0) p += 2;
      }
      at = p;
    }
  }
  return out;
}

// Every evidence line of nginx error.log and stunnel.log gets the case's
// cause, except stunnel's accept lines, which only anchor the connection
// id (their cause is carried by the id, not the line).
TEST(FormatCorpusTest, AgreesWithTheAnswerKey) {
  for (const auto& [format, file] : {std::pair{"nginx_error", "logs/nginx/error.log"},
                                     std::pair{"stunnel", "logs/stunnel/stunnel.log"}}) {
    SCOPED_TRACE(file);
    auto p = Builtin(format);
    ASSERT_NE(p, nullptr);
    const std::vector<std::string> lines = ReadLines(kCorpus + "lab-dev/" + file);
    const std::vector<Parsed> parsed = ParseFile(*p, lines);
    std::map<std::string, const Parsed*> by_line;
    for (size_t i = 0; i < lines.size(); ++i) by_line.emplace(lines[i], &parsed[i]);
    size_t total = 0, agree = 0, anchors = 0;
    for (const auto& [cause, line] : EvidenceLines(file)) {
      auto it = by_line.find(line);
      ASSERT_NE(it, by_line.end()) << line;
      if (line.find("accepted connection from") != std::string::npos) {
        ++anchors;
        continue;
      }
      ++total;
      if (CauseName(it->second->event.cause) == cause) {
        ++agree;
      } else {
        ADD_FAILURE() << "want " << cause << ", got " << CauseName(it->second->event.cause)
                      << ": " << line;
      }
    }
    std::printf("%s: %zu/%zu evidence lines agree with the answer key (%zu accept anchors)\n",
                file, agree, total, anchors);
    EXPECT_GT(total, 0u);
  }
}

// The regex format as an operator would configure it for the netns app log
// ('YYYY-mm-dd HH:MM:SS,mmm LEVEL [thread] msg client=ip:port request_id=... k=v').
TEST(FormatCorpusTest, RegexFormatOnThePlainTextAppLog) {
  const std::pair<std::string, std::string> fields[] = {{"extra.thread", "thread"}};
  auto p = NewRegexParser(
      R"((?P<time>\S+ \S+) (?P<level>[A-Z]+) +\[(?P<thread>[^\]]*)\] (?P<message>.*?) client=(?:-:-|(?P<client>\S+)) request_id=(?:-|(?P<request_id>\S+))(?: status=(?P<status>\d+))?(?: duration_ms=(?P<duration_ms>\d+))?(?P<rest>.*))",
      "%F %T,%f", fields);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const std::vector<std::string> lines = ReadLines(kCorpus + "lab-dev/logs/app/app_netns.log");
  const std::vector<Parsed> parsed = ParseFile(**p, lines);
  for (size_t i = 0; i < parsed.size(); ++i) {
    EXPECT_TRUE(parsed[i].result.ok()) << i + 1 << ": " << parsed[i].result.reason;
  }
  ASSERT_GE(parsed.size(), 2u);
  const Event& e = parsed[1].event;  // the ERROR line
  EXPECT_EQ(FormatRfc3339(e.time, 3), "2026-11-23T20:04:06.946Z");
  EXPECT_EQ(e.precision, std::chrono::milliseconds(1));
  EXPECT_EQ(e.level, 3);
  EXPECT_EQ(e.kind, EventKind::kApp);
  EXPECT_EQ(Endpoint({*e.client_ip, e.client_port}).ToString(), "127.31.1.211:37903");
  EXPECT_EQ(e.request_id, "c08bbad9ad15418abcac");
  EXPECT_EQ(e.status, 500);
  EXPECT_EQ(e.Extra("thread"), "worker-2");
  EXPECT_EQ(e.message, "database query failed");
  // Classified as its JSON twin would be: a 500 is the app's error.
  EXPECT_EQ(e.cause, Cause::kAppError);
  EXPECT_FALSE(parsed[0].event.client_ip.has_value());  // "client=-:-"
  for (const Parsed& line : parsed) {
    // "route not found" (404) and "request completed" (200) are no causes.
    if (line.event.status && *line.event.status < 500) {
      EXPECT_EQ(line.event.cause, Cause::kNone);
    }
  }
}

}  // namespace
}  // namespace culprit::parsers
