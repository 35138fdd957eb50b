// HTTP response parsing and request building for `culprit probe`.

#include "cli/probe/http.h"

#include <gtest/gtest.h>

#include <random>

namespace culprit::cli::probe {
namespace {

// nginx 1.22's answer to plain HTTP on a TLS port, as sent.
constexpr char kNginxPlainToHttps[] =
    "HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\nDate: Fri, 27 Nov 2026 15:31:02 GMT\r\n"
    "Content-Type: text/html\r\nContent-Length: 255\r\nConnection: close\r\n\r\n"
    "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n"
    "<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was "
    "sent to HTTPS port</center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";

TEST(ParseHttpResponseTest, Table) {
  struct Case {
    const char* name;
    std::string bytes;
    bool eof;
    HttpParseState state;
    int status;
    bool keep_alive;
    std::string body;
    size_t consumed;  // 0: the whole buffer
  } cases[] = {
      {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", false,
       HttpParseState::kComplete, 200, true, "ok\n", 0},
      {"content-length, pipelined rest", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1",
       false, HttpParseState::kComplete, 200, true, "ok", 40},
      {"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok", false,
       HttpParseState::kIncomplete, 0, false, "", 0},
      {"short body then close", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok", true,
       HttpParseState::kMalformed, 0, false, "", 0},
      {"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nok\r\n1\r\n!\r\n"
                  "0\r\nTrailer: t\r\n\r\n",
       false, HttpParseState::kComplete, 200, true, "ok!", 0},
      {"chunked, last chunk missing", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok",
       false, HttpParseState::kIncomplete, 0, false, "", 0},
      {"chunked, bad size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
       HttpParseState::kMalformed, 0, false, "", 0},
      {"connection close", "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
       false, HttpParseState::kComplete, 404, false, "", 0},
      {"http/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
       false, HttpParseState::kComplete, 200, true, "", 0},
      {"http/1.0 default", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false,
       HttpParseState::kComplete, 200, false, "", 0},
      {"until close, open", "HTTP/1.1 200 OK\r\n\r\nabc", false, HttpParseState::kIncomplete, 0,
       false, "", 0},
      {"until close, closed", "HTTP/1.1 200 OK\r\n\r\nabc", true, HttpParseState::kComplete, 200,
       false, "abc", 0},
      {"204 no body", "HTTP/1.1 204 No Content\r\n\r\n", false, HttpParseState::kComplete, 204,
       true, "", 0},
      {"LF only", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", false, HttpParseState::kComplete,
       200, true, "ok", 0},
      {"headers cut", "HTTP/1.1 200 OK\r\nContent-Le", false, HttpParseState::kIncomplete, 0,
       false, "", 0},
      {"headers cut by close", "HTTP/1.1 200 OK\r\nContent-Le", true, HttpParseState::kMalformed,
       0, false, "", 0},
      {"nothing then close", "", true, HttpParseState::kMalformed, 0, false, "", 0},
      {"TLS alert bytes", std::string("\x15\x03\x01\x00\x02\x02\x46", 7), false,
       HttpParseState::kMalformed, 0, false, "", 0},
      {"bad status", "HTTP/1.1 2x0 OK\r\n\r\n", false, HttpParseState::kMalformed, 0, false, "",
       0},
      {"bad header", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", false, HttpParseState::kMalformed, 0,
       false, "", 0},
      {"bad content-length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false,
       HttpParseState::kMalformed, 0, false, "", 0},
      {"nginx plain to https", kNginxPlainToHttps, false, HttpParseState::kComplete, 400, false,
       std::string(kNginxPlainToHttps).substr(std::string(kNginxPlainToHttps).find("<html>")), 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const HttpParse p = ParseHttpResponse(c.bytes, c.eof);
    ASSERT_EQ(p.state, c.state) << p.error;
    if (c.state != HttpParseState::kComplete) continue;
    EXPECT_EQ(p.response.status, c.status);
    EXPECT_EQ(p.response.keep_alive, c.keep_alive);
    EXPECT_EQ(p.response.body, c.body);
    EXPECT_EQ(p.consumed, c.consumed == 0 ? c.bytes.size() : c.consumed);
  }
}

TEST(ParseHttpResponseTest, HeadersAndText) {
  const HttpParse p = ParseHttpResponse(kNginxPlainToHttps, false);
  ASSERT_EQ(p.state, HttpParseState::kComplete);
  EXPECT_EQ(p.response.Header("server"), "nginx/1.22.1");
  EXPECT_EQ(p.response.reason, "Bad Request");
  EXPECT_EQ(p.response.body_size, 255u);
  const std::string text = BodyText(p.response.body, 200);
  EXPECT_NE(text.find("The plain HTTP request was sent to HTTPS port"), std::string::npos) << text;
}

TEST(ParseHttpResponseTest, LimitsAndGarbage) {
  // Headers that never end.
  std::string big = "HTTP/1.1 200 OK\r\n";
  while (big.size() <= kMaxHeaderBytes) big += "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  EXPECT_EQ(ParseHttpResponse(big, false).state, HttpParseState::kMalformed);
  // A large body keeps only kMaxBody bytes but counts them all.
  const std::string body(100000, 'x');
  const HttpParse p = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + body, false);
  ASSERT_EQ(p.state, HttpParseState::kComplete);
  EXPECT_EQ(p.response.body.size(), kMaxBody);
  EXPECT_EQ(p.response.body_size, 100000u);
  // Random bytes after a valid start never crash.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s = i % 2 ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" : "HTTP/1.1 ";
    const int n = static_cast<int>(rng() % 64);
    for (int k = 0; k < n; ++k) s += static_cast<char>(rng() % 256);
    (void)ParseHttpResponse(s, i % 3 == 0);
    (void)BodyText(s, 80);
    (void)Printable(s, 80);
  }
}

TEST(BuildRequestTest, Shapes) {
  EXPECT_EQ(BuildRequest("/", "example.com", true),
            "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: culprit-probe\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(BuildRequest("health", "h:8080", false),
            "GET /health HTTP/1.1\r\nHost: h:8080\r\nUser-Agent: culprit-probe\r\nAccept: "
            "*/*\r\nConnection: close\r\n\r\n");
  // CR/LF injection is dropped.
  EXPECT_EQ(BuildRequest("/a\r\nX: y", "h\r\n", true).find("\r\nX: y"), std::string::npos);
}

TEST(PrintableTest, EscapesBytes) {
  EXPECT_EQ(Printable(std::string("\x16\x03\x01" "ab\\", 6), 16), "\\x16\\x03\\x01ab\\x5C");
  EXPECT_EQ(Printable("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace culprit::cli::probe
