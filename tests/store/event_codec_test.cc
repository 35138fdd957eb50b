// The packed event form of event_groups: everything but the client address
// and extra fields round-trips, and garbage never crashes the reader.

#include "daemon/store/event_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace culprit::store {
namespace {

parsers::Event FullEvent() {
  parsers::Event e;
  e.time = FromUnixMicros(1795464090123456);
  e.precision = std::chrono::microseconds(1000);
  e.kind = EventKind::kRequest;
  e.level = 6;
  e.client_ip = *IpAddress::Parse("2001:db8::7");
  e.client_port = 51234;
  e.server_ip = *IpAddress::Parse("192.0.2.10");
  e.server_port = 443;
  e.status = 499;
  e.conn_id = "1234";
  e.request_id = "8f2c1a";
  e.duration = std::chrono::milliseconds(1500);
  e.bytes_in = 0;
  e.bytes_out = int64_t{1} << 40;
  e.phase = "reading response";
  e.detail = "CD--";
  e.message = std::string("GET /caf\xc3\xa9\0x", 12);
  e.SetExtra("upstream", "10.0.0.9:8080");
  return e;
}

TEST(EventCodecTest, EveryFieldButExtrasRoundTrips) {
  const parsers::Event e = FullEvent();
  parsers::Event minimal;  // no optional field set, a time before 1970
  minimal.time = FromUnixMicros(-5);
  std::string data;
  AppendPackedEvent({42, 3, 17, 123456789}, e, 1, "the raw line", &data);
  AppendPackedEvent({43, 3, 17, 0}, minimal, 0, "", &data);

  std::string_view in = data;
  StoredEvent se;
  ASSERT_TRUE(ReadPackedEvent(&in, &se));
  EXPECT_EQ(se.id, 42);
  EXPECT_EQ(se.source_id, 3);
  EXPECT_EQ(se.file_id, 17);
  EXPECT_EQ(se.offset, 123456789);
  EXPECT_EQ(se.raw, "the raw line");
  const parsers::Event& d = se.event;
  EXPECT_EQ(d.time, e.time);
  EXPECT_EQ(d.precision, e.precision);
  EXPECT_EQ(d.kind, e.kind);
  EXPECT_EQ(d.cause, Cause::kNone);
  EXPECT_EQ(d.level, 6);
  EXPECT_EQ(d.client_ip, e.client_ip);
  EXPECT_EQ(d.client_port, 51234);
  EXPECT_EQ(d.server_ip, e.server_ip);
  EXPECT_EQ(d.server_port, 443);
  EXPECT_EQ(d.status, 499);
  EXPECT_EQ(d.conn_id, "1234");
  EXPECT_EQ(d.request_id, "8f2c1a");
  EXPECT_EQ(d.duration, e.duration);
  EXPECT_EQ(d.bytes_in, 0);
  EXPECT_EQ(d.bytes_out, int64_t{1} << 40);
  EXPECT_EQ(d.phase, "reading response");
  EXPECT_EQ(d.detail, "CD--");
  EXPECT_EQ(d.message, e.message);
  EXPECT_EQ(d.flags, 1u);
  EXPECT_TRUE(d.extra.empty());

  // The same StoredEvent reused: every optional field is reset.
  ASSERT_TRUE(ReadPackedEvent(&in, &se));
  EXPECT_EQ(se.id, 43);
  EXPECT_EQ(se.event.time, FromUnixMicros(-5));
  EXPECT_FALSE(se.event.level || se.event.server_ip || se.event.status || se.event.duration ||
               se.event.bytes_in || se.event.bytes_out || se.event.client_ip);
  EXPECT_EQ(se.event.conn_id, "");
  EXPECT_EQ(se.raw, "");
  EXPECT_TRUE(in.empty());
}

TEST(EventCodecTest, TruncatedAndRandomBuffersAreRejectedNotFatal) {
  std::string data;
  AppendPackedEvent({1, 1, 1, 0}, FullEvent(), 0, "raw", &data);
  for (size_t cut = 0; cut < data.size(); ++cut) {
    std::string_view in(data.data(), cut);
    StoredEvent se;
    EXPECT_FALSE(ReadPackedEvent(&in, &se)) << cut;
  }
  std::mt19937_64 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    std::string_view in = junk;
    StoredEvent se;
    // Whatever it returns, it stays within the buffer and terminates.
    for (int i = 0; i < 64 && !in.empty(); ++i) {
      if (!ReadPackedEvent(&in, &se)) break;
    }
  }
}

// A group as the writer packs it: a few dozen access-log lines.
std::string PackedGroup(int events) {
  std::string packed;
  parsers::Event e = FullEvent();
  for (int i = 0; i < events; ++i) {
    e.client_port = static_cast<uint16_t>(40000 + i * 7);
    const std::string raw = "198.51.100.7 - - [23/Nov/2026:20:01:" + std::to_string(10 + i % 50) +
                            " +0000] \"GET /api/items/" + std::to_string(i * 13) +
                            " HTTP/1.1\" 200 " + std::to_string(512 + i) +
                            " \"-\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0\"";
    AppendPackedEvent({1000 + i, 1, 2, int64_t{i} * 180}, e, 0, raw, &packed);
  }
  return packed;
}

