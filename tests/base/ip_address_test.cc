#include "base/ip_address.h"

#include <gtest/gtest.h>

namespace culprit {
namespace {

TEST(IpAddressTest, CanonicalForms) {
  struct Case {
    const char* in;
    const char* canonical;
    bool v4;
  };
  const Case cases[] = {
      {"192.0.2.1", "192.0.2.1", true},
      {"::ffff:192.0.2.1", "192.0.2.1", true},  // mapped folds to IPv4
      {"::FFFF:c000:0201", "192.0.2.1", true},
      {"2001:DB8:0:0:0:0:0:1", "2001:db8::1", false},
      {"2001:db8::1", "2001:db8::1", false},
      {"[2001:db8::1]", "2001:db8::1", false},
      {"fe80::1%eth0", "fe80::1", false},
      {"::1", "::1", false},
      {"::", "::", false},
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1", false},
      {"fdfd:ace:ace:7::17a", "fdfd:ace:ace:7::17a", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    auto ip = IpAddress::Parse(c.in);
    ASSERT_TRUE(ip.ok()) << ip.status().ToString();
    EXPECT_EQ(ip->ToString(), c.canonical);
    EXPECT_EQ(ip->is_v4(), c.v4);
    EXPECT_EQ(IpAddress::FromKey(ip->Key()), *ip);
  }
}

TEST(IpAddressTest, RejectsGarbage) {
  for (const char* bad : {"", "10.0.0.300", "10.0.0", "1.2.3.4.5", "example.com", "::g",
                          "1.2.3.4 ", " 1.2.3.4", "-", "1:2:3:4:5:6:7:8:9"}) {
    SCOPED_TRACE(bad);
    auto ip = IpAddress::Parse(bad);
    ASSERT_FALSE(ip.ok());
    EXPECT_NE(ip.status().message().find("is not an IP address"), std::string::npos);
  }
}

TEST(IpAddressTest, MappedAndPlainAreEqual) {
  EXPECT_EQ(*IpAddress::Parse("::ffff:10.1.2.3"), *IpAddress::Parse("10.1.2.3"));
  EXPECT_LT(*IpAddress::Parse("10.1.2.3"), *IpAddress::Parse("10.1.2.4"));
  EXPECT_EQ(IpAddress::FromV4(0x0A010203), *IpAddress::Parse("10.1.2.3"));
}

TEST(EndpointTest, ParseAndFormat) {
  struct Case {
    const char* in;
    const char* out;
    uint16_t port;
  };
  const Case cases[] = {
      {"192.0.2.1:443", "192.0.2.1:443", 443},
      {"[2001:db8::1]:8443", "[2001:db8::1]:8443", 8443},
      {"2001:db8::1", "2001:db8::1", 0},
      {"192.0.2.1", "192.0.2.1", 0},
      {"[::ffff:192.0.2.1]:80", "192.0.2.1:80", 80},
      // IPv6 and a port without brackets, as stunnel and applications print
      // them: the port's 5 digits make the whole no address.
      {"2001:db8::10:39815", "[2001:db8::10]:39815", 39815},
      {"::ffff:192.0.2.1:51000", "192.0.2.1:51000", 51000},
      // ... but a whole that is an address stays one.
      {"2001:db8::10:3981", "2001:db8::10:3981", 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    auto ep = Endpoint::Parse(c.in);
    ASSERT_TRUE(ep.ok()) << ep.status().ToString();
    EXPECT_EQ(ep->ToString(), c.out);
    EXPECT_EQ(ep->port, c.port);
  }
  for (const char* bad : {"192.0.2.1:", "192.0.2.1:65536", "192.0.2.1:http", "[::1", "[::1]x",
                          "[::1]:", "host:80", "2001:db8::10:99999", "2001:db8::10:"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(Endpoint::Parse(bad).ok());
  }
}

TEST(IpPrefixTest, RangesAndContains) {
  auto p = IpPrefix::Parse("10.1.2.3/24");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->ToString(), "10.1.2.0/24");
  EXPECT_TRUE(p->Contains(*IpAddress::Parse("10.1.2.255")));
  EXPECT_FALSE(p->Contains(*IpAddress::Parse("10.1.3.0")));
  EXPECT_EQ(IpAddress::FromKey(p->LowKey()).ToString(), "10.1.2.0");
  EXPECT_EQ(IpAddress::FromKey(p->HighKey()).ToString(), "10.1.2.255");

  auto v6 = IpPrefix::Parse("2001:db8::/32");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->Contains(*IpAddress::Parse("2001:db8:ffff::1")));
  EXPECT_FALSE(v6->Contains(*IpAddress::Parse("2001:db9::1")));
  EXPECT_FALSE(v6->Contains(*IpAddress::Parse("10.0.0.1")));

  auto one = IpPrefix::Parse("192.0.2.9");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->length(), 32);
  EXPECT_TRUE(one->Contains(*IpAddress::Parse("192.0.2.9")));
  EXPECT_FALSE(one->Contains(*IpAddress::Parse("192.0.2.10")));

  auto all4 = IpPrefix::Parse("0.0.0.0/0");
  ASSERT_TRUE(all4.ok());
  EXPECT_TRUE(all4->Contains(*IpAddress::Parse("255.255.255.255")));
  EXPECT_FALSE(all4->Contains(*IpAddress::Parse("2001:db8::1")));

  for (const char* bad : {"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/x", "x/8"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(IpPrefix::Parse(bad).ok());
  }
}

}  // namespace
}  // namespace culprit
