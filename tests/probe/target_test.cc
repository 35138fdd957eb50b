// HOST:PORT and duration parsing for `culprit probe`.

#include <gtest/gtest.h>

#include "base/time.h"
#include "cli/probe/net.h"

namespace culprit::cli::probe {
namespace {

TEST(ParseTargetTest, Accepts) {
  struct Case {
    const char* text;
    const char* host;
    int port;
    bool is_ip;
    const char* canonical;
  } cases[] = {
      {"example.com:443", "example.com", 443, false, "example.com:443"},
      {"192.0.2.1:80", "192.0.2.1", 80, true, "192.0.2.1:80"},
      {"[::1]:443", "::1", 443, true, "[::1]:443"},
      {"[2001:db8::1]:8443", "2001:db8::1", 8443, true, "[2001:db8::1]:8443"},
      {"localhost:65535", "localhost", 65535, false, "localhost:65535"},
      {"a:1", "a", 1, false, "a:1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto t = ParseTarget(c.text);
    ASSERT_TRUE(t.ok()) << t.status().message();
    EXPECT_EQ(t->host, c.host);
    EXPECT_EQ(t->port, c.port);
    EXPECT_EQ(t->host_is_ip, c.is_ip);
    EXPECT_EQ(t->ToString(), c.canonical);
  }
}

TEST(ParseTargetTest, RejectsWithReason) {
  struct Case {
    const char* text;
    const char* message_part;
  } cases[] = {
      {"example.com", "expected HOST:PORT"},
      {"example.com:", "1..65535"},
      {"example.com:0", "1..65535"},
      {"example.com:65536", "1..65535"},
      {"example.com:123456", "1..65535"},
      {"example.com:-1", "1..65535"},
      {"example.com:http", "1..65535"},
      {":443", "empty host"},
      {"[::1]443", "expected ':PORT'"},
      {"[::1:443", "without ']'"},
      {"::1:443", "needs brackets"},
      {"[]:443", "empty host"},
      {"[nothost]:443", "not an IPv6 address"},
      {"exa mple:443", "invalid character"},
      {"", "expected HOST:PORT"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto t = ParseTarget(c.text);
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.status().message().find(c.message_part), std::string::npos)
        << t.status().message();
  }
  // Binary junk never crashes.
  const std::string junk("\0\xff:\x80[", 6);
  EXPECT_FALSE(ParseTarget(junk).ok());
}

TEST(ParseTargetTest, MaxIdleDurations) {
  // --max-idle and --timeout use base's duration syntax.
  struct Case {
    const char* text;
    int64_t micros;  // -1: rejected
  } cases[] = {
      {"120s", 120'000'000}, {"1.5s", 1'500'000}, {"250ms", 250'000},
      {"2m", 120'000'000},   {"120", -1},          {"", -1},
      {"s", -1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto d = ParseDuration(c.text);
    if (c.micros < 0) {
      EXPECT_FALSE(d.ok());
    } else {
      ASSERT_TRUE(d.ok()) << d.status().message();
      EXPECT_EQ(d->count(), c.micros);
    }
  }
}

TEST(ErrnoNameTest, NamesTheErrors) {
  EXPECT_EQ(ErrnoName(ECONNRESET), "ECONNRESET");
  EXPECT_EQ(ErrnoName(ECONNREFUSED), "ECONNREFUSED");
  EXPECT_EQ(ErrnoName(EPIPE), "EPIPE");
  EXPECT_EQ(ErrnoName(100000), "errno 100000");
  EXPECT_EQ(OutcomeOfErrno(ECONNRESET), NetOutcome::kReset);
  EXPECT_EQ(OutcomeOfErrno(EPIPE), NetOutcome::kReset);
  EXPECT_EQ(OutcomeOfErrno(ECONNREFUSED), NetOutcome::kRefused);
  EXPECT_EQ(OutcomeOfErrno(EHOSTUNREACH), NetOutcome::kUnreachable);
  EXPECT_EQ((IoResult{NetOutcome::kClosed, 0, 0, {}}).ClientError(), "EOF");
  EXPECT_EQ((IoResult{NetOutcome::kTimeout, 0, 0, {}}).ClientError(), "ETIMEDOUT");
  EXPECT_EQ((IoResult{NetOutcome::kTlsError, 0, 0, "wrong version number"}).ClientError(),
            "SSL: wrong version number");
}

}  // namespace
}  // namespace culprit::cli::probe
