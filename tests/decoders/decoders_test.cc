#include "parsers/decoder.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "base/time_zone.h"

namespace culprit::parsers {
namespace {

TEST(DecodersTest, RegistryHasTheBuiltInsInStableOrder) {
  const auto all = BuiltinDecoders();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].name, "haproxy_termination");
  EXPECT_EQ(all[1].name, "netfilter_kv");
  EXPECT_EQ(all[2].name, "tls_reason");
  std::set<std::string_view> names;
  for (const Decoder& d : all) {
    EXPECT_FALSE(d.help.empty());
    EXPECT_NE(d.decode, nullptr);
    names.insert(d.name);
  }
  EXPECT_EQ(names.size(), all.size());
}

TEST(DecodersTest, FindDecoder) {
  const Decoder* d = FindDecoder("haproxy_termination");
  ASSERT_NE(d, nullptr);
  TimeZone utc;
  const LineContext ctx{&utc, Timestamp()};
  Event event;
  ASSERT_TRUE(d->decode("SD--", ctx, &event).ok());
  EXPECT_EQ(event.cause, Cause::kUpstreamFailure);
  EXPECT_NE(FindDecoder("netfilter_kv"), nullptr);
  EXPECT_NE(FindDecoder("tls_reason"), nullptr);
  EXPECT_EQ(FindDecoder("nope"), nullptr);
  EXPECT_EQ(FindDecoder(""), nullptr);
}

}  // namespace
}  // namespace culprit::parsers
