#include "parsers/nginx/nginx_variables.h"

#include <gtest/gtest.h>

#include <string>

#include "base/time.h"

namespace culprit::parsers::nginx {
namespace {

struct TimeRow {
  const char* text;
  const char* want;  // RFC 3339 UTC, "" = rejected
};

TEST(NginxVariablesTest, TimeLocal) {
  const TimeRow rows[] = {
      {"23/Nov/2026:20:01:30 +0000", "2026-11-23T20:01:30Z"},
      {"22/Jan/2019:03:56:14 +0330", "2019-01-22T00:26:14Z"},
      {"29/Jul/2023:10:26:06 -0700", "2023-07-29T17:26:06Z"},
      {"07/dec/2016:11:05:07 +0100", "2016-12-07T10:05:07Z"},
      {"31/Dec/2016:23:59:60 +0000", "2016-12-31T23:59:59Z"},  // leap second
      {"29/Feb/2024:00:00:00 +0000", "2024-02-29T00:00:00Z"},
      {"29/Feb/2023:00:00:00 +0000", ""},
      {"23/Nov/2026:24:00:00 +0000", ""},
      {"23/Nov/2026:20:60:00 +0000", ""},
      {"23/Nox/2026:20:01:30 +0000", ""},
      {"23/Nov/2026:20:01:30 +2400", ""},
      {"23/Nov/2026:20:01:30 0000", ""},
      {"23/Nov/2026:20:01:30+0000", ""},
      {"2/Nov/2026:20:01:30 +0000", ""},
      {"", ""},
      {"23/Nov/2026:20:01:30 +00000", ""},
  };
  TimeLocalReader reader;
  for (int pass = 0; pass < 2; ++pass) {
    for (const TimeRow& row : rows) {
      SCOPED_TRACE(row.text);
      const std::optional<Timestamp> t = ParseTimeLocal(row.text);
      EXPECT_EQ(t ? FormatRfc3339(*t, 0) : "", row.want);
      // The cached reader agrees, whatever it read before.
      const std::optional<Timestamp> r = reader.Read(row.text);
      EXPECT_EQ(r ? FormatRfc3339(*r, 0) : "", row.want);
    }
  }
  // Same minute, other seconds: the cached path.
  EXPECT_EQ(FormatRfc3339(*reader.Read("23/Nov/2026:20:01:00 +0000"), 0), "2026-11-23T20:01:00Z");
  EXPECT_EQ(FormatRfc3339(*reader.Read("23/Nov/2026:20:01:59 +0000"), 0), "2026-11-23T20:01:59Z");
  EXPECT_FALSE(reader.Read("23/Nov/2026:20:01:61 +0000"));
  EXPECT_FALSE(reader.Read("23/Nov/2026:20:01:5x +0000"));
}

TEST(NginxVariablesTest, TimeIso8601) {
  const TimeRow rows[] = {
      {"2026-11-23T20:01:30+00:00", "2026-11-23T20:01:30Z"},
      {"2026-11-23T21:01:30+01:00", "2026-11-23T20:01:30Z"},
      {"2026-11-23T20:01:30Z", "2026-11-23T20:01:30Z"},
      {"2026-11-23T20:01:30-0530", "2026-11-24T01:31:30Z"},
      {"2026-11-23 20:01:30+00:00", ""},
      {"2026-13-23T20:01:30+00:00", ""},
      {"2026-11-23T20:01:30", ""},
      {"2026-11-23T20:01:30.123+00:00", ""},
  };
  for (const TimeRow& row : rows) {
    SCOPED_TRACE(row.text);
    const std::optional<Timestamp> t = ParseTimeIso8601(row.text);
    EXPECT_EQ(t ? FormatRfc3339(*t, 0) : "", row.want);
  }
}

TEST(NginxVariablesTest, DecimalMicros) {
  const struct {
    const char* text;
    int64_t want;  // -1 = rejected
  } rows[] = {
      {"0.001", 1000},
      {"0.401", 401000},
      {"1795464090.372", 1795464090372000},
      {"12", 12000000},
      {"1.2345678", 1234567},
      {"", -1},
      {"-", -1},
      {".5", -1},
      {"5.", -1},
      {"1.2.3", -1},
      {"1e3", -1},
      {"9999999999999", -1},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.text);
    const std::optional<int64_t> v = ParseDecimalMicros(row.text);
    EXPECT_EQ(v.value_or(-1), row.want);
  }
}

TEST(NginxVariablesTest, AddressLists) {
  const struct {
    const char* text;
    const char* want;  // "" = none
  } rows[] = {
      {"127.50.3.101", "127.50.3.101"},
      {"10.0.0.2, 10.0.0.1, 127.0.0.1", "10.0.0.2"},
      {"unknown, 203.0.113.9", "203.0.113.9"},
      {"2a02:cf40::4e36", "2a02:cf40::4e36"},
      {"2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17", "2a03:0:10ff:f00f::8000"},
      {"::ffff:192.0.2.1", "192.0.2.1"},
      {"[2001:db8::1]", "2001:db8::1"},
      {"010.0.0.1", ""},
      {"256.0.0.1", ""},
      {"1.2.3", ""},
      {"www.crowdsec.net 192.168.1.1", ""},
      {"10.0.0.2, 10.0.0.1 10.2.2.121", ""},
      {"10.0.0.2,,10.0.0.1", ""},
      {"-", ""},
      {"", ""},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.text);
    const std::optional<IpAddress> ip = FirstAddressInList(row.text);
    EXPECT_EQ(ip ? ip->ToString() : "", row.want);
  }
}

TEST(NginxVariablesTest, BinaryAddress) {
  EXPECT_EQ(DecodeBinaryAddress("\\x7F\\x00\\x00\\x01")->ToString(), "127.0.0.1");
  EXPECT_EQ(DecodeBinaryAddress("\\x0A\\x00A\\x01")->ToString(), "10.0.65.1");
  EXPECT_EQ(DecodeBinaryAddress(
                "\\x20\\x01\\x0D\\xB8\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01")
                ->ToString(),
            "2001:db8::1");
  EXPECT_FALSE(DecodeBinaryAddress("\\x7F\\x00\\x00"));
  EXPECT_FALSE(DecodeBinaryAddress("\\x7F\\x00\\x00\\x0"));
  EXPECT_FALSE(DecodeBinaryAddress("\\x7F\\x00\\x00\\xZZ"));
  EXPECT_FALSE(DecodeBinaryAddress("12345"));
}

TEST(NginxVariablesTest, LookupVar) {
  EXPECT_EQ(LookupVar("remote_addr"), Var::kRemoteAddr);
  EXPECT_EQ(LookupVar("req_id"), Var::kRequestId);
  EXPECT_EQ(LookupVar("http_user_agent"), Var::kText);
  EXPECT_EQ(LookupVar("Remote_Addr"), Var::kText);
}

}  // namespace
}  // namespace culprit::parsers::nginx