TEST(GroupCompressionTest, PackedEventsRoundTripSmaller) {
  const std::string packed = PackedGroup(40);
  std::string stored;
  CompressGroup(packed, &stored);
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored.front(), '\0');
  EXPECT_LT(stored.size() * 3, packed.size());  // log lines compress well
  std::string buffer;
  std::string_view events;
  ASSERT_TRUE(GroupEvents(stored, &buffer, &events));
  EXPECT_EQ(events, packed);
  // Every event decodes from it.
  int n = 0;
  StoredEvent se;
  while (!events.empty()) {
    ASSERT_TRUE(ReadPackedEvent(&events, &se));
    EXPECT_EQ(se.id, 1000 + n++);
  }
  EXPECT_EQ(n, 40);
}

TEST(GroupCompressionTest, PlainGroupsReadAsTheyAre) {
  // Written before schema 7, or not worth compressing: stored as packed.
  const std::string packed = PackedGroup(1);
  std::string buffer;
  std::string_view events;
  ASSERT_TRUE(GroupEvents(packed, &buffer, &events));
  EXPECT_EQ(events.data(), packed.data());  // no copy
  std::string stored;
  CompressGroup(std::string(1, '\x01'), &stored);  // too short to gain
  EXPECT_EQ(stored, std::string(1, '\x01'));
}

TEST(GroupCompressionTest, DamagedCompressedGroupsAreRejectedNotFatal) {
  std::string stored;
  CompressGroup(PackedGroup(40), &stored);
  std::string buffer;
  std::string_view events;
  for (size_t cut = 1; cut < stored.size(); cut += 7) {
    SCOPED_TRACE(cut);
    EXPECT_FALSE(GroupEvents(std::string_view(stored).substr(0, cut), &buffer, &events));
  }
  // A size beyond kMaxGroupBytes is refused before anything is allocated.
  EXPECT_FALSE(GroupEvents(std::string("\0\xff\xff\xff\xff\x0f", 6) + "xyz", &buffer, &events));
  EXPECT_FALSE(GroupEvents(std::string("\0\0", 2), &buffer, &events));
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(1 + rng() % 300, '\0');
    for (size_t j = 1; j < junk.size(); ++j) junk[j] = static_cast<char>(rng());
    junk[0] = '\0';
    if (junk.size() > 1) junk[1] = static_cast<char>(rng() % 0x80);  // sizes up to 127
    if (GroupEvents(junk, &buffer, &events)) {
      // Whatever it decodes to is only bytes for ReadPackedEvent, which
      // rejects garbage itself.
      StoredEvent se;
      while (!events.empty() && ReadPackedEvent(&events, &se)) {
      }
    }
  }
}

TEST(PortFilterTest, HoldsEveryPairAddedAndRulesOutMostOthers) {
  for (const int n : {0, 1, 31, 500, 9000}) {
    SCOPED_TRACE(n);
    PortFilterBuilder b;
    const auto a = IpAddress::Parse("10.0.1.2")->Key();
    const auto other = IpAddress::Parse("2001:db8::7")->Key();
    for (int i = 0; i < n; ++i) b.Add(a, static_cast<uint16_t>(1024 + i));
    std::string clients(a.begin(), a.end());
    b.AppendTo(&clients);
    EXPECT_EQ(clients.size() % 16, 2u);
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(MayHoldClientPort(clients, a, static_cast<uint16_t>(1024 + i))) << i;
    }
    int maybe = 0;
    for (int i = 0; i < 2000; ++i) {
      maybe += MayHoldClientPort(clients, a, static_cast<uint16_t>(20000 + i));
      maybe += MayHoldClientPort(clients, other, static_cast<uint16_t>(1024 + i));
    }
    EXPECT_LT(maybe, 4000 * 5 / 100) << "false positives";  // about 1.5 % expected
  }
}

TEST(PortFilterTest, ColumnsWithoutAFilterMayHoldAnything) {
  const auto a = IpAddress::Parse("10.0.1.2")->Key();
  const std::string keys_only(a.begin(), a.end());  // a schema-4 group
  EXPECT_TRUE(MayHoldClientPort(keys_only, a, 443));
  EXPECT_TRUE(MayHoldClientPort("", a, 443));
  // A trailer that is not a filter (bad marker, size out of range): no
  // false "no", and nothing read outside the column.
  for (const std::string& junk : {std::string(18, '\xb1'), std::string(34, '\0'),
                                  std::string(16, 'x') + "\x1f\xb1",
                                  std::string(16, 'x') + "\x03\xb1"}) {
    EXPECT_TRUE(MayHoldClientPort(junk, a, 443)) << junk.size();
  }
  std::string truncated = keys_only;
  PortFilterBuilder b;
  b.Add(a, 80);
  b.AppendTo(&truncated);
  truncated.erase(16, 8);  // bytes lost: the length no longer fits
  EXPECT_TRUE(MayHoldClientPort(truncated, a, 443));
}

}  // namespace
}  // namespace culprit::store
