#include "tests/correlate/fake_event_query.h"

#include <gtest/gtest.h>

namespace culprit::correlate_test {
namespace {

store::StoredEvent At(int64_t sec, const char* ip, uint16_t port, Cause cause = Cause::kNone) {
  store::StoredEvent e;
  e.event.time = FromUnixMicros(sec * 1000000);
  if (ip) e.event.client_ip = *IpAddress::Parse(ip);
  e.event.client_port = port;
  e.event.cause = cause;
  return e;
}

TEST(FakeEventQueryTest, FilterSemantics) {
  FakeEventQuery q;
  q.Add(At(100, "192.0.2.1", 1000));
  q.Add(At(101, "192.0.2.1", 1001, Cause::kFirewall));
  q.Add(At(102, "192.0.2.9", 1000));
  q.Add(At(103, nullptr, 0, Cause::kServerShutdown));
  store::EventFilter f;
  f.from = FromUnixMicros(100 * 1000000);
  f.to = FromUnixMicros(102 * 1000000);
  EXPECT_EQ(q.FindEvents(f)->size(), 3u);  // both ends inclusive
  f.client_ip = *IpAddress::Parse("192.0.2.1");
  EXPECT_EQ(q.FindEvents(f)->size(), 2u);
  f.client_port = 1001;
  ASSERT_EQ(q.FindEvents(f)->size(), 1u);
  f.client_port = 0;
  f.with_cause_only = true;
  EXPECT_EQ(q.FindEvents(f)->size(), 1u);
  f = {};
  f.from = FromUnixMicros(0);
  f.to = FromUnixMicros(200 * 1000000);
  f.client_prefix = *IpPrefix::Parse("192.0.2.0/29");
  EXPECT_EQ(q.FindEvents(f)->size(), 2u);
  f.client_prefix.reset();
  f.newest_first = true;
  f.limit = 2;
  auto newest = q.FindEvents(f);
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_EQ(newest->front().id, 4);
  f.limit = 0;
  EXPECT_FALSE(q.FindEvents(f).ok());
  f.limit = 1;
  f.to = FromUnixMicros(-1);
  EXPECT_FALSE(q.FindEvents(f).ok());
  EXPECT_TRUE(q.ListSources()->empty());
}

}  // namespace
}  // namespace culprit::correlate_test
